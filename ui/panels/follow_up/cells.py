"""How the inbox draws its cells: each text cut to its column once and kept, and laid out
for good once it has been drawn a few times.

A keystroke in the search box repaints the whole table. Qt's own delegate asks the model for
seven roles per cell and lays every text out anew (shaping, then eliding it to the column).
Most of the inbox's texts repeat (kinds, states, people, times) and a keystroke changes the
rows on screen only in part, so a cell is drawn from one ``InboxModel.cell`` call and what
was worked out for a text is kept by text, weight and width. A text new to the screen (the
new rows a keystroke brings) is drawn as it was cut, which costs less than laying it out to
keep (``QStaticText.prepare``) and drawing that; it is laid out to keep when it is drawn for
the third time, as the rows that stay on screen are at every keystroke. Not at the second:
the next letter typed keeps part of the rows it brought, and would pay for their layouts on
top of its own new rows.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QPainter,
    QPalette,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
    QWidget,
)

from ui.panels.follow_up.model import InboxModel

# Laid-out texts kept per weight: a few screens of rows in every column, at a couple of widths.
KEPT = 4000
# Times a text is drawn as cut before it is laid out to keep.
DRAWN_PLAIN = 2
_SELECTED = QStyle.StateFlag.State_Selected.value
_FOCUSED = QStyle.StateFlag.State_HasFocus.value
# Looked up once: each lookup of a Qt enum member costs about a microsecond, per cell.
_TEXT = QPalette.ColorRole.Text
_HIGHLIGHT = QPalette.ColorRole.Highlight
_HIGHLIGHTED_TEXT = QPalette.ColorRole.HighlightedText
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight
_NEW_LOOK = (QEvent.Type.FontChange, QEvent.Type.StyleChange)


class InboxCells(QStyledItemDelegate):
    """Draws an inbox cell: the row's selection, then its text in its colour and weight."""

    def __init__(self, model: InboxModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._look: _Look | None = None
        # Drawing for the view it belongs to, it hears of that view's new font or style and
        # need not compare fonts for every cell.
        self._view = parent if isinstance(parent, QWidget) else None
        if self._view is not None:
            self._view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Forget the fonts and margin worked out when the view's font or style changes."""
        if event.type() in _NEW_LOOK:
            self._look = None
        return False

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Draw one cell (the view has drawn the row's alternating background already)."""
        # Some 150 cells a repaint, each a call from C++: what does not change from cell to
        # cell (fonts, metrics, the style's margin) is worked out once, and the state flags are
        # tested as an int (each Python flag operation costs a microsecond).
        text, color, bold = self.model.cell(index.row(), index.column())
        rect = option.rect
        x, y, w, h = cast(tuple[int, int, int, int], rect.getRect())  # one call, not four
        widget = option.widget
        look = self._look
        if look is None or widget is not self._view or self._view is None:
            style = widget.style() if widget is not None else QApplication.style()
            look = self._look_for(option.font, style)
        face = look.bold if bold else look.normal
        margin = look.margin
        width = max(w - 2 * margin, 0)
        key = (text, width)
        laid = face.laid.get(key)
        cut: str | None = None
        if laid is None:
            seen = face.cut.get(key)
            if seen is None:
                # Cut to the column as Qt's delegate cuts it (the text itself when it fits).
                cut = face.metrics.elidedText(text, _ELIDE_RIGHT, width)
                if len(face.cut) >= KEPT:
                    face.cut.clear()
                face.cut[key] = (cut, 1)
            elif seen[1] < DRAWN_PLAIN:
                cut = seen[0]
                face.cut[key] = (cut, seen[1] + 1)
            else:
                # Drawn again and again: worth laying out to keep (the layout of what is drawn,
                # not of a whole long title).
                del face.cut[key]
                if len(face.laid) >= KEPT:
                    face.laid.clear()
                laid = face.laid[key] = _laid_out(seen[0], face.font)
        state = option.state.value
        palette: QPalette | None = None
        # No save and restore of the painter: every cell sets the pen and font it draws with,
        # and the view sets its own before drawing anything else (the grid, the empty area).
        if state & _SELECTED:
            palette = option.palette
            painter.fillRect(rect, palette.brush(_HIGHLIGHT))
            painter.setPen(palette.color(_HIGHLIGHTED_TEXT))
        elif color is not None:
            painter.setPen(color)
        else:
            palette = option.palette
            painter.setPen(palette.color(_TEXT))
        painter.setFont(face.font)
        top = y + (h - face.height) // 2  # as Qt's delegate centres
        if laid is not None:
            painter.drawStaticText(QPointF(x + margin, top), laid)
        else:
            # On the baseline where the laid-out text would sit (hence the same pixels).
            painter.drawText(QPointF(x + margin, top + face.ascent), cast(str, cut))
        if state & _FOCUSED:  # the current cell, framed as Qt's delegate frames it
            if palette is None:
                palette = option.palette
            frame = QStyleOptionFocusRect()
            frame.rect = rect
            frame.state = option.state | QStyle.StateFlag.State_KeyboardFocusChange
            frame.palette = palette
            frame.backgroundColor = palette.color(
                QPalette.ColorRole.Highlight if state & _SELECTED else QPalette.ColorRole.Base
            )
            look.style.drawPrimitive(
                QStyle.PrimitiveElement.PE_FrameFocusRect, frame, painter, widget
            )

    def _look_for(self, font: QFont, style: QStyle) -> _Look:
        # Worked out again only when the view's font or style changes (then the kept layouts
        # are of the old font and are dropped with it).
        look = self._look
        if look is None or look.style is not style or look.font != font:
            look = self._look = _Look(font, style)
        return look


class _Face:
    """A font with its metrics, its height and its texts by (text, width): cut to the width
    with the times drawn so, or laid out to keep."""

    def __init__(self, font: QFont) -> None:
        self.font = font
        self.metrics = QFontMetrics(font)
        self.height = self.metrics.height()
        self.ascent = QFontMetricsF(font).ascent()
        self.cut: dict[tuple[str, int], tuple[str, int]] = {}
        self.laid: dict[tuple[str, int], QStaticText] = {}


class _Look:
    """The view's font and its bold, and the style's text margin, for one font and style."""

    def __init__(self, font: QFont, style: QStyle) -> None:
        self.font = QFont(font)
        self.style = style
        strong = QFont(font)
        strong.setBold(True)
        self.normal = _Face(QFont(font))
        self.bold = _Face(strong)
        # The same text margin as Qt's own delegate, so the columns line up with the header.
        self.margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, None) + 1


def _laid_out(text: str, font: QFont) -> QStaticText:
    laid = QStaticText(text)
    laid.setTextFormat(Qt.TextFormat.PlainText)
    laid.prepare(QTransform(), font)
    return laid
