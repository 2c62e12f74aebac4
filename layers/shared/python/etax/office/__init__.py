"""The officers' mobile office (plan action E18, 移动办公; docs/usage/office.md).

- **Field documents** (:mod:`.documents`): a notice an inspector issues on site — the tax
  inspection notice (税务检查通知书) or the inquiry notice (询问通知书) — drafted by one
  officer, countersigned by a second of the same office (an inspection is made by two or
  more inspectors), then numbered in order, signed with the platform's key, printed with a
  QR code and verifiable by anyone, like a certificate; the taxpayer is told in its inbox.
- **Internal approvals** (:mod:`.approvals`, :mod:`.approval_service`): a document an
  officer submits is routed through reviewers of its office in order, each approving (with
  conditions, if any), returning it for changes or rejecting it, every step on its trail and
  each person told in the inbox.
- **Operations alerts** (:mod:`.alerts`): the platform's alarms reach the officers on duty
  (a roster the administrators keep) in their inbox and on their channels; one of them
  acknowledges each.

``OFFICE_TABLE`` (``pk``, ``sk``; TTL ``expires_at``), by ``pk``:

- ``fdoc#<id>`` / ``doc`` — a field document, drafted then issued or withdrawn, with its
  trail; ``fnum#<number>`` / ``doc`` — its number, pointing at the id (the public check);
  ``fseq#<office>#<kind>#<year>`` / ``seq`` — the last number an office gave a kind in a year;
- ``appr#<id>`` / ``doc`` — an approval with its trail and ``version`` (each change
  conditioned on it); ``reviewing`` (``<office>#<officer>``, while pending) and ``queued``
  key the ``by_reviewer`` index (the approvals waiting for an officer), ``submitter`` and
  ``pk`` the ``by_submitter`` index;
- ``duty`` / ``<ends_at>#<shift_id>`` — a shift of the on-duty roster (expires 90 days after
  it ends);
- ``alerts`` / ``<alert_id>`` — an alarm's alert (the id starts with its instant, so the
  partition reads newest first); ``alarm#<name>`` / ``open`` — the alert of an alarm still
  in ALARM (an OK resolves it).
"""
