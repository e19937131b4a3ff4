"""A scroll bar that is not drawn again when a new range leaves it looking the same."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractSlider, QScrollBar, QStyle, QStyleOptionSlider, QWidget

_RANGE_CHANGE = QAbstractSlider.SliderChange.SliderRangeChange
_SCROLL_BAR = QStyle.ComplexControl.CC_ScrollBar
_HANDLE = QStyle.SubControl.SC_ScrollBarSlider

Look = tuple[object, bool, bool, bool]


class SteadyScrollBar(QScrollBar):
    """A scroll bar drawn again on a new range only when its handle moves or resizes, or it
    can no longer move one way.

    Over thousands of rows the handle keeps its least length at the top whatever the count,
    yet every keystroke in a search changes the range (the row count) and Qt draws the bar
    anew: about a millisecond in Fusion, a tenth of the keystroke's repaint. What a style
    draws follows from where the handle sits and whether it can move up or down (the arrows
    of an end it has reached look disabled), so the bar is drawn again when one of those
    changed since its last drawing; anything else (a new value, step, size, style or the
    pointer over it) is drawn as Qt draws it.
    """

    def __init__(
        self, orientation: Qt.Orientation = Qt.Orientation.Vertical, parent: QWidget | None = None
    ) -> None:
        super().__init__(orientation, parent)
        self._drawn: Look | None = None  # the look at the last drawing

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:
        """Ask for a drawing unless a new range leaves the bar as it was last drawn."""
        if change == _RANGE_CHANGE and self._drawn is not None and self.look() == self._drawn:
            return
        super().sliderChange(change)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw as Qt does, remembering the look drawn."""
        super().paintEvent(event)
        self._drawn = self.look()

    def look(self) -> Look:
        """Where the handle is and whether it is at the top, at the bottom, or cannot move."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.style().subControlRect(_SCROLL_BAR, option, _HANDLE, self)
        return (
            handle.getRect(),
            option.sliderValue == option.minimum,
            option.sliderValue == option.maximum,
            option.minimum == option.maximum,
        )
