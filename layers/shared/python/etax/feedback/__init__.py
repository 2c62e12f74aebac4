"""Ratings of service and surveys (plan action D12, 满意度评价 and 调查).

After each completed service — an application decided, a refund paid, a complaint answered,
a consultation handed off and answered by an officer — the person served is invited, once, to
rate it (1 to 5, an optional one-line comment). The ratings are counted per office, kind of
service and month, and published in aggregate only; an aggregate of fewer than
:data:`etax.feedback.rules.PUBLISHED_FROM` ratings is published without its mean and
distribution (a filer could be recognised in it). Officers (and admins) publish surveys of a
few kinds of question; each signed-in person answers a survey once; its results are
aggregated as the answers come in.

Table ``FEEDBACK_TABLE`` (:data:`etax.feedback.tables.FEEDBACK`), partition key ``pk``, sort
key ``sk``:

=================================  ==========================================================
``inv#<id>`` / ``invitation``      an invitation: the kind and id of the service, the office
                                   that served, the person, the dates, ``state`` (pending,
                                   answered); keyed by the service, so an event delivered
                                   again creates nothing
``inv#<id>`` / ``rating``          the rating of that invitation (no person: the invitation
                                   says who)
``agg#<office>#<kind>`` / month    the counters of the ratings of an office, kind and month:
                                   ``count``, ``total`` and ``s1`` … ``s5``
``survey#<id>`` / ``survey``       a survey: its questions, the publishing office, closes_on
``survey#<id>`` / ``results``      its counters: ``responses``, ``o#<q>#<o>`` per option,
                                   ``s#<q>``/``n#<q>`` per scale, ``t#<q>`` per text question
``survey#<id>`` / ``response#<h>`` one person's answers (``h``: a hash of the survey and the
                                   person, so the key names nobody and a person answers once)
=================================  ==========================================================

Indexes: ``by_person`` (``person`` → ``invited``): a person's invitations, newest first;
``by_closing`` (``listed`` → ``closes``): the surveys by closing date, the open ones one Query.
"""
