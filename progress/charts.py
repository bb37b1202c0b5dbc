"""Geometry for the dashboard's server-drawn SVG charts; the templates only place it."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.template.defaultfilters import floatformat
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from progress.stats import Bar, Day
from sessions.models import Rating

CELL = 13  # px per heatmap square, gap included
LEFT = 46  # px left of a line chart's plot, for the gridlines' labels
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

    def svg(self) -> SafeString:
        """The calendar as SVG, built here: 365 squares through the template engine are slow.
        Every value is a number or a formatted date of ours, so nothing needs escaping."""
        months = "".join(
            f'<text class="axis" x="{x}" y="10">{label}</text>' for x, label in self.months
        )
        rects = "".join(
            f'<rect class="heat-{cell.level}" x="{cell.x}" y="{cell.y}" width="11" '
            f'height="11" rx="2"><title>{cell.day:%a} {cell.day.day} {cell.day:%b %Y}: '
            f"{cell.answers} answer{'' if cell.answers == 1 else 's'}</title></rect>"
            for cell in self.cells
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
    """The chart as SVG; the label names it for screen readers."""
    grid = format_html_join(
        "",
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="axis" x="{}" y="{}" dy="4" text-anchor="end">{}</text>',
        ((LEFT, chart.width, y, y, LEFT - 4, y, text) for y, text in chart.gridlines),
    )
    if chart.points:
        body = format_html(
            '<path class="line" d="{}"></path>{}',
            chart.path,
            format_html_join(
                "",
                '<circle class="dot" cx="{}" cy="{}" r="4"><title>Week of {} {}: {}</title>'
                "</circle>",
                (
                    (
                        point.x,
                        point.y,
                        point.week.start.day,
                        point.week.start.strftime("%b"),
                        floatformat(point.value, 2),
                    )
                    for point in chart.points
                ),
            ),
        )
    else:
        body = format_html(
            '<text class="axis" x="{}" y="90" text-anchor="middle">No graded answers in these '
            "weeks</text>",
            chart.width // 2,
        )
    return format_html(
        '<svg class="chart line-chart" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-label="{}">{}{}<text class="axis" x="{}" y="{}" dy="-4">12 weeks ago</text>'
        '<text class="axis" x="{}" y="{}" dy="-4" text-anchor="end">this week</text></svg>',
        chart.width,
        chart.height,
        label,
        grid,
        body,
        LEFT,
        chart.height,
        chart.width,
        chart.height,
    )


def percent(share: float | None) -> str:
    """A share of 0-1 as a whole percentage, rounded the way the templates' widthratio does."""
    return "" if share is None else str(round(share * 100))


def bars_html(bars: list[Bar], chart_id: str, history_url: str) -> SafeString:
    """Mastery bars: label, share of key points covered, average rating, answers; each
    links to the history filtered to it."""
    items = []
    for bar in bars:
        fill = (
            format_html(
                '<rect class="bar-fill" x="0" y="0" width="{}" height="10" rx="2"></rect>',
                percent(bar.coverage),
            )
            if bar.coverage is not None
            else ""
        )
        items.append(
            format_html(
                '<li><a href="{}{}" class="bar-link"><span class="bar-label">{}</span>'
                '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
                'aria-hidden="true" focusable="false"><rect class="bar-track" x="0" y="0" '
                'width="100" height="10" rx="2"></rect>{}</svg><span class="bar-value">{} · {} · '
                "{} answer{}</span></a></li>",
                history_url,
                bar.link,
                bar.label,
                fill,
                f"{percent(bar.coverage)}%" if bar.coverage is not None else "—",
                floatformat(bar.average_rating, 1),
                bar.answers,
                "" if bar.answers == 1 else "s",
            )
        )
    return format_html('<ul class="bar-list" id="{}">{}</ul>', chart_id, mark_safe("".join(items)))


# The tables under "The numbers": built here too, a row per format_html instead of a
# template node per cell.


def month_rows(heatmap: Heatmap) -> SafeString:
    return format_html_join(
        "",
        '<tr><td>{} {}</td><td class="num">{}</td><td class="num">{}</td></tr>',
        (
            (MONTHS[month.month], month.year, answers, active)
            for month, answers, active in heatmap.by_month()
        ),
    )


def week_rows(weeks: list[Week]) -> SafeString:
    return format_html_join(
        "",
        '<tr role="row"><td role="cell">{} {} {}</td>'
        '<td role="cell" class="num" data-label="Answers">{}</td>'
        '<td role="cell" class="num" data-label="Average rating">{}</td>'
        '<td role="cell" class="num" data-label="Key points covered">{}</td></tr>',
        (
            (
                week.start.day,
                week.start.strftime("%b"),
                week.start.year,
                week.answers,
                floatformat(week.average_rating, 2) or "—",
                f"{percent(week.coverage)}%" if week.coverage is not None else "—",
            )
            for week in weeks
        ),
    )


def mastery_rows(bars: list[Bar]) -> SafeString:
    return format_html_join(
        "",
        '<tr role="row"><td role="cell">{}</td>'
        '<td role="cell" class="num" data-label="Answers">{}</td>'
        '<td role="cell" class="num" data-label="Key points covered">{}%</td>'
        '<td role="cell" class="num" data-label="Average rating">{}</td>'
        '<td role="cell" class="num" data-label="Ran out of time">{}%</td></tr>',
        (
            (
                bar.label,
                bar.answers,
                percent(bar.coverage),
                floatformat(bar.average_rating, 2),
                percent(bar.timed_out_share),
            )
            for bar in bars
        ),
    )
