"""Which rows have a word starting with a given prefix: a sorted vocabulary over flat postings.

Every distinct word goes into one sorted vocabulary (stored as one string, see
``TextColumn``); the rows of each word are stored contiguously, in row order, in one flat
``array('I')``. The rows whose words start with a prefix are then one contiguous slice of that
array, found with two binary searches. Prefixes shared by very many rows (one or two letters,
"com", a common city) are precomputed as bitsets (an ``int``, bit i for row i), so the first
keystroke of a query costs a few C-level passes over a bitmask instead of a Python loop.

Building is done in small steps (sorting and copying in chunks of a few thousand) so that a
worker thread can build while the UI thread still gets the GIL every few milliseconds.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable
from itertools import accumulate, chain, repeat

from app.customer_table import CHUNK, TextColumn, collector_paused, gentle_sorted, release

_TO_01 = bytes.maketrans(b"\x00\x01", b"01")
_FROM_01 = bytes.maketrans(b"01", b"\x00\x01")


def next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def bits_from_mask(mask: bytes | bytearray) -> int:
    """Pack a 0/1-per-row byte mask into an int bitset (bit i is row i)."""
    if not mask:
        return 0
    return int(mask.translate(_TO_01)[::-1], 2)


def mask_from_bits(bits: int, n: int) -> bytes:
    """Unpack an int bitset into a 0/1-per-row byte mask of length ``n``."""
    return bin(bits)[2:].zfill(n)[::-1].encode().translate(_FROM_01)[:n] if n else b""


class WordIndex:
    """Rows by word prefix over ``rows`` rows (see the module docstring)."""

    def __init__(
        self,
        rows: int,
        vocab: TextColumn,
        flat: array[int],
        offsets: array[int],
        heavy: dict[str, int],
    ) -> None:
        self.rows = rows
        self.vocab = vocab
        self.flat = flat
        self.offsets = offsets
        self.heavy = heavy

    @classmethod
    def build(cls, word_sets: Iterable[Iterable[str]], rows: int) -> WordIndex:
        """Index the words of each row (``word_sets[i]`` are row i's words)."""
        postings: dict[str, list[int]] = {}
        get = postings.get
        # Hundreds of thousands of posting lists are GC-tracked containers: left alone, the
        # collector would run full passes over them (100+ ms each, holding the GIL) while
        # they grow. They hold only ints, so pausing the collector here loses nothing.
        with collector_paused():
            for pos, words in enumerate(word_sets):
                for word in words:
                    found = get(word)
                    if found is None:
                        postings[word] = [pos]
                    else:
                        found.append(pos)
            sorted_words = gentle_sorted(list(postings), key=None)
            flat = array("I")
            offsets = array("I", [0])
            for i in range(0, len(sorted_words), CHUNK):
                lists = [postings.pop(w) for w in sorted_words[i : i + CHUNK]]
                flat.extend(chain.from_iterable(lists))
                ends = accumulate(map(len, lists), initial=offsets[-1])
                next(ends)
                offsets.extend(ends)
            del postings
        index = cls(rows, TextColumn.build(sorted_words), flat, offsets, {})
        release(sorted_words)
        index._find_heavy("", 0, len(index.vocab), max(256, rows // 8))
        return index

    def _find_heavy(self, prefix: str, lo: int, hi: int, limit: int) -> None:
        """Precompute bitsets for every prefix (under ``prefix``) that matches many rows."""
        vocab, offsets = self.vocab, self.offsets
        depth = len(prefix) + 1
        i = lo
        while i < hi:
            word = vocab[i]
            if len(word) < depth:
                i += 1
                continue
            child = word[:depth]
            end = bisect_left(vocab, next_prefix(child), i, hi)
            if offsets[end] - offsets[i] > limit:
                mask = bytearray(self.rows)
                # In steps: one pass over a prefix shared by 400,000 postings would hold the
                # GIL for 20+ ms.
                for at in range(offsets[i], offsets[end], 8 * CHUNK):
                    part = self.flat[at : min(at + 8 * CHUNK, offsets[end])]
                    deque(map(mask.__setitem__, part, repeat(1)), 0)
                self.heavy[child] = bits_from_mask(mask)
                self._find_heavy(child, i, end, limit)
            i = end

    def rows_with_prefix(self, prefix: str) -> int | set[int]:
        """Rows having a word that starts with ``prefix``: a bitset if many, else a set."""
        heavy = self.heavy.get(prefix)
        if heavy is not None:
            return heavy
        vocab = self.vocab
        lo = bisect_left(vocab, prefix)
        hi = bisect_left(vocab, next_prefix(prefix), lo)
        return set(self.flat[self.offsets[lo] : self.offsets[hi]])
