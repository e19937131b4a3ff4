"""Scans over the inbox index's columns: positions where a value passes a test or a mask is
set, texts laid side by side, and newest-first times for ``bisect``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from typing import Any

SEPARATOR = "\x00"


def where(positions: Iterable[int], column: list[Any], test: Any, value: Any) -> list[int]:
    """The positions whose value in ``column`` passes ``test(value_there, value)``."""
    chosen = list(positions)
    values = map(column.__getitem__, chosen)
    return list(compress(chosen, map(test, values, repeat(value))))


def marked(positions: list[int], mask: bytearray) -> list[int]:
    """The positions whose byte in ``mask`` is set."""
    return list(compress(positions, map(mask.__getitem__, positions)))


def fresh(texts: list[str]) -> list[str]:
    """Copies of ``texts``, made one after another (hence side by side in memory)."""
    copies = SEPARATOR.join(texts).split(SEPARATOR)
    return copies if len(copies) == len(texts) else [(t + SEPARATOR)[:-1] for t in texts]


def ones(mask: bytearray) -> int:
    """How many positions ``mask`` marks."""
    return mask.count(1)


class Negated(Sequence[float]):
    """A newest-first list of times seen negated, hence ascending, for ``bisect``."""

    def __init__(self, values: list[float]) -> None:
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i: Any) -> Any:
        return -self.values[i]
