"""After ``make package``: pack the one-folder bundle into an archive and print both sizes.

``dist/toolbag-portal-VERSION/`` becomes ``dist/toolbag-portal-VERSION-PLATFORM.tar.gz``
(a .zip on Windows), the file to hand to users or to ``packaging/linux/install.sh``.
"""

from __future__ import annotations

import platform
import shutil
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def folder_size(folder: Path) -> int:
    """Bytes of every file below ``folder``."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> int:
    """Archive the bundle of the version in pyproject.toml; print its sizes."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    name = f"toolbag-portal-{version}"
    bundle = ROOT / "dist" / name
    if not (bundle / "portal-console").exists() and not (bundle / "portal-console.exe").exists():
        print(f"No bundle in dist/{name}: the build did not finish.", file=sys.stderr)
        return 1
    system = platform.system().lower()
    fmt = "zip" if system == "windows" else "gztar"
    base = ROOT / "dist" / f"{name}-{system}-{platform.machine().lower()}"
    archive = Path(shutil.make_archive(str(base), fmt, root_dir=bundle.parent, base_dir=name))
    mib = 1024 * 1024
    print(f"Bundle: dist/{name}/ {folder_size(bundle) / mib:.0f} MiB")
    print(f"Archive: dist/{archive.name} {archive.stat().st_size / mib:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
