"""The steady scroll bar: drawn again on a new range only when that shows, never out of date."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QScrollBar

from ui.widgets.steady_scroll_bar import SteadyScrollBar

ROW = 26
PAGE = 300


class Paints(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.seen += 1
        return False


def _bar(qtbot, kind: type[QScrollBar]) -> QScrollBar:  # type: ignore[no-untyped-def]
    bar = kind()
    qtbot.addWidget(bar)
    bar.resize(14, PAGE)
    bar.setPageStep(PAGE)
    bar.setRange(0, ROW * 10000)
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def test_a_new_range_is_drawn_only_when_the_bar_looks_different(qtbot):
    steady, plain = _bar(qtbot, SteadyScrollBar), _bar(qtbot, QScrollBar)
    paints = Paints()
    steady.installEventFilter(paints)
    qtbot.wait(10)
    skipped = drawn = 0
    # Row counts as typing and deleting bring them, then scrolled to the end and back.
    for rows, value in (
        (9000, 0),
        (2000, 0),
        (20, 0),
        (20, 0),
        (12, 0),
        (0, 0),
        (500, 0),
        (9000, 0),
        (9000, ROW * 9000),
        (8000, None),
        (30000, None),
        (30000, 0),
        (100000, 0),
    ):
        before = plain.grab().toImage()
        seen = paints.seen
        for bar in (steady, plain):
            bar.setRange(0, max(0, ROW * rows - PAGE))
            if value is not None:
                bar.setValue(value)
        qtbot.wait(10)  # the bar draws what it was asked to
        painted = paints.seen > seen
        after = plain.grab().toImage()
        assert steady.grab().toImage() == after  # the same picture as Qt's own bar
        if not painted:
            skipped += 1
            assert before == after, f"{rows} rows: not drawn, yet it looks different"
        else:
            drawn += 1
    assert skipped >= 4 and drawn >= 4
