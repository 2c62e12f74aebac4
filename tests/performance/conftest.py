"""The functional suite's fixtures (moto, the platform's tables, an issuing seller, the lottery,
the fan-out)."""

from tests.functional.conftest import api_calls, aws, invoicing
from tests.functional.test_lottery import lottery_env, lottery_fn
from tests.functional.test_notifications import api_fn, notifier_fn, queues

__all__ = ["api_calls", "api_fn", "aws", "invoicing", "lottery_env", "lottery_fn", "notifier_fn",
           "queues"]
