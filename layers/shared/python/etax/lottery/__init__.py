"""The instant invoice lottery (plan action C11): campaigns, scans, payouts.

The pure rules (odds, the draw, the audit) are :mod:`etax.rules.lottery`; this
package stores and serves them. Tables, keys and access patterns:

``LOTTERY_TABLE`` — partition key ``pk``, sort key ``sk``, TTL ``expires_at``:

===================================  ==================  ====================================
pk                                   sk                  holds, and who reads it how
===================================  ==================  ====================================
``campaign#<id>``                    ``campaign``        the campaign as data (``doc``,
                                                         ``campaign_to_dict`` JSON)
``campaign#<id>``                    ``period#0001``     the period's seed encrypted with the
                                                         lottery KMS key (``seed_ct``), its
                                                         ``commitment``, ``shards`` per tier;
                                                         the campaign page is ONE Query on
                                                         the ``campaign#<id>`` partition
``region#<two digits>``              ``<closes>#<id>``   the campaign index a scan uses: one
                                                         Query ``sk >= today`` (then
                                                         ``opens <= today`` in code)
``stock#<id>#<period>#<tier>#<n>``   ``stock``           one inventory shard: ``remaining``
                                                         (its own partition, so no hot key)
``count#<person>#<id>``              ``day#2026-11-28``  the person's draws that day / month
                                     ``month#2026-11``   (``n``), expiring by TTL
===================================  ==================  ====================================

``LOTTERY_DRAWS_TABLE`` — partition key ``number`` (the invoice number: one draw per
invoice ever is ``attribute_not_exists(number)``). The item is the audit record
(``etax.rules.lottery.DrawRecord`` fields), the person and the ``tax_office`` in
charge of them (written at scan time; absent on older draws, which are read with the
same rule: :mod:`etax.lottery.service`), the prize and the payout state machine
(``payout_state`` none / pending / paid / failed, with times). GSI ``by_period``
(``period_key`` = ``<id>#<period>#<shard 0..7>``, ``number``) lists a period's draws
for the export with Queries, never a Scan; the period is spread over
:data:`EXPORT_SHARDS` index partitions so a busy period does not make one hot index
partition. The table's stream is the outbox of ``PrizeWon`` / ``PrizePaid`` /
``PrizePayoutFailed``.

``LOTTERY_LEDGER_TABLE`` — partition key ``key``: the simulated payment
providers' own ledger (``payment#<method>#<draw id>``, ``attempt#…``), standing
for WeChat Pay's, Alipay's or a bank's records of what they paid.
"""

EXPORT_SHARDS = 8
"""Index partitions per period on ``by_period`` (the export queries them all)."""
