"""Geometry for the dashboard's server-drawn SVG charts; the templates only place it."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.safestring import SafeString, mark_safe

from progress.stats import Day

CELL = 13  # px per heatmap square, gap included
WEEKS = 53


@dataclass(frozen=True)
class HeatCell:
    x: int
    y: int
    day: date
    answers: int
    level: int  # 0 (none) to 4 (most)


@dataclass(frozen=True)
class Heatmap:
    cells: list[HeatCell]
    months: list[tuple[int, str]]  # x, label
    width: int
    height: int
    active_days: int
    answers: int
    busiest: HeatCell | None

    def by_month(self) -> list[tuple[date, int, int]]:
        """(first day of the month, answers, active days) for the months shown, oldest first."""
        months: dict[date, list[int]] = {}
        for cell in self.cells:
            totals = months.setdefault(cell.day.replace(day=1), [0, 0])
            totals[0] += cell.answers
            totals[1] += 1 if cell.answers else 0
        return [(month, answers, active) for month, (answers, active) in months.items()]

    def rects(self) -> SafeString:
        """The squares as SVG, built here: 365 of them through the template engine is slow.
        Every value is a number or a formatted date of ours, so nothing needs escaping."""
        return mark_safe(
            "".join(
                f'<rect class="heat-{cell.level}" x="{cell.x}" y="{cell.y}" width="11" '
                f'height="11" rx="2"><title>{cell.day:%a} {cell.day.day} {cell.day:%b %Y}: '
                f"{cell.answers} answer{'' if cell.answers == 1 else 's'}</title></rect>"
                for cell in self.cells
            )
        )


def heatmap(days: list[Day], today: date) -> Heatmap:
    """A square per day over the last 365 days, in weeks from Monday, like Anki's."""
    first = today - timedelta(days=364)
    start = first - timedelta(days=first.weekday())
    counts = {day.day: day.answers for day in days if day.day >= first}
    most = max(counts.values(), default=0)
    cells: list[HeatCell] = []
    months: list[tuple[int, str]] = []
    current = start
    while current <= today:
        week = (current - start).days // 7
        if current.day == 1 and (not months or week * CELL - months[-1][0] >= 3 * CELL):
            months.append((week * CELL, current.strftime("%b")))
        answers = counts.get(current, 0)
        level = 0 if answers == 0 else min(4, 1 + (4 * (answers - 1)) // max(most, 1))
        if current >= first:
            cells.append(
                HeatCell(week * CELL, 16 + current.weekday() * CELL, current, answers, level)
            )
        current += timedelta(days=1)
    busiest = max(cells, key=lambda cell: cell.answers, default=None)
    return Heatmap(
        cells=cells,
        months=months,
        width=WEEKS * CELL + 2,
        height=16 + 7 * CELL,
        active_days=sum(1 for cell in cells if cell.answers),
        answers=sum(cell.answers for cell in cells),
        busiest=busiest if busiest and busiest.answers else None,
    )


@dataclass(frozen=True)
class Week:
    start: date
    answers: int
    average_rating: float | None
    coverage: float | None


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    week: Week
    value: float


@dataclass(frozen=True)
class LineChart:
    points: list[Point]
    path: str
    width: int
    height: int
    gridlines: list[tuple[float, str]]  # y, label


def weekly(days: list[Day], today: date, weeks: int = 12) -> list[Week]:
    this_monday = today - timedelta(days=today.weekday())
    starts = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    totals = {start: [0, 0, 0, 0] for start in starts}
    for day in days:
        monday = day.day - timedelta(days=day.day.weekday())
        if monday in totals:
            bucket = totals[monday]
            bucket[0] += day.answers
            bucket[1] += day.rating_sum
            bucket[2] += day.covered
            bucket[3] += day.key_points
    return [
        Week(
            start=start,
            answers=answers,
            average_rating=ratings / answers if answers else None,
            coverage=covered / key_points if key_points else None,
        )
        for start, (answers, ratings, covered, key_points) in totals.items()
    ]


def line_chart(
    weeks: list[Week], value, low: float, high: float, labels: list[tuple[float, str]]
) -> LineChart:
    """A line over the weeks that have a value; `value` picks it from a Week."""
    width, height, left, top, bottom = 420, 170, 46, 10, 24
    plot_height = height - top - bottom
    step = (width - left - 10) / max(len(weeks) - 1, 1)

    def y_of(number: float) -> float:
        return round(top + plot_height * (1 - (number - low) / (high - low)), 1)

    points = [
        Point(round(left + index * step, 1), y_of(value(week)), week, value(week))
        for index, week in enumerate(weeks)
        if value(week) is not None
    ]
    path = " ".join(
        f"{'M' if index == 0 else 'L'}{point.x},{point.y}" for index, point in enumerate(points)
    )
    return LineChart(
        points=points,
        path=path,
        width=width,
        height=height,
        gridlines=[(y_of(number), label) for number, label in labels],
    )


def rating_chart(weeks: list[Week]) -> LineChart:
    labels = [(1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy")]
    return line_chart(weeks, lambda week: week.average_rating, 1, 4, labels)


def coverage_chart(weeks: list[Week]) -> LineChart:
    labels = [(0, "0%"), (0.5, "50%"), (1, "100%")]
    return line_chart(weeks, lambda week: week.coverage, 0, 1, labels)
