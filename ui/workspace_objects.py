"""What lives as long as an open workspace, kept out of the cyclic garbage collector's reach.

The console freezes the objects alive once a workspace is open and thaws them when it closes;
a panel that reads something as big and lasting later (the follow-up inbox's index) adds it
to them.
"""

from __future__ import annotations

import gc

_open = False  # a workspace's objects are frozen (between a freeze and its thaw)


def freeze_workspace_objects() -> None:
    """Move everything alive once a workspace is open out of the collector's reach.

    Modules, Qt wrappers and the panels live as long as the workspace; left in the oldest
    generation, every full pass rescans them and stalls the loop for 100-250 ms mid-sync.
    Each freeze is paired with ``thaw_workspace_objects`` when the workspace closes.
    """
    global _open
    _open = True
    gc.freeze()


def freeze_late_workspace_objects() -> None:
    """Add what is alive now to the open workspace's frozen objects (nothing if none is open).

    For data read after the workspace opened that lives as long as it: the follow-up inbox's
    index is some thirty lists of up to 100,000 values, and a full collection visits each value
    (about 40 ms), at whatever keystroke it falls on. Data without reference cycles (such an
    index) is still freed at once when replaced, by its reference count; only cycles (a panel
    thrown away while the workspace stays open, say) wait for the thaw.
    """
    if _open:
        gc.freeze()


def thaw_workspace_objects() -> None:
    """Give the closed workspace's objects back to the collector and collect them now.

    Frozen objects are never collected: without this, panels and models of a closed workspace
    that sit in reference cycles would stay in memory for good. A pause is fine here: the
    person is switching workspaces or quitting.
    """
    global _open
    _open = False
    gc.unfreeze()
    gc.collect()
