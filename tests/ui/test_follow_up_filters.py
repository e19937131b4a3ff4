"""The inbox's filter bar: what a keystroke's new count costs the layouts around it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from ui.panels.follow_up.filters import FilterBar


class LayoutRequests(QObject):
    """Counts the layout requests a widget receives."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.seen += 1
        return False


def test_a_new_count_lays_nothing_out_again(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    bar = FilterBar()
    QVBoxLayout(window).addWidget(bar)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # laid out and drawn: nothing left to do
    label = bar.count_label
    # As tall as the search box beside it, so the row is laid out as before.
    assert label.height() == bar.search.height()
    requests = LayoutRequests()
    bar.installEventFilter(requests)
    window.installEventFilter(requests)
    for text in ("27,287 of 100,000 items", "9 of 100,000 items", "1 item", ""):
        label.setText(text)
        QApplication.processEvents()
    # A label free to change size would have every layout up to the window run again.
    assert requests.seen == 0
    assert label.text() == ""
