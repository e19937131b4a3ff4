"""The collector and a long-running server: objects from start-up are frozen out of it."""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> None:
    """Move everything alive once the server has started into the permanent generation.

    Modules, classes, routes, compiled templates and cached SQL live as long as the process
    (about 200,000 tracked objects). Left in the oldest generation, every full collection
    rescans them; a page that builds many short-lived objects then pays for those passes
    (a third of the home page's render time, measured). Once per process: freezing again
    would pin whatever later requests leave behind, where a cycle is never freed.

    A worker of ``serve`` starts with the collector off (``server.asgi``): it is switched on
    here, once start-up's objects are out of its reach.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
    gc.enable()
