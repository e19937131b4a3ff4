"""The benchmark report: figures measured against a baseline from the same run, as a table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure and the baseline it is compared with.

    ``ratio`` is value / baseline; ``target`` says what passes, in words, and ``passed``
    whether this run met it (None when the figure is informational).
    """

    name: str
    value: str
    baseline: str
    ratio: float | None
    target: str
    passed: bool | None


class Report:
    """Collects figures from every benchmark module and prints them as one table.

    Modules call ``report.figure(...)`` for a table row and ``report("text")`` for a note
    printed at once (progress, detail).
    """

    def __init__(self) -> None:
        self.figures: list[Figure] = []
        self.errors: list[str] = []

    def __call__(self, line: str) -> None:
        """Print a note now."""
        print(f"  {line}", flush=True)

    def figure(
        self,
        name: str,
        value: str,
        baseline: str = "-",
        ratio: float | None = None,
        target: str = "-",
        passed: bool | None = None,
    ) -> Figure:
        """Record one row of the final table (and echo it)."""
        row = Figure(name, value, baseline, ratio, target, passed)
        self.figures.append(row)
        self(f"{name}: {value} (baseline {baseline}) {_verdict(passed)}")
        return row

    def error(self, module: str, message: str) -> None:
        """A module that could not finish."""
        self.errors.append(f"{module}: {message}")

    def table(self) -> str:
        """Every figure as an aligned text table, then the errors."""
        header = ("figure", "value", "baseline", "ratio", "target", "result")
        rows = [header] + [
            (
                f.name,
                f.value,
                f.baseline,
                "-" if f.ratio is None else f"{f.ratio:.2f}x",
                f.target,
                _verdict(f.passed),
            )
            for f in self.figures
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines += [f"ERROR {e}" for e in self.errors]
        return "\n".join(lines)


def _verdict(passed: bool | None) -> str:
    return "-" if passed is None else ("PASS" if passed else "MISS")
