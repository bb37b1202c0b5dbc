"""At 375 px, text a user chose without spaces (a 150-character username, a pasted URL as an
answer or a note) wraps instead of widening the page."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser

from sessions.models import Rating
from tests.factories import answer, grade, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_WIDTH = "() => document.documentElement.scrollWidth"
UNBROKEN = "https://example.com/" + "a" * 300


def test_unbroken_text_wraps_on_a_phone(browser: Browser, live_server, password):
    user = get_user_model().objects.create_user("L" + "o" * 149, "long@example.com", password)
    now = timezone.now()
    interview = start(user, [1, 2], now)
    grade(answer(interview, 1, now, text=UNBROKEN), Rating.GOOD, 1, now, note=UNBROKEN)
    session = Client()
    session.force_login(user)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    widths = {}
    for path in [
        "/",
        reverse("account"),
        reverse("interviews:new"),
        reverse("interviews:review", args=[interview.pk, 1]),
        reverse("progress:history"),
    ]:
        page.goto(f"{live_server.url}{path}")
        widths[path] = page.evaluate(PAGE_WIDTH)
    context.close()

    assert widths == dict.fromkeys(widths, 375)
