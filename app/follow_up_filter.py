"""What the follow-up inbox shows: the panel's filter, as the index (``follow_up_index``)
reads it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

NOBODY = 0  # the assignee filter's value for "nobody has it"


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows: kinds (empty: every kind), state ("open", "done" or None for
    both), assignee (a staff id, ``NOBODY`` or None for anyone), a time range in epoch
    seconds (either end may be open) and search text."""

    kinds: frozenset[str] = field(default_factory=frozenset)
    state: str | None = "open"
    assignee: int | None = None
    since: float | None = None
    until: float | None = None
    text: str = ""

    def without_text(self) -> InboxFilter:
        """The same filter with no search text."""
        return replace(self, text="")
