"""The functional suite's fixtures (moto, the platform's tables, an issuing seller, the lottery)."""

from tests.functional.conftest import api_calls, aws, invoicing
from tests.functional.test_lottery import lottery_env, lottery_fn

__all__ = ["api_calls", "aws", "invoicing", "lottery_env", "lottery_fn"]
