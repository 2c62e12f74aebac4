"""The idea space's table (keys: :mod:`etax.ideas.repository`): ideas, their supports and
comments, the people's daily counters (TTL). ``by_listing`` lists the ideas shown to the public
(newest first), ``by_hidden`` the hidden ones (for the moderators), ``by_author`` each
author's own."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

LISTING_INDEX = "by_listing"
HIDDEN_INDEX = "by_hidden"
AUTHOR_INDEX = "by_author"

IDEAS = TableSpec("IdeasTable", "IDEAS_TABLE", Key("pk"), Key("sk"),
                  indexes=(Index(LISTING_INDEX, Key("listed"), Key("listed_at")),
                           Index(HIDDEN_INDEX, Key("hidden_listed"), Key("listed_at")),
                           Index(AUTHOR_INDEX, Key("author"), Key("listed_at"))),
                  ttl_attribute="expires_at")
