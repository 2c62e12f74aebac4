"""Chinese text as search terms: normalisation, segmentation with the tax dictionary, synonyms.

The pipeline (:func:`terms`), the same for a document and for a query so that both meet on one
vocabulary:

1. :func:`normalise` — Unicode NFKC (full-width letters, digits and punctuation become their
   ordinary forms), lower case, traditional characters to simplified (``lexicon/t2s.txt``),
   English words to the Chinese term they stand for (``lexicon/aliases.txt``: IIT → 个人所得税,
   VAT → 增值税, deadline → 截止 …);
2. segmentation with jieba in its search mode (a long word also yields the words inside it:
   个人所得税 → 个人, 所得, 所得税, 个人所得税) over jieba's dictionary plus the tax user
   dictionary (``lexicon/dictionary.txt`` and every form of every synonym);
3. punctuation, spaces and stop words (``lexicon/stopwords.txt``, and ``lexicon/chatty.txt``:
   the chatty parts of a question as it is typed, 请问, 想问一下, 谢谢 …) dropped;
4. each synonym replaced by its group's canonical term (``lexicon/synonyms.txt``: 个税 →
   个人所得税, 专票 → 增值税专用发票, 黑名单 → 重大税收违法失信主体 …).

jieba reads its dictionary once per process (a second or so): the search function does it during
its initialisation, outside any request. It is parsed, not loaded from jieba's cache: measured
here, loading the cache built at package time is no faster than parsing (docs/benchmarks.md,
"Chinese search"), and parsing through :func:`tokenizer` also spares the cold start jieba's
default of writing that cache (9 MB) to the temporary folder. Pure: no AWS, no network.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final

LEXICON: Final = Path(__file__).with_name("lexicon")
USER_WORD_FREQUENCY: Final = 50_000
_WORD = re.compile(r"\w", re.UNICODE)


def _lines(name: str) -> Iterator[str]:
    for line in (LEXICON / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The tax lexicon's tables, read from ``lexicon/`` (the pinyin table apart: :func:`pinyin`)."""

    synonyms: dict[str, str]  # form → canonical term (the canonical term maps to itself)
    aliases: tuple[tuple[re.Pattern[str], str], ...]  # longest first
    simplified: dict[int, str]  # str.translate table: traditional → simplified
    stopwords: frozenset[str]
    chatty: frozenset[str]  # the stop words of the chatty parts of a question (greetings …)
    words: tuple[tuple[str, int], ...]  # the user dictionary: word, frequency

    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # canonical → other forms

    def forms(self, canonical: str) -> tuple[str, ...]:
        """Every form of a canonical term (itself first): what a highlight looks for."""
        return (canonical, *self.groups.get(canonical, ()))


def read_lexicon() -> Lexicon:
    synonyms: dict[str, str] = {}
    for line in _lines("synonyms.txt"):
        group = line.split()
        for form in group:
            if form in synonyms and synonyms[form] != group[0]:
                raise ValueError(f"synonyms.txt: {form} is in two groups")
            synonyms[form] = group[0]
    aliases = []
    for line in _lines("aliases.txt"):
        alias, chinese = re.split(r"\t+|\s{2,}", line, maxsplit=1)
        spelled = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", alias.strip()))
        aliases.append((len(alias), re.compile(rf"(?<![a-z0-9]){spelled}(?![a-z0-9])"),
                        f" {chinese.strip()} "))
    aliases.sort(key=lambda a: -a[0])
    pairs = " ".join(_lines("t2s.txt")).split()
    if len(pairs) % 2:
        raise ValueError("t2s.txt: an odd number of characters")
    simplified = {ord(t): s for t, s in zip(pairs[::2], pairs[1::2], strict=True) if t != s}
    stopwords = frozenset(" ".join(_lines("stopwords.txt")).split())
    chatty = frozenset(" ".join(_lines("chatty.txt")).split())
    words: dict[str, int] = {}
    for line in _lines("dictionary.txt"):
        parts = line.split()
        words[parts[0]] = int(parts[1]) if len(parts) > 1 else USER_WORD_FREQUENCY
    for form in synonyms:
        words.setdefault(form, USER_WORD_FREQUENCY)
    groups: dict[str, list[str]] = {}
    for form, canonical in synonyms.items():
        if form != canonical:
            groups.setdefault(canonical, []).append(form)
    return Lexicon(synonyms, tuple((p, c) for _, p, c in aliases), simplified,
                   stopwords | chatty, chatty, tuple(words.items()),
                   {c: tuple(sorted(f, key=len, reverse=True)) for c, f in groups.items()})


