"""The portal's topic choices (portal/build.mjs makes one option per ``topic_<key>`` text of
portal/src/i18n.js) are the knowledge base's topics, named in both languages."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from etax.knowledge.articles import TOPICS

I18N = Path(__file__).resolve().parents[2] / "portal" / "src" / "i18n.js"


def test_each_topic_of_the_knowledge_base_has_its_text_in_chinese_and_english() -> None:
    keys = Counter(re.findall(r"^\s*topic_(\w+):", I18N.read_text(encoding="utf-8"), re.M))
    assert set(keys) == set(TOPICS)
    assert set(keys.values()) == {2}  # zh and en
