"""Online acceptance (plan action B4, 线上受理): what a taxpayer does online besides the
registry the market-supervision feed keeps (see :mod:`etax.acceptance.registration`).

* its own registration details (business address, business scope, contacts), each change
  recorded with who and when;
* temporary tax registration and withholding-agent registration;
* natural persons registering with a resident ID and a real-name check at a bank;
* applications: record-filing (备案) items accepted at once; qualification recognition and
  preferential treatment with documents uploaded to S3, reviewed by an officer of the
  applicant's tax office, every state change a conditional transition in a progress trail.

Table ``ACCEPTANCE_TABLE`` (partition key ``pk``, sort key ``sk``, stream NEW_AND_OLD_IMAGES):

======================  ======================  ==========================================
pk                      sk                      item
======================  ======================  ==========================================
``taxpayer#<subject>``  ``details``             self-maintained details, ``version``
``taxpayer#<subject>``  ``change#<at>#<id>``    one change of the details: who, when, what
``taxpayer#<subject>``  ``person``              a natural person's registration
``taxpayer#<subject>``  ``temporary#<number>``  a temporary tax registration
``taxpayer#<subject>``  ``withholding``         the withholding-agent registration
``application#<id>``    ``application``         the application: state, ``version``, office
``application#<id>``    ``document#<doc_id>``   a supporting document (pending → confirmed)
``application#<id>``    ``trail#<seq>``         one state change (seq = version after it)
======================  ======================  ==========================================

Access patterns: everything of an application is one ``Query`` on its partition; a
taxpayer's registrations are one ``Query`` (sk after ``change$``) and its latest changes
another (``change#`` newest first, limited); an officer's queue is the ``by_office``
index (``office``, ``queue`` = ``<state>#<updated_at>#<id>``, on application items only).
No scans. The stream's ``trail#`` inserts are announced on the bus by the
``acceptance_events`` function (the outbox).
"""
