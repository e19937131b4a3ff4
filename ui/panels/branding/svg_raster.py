"""SVG logos drawn into a PNG with QtSvg at the size the portal needs (SVG never reaches the
server)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from app.logo_checks import RASTER_HEIGHT, RASTER_MAX_WIDTH, LogoRefused
from app.svg_checks import check_svg


def rasterise(svg: bytes, height: int = RASTER_HEIGHT) -> bytes:
    """A transparent PNG of a checked SVG, ``height`` pixels high (width by its aspect, capped).

    Safe to run off the UI thread: QSvgRenderer and QImage need no window.
    """
    check_svg(svg)
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise LogoRefused("That SVG file could not be drawn; save it again from your design tool.")
    size = renderer.defaultSize()
    box = renderer.viewBoxF()
    if box.isValid():
        width_f, height_f = box.width(), box.height()
    else:
        width_f, height_f = size.width(), size.height()
    if width_f <= 0 or height_f <= 0:
        raise LogoRefused("The SVG has no size; give it a width and height or a viewBox.")
    width = max(1, min(RASTER_MAX_WIDTH, round(height * width_f / height_f)))
    draw_height = height if width < RASTER_MAX_WIDTH else max(1, round(width * height_f / width_f))
    image = QImage(width, draw_height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, width, draw_height))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; str works
    buffer.close()
    return bytes(data.data())
