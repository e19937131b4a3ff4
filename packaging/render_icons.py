"""Render the application icon into the hicolor PNG sizes desktops look for.

Run from the project's virtual environment: ``python packaging/render_icons.py``. The PNGs
are committed so installing needs no Qt at hand; rerun this after changing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
HERE = Path(__file__).resolve().parent
SOURCE = HERE / "icons" / "io.toolbag.Portal.svg"
HICOLOR = HERE / "icons" / "hicolor"


def main() -> int:
    """Write ``hicolor/NxN/apps/io.toolbag.Portal.png`` for each size and the scalable SVG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"cannot read {SOURCE.name}", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = HICOLOR / f"{size}x{size}" / "apps" / "io.toolbag.Portal.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(target), "PNG")
    scalable = HICOLOR / "scalable" / "apps" / "io.toolbag.Portal.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_text(SOURCE.read_text())
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
