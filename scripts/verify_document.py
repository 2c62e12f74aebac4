"""Check a signed document (an e-invoice, a certificate) offline, with only the public key.

    python scripts/verify_document.py invoice.json --key platform-key.pem
    python scripts/verify_document.py invoice.json --keys keys.json   # the answer of GET /v1/keys

The file is the envelope a client downloads (``GET /v1/invoices/{number}``,
``GET /v1/certificates/{id}``):
``{"document": {...}, "signature": {"algorithm": "ES256", "key_id": ..., "value": ...}}``.
The signature covers the canonical bytes of ``document`` (keys sorted, no
whitespace, UTF-8). Exit status 0: authentic and unaltered; 1: not; 2: unusable input.
Needs only the ``cryptography`` package and this repository's ``etax`` library.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

from etax.documents.signing import SignatureMismatch, verify_envelope  # noqa: E402


def public_key(args: argparse.Namespace, key_id: str) -> str:
    if args.key:
        return Path(args.key).read_text()
    keys = json.loads(Path(args.keys).read_text())["keys"]
    for key in keys:
        if key["key_id"] == key_id:
            pem: str = key["public_key_pem"]
            return pem
    raise LookupError(f"no published key with id {key_id}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", help="the signed envelope (JSON file, or - for stdin)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--key", help="the public key, PEM")
    source.add_argument("--keys", help="the published keys (JSON of GET /v1/keys)")
    args = parser.parse_args(argv)
    try:
        text = sys.stdin.read() if args.document == "-" else Path(args.document).read_text()
        envelope = json.loads(text)
        pem = public_key(args, envelope["signature"]["key_id"])
    except (OSError, ValueError, KeyError, LookupError) as error:
        print(f"unusable input: {error}", file=sys.stderr)
        return 2
    try:
        verify_envelope(envelope, pem)
    except SignatureMismatch as error:
        print(f"NOT AUTHENTIC: {error}")
        return 1
    document = envelope["document"]
    print(f"authentic: {document.get('type_name', 'document')} {document.get('number', '')} "
          f"signed with key {envelope['signature']['key_id']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
