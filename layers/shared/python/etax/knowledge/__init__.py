"""Tax knowledge (plan actions E16 智能咨询 and A1 众包互助): the 12366 knowledge base's articles,
kept in step with the regulations library (:mod:`etax.regulations`).

- :mod:`.articles` — an article (its question forms, the answer, the provisions it rests on,
  tags, taxpayer types, validity) and the seeded base (``data/articles/*.json``), checked
  against the library: every citation names a provision the library holds.
"""
