"""The workspace's objects out of the collector's reach, and what a panel reads later."""

from __future__ import annotations

import gc

from ui import workspace_objects as objects


def _seen(value: object) -> bool:
    """In the collector's generations (frozen objects are not)."""
    return any(o is value for o in gc.get_objects())


def test_what_is_read_while_a_workspace_is_open_joins_its_frozen_objects():
    alone = [list(range(100))]
    objects.freeze_late_workspace_objects()  # no workspace open: nothing frozen
    assert _seen(alone)
    objects.freeze_workspace_objects()
    try:
        index = [list(range(100))]  # the inbox's index, read once the workspace is open
        assert _seen(index)
        objects.freeze_late_workspace_objects()
        assert not _seen(index) and not _seen(index[0])
    finally:
        objects.thaw_workspace_objects()
    assert _seen(index)
    objects.freeze_late_workspace_objects()  # closed again: nothing frozen
    assert _seen(index)
