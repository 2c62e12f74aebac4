"""The app square's table (keys: :mod:`etax.apps.repository`): apps, their versions, and the
people's ratings. ``by_listing`` lists the apps the public sees, ``by_owner`` each publisher's
own, ``by_review`` the versions waiting for a reviewer."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

LISTING_INDEX = "by_listing"
OWNER_INDEX = "by_owner"
REVIEW_INDEX = "by_review"

APPS = TableSpec("AppsTable", "APPS_TABLE", Key("pk"), Key("sk"),
                 indexes=(Index(LISTING_INDEX, Key("listed"), Key("listed_key")),
                          Index(OWNER_INDEX, Key("owner"), Key("created_at")),
                          Index(REVIEW_INDEX, Key("in_review"), Key("submitted_at"))))
