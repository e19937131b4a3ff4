"""The inbox's own cell drawing looks exactly like Qt's delegate, which it replaces for speed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QImage, QStaticText
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyledItemDelegate, QTableView

from app.cache.follow_ups import index_row
from app.follow_up_filter import InboxFilter
from app.follow_up_index import InboxIndex
from tests.app.follow_up_items import item
from ui.panels.follow_up.cells import DRAWN_PLAIN, InboxCells
from ui.panels.follow_up.model import InboxModel

LONG = "Service request: the boiler in the loft makes a knocking noise every morning " * 3


def _model() -> InboxModel:
    rows = []
    for i in range(1, 61):
        kind = ("quote_approved", "invoice_paid", "service_request", "mail_failed")[i % 4]
        found = item(
            i,
            kind,
            state="done" if i % 5 == 0 else "open",
            assignee_id=None if i % 3 else 7,
            assignee_name=None if i % 3 else "Sam Ortega",
        )
        if i % 4 == 2:
            found["title"] = LONG  # cut with "…" to fit its column
        rows.append(index_row(found))
    model = InboxModel()
    model.set_index(InboxIndex(sorted(rows, key=lambda r: (-r[3], -r[0]))))
    model.set_filter(InboxFilter(state=None))
    return model


class WideMargins(QProxyStyle):
    """A style whose item texts sit further from the cell's edges."""

    def pixelMetric(self, metric, option=None, widget=None):  # type: ignore[no-untyped-def]
        if metric == QStyle.PixelMetric.PM_FocusFrameHMargin:
            return 7
        return super().pixelMetric(metric, option, widget)


def _picture(  # type: ignore[no-untyped-def]
    qtbot, delegate_class: type, font: QFont | None = None, style: str = "", grabs: int = 2
) -> QImage:
    model = _model()
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    if delegate_class is InboxCells:
        table.setItemDelegate(InboxCells(model, table))
    else:
        table.setItemDelegate(QStyledItemDelegate(table))
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(26)
    table.resize(900, 400)
    table.show()
    table.selectRow(2)
    table.setFocus()
    for _ in range(grabs - 1):  # the texts drawn as often before
        table.grab()
    if font is not None:  # the view's font changes after a drawing
        table.setFont(font)
    if style:  # or its style does (one with wider text margins)
        table.setStyle(WideMargins(style))
    return table.grab().toImage()


def _same(a: QImage, b: QImage) -> int:
    """How many pixels differ."""
    assert a.size() == b.size()
    return sum(
        1 for y in range(a.height()) for x in range(a.width()) if a.pixel(x, y) != b.pixel(x, y)
    )


def test_cells_are_drawn_as_qts_delegate_draws_them(qtbot):
    # Colours per kind, grey for done, bold for open items nobody has, cut long titles, the
    # selected row and the focused cell: pixel for pixel what Qt's own delegate draws.
    ours = _picture(qtbot, InboxCells)
    qts = _picture(qtbot, QStyledItemDelegate)
    assert _same(ours, qts) == 0


def test_texts_drawn_first_plain_then_laid_out_look_the_same(qtbot):
    # A text is drawn as cut the first times and laid out to keep after (then drawn from
    # that): every drawing is Qt's delegate's pixel for pixel.
    qts = _picture(qtbot, QStyledItemDelegate, grabs=1)
    for grabs in range(1, DRAWN_PLAIN + 3):
        assert _same(_picture(qtbot, InboxCells, grabs=grabs), qts) == 0, grabs


def test_a_text_is_cut_first_and_laid_out_when_drawn_again_and_again(qtbot):
    model = _model()
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    cells = InboxCells(model, table)
    table.setItemDelegate(cells)
    table.resize(900, 400)
    table.show()
    table.grab()
    assert cells._look is not None
    faces = (cells._look.normal, cells._look.bold)

    def kept(text: str) -> Any:
        """What is kept of a text: (as cut, times drawn so) or its layout."""
        for face in faces:
            for texts in (face.cut, face.laid):
                for (known, _width), value in texts.items():
                    if known == text:
                        return value
        raise KeyError(text)

    # Drawn once so far: the first row's title kept as cut to its column ("…") and its
    # customer as is; a kind shown on several rows was drawn often already, hence laid out.
    title, customer = model.cell(0, 2)[0], model.cell(0, 3)[0]
    cut, times = kept(title)
    assert cut.endswith("…") and title.startswith(cut[:-1]) and times == 1
    assert kept(customer) == (customer, 1)
    assert isinstance(kept("Quote approved"), QStaticText)
    for drawn in range(2, DRAWN_PLAIN + 1):
        table.grab()
        assert kept(title) == (cut, drawn)
    table.grab()
    assert isinstance(kept(title), QStaticText)
    assert kept(title).text() == cut
    assert isinstance(kept(customer), QStaticText)


def test_a_new_font_is_used_at_once(qtbot):
    big = QFont()
    big.setPointSize(big.pointSize() + 4)
    ours = _picture(qtbot, InboxCells, big)
    qts = _picture(qtbot, QStyledItemDelegate, big)
    assert _same(ours, qts) == 0


def test_a_new_style_is_used_at_once(qtbot):
    ours = _picture(qtbot, InboxCells, style="Windows")
    qts = _picture(qtbot, QStyledItemDelegate, style="Windows")
    assert _same(ours, qts) == 0


def test_a_cell_says_what_the_roles_say():
    model = _model()
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            index = model.index(row, col)
            text, color, bold = model.cell(row, col)
            assert text == index.data()
            assert color == index.data(Qt.ItemDataRole.ForegroundRole)
            assert bold == (index.data(Qt.ItemDataRole.FontRole) is not None)
