"""The search index as an artefact: bytes written to S3 once per build, loaded on cold start.

Layout (ADR 0022), every integer little-endian:

    b"ETAXSRCH"                       8 bytes, the magic
    format version                    uint16 (:data:`FORMAT`)
    header length                     uint32
    header                            UTF-8 JSON: format, digest, documents, terms, k1, b,
                                      body_sha256, body_length
    body                              zlib: four uint32 lengths, then the meta JSON
                                      (documents, terms), the offsets ('Q'), the document
                                      numbers ('I') and the weights ('f') as raw arrays

The **corpus digest** is the SHA-256 of the format version, the lexicon (every file of
``lexicon/``) and the documents' canonical JSON: two builds of the same corpus with the same
lexicon give the same digest (the builder writes nothing new then), a change of a provision,
an article or a synonym gives another. JSON and raw arrays only — no pickle: loading an
artefact runs no code from it. Pure.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from etax.knowledge.bm25 import Bm25
from etax.knowledge.text import LEXICON

if TYPE_CHECKING:
    from etax.knowledge.search import Document, SearchIndex

MAGIC: Final = b"ETAXSRCH"
FORMAT: Final = 1
_PREFIX = struct.Struct("<8sHI")
_LENGTHS = struct.Struct("<IIII")


class BadArtefact(ValueError):
    """The bytes are not a search index this code can read."""


def _document_json(d: Document) -> list[Any]:
    return [d.id, d.kind, d.title, d.text, dict(sorted(d.facets.items())), d.keywords]


@cache
def lexicon_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(LEXICON.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def corpus_digest(documents: Sequence[Document]) -> str:
    """The digest of what an index is built from: format, lexicon, documents."""
    digest = hashlib.sha256(f"format {FORMAT}\nlexicon {lexicon_digest()}\n".encode())
    for d in documents:
        digest.update(json.dumps(_document_json(d), ensure_ascii=False, sort_keys=True,
                                 separators=(",", ":")).encode() + b"\n")
    return digest.hexdigest()


def dump(index: SearchIndex) -> bytes:
    ranking = index.ranking
    meta = json.dumps({"documents": [_document_json(d) for d in index.documents],
                       "terms": ranking.terms_in_order()}, ensure_ascii=False,
                      separators=(",", ":")).encode()
    offsets, docs, weights = ranking.arrays()
    body = zlib.compress(_LENGTHS.pack(len(meta), len(offsets), len(docs), len(weights))
                         + meta + offsets + docs + weights, 6)
    header = json.dumps({
        "format": FORMAT, "digest": index.digest, "documents": len(index.documents),
        "terms": len(ranking.vocabulary), "k1": ranking.k1, "b": ranking.b,
        "body_sha256": hashlib.sha256(body).hexdigest(), "body_length": len(body),
    }, sort_keys=True).encode()
    return _PREFIX.pack(MAGIC, FORMAT, len(header)) + header + body


def header(data: bytes) -> dict[str, Any]:
    """The artefact's header (format, digest, counts), its body not read."""
    if len(data) < _PREFIX.size:
        raise BadArtefact("too short for a search index")
    magic, version, length = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise BadArtefact("not a search index")
    if version != FORMAT:
        raise BadArtefact(f"search index format {version}; this code reads {FORMAT}")
    try:
        found: dict[str, Any] = json.loads(data[_PREFIX.size:_PREFIX.size + length])
    except ValueError as error:
        raise BadArtefact(f"unreadable header: {error}") from None
    found["_body_at"] = _PREFIX.size + length
    return found


def load(data: bytes) -> tuple[list[Document], Bm25, str]:
    from etax.knowledge.search import Document

    head = header(data)
    body = data[head["_body_at"]:]
    if len(body) != head["body_length"] or \
            hashlib.sha256(body).hexdigest() != head["body_sha256"]:
        raise BadArtefact("the index's body does not match its header (truncated or altered)")
    raw = zlib.decompress(body)
    lengths = _LENGTHS.unpack_from(raw)
    at = _LENGTHS.size
    parts = []
    for length in lengths:
        parts.append(raw[at:at + length])
        at += length
    meta = json.loads(parts[0])
    documents = [Document(i, kind, title, text, facets, keywords)
                 for i, kind, title, text, facets, keywords in meta["documents"]]
    ranking = Bm25.from_parts(meta["terms"], parts[1], parts[2], parts[3],
                              k1=float(head["k1"]), b=float(head["b"]))
    if len(documents) != head["documents"]:
        raise BadArtefact("the index's documents do not match its header")
    return documents, ranking, str(head["digest"])
