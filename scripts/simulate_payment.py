"""Play a payment provider: confirm (or fail) a pending payment with the provider's signed
callback, as the simulated providers of the local stack do.

    python scripts/simulate_payment.py PAYMENT_ID METHOD AMOUNT [--failed]
        [--outputs local-outputs.json]

METHOD is the payment's method (bank_transfer, pos, online_banking, mobile_banking,
third_party) and AMOUNT its amount in yuan. The callback key comes from the stack's
``PaymentCallbackSecretArn`` (Secrets Manager), the API from ``ApiUrl``; the body is POSTed to
``/v1/filing/callbacks/METHOD`` with ``X-Signature``. Prints the platform's answer.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

import local  # noqa: E402  (scripts/local.py: how scripts reach the local stack)

from etax.rules import money  # noqa: E402
from etax.simulations.payments import SimulatedProvider  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("payment_id")
    parser.add_argument("method")
    parser.add_argument("amount")
    parser.add_argument("--failed", action="store_true", help="report the payment as failed")
    parser.add_argument("--outputs", default=str(ROOT / "local-outputs.json"))
    args = parser.parse_args(argv)
    outputs = json.loads(Path(args.outputs).read_text())
    secrets = local.client("secretsmanager", outputs["Endpoint"])
    secret = secrets.get_secret_value(SecretId=outputs["PaymentCallbackSecretArn"])
    master = str(json.loads(secret["SecretString"])["key"]).encode()
    body, headers = SimulatedProvider(args.method, master).callback(
        args.payment_id, money.parse_yuan(args.amount),
        status="failed" if args.failed else "succeeded")
    request = urllib.request.Request(f"{outputs['ApiUrl']}/v1/filing/callbacks/{args.method}",
                                     data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            print(answer.read().decode())
    except urllib.error.HTTPError as error:
        print(error.read().decode(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
