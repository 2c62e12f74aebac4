"""The functional suite's fixtures (moto, the platform's tables, an issuing seller)."""

from tests.functional.conftest import api_calls, aws, invoicing

__all__ = ["api_calls", "aws", "invoicing"]
