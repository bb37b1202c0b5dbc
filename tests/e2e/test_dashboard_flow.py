"""In the browser: the dashboard's charts, a mastery bar into the filtered history, and
"Practise these" under the weakest questions."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from questions.models import Question, Topic
from sessions.models import InterviewSession, InterviewStatus
from tests.bench.data import make_history
from tests.e2e.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_leads_to_the_history_and_to_practice(
    page: Page, live_server, seeded, alice, password
):
    make_history(alice, 40, days=30, now=timezone.now())  # 8 interviews of 5

    log_in(page, live_server.url, "alice", password)

    # The charts.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress, alice")
    heatmap = page.locator("svg.heatmap")
    expect(heatmap).to_be_visible()
    expect(heatmap.locator("rect")).to_have_count(365)
    expect(heatmap.locator("rect:not(.heat-0)").first).to_be_visible()
    expect(page.locator("#activity-summary")).to_contain_text("40 answers on")
    expect(page.locator("svg.line-chart")).to_have_count(2)
    expect(page.locator("svg.line-chart path.line")).to_have_count(2)
    expect(page.locator("#levels li").first).to_be_visible()
    topic_bars = page.locator("#topics a.bar-link")
    expect(topic_bars.first).to_be_visible()
    expect(topic_bars.first.locator("svg.bar rect.bar-fill")).to_have_count(1)

    # A topic's bar opens the history filtered to that topic.
    slug = topic_bars.first.get_attribute("href").split("?topic=")[1]
    topic_bars.first.click()
    expect(page).to_have_url(re.compile(rf"/history/\?topic={re.escape(slug)}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your interviews")
    # The topic is chosen, by name, in the filter's topic list.
    expect(page.get_by_label("Topic")).to_have_value(slug)
    expect(page.locator("#id_topic option:checked")).to_have_text(Topic.objects.get(slug=slug).name)
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    filtered = InterviewSession.objects.filter(
        user=alice, items__question__topics__slug=slug
    ).distinct()
    expect(rows).to_have_count(filtered.count())

    # Back on the dashboard, practise the weakest questions.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress, alice")
    weakest = page.get_by_role("region", name="Weakest questions")
    expect(weakest.locator("ol li")).to_have_count(5)
    ids = [
        int(value)
        for value in weakest.locator('input[name="question"]').evaluate_all(
            "inputs => inputs.map(input => input.value)"
        )
    ]
    assert len(ids) == 5
    first = Question.objects.get(pk=ids[0])
    expect(weakest.locator("ol li").first).to_contain_text(f"Q{first.number}.")
    weakest.get_by_role("button", name="Practise these").click()

    expect(page.locator(".progress-label")).to_contain_text("Question 1 of 5")
    expect(page.locator("h1.prompt")).to_have_text(first.prompt)
    interview = InterviewSession.objects.get(user=alice, status=InterviewStatus.IN_PROGRESS)
    assert list(interview.items.values_list("question_id", flat=True)) == ids
