"""Writes ``etax/knowledge/lexicon/pinyin.txt``: the toneless pinyin of the Chinese characters
a question may hold — every character of jieba's dictionary words of some frequency, of the
tax lexicon and of the knowledge base's articles — so that a character pair misspelt with a
character of the same sound (起正点 for 起征点, 推税 for 退税) still meets its pair.

Made with pypinyin, which the project does not need otherwise (the table is shipped, not
computed at run time): ``pip install --target /tmp/pyp pypinyin`` then
``PYTHONPATH=/tmp/pyp python scripts/lexicon_pinyin.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

import jieba  # noqa: E402
from pypinyin import Style, lazy_pinyin  # type: ignore[import-not-found]  # noqa: E402

from etax.knowledge.articles import base  # noqa: E402
from etax.knowledge.text import LEXICON  # noqa: E402

LEAST_FREQUENCY = 20  # jieba's words rarer than this bring no characters of their own
HAN = re.compile(r"[\u4e00-\u9fff]")


def characters() -> set[str]:
    found: set[str] = set()
    dictionary = Path(jieba.__file__).with_name("dict.txt")
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        word, frequency, *_ = line.split()
        if int(frequency) >= LEAST_FREQUENCY:
            found.update(HAN.findall(word))
    for path in LEXICON.glob("*.txt"):
        found.update(HAN.findall(path.read_text(encoding="utf-8")))
    for article in base():
        found.update(HAN.findall(" ".join((*article.questions, article.answer,
                                           *article.tags))))
    return found


def main() -> None:
    lines = ["# Toneless pinyin of the characters a question may hold (scripts/lexicon_pinyin.py",
             "# writes it): character, space, pinyin; a character of several readings has its",
             "# most common one."]
    for char in sorted(characters()):
        reading = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
        if reading and reading[0].isascii() and reading[0].isalpha():
            lines.append(f"{char} {reading[0]}")
    (LEXICON / "pinyin.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 3} characters")


if __name__ == "__main__":
    main()