@cache
def lexicon() -> Lexicon:
    return read_lexicon()


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Character by character, the same length: NFKC where it gives one character, lower
    case, simplified. Highlights find a term's place in a text through this (a document's
    text is folded once and kept: the same documents come back query after query)."""
    table = lexicon().simplified
    out = []
    for char in text:
        nfkc = unicodedata.normalize("NFKC", char)
        char = nfkc if len(nfkc) == 1 else char
        lowered = char.lower()
        out.append(lowered if len(lowered) == 1 else char)
    return "".join(out).translate(table)


def normalise(text: str) -> str:
    """NFKC, lower case, simplified characters, English aliases replaced by Chinese."""
    lex = lexicon()
    text = unicodedata.normalize("NFKC", text).lower().translate(lex.simplified)
    if re.search(r"[a-z]", text):
        for pattern, chinese in lex.aliases:
            text = pattern.sub(chinese, text)
    return text


@cache
def pinyin() -> dict[str, str]:
    """The toneless pinyin of the characters of ``lexicon/pinyin.txt`` (some 8,000: those of
    jieba's words of some frequency, of the lexicon and of the articles)."""
    return dict(line.split() for line in _lines("pinyin.txt"))


def sound(pair: str) -> str | None:
    """How a pair of Chinese characters sounds (``~zheng qi`` for 征期 and for 征其), or None
    when the table lacks one of them."""
    table = pinyin()
    first, second = table.get(pair[0]), table.get(pair[1])
    return f"~{first} {second}" if first and second else None


@cache
def _jieba() -> tuple[Any, dict[str, int], int]:
    """jieba's tokenizer with the tax user dictionary, and jieba's own counts of the user
    dictionary's words with the total they are out of (before the user dictionary set its)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    # what Tokenizer.initialize() does without a cache, minus writing one (jieba 0.42.1)
    segmenter.FREQ, segmenter.total = segmenter.gen_pfdict(segmenter.get_dict_file())
    segmenter.initialized = True
    general, total = {}, segmenter.total
    for word, frequency in lexicon().words:
        general[word] = segmenter.FREQ.get(word, 0)
        segmenter.add_word(word, frequency)
    return segmenter, general, total


def tokenizer() -> Any:
    """jieba's tokenizer with the tax user dictionary, initialised once per process."""
    return _jieba()[0]


def general_frequency(word: str) -> tuple[int, int]:
    """How many times jieba's own dictionary — word counts over a general corpus — counts
    ``word``, and its total: the count before the tax user dictionary set its own."""
    segmenter, general, total = _jieba()
    return general.get(word, segmenter.FREQ.get(word, 0)), total


@lru_cache(maxsize=4096)
def _segmented(normalised: str) -> tuple[str, ...]:
    return tuple(tokenizer().lcut_for_search(normalised, HMM=True))


def segments(normalised: str) -> list[str]:
    """jieba's search-mode words of an already normalised text, punctuation kept (a text's
    words are kept for the next time it is asked: a question is read by several rankings)."""
    return list(_segmented(normalised))


def content(text: str) -> str:
    """The normalised text with what carries no meaning — stop words (the chatty parts of a
    question: 请问, 我想问一下, 谢谢 …), punctuation, spaces — each made one space: the runs of
    content words a character-level reading (character pairs and characters) takes. jieba's
    precise mode, so each character is in one word."""
    lex = lexicon()
    parts = []
    folded = unicodedata.normalize("NFKC", text).lower().translate(lex.simplified)
    for word in _precise(folded):
        keep = word.strip() and _WORD.search(word) and word not in lex.chatty
        parts.append(word if keep else " ")
    return " ".join("".join(parts).split())


@lru_cache(maxsize=4096)
def _precise(normalised: str) -> tuple[str, ...]:
    return tuple(tokenizer().lcut(normalised, HMM=True))


def terms(text: str) -> list[str]:
    """The normalised, segmented terms of ``text``: canonical synonyms, no stop words, no
    punctuation, in order, repeats kept (a term's frequency counts)."""
    lex = lexicon()
    found = []
    for word in segments(normalise(text)):
        word = word.strip()
        if not word or not _WORD.search(word) or word in lex.stopwords:
            continue
        found.append(lex.synonyms.get(word, word))
    return found
