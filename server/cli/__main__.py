"""``python -m server.cli``: the same as ``portal-server``."""

from server.cli import main

raise SystemExit(main())
