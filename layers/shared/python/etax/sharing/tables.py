"""The sharing table (described in :mod:`etax.sharing`): consents, their reads and the guard of
a partner's open request, with the taxpayer's and the partner's indexes and the stream the
outbox announces from."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

TAXPAYER_INDEX = "by_taxpayer"
PAIR_INDEX = "by_pair"

SHARING = TableSpec(
    "SharingTable", "SHARING_TABLE", Key("pk"), Key("sk"),
    indexes=(Index(TAXPAYER_INDEX, Key("taxpayer"), Key("created_key")),
             Index(PAIR_INDEX, Key("pair"), Key("created_key"))),
    stream="NEW_AND_OLD_IMAGES", ttl_attribute="guard_expires",
    holds_records=True)
