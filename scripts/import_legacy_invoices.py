"""Bulk-import legacy invoices (10- and 12-digit codes) so they can be verified.

    python scripts/import_legacy_invoices.py invoices.jsonl                 # the local stack
    python scripts/import_legacy_invoices.py invoices.jsonl --table NAME --endpoint URL

One JSON object per line (format in ``etax/invoices/legacy.py``). Each invoice
is written with a conditional PutItem: a re-run skips what is already there,
never overwrites. A bad line is reported with its line number and field, and
does not stop the others. Exit status: 0 all imported or present, 1 some lines
refused, 2 unusable arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

import local  # noqa: E402  (scripts/local.py: how scripts reach the local stack)

from etax.invoices.legacy import LegacyRecordError, legacy_item  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--table", help="invoices table (default: local-outputs.json)")
    parser.add_argument("--endpoint", help="AWS endpoint (default: local-outputs.json)")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args(argv)
    table, endpoint = args.table, args.endpoint
    if table is None or endpoint is None:
        outputs_file = ROOT / "local-outputs.json"
        if not outputs_file.exists():
            print("give --table and --endpoint, or run `make up` first", file=sys.stderr)
            return 2
        outputs = json.loads(outputs_file.read_text())
        table = table or outputs["InvoicesTableName"]
        endpoint = endpoint or outputs["Endpoint"]
    # the local stack through the scripts' one local session; an account's endpoint with the
    # caller's own credentials
    client = (local.client("dynamodb", endpoint) if local.is_local(endpoint)
              else boto3.client("dynamodb", endpoint_url=endpoint, region_name=args.region))
    imported = present = refused = 0
    for line_number, line in enumerate(args.file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = legacy_item(json.loads(line))
        except (ValueError, LegacyRecordError) as error:
            print(f"line {line_number}: {error}", file=sys.stderr)
            refused += 1
            continue
        try:
            client.put_item(TableName=table, Item=item,
                            ConditionExpression="attribute_not_exists(#n)",
                            ExpressionAttributeNames={"#n": "number"})
            imported += 1
        except client.exceptions.ConditionalCheckFailedException:
            present += 1
    print(f"imported {imported}, already present {present}, refused {refused}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
