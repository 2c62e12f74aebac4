"""The instant invoice lottery (plan action C11): campaigns, scans, payouts.

Where things are. The rules are pure (no clock, no storage, no network), one job a module:

* :mod:`~etax.lottery.campaigns` — the campaign model (``Campaign``, ``Period``, ``Tier``),
  every national limit checked when one is built, and ``check_entry`` (may this invoice be
  drawn);
* :mod:`~etax.lottery.campaign_codec` — a campaign as data (``campaign_to_dict`` /
  ``campaign_from_dict``; errors name the field by path, as the API returns them);
* :mod:`~etax.lottery.draw` — seeds and commitments, the draw value, the tiers' intervals,
  ``draw``;
* :mod:`~etax.lottery.records` — the draw record an auditor replays, and its JSON form;
* :mod:`~etax.lottery.audit` — ``replay``: a closed period checked from its revealed seed
  (``scripts/lottery_replay.py``);
* :mod:`~etax.lottery.errors` — ``LotteryError`` and its kinds, and a write's outcomes;
* :mod:`~etax.lottery.yantai` — Yantai's 2026 published table as a reference campaign.

Storing and serving them: :mod:`~etax.lottery.service` (create a campaign, the scan, a
person's draw), :mod:`~etax.lottery.answers` (a draw's answer),
:mod:`~etax.lottery.results` (what the routes answer, as typed results),
:mod:`~etax.lottery.stored` (what is kept: stored campaign, period, draw, counters, payout
states), :mod:`~etax.lottery.repository` (the tables below),
:mod:`~etax.lottery.seeds` (seeds sealed with KMS), :mod:`~etax.lottery.payout` (the
payout state machine), :mod:`~etax.lottery.requests` (request bodies). The rule modules
list their public names in ``__all__``; import them from the module (this package
re-exports nothing, so a handler loads only what it uses). Tables, keys and access patterns:

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
(``etax.lottery.records.DrawRecord`` fields), the person and the ``tax_office`` in
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
