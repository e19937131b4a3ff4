"""What every part of the demo seed shares while it runs."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from server.demo.bulk import Batch, IdPool

Row = dict[str, Any]


@dataclass
class Staff:
    """A seeded staff member as the rows refer to it."""

    id: int
    name: str


@dataclass
class SeedContext:
    """Random source, clock, id pool, queued rows and running tallies of one seed run."""

    rng: random.Random
    now: datetime
    workspace_id: int
    ids: IdPool
    batch: Batch
    staff: dict[str, Staff]
    document_files: list[int]
    photo_files: list[int]
    password_hash: str
    total_customers: int
    # Valid email addresses handed out so far (so generated people do not collide by chance).
    used_emails: set[str] = field(default_factory=set)
    # Normalised emails that already have a portal account (unique per workspace).
    account_emails: set[str] = field(default_factory=set)
    # Property managers whose one email is shared by several customers.
    landlords: list[Row] = field(default_factory=list)
    numbers: Counter[str] = field(default_factory=Counter)
    tally: Counter[str] = field(default_factory=Counter)

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        """A moment before the seed's clock."""
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)

    def ahead(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        """A moment after the seed's clock."""
        return self.now + timedelta(days=days, hours=hours, minutes=minutes)

    def number(self, kind: str) -> int:
        """The next document number of a kind (job, quote, invoice, receipt)."""
        self.numbers[kind] += 1
        return self.numbers[kind]

    def pick(self, weights: dict[str, int], forced_index: int | None = None) -> str:
        """A weighted choice; the first few calls of a kind walk every option in turn.

        ``forced_index`` below the number of options picks that option, so even a small demo
        holds every status it promises.
        """
        options = list(weights)
        if forced_index is not None and forced_index < len(options):
            return options[forced_index]
        return self.rng.choices(options, weights=list(weights.values()))[0]
