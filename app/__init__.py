"""The console's logic: sync, cache, sessions and rules, without Qt (``ui/`` lays them out)."""

import sys

# httpx imports its command-line client whenever click, rich and pygments are installed (they
# are: uvicorn needs click), tens of milliseconds of the console's start. No process of the
# console runs that client, so the import is refused here and httpx keeps its own stand-in.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
