"""Messages per SQS / EventBridge API call in the push fan-out at volume, for `make bench`
(scripts/bench.py): counted on the botocore client in-process over moto, never timed.

Writes a JSON object to $ETAX_BENCH_FANOUT_OUT: notifications published, PutEvents calls,
channel messages, SendMessageBatch calls, and the messages per call of each and of both.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.functional.conftest import ApiCalls
from tests.functional.test_notifications import ratio_at_volume

COUNT = int(os.environ.get("ETAX_BENCH_FANOUT", "1000"))
BATCH = 250  # the notifier's event source batch size (infra/notifications.py)
OUT = Path(os.environ.get("ETAX_BENCH_FANOUT_OUT", ".build/bench/fanout_calls.json"))


def test_messages_per_call_at_volume(api_fn: Any, notifier_fn: Any, queues: dict[str, str],
                                     api_calls: ApiCalls) -> None:
    figures = ratio_at_volume(api_fn, notifier_fn, api_calls, count=COUNT, batch=BATCH)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({**figures, "notifier_batch": BATCH}, indent=1))
