"""Geometry for the dashboard's server-drawn SVG charts; the templates only place it."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from progress.stats import Bar, Day
from sessions.models import Rating

CELL = 13  # px per heatmap square, gap included
# The names strftime's %a and %b give (the site runs in the C locale), looked up instead of
# formatted for each of the calendar's 365 squares.
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("", *(date(2000, month, 1).strftime("%b") for month in range(1, 13)))
LEFT = 46  # px left of a line chart's plot, for the gridlines' labels
WEEKS = 53


class HeatCell(NamedTuple):
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

    def svg(self) -> SafeString:
        """The calendar as SVG, built here: 365 squares through the template engine are slow.
        Every value is a number or a formatted date of ours, so nothing needs escaping."""
        months = "".join(
            f'<text class="axis" x="{x}" y="10">{label}</text>' for x, label in self.months
        )
        rects = "".join(
            f'<rect class="heat-{level}" x="{x}" y="{y}" width="11" height="11" rx="2"><title>'
            f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month]} {day.year}: "
            f"{answers} answer{'' if answers == 1 else 's'}</title></rect>"
            for x, y, day, answers, level in self.cells
        )
        return mark_safe(
            f'<svg class="chart heatmap" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" '
            f'aria-labelledby="activity-summary">{months}{rects}</svg>'
        )

    def legend(self) -> SafeString:
        """One square per shade, lightest to strongest, as the calendar draws them."""
        squares = "".join(
            f'<rect class="key heat-{level}" x="{level * CELL}" y="0" width="11" height="11" '
            'rx="2"></rect>'
            for level in range(5)
        )
        return mark_safe(
            f'<svg class="heat-legend" viewBox="0 0 {5 * CELL} 11" width="{5 * CELL}" '
            f'height="11" aria-hidden="true" focusable="false">{squares}</svg>'
        )


def heatmap(days: list[Day], today: date) -> Heatmap:
    """A square per day over the last 365 days, in weeks from Monday, like Anki's."""
    first = today - timedelta(days=364)
    start = first - timedelta(days=first.weekday())
    counts = {day.day: day.answers for day in days if day.day >= first}
    most = max(counts.values(), default=0)
    cells: list[HeatCell] = []
    months: list[tuple[int, str]] = []
    answered = active = 0
    shown_from = (first - start).days
    one_day, scale = timedelta(days=1), max(most, 1)
    current = start
    # The month labels from the calendar's first Monday, the squares from its first day.
    for index in range(shown_from + 365):
        if current.day == 1:
            x = index // 7 * CELL
            if not months or x - months[-1][0] >= 3 * CELL:
                months.append((x, MONTH_NAMES[current.month]))
        if index >= shown_from:
            answers = counts.get(current, 0)
            if answers:
                answered += answers
                active += 1
                level = min(4, 1 + (4 * (answers - 1)) // scale)
            else:
                level = 0
            cells.append(
                HeatCell(index // 7 * CELL, 16 + index % 7 * CELL, current, answers, level)
            )
        current += one_day
    busiest = max(cells, key=lambda cell: cell.answers)
    return Heatmap(
        cells=cells,
        months=months,
        width=WEEKS * CELL + 2,
        height=16 + 7 * CELL,
        active_days=active,
        answers=answered,
        busiest=busiest if busiest.answers else None,
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
    # The days are in order: only the last weeks' are read.
    for day in reversed(days):
        if day.day < starts[0]:
            break
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
    width, height, left, top, bottom = 420, 170, LEFT, 10, 24
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
    labels = [(rating.value, rating.label) for rating in Rating]
    return line_chart(weeks, lambda week: week.average_rating, 1, 4, labels)


def coverage_chart(weeks: list[Week]) -> LineChart:
    labels = [(0, "0%"), (0.5, "50%"), (1, "100%")]
    return line_chart(weeks, lambda week: week.coverage, 0, 1, labels)


def line_chart_svg(chart: LineChart, label: str) -> SafeString:
    """The chart as SVG; the label names it for screen readers. Built as text: every value
    is a number, a date or a label of ours, escaped."""
    grid = "".join(
        f'<line class="grid" x1="{LEFT}" x2="{chart.width}" y1="{y}" y2="{y}"></line>'
        f'<text class="axis" x="{LEFT - 4}" y="{y}" dy="4" text-anchor="end">{escape(text)}'
        "</text>"
        for y, text in chart.gridlines
    )
    if chart.points:
        dots = "".join(
            f'<circle class="dot" cx="{point.x}" cy="{point.y}" r="4"><title>Week of '
            f"{point.week.start.day} {MONTH_NAMES[point.week.start.month]}: "
            f"{decimal(point.value, 2)}</title></circle>"
            for point in chart.points
        )
        body = f'<path class="line" d="{chart.path}"></path>{dots}'
    else:
        body = (
            f'<text class="axis" x="{chart.width // 2}" y="90" text-anchor="middle">No graded '
            "answers in these weeks</text>"
        )
    return mark_safe(
        f'<svg class="chart line-chart" viewBox="0 0 {chart.width} {chart.height}" '
        f'width="100%" role="img" aria-label="{escape(label)}">{grid}{body}'
        f'<text class="axis" x="{LEFT}" y="{chart.height}" dy="-4">12 weeks ago</text>'
        f'<text class="axis" x="{chart.width}" y="{chart.height}" dy="-4" '
        'text-anchor="end">this week</text></svg>'
    )


def decimal(number: float | None, places: int) -> str:
    """The number with `places` decimals, as the templates' floatformat:places writes a
    number of 0 or more (halves rounded up, no grouping; None gives ""), without its
    locale look-ups: the dashboard writes a hundred of them."""
    if number is None:
        return ""
    return str(Decimal(repr(float(number))).quantize(PLACES[places], ROUND_HALF_UP))


PLACES = {1: Decimal("0.1"), 2: Decimal("0.01")}


def percent(share: float | None) -> str:
    """A share of 0-1 as a whole percentage, rounded the way the templates' widthratio does."""
    return "" if share is None else str(round(share * 100))


def bars_html(bars: list[Bar], chart_id: str, history_url: str) -> SafeString:
    """Mastery bars: label, share of key points covered, average rating, answers; each
    links to the history filtered to it. Built as text (the labels and links escaped): a
    format_html per bar costs more than the rest of the bar."""
    items = []
    for bar in bars:
        fill = (
            f'<rect class="bar-fill" x="0" y="0" width="{percent(bar.coverage)}" height="10" '
            'rx="2"></rect>'
            if bar.coverage is not None
            else ""
        )
        coverage = f"{percent(bar.coverage)}%" if bar.coverage is not None else "—"
        items.append(
            f'<li><a href="{escape(history_url + bar.link)}" class="bar-link">'
            f'<span class="bar-label">{escape(bar.label)}</span>'
            '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
            'aria-hidden="true" focusable="false"><rect class="bar-track" x="0" y="0" '
            f'width="100" height="10" rx="2"></rect>{fill}</svg><span class="bar-value">'
            f"{coverage} · {decimal(bar.average_rating, 1)} · {bar.answers} "
            f"answer{'' if bar.answers == 1 else 's'}</span></a></li>"
        )
    return mark_safe(f'<ul class="bar-list" id="{escape(chart_id)}">{"".join(items)}</ul>')


# The tables under "The numbers": built here too, as text (the labels escaped) instead of a
# template node per cell.


def month_rows(heatmap: Heatmap) -> SafeString:
    return mark_safe(
        "".join(
            f'<tr><td>{MONTHS[month.month]} {month.year}</td><td class="num">{answers}</td>'
            f'<td class="num">{active}</td></tr>'
            for month, answers, active in heatmap.by_month()
        )
    )


def week_rows(weeks: list[Week]) -> SafeString:
    return mark_safe(
        "".join(
            f'<tr role="row"><td role="cell">{week.start.day} {MONTH_NAMES[week.start.month]} '
            f'{week.start.year}</td><td role="cell" class="num" data-label="Answers">'
            f'{week.answers}</td><td role="cell" class="num" data-label="Average rating">'
            f"{decimal(week.average_rating, 2) or '—'}</td>"
            '<td role="cell" class="num" data-label="Key points covered">'
            f"{f'{percent(week.coverage)}%' if week.coverage is not None else '—'}</td></tr>"
            for week in weeks
        )
    )


def mastery_rows(bars: list[Bar]) -> SafeString:
    return mark_safe(
        "".join(
            f'<tr role="row"><td role="cell">{escape(bar.label)}</td>'
            f'<td role="cell" class="num" data-label="Answers">{bar.answers}</td>'
            '<td role="cell" class="num" data-label="Key points covered">'
            f"{percent(bar.coverage)}%</td>"
            '<td role="cell" class="num" data-label="Average rating">'
            f"{decimal(bar.average_rating, 2)}</td>"
            '<td role="cell" class="num" data-label="Ran out of time">'
            f"{percent(bar.timed_out_share)}%</td></tr>"
            for bar in bars
        )
    )
