"""The officers' mobile office (plan action E18, 移动办公; docs/usage/office.md).

- **Field documents** (:mod:`.documents`): a notice an inspector issues on site — the tax
  inspection notice (税务检查通知书) or the inquiry notice (询问通知书) — drafted by one
  officer, countersigned by a second of the same office (an inspection is made by two or
  more inspectors), then numbered in order, signed with the platform's key, printed with a
  QR code and verifiable by anyone, like a certificate; the taxpayer is told in its inbox.
- **Operations alerts** (:mod:`.alerts`): the platform's alarms reach the officers on duty
  (a roster the administrators keep) in their inbox and on their channels; one of them
  acknowledges each.

``OFFICE_TABLE`` (``pk``, ``sk``; TTL ``expires_at``), by ``pk``:

- ``fdoc#<id>`` / ``doc`` — a field document, drafted then issued or withdrawn, with its
  trail; ``fnum#<number>`` / ``doc`` — its number, pointing at the id (the public check);
  ``fseq#<office>#<kind>#<year>`` / ``seq`` — the last number an office gave a kind in a year;
- ``duty`` / ``<ends_at>#<shift_id>`` — a shift of the on-duty roster (expires 90 days after
  it ends);
- ``alerts`` / ``<alert_id>`` — an alarm's alert (the id starts with its instant, so the
  partition reads newest first); ``alarm#<name>`` / ``open`` — the alert of an alarm still
  in ALARM (an OK resolves it).
"""
