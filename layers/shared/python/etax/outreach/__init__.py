"""Information on demand (plan action D15, 信息定制): subscriptions by topic, and officers'
mailings to a segment of subscribers, delivered through the notification fan-out.

Risk warnings to named taxpayers (:mod:`.warnings`) live in the same table.

Pure rules: :mod:`.catalogue` (topics, taxpayer types, provinces, mailing kinds, the
frequency cap), :mod:`.segments` (a subscriber's segment keys, a segment's partitions, an
officer's reach). Storage and service: :mod:`.repository`, :mod:`.service`; what the routes
read and answer: :mod:`.requests`, :mod:`.results`.

``OUTREACH_TABLE`` — partition key ``pk``, sort key ``sk``:

===============================================  ====================  ========================
pk                                               sk                    holds
===============================================  ====================  ========================
``subscriber#<subject>``                         ``profile``           the subscription: topics
                                                                       and the facts the segment
                                                                       keys were made from
``segment#<topic>#<province>#<type>``            ``<industry>#<subj>`` one member of a segment
                                                                       (an item per topic)
``mailing#<id>``                                 ``mailing``           a mailing: its segment,
                                                                       text, state and counts
``mailing#<id>``                                 ``to#<subject>``      sent (or capped) once per
                                                                       person: the dedup marker
``cap#<subject>#<ISO week>``                     ``cap``               mailings a person got
                                                                       that week (TTL)
``warning#<id>``                                 ``warning``           a risk warning and its
                                                                       trail; carries ``warned``
                                                                       (the taxpayer) for the
                                                                       ``by_taxpayer`` index
===============================================  ====================  ========================

A segment (topics × provinces × taxpayer types, optionally industries) is resolved by one
Query per partition (``begins_with`` on the industry when named): the members of a segment are
never found by scanning the taxpayers. A person in two partitions of one mailing (subscribed
to two of its topics) gets it once: the marker is a conditional put.
"""
