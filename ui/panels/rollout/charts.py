"""The funnel and adoption charts (QtCharts), as shares of the customers counted.

Shares, not counts, so that a pilot group of 50 and all 100,000 customers fit one axis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from app.rollout import FUNNEL_STEPS

SHORT = {"Did something": "Acted"}  # the axis has room for short words only
GROUP_COLOUR = QColor("#1f5f8b")
EVERYONE_COLOUR = QColor("#9aa7b4")


def _share(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _small(font: QFont) -> QFont:
    """A size smaller: at the width of one panel column, axis words and legend entries at
    the normal size were cut short ("Accept…", "Pilot invit…")."""
    font.setPointSizeF(max(6.5, font.pointSizeF() - 1.5))
    return font


def _fit_axes(chart: QChart) -> None:
    for axis in chart.axes():
        axis.setLabelsFont(_small(axis.labelsFont()))


def _view(chart: QChart, parent: QWidget | None) -> QChartView:
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.legend().setFont(_small(chart.legend().font()))
    chart.setBackgroundRoundness(6)
    view = QChartView(chart, parent)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return view


class FunnelChart:
    """Invited, accepted, signed in, did something: the group beside everyone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.chart = QChart()
        self.chart.setTitle("Funnel: share of customers at each step")
        self.view = _view(self.chart, parent)
        self.values: dict[str, list[float]] = {}

    def show(
        self, group: Mapping[str, int] | None, everyone: Mapping[str, int], group_name: str = ""
    ) -> None:
        """Redraw with a group's funnel (or none) and everyone's."""
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        series = QBarSeries()
        self.values = {}
        for name, funnel, colour in (
            (group_name or "Pilot group", group, GROUP_COLOUR),
            ("Everyone", everyone, EVERYONE_COLOUR),
        ):
            if funnel is None:
                continue
            whole = int(funnel.get("customers", 0))
            values = [_share(int(funnel.get(k, 0)), whole) for k, _ in FUNNEL_STEPS]
            bars = QBarSet(f"{name} ({whole:,})")
            bars.append(values)
            bars.setColor(colour)
            bars.setLabelColor(QColor("#1f2933"))
            series.append(bars)
            self.values[name] = values
        series.setLabelsVisible(True)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value%")
        series.setLabelsPrecision(3)
        self.chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append([SHORT.get(label, label) for _, label in FUNNEL_STEPS])
        y = QValueAxis()
        y.setRange(0, 100)
        y.setLabelFormat("%d%%")
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        _fit_axes(self.chart)


class AdoptionChart:
    """Cumulative invited and accepted, week by week, for the group and for everyone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.chart = QChart()
        self.chart.setTitle("Adoption over time: share of customers")
        self.view = _view(self.chart, parent)
        self.series: dict[str, QLineSeries] = {}

    def show(
        self,
        group: Mapping[str, Any] | None,
        everyone: Mapping[str, Any],
        group_name: str = "",
    ) -> None:
        """Redraw from two adoption answers (``funnel`` and ``weeks`` each)."""
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.series = {}
        times: list[int] = []
        self.chart.setTitle(
            f"Adoption over time: {group_name or 'pilot group'} and everyone"
            if group
            else "Adoption over time: everyone"
        )
        for name, answer, colour in (
            ("Pilot", group, GROUP_COLOUR),
            ("All", everyone, EVERYONE_COLOUR),
        ):
            if answer is None:
                continue
            whole = int(answer["funnel"]["customers"])
            for measure, dashed in (("invited", True), ("accepted", False)):
                line = QLineSeries()
                line.setName(f"{name} {measure}")
                pen = QPen(colour, 2.5)
                if dashed:
                    pen.setStyle(Qt.PenStyle.DashLine)
                line.setPen(pen)
                line.setPointsVisible(True)
                for when, week in _weeks(answer["weeks"]):
                    ms = int(when.timestamp() * 1000)
                    times.append(ms)
                    line.append(ms, _share(int(week[measure]), whole))
                self.chart.addSeries(line)
                self.series[line.name()] = line
        x = QDateTimeAxis()
        x.setFormat("d MMM")
        if times:
            x.setRange(
                QDateTime.fromMSecsSinceEpoch(min(times)), QDateTime.fromMSecsSinceEpoch(max(times))
            )
        else:
            # Nobody invited yet: the last eight weeks, not an empty range drawn as "1 Jan"
            # five times over.
            self.chart.setTitle("Adoption over time: nobody invited yet")
            now = QDateTime.currentDateTime()
            x.setRange(now.addDays(-56), now)
        y = QValueAxis()
        y.setRange(0, 100)
        y.setLabelFormat("%d%%")
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for line in self.series.values():
            line.attachAxis(x)
            line.attachAxis(y)
        _fit_axes(self.chart)


def _weeks(weeks: Sequence[Mapping[str, Any]]) -> list[tuple[datetime, Mapping[str, Any]]]:
    out = [(datetime.fromisoformat(str(w["week"])), w) for w in weeks]
    if len(out) == 1:
        # One week is one point, which draws no line: start from nothing the week before.
        out.insert(0, (out[0][0] - timedelta(weeks=1), {"invited": 0, "accepted": 0}))
    return out
