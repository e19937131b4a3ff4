"""Pictures of files for the review queue: a photo scaled down, or a PDF's pages rendered.

Decoding and rendering run on a worker thread (QImage and QPdfDocument do not need the GUI
thread), so a large photo or a long PDF never stalls the window.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument

THUMB = QSize(96, 96)
PAGE_WIDTH = 520
MAX_PAGES = 3


def thumbnail(data: bytes, content_type: str) -> QImage | None:
    """A small picture of the file, or None when there is nothing to draw."""
    pages = render(data, content_type, THUMB.width(), 1)
    if not pages:
        return None
    return pages[0].scaled(
        THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def render(
    data: bytes, content_type: str, width: int = PAGE_WIDTH, pages: int = MAX_PAGES
) -> list[QImage]:
    """The photo, or up to ``pages`` pages of a PDF, ``width`` pixels wide."""
    if content_type.startswith("image/"):
        image = QImage.fromData(data)
        if image.isNull():
            return []
        if image.width() > width:
            image = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        return [image]
    if content_type == "application/pdf":
        return _pdf_pages(data, width, pages)
    return []


def _pdf_pages(data: bytes, width: int, pages: int) -> list[QImage]:
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument()
    doc.load(buffer)
    if doc.status() != QPdfDocument.Status.Ready:
        return []
    out = []
    for i in range(min(pages, doc.pageCount())):
        size = doc.pagePointSize(i)
        if size.width() <= 0:
            continue
        height = round(width * size.height() / size.width())
        image = doc.render(i, QSize(width, max(1, height)))
        if not image.isNull():
            out.append(image)
    doc.close()
    return out
