"""The dashboard's charts and tables, built as text for speed, write what the templates'
filters and the earlier format_html version wrote: the same numbers, the same escaping."""

from datetime import date, timedelta

import pytest
from django.template.defaultfilters import floatformat

from progress import charts
from progress.stats import Bar, Day


@pytest.mark.parametrize("places", [1, 2])
def test_decimal_writes_what_floatformat_writes(places):
    numbers = [0, 0.0, 1, 4.0, 2.5, 2.25, 2.675, 2.345, 1.005, 3.14159, 0.05, 0.045, 99.995]
    numbers += [n / 7 for n in range(0, 29)] + [n / 1000 for n in range(0, 4001, 37)]
    for number in numbers:
        assert charts.decimal(number, places) == floatformat(number, places), number
    assert charts.decimal(None, places) == floatformat(None, places) == ""


def test_labels_are_escaped_in_the_bars_and_the_table():
    bar = Bar("<Deck & co>", 3, 0.5, 2.5, 0.0, "/decks/1/?a=1&b=2")

    html = charts.bars_html([bar], "decks", "") + charts.mastery_rows([bar])

    assert "<Deck" not in html
    assert html.count("&lt;Deck &amp; co&gt;") == 2
    assert 'href="/decks/1/?a=1&amp;b=2"' in html


def reference_heatmap(days: list[Day], today: date):
    """The calendar as it was drawn before it was made faster: a loop over dates."""
    first = today - timedelta(days=364)
    start = first - timedelta(days=first.weekday())
    counts = {day.day: day.answers for day in days if day.day >= first}
    most = max(counts.values(), default=0)
    cells, months = [], []
    current = start
    while current <= today:
        week = (current - start).days // 7
        if current.day == 1 and (not months or week * 13 - months[-1][0] >= 3 * 13):
            months.append((week * 13, current.strftime("%b")))
        answers = counts.get(current, 0)
        level = 0 if answers == 0 else min(4, 1 + (4 * (answers - 1)) // max(most, 1))
        if current >= first:
            cells.append((week * 13, 16 + current.weekday() * 13, current, answers, level))
        current += timedelta(days=1)
    busiest = max(cells, key=lambda cell: cell[3], default=None)
    return (
        cells,
        months,
        sum(1 for cell in cells if cell[3]),
        sum(cell[3] for cell in cells),
        busiest if busiest and busiest[3] else None,
    )


@pytest.mark.parametrize("offset", range(0, 400, 23))
def test_the_calendar_is_the_one_drawn_before(offset):
    today = date(2026, 12, 7) + timedelta(days=offset)
    # Two years of days, some busier than others, and one after today (a zone changed).
    days = [
        Day(today - timedelta(days=n), (n * 7) % 11 + 1, 9, 3, 6, 0, None)
        for n in range(-1, 730, 2 + offset % 3)
    ]

    heatmap = charts.heatmap(days, today)

    cells, months, active, answers, busiest = reference_heatmap(days, today)
    assert [tuple(cell) for cell in heatmap.cells] == cells
    assert heatmap.months == months
    assert (heatmap.active_days, heatmap.answers) == (active, answers)
    assert (tuple(heatmap.busiest) if heatmap.busiest else None) == busiest
    svg = heatmap.svg()
    assert svg.count("<rect ") == 365
    for _, _, day, count, _ in cells:
        answered = f"{count} answer{'' if count == 1 else 's'}"
        assert f"<title>{day:%a} {day.day} {day:%b %Y}: {answered}</title>" in svg


def test_an_empty_calendar():
    heatmap = charts.heatmap([], date(2026, 12, 7))

    assert (heatmap.active_days, heatmap.answers, heatmap.busiest) == (0, 0, None)
    assert len(heatmap.cells) == 365
