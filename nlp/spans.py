"""Which characters of a text are already taken by an extraction, for overlap tests in linear time.

Extractors drop a candidate that overlaps one kept before. Scanning the list of kept spans for each candidate
is quadratic in the number of mentions (20,000 characters of ``1元`` hold 9,000 amounts); a mask over the
text answers the same question in the length of the candidate.
"""

from __future__ import annotations

__all__ = ["SpanMask"]


class SpanMask:
    """Characters covered by the spans added so far (spans may overlap each other)."""

    def __init__(self, length: int) -> None:
        self._mask = bytearray(length)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` shares a character with an added span."""
        return self._mask.find(1, start, end) != -1

    def add(self, start: int, end: int) -> None:
        """Mark ``[start, end)`` as taken."""
        end = min(end, len(self._mask))
        if start < end:
            self._mask[start:end] = b"\x01" * (end - start)
