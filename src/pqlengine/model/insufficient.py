"""A model step the data cannot support: a reason code and a sentence (CONVENTIONS 4).

Raised (a ValueError, so the CLI prints it as one line) instead of letting scikit-learn fail
deep inside a fit on small or degenerate data.
"""

from __future__ import annotations

from pqlengine.stats.intervals import Unavailable


class InsufficientData(ValueError):
    """What is missing to fit or measure a model; `str()` is "code: sentence"."""

    def __init__(self, code: str, message: str) -> None:
        self.reason = Unavailable(code, message)
        super().__init__(f"{code}: {message}")
