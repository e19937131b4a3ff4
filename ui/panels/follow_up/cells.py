"""How the inbox draws its cells: each text laid out once and kept, not on every repaint.

A keystroke in the search box repaints the whole table. Qt's own delegate asks the model for
seven roles per cell and lays every text out anew (shaping, then eliding it to the column).
Most of the inbox's texts repeat (kinds, states, people, times) and a keystroke changes the
rows on screen only in part, so a cell is drawn from one ``InboxModel.cell`` call and a
laid-out text kept by text, weight and width.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QStaticText, QTransform
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
)

from ui.panels.follow_up.model import InboxModel

# Laid-out texts kept: a few screens of rows in every column, at a couple of widths.
KEPT = 4000
_SELECTED = QStyle.StateFlag.State_Selected
_FOCUSED = QStyle.StateFlag.State_HasFocus


class InboxCells(QStyledItemDelegate):
    """Draws an inbox cell: the row's selection, then its text in its colour and weight."""

    def __init__(self, model: InboxModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._laid: dict[tuple[str, bool, int], QStaticText] = {}
        self._fonts: tuple[QFont, QFont, QFontMetrics, QFontMetrics] | None = None

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Draw one cell (the view has drawn the row's alternating background already)."""
        text, color, bold = self.model.cell(index.row(), index.column())
        rect = option.rect
        palette: QPalette = option.palette
        normal, strong, normal_metrics, strong_metrics = self._fonts_for(option)
        metrics = strong_metrics if bold else normal_metrics
        # The same text margin as Qt's own delegate, so the columns line up with the header.
        style = option.widget.style() if option.widget is not None else QApplication.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, None) + 1
        width = max(rect.width() - 2 * margin, 0)
        key = (text, bold, width)
        laid = self._laid.get(key)
        if laid is None:
            laid = _laid_out(text, strong if bold else normal)
            if laid.size().width() > width:  # laid out once more only when it must be cut
                cut = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
                laid = _laid_out(cut, strong if bold else normal)
            if len(self._laid) >= KEPT:
                self._laid.clear()
            self._laid[key] = laid
        painter.save()
        if option.state & _SELECTED:
            painter.fillRect(rect, palette.brush(QPalette.ColorRole.Highlight))
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        else:
            painter.setPen(color if color is not None else palette.color(QPalette.ColorRole.Text))
        painter.setFont(strong if bold else normal)
        top = rect.y() + (rect.height() - metrics.height()) // 2  # as Qt's delegate centres
        painter.drawStaticText(QPointF(rect.x() + margin, top), laid)
        painter.restore()
        if option.state & _FOCUSED:  # the current cell, framed as Qt's delegate frames it
            frame = QStyleOptionFocusRect()
            frame.rect = rect
            frame.state = option.state | QStyle.StateFlag.State_KeyboardFocusChange
            frame.palette = palette
            frame.backgroundColor = palette.color(
                QPalette.ColorRole.Highlight
                if option.state & _SELECTED
                else QPalette.ColorRole.Base
            )
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_FrameFocusRect, frame, painter, option.widget
            )

    def _fonts_for(
        self, option: QStyleOptionViewItem
    ) -> tuple[QFont, QFont, QFontMetrics, QFontMetrics]:
        # The view's font, and its bold, with their metrics: worked out again only when the
        # view's font changes (then the kept layouts are of the old font and are dropped).
        font: QFont = option.font
        if self._fonts is None or self._fonts[0] != font:
            strong = QFont(font)
            strong.setBold(True)
            self._fonts = (QFont(font), strong, QFontMetrics(font), QFontMetrics(strong))
            self._laid.clear()
        return self._fonts


def _laid_out(text: str, font: QFont) -> QStaticText:
    laid = QStaticText(text)
    laid.setTextFormat(Qt.TextFormat.PlainText)
    laid.prepare(QTransform(), font)
    return laid
