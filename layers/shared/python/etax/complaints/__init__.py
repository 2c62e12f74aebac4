"""Complaints and reports (plan action D12, 投诉举报): anyone complains about a tax office's
service or reports a taxpayer's violation; the case goes to the office responsible for it,
which accepts (or refuses) it, investigates and answers by the kind's deadline; the filer
follows it and rates how it was handled; a case still open past its deadline is escalated.

A report may be anonymous: it gets a tracking code and a secret, shown once; only a salted
scrypt hash of the secret is kept (:mod:`etax.complaints.rules`). No answer carries who filed
a case (officers see whether it is named, never by whom), and nothing is logged about them.

Table ``COMPLAINTS_TABLE`` (:data:`etax.complaints.tables.COMPLAINTS`), one item per case,
partition key ``pk`` = ``case#<id>``:

==============  ==========================================================================
``by_office``   ``office`` → ``queued`` (filed_at#id): the responsible office's queue, one
                Query, newest first
``by_filer``    ``filer`` → ``queued``: a signed-in filer's own cases (absent on anonymous
                reports: sparse)
``by_deadline`` ``open_shard`` → ``due_on``: open cases by deadline, sparse (the attribute
                is removed once a case is answered, refused or escalated), Queried by the
                daily escalation run
==============  ==========================================================================
"""
