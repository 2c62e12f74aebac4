"""12366 smart consultation (plan action E16 智能咨询): a question answered from the knowledge
base (:mod:`etax.knowledge`) with its citations, a confidence and related questions, on every
channel in one wording; out-of-domain questions refused; the rest handed to officers.

- :mod:`.guard` — what a question is (tax, a request for a person, the asker's own records,
  another agency's matter, out of domain), from phrases kept as data;
- :mod:`.compose` — the answer from retrieved articles (the :class:`~.compose.Retriever`
  port), its citations as of the day and its confidence;
- :mod:`.rules` — the decision (answer, refuse, hand off, no answer), the channels' text, the
  hand-off states and the service level;
- :mod:`.service` over :mod:`.repository` (the ``consult`` table, :mod:`.tables`).
"""
