"""The console's helper processes: ``python -m MODULE PARENT_PID ARGS``.

Each helper takes the console's process id first and refuses to run when its parent is
already someone else, so none outlives the console. A frozen bundle has no interpreter to run
them with: ``ui.main`` runs these modules when its one program is started with ``-m``.
"""

from __future__ import annotations

import os
import sys

# Every helper the console starts; a frozen bundle can run only the ones named here.
HELPER_MODULES = frozenset({"app.server_child", "app.cache.writer_child", "app.index_builder"})


def helper_command(module: str, *args: str) -> list[str]:
    """The command line that starts one helper as a child of this process."""
    if module not in HELPER_MODULES:
        raise ValueError(f"{module} is not one of the console's helpers")
    return [sys.executable, "-m", module, str(os.getpid()), *args]
