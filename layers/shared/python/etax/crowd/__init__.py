"""Crowd help (plan action A1, 众包互助): taxpayers ask and answer tax questions; votes, an
accepted answer and reputation (大众导税员 at a threshold); duplicate questions suggested on
asking; officers moderate (pin, hide with a reason, verify an answer, which drafts a
knowledge-base article). docs/usage/crowd.md.

- :mod:`.reputation` — the reputation rules as data and the pure fold over vote/accept events;
- :mod:`.similarity` — duplicate detection over normalised terms (a port for the search kit);
- :mod:`.model` — questions, answers, drafts, ids and the state rules;
- :mod:`.tables`, :mod:`.repository` — the crowd table and its access;
- :mod:`.requests`, :mod:`.results`, :mod:`.service` — the routes' logic.
"""
