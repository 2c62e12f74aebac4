"""The base of the kernel's refusals: a value a rule does not accept, and why."""

from __future__ import annotations


class Refusal(ValueError):
    """A value a rule does not accept; ``reason`` says why, in plain words (the message)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
