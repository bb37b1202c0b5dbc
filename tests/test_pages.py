"""The public pages, the error pages and the security headers every page carries."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from questions.models import Question
from tests.factories import start


@pytest.mark.django_db
def test_it_serves_the_landing_page_to_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Create a free account" in response.content


def test_it_greets_a_logged_in_user_by_name(alice_client):
    response = alice_client.get("/")
    assert response.status_code == 200
    assert b"alice" in response.content
    assert b"Log out" in response.content


@pytest.mark.django_db
def test_it_serves_the_signup_page(client):
    response = client.get(reverse("signup"))
    assert response.status_code == 200
    assert b'name="email"' in response.content


@pytest.mark.django_db
def test_it_shows_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.text


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client):
    html = client.get(reverse("signup")).text
    assert "style=" not in html
    assert "<script>" not in html
    assert "onclick" not in html


@pytest.mark.django_db
def test_htmx_is_served_locally_and_told_not_to_eval(client):
    html = client.get("/").text
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert '"allowEval": false' in html


def test_the_csrf_token_rides_on_the_body_for_htmx(alice_client):
    html = alice_client.get("/").text
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


@pytest.mark.django_db
def test_an_htmx_request_without_a_session_is_not_given_the_login_form_as_a_fragment(client):
    # A GET goes to the login page as a whole page.
    response = client.get(reverse("questions:list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith(reverse("login"))
    # A POST swaps nothing, so the text stays in the box; the page says why.
    response = client.post(
        "/interviews/1/questions/1/draft/", {"answer": "Kept?"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 401
    assert response.headers["HX-Reswap"] == "none"
    plain = client.post("/interviews/1/questions/1/draft/", {"answer": "Kept?"})
    assert plain.status_code == 302
    assert "HX-Redirect" not in plain.headers


@pytest.mark.parametrize(
    "path", ["/", "/questions/", "/interviews/new/", "/history/", "/review/", "/accounts/"]
)
def test_every_page_of_a_user_carries_the_policy_and_no_inline_code(alice_client, path):
    response = alice_client.get(path)
    assert response.status_code == 200
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "style=" not in response.text
    assert "<script>" not in response.text


def test_the_error_pages_are_friendly():
    from django.template.loader import render_to_string

    assert "Something went wrong on our side" in render_to_string("500.html")
    assert "You can’t do that here" in render_to_string("403.html")


@pytest.mark.parametrize(
    ("path", "description"),
    [
        ("/", "Rehearse deep-learning interviews for data-science roles"),
        (reverse("login"), "Log in to InterviewPrep"),
        (reverse("signup"), "Create a free InterviewPrep account"),
    ],
)
@pytest.mark.django_db
def test_public_pages_describe_themselves_to_search_engines(client, path, description):
    page = client.get(path).text
    assert f'<meta name="description" content="{description}' in page


def test_the_question_bank_and_its_pages_describe_themselves(alice_client):
    call_command("seed_questions", verbosity=0)
    question = Question.objects.get(number=1)

    bank = alice_client.get(reverse("questions:list")).text
    page = alice_client.get(reverse("questions:detail", args=[question.slug])).text

    assert '<meta name="description" content="Browse deep-learning interview questions' in bank
    assert (
        '<meta name="description" content="Deep-learning interview question 1: '
        f"{question.prompt[:40]}" in page
    )


@pytest.mark.django_db
def test_a_request_for_another_host_gets_the_site_s_400_page_with_its_headers(client):
    # Refused by CommonMiddleware, ahead of the view and of the middleware after it.
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "We couldn’t understand that request" in response.text
    assert '<main id="main"' in response.text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_failed_log_in_with_a_null_byte_in_a_header_gets_the_site_s_400_page(client, alice):
    # django-axes stores the User-Agent of a failed log-in; PostgreSQL refuses NUL in text.
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": "wrong"},
        headers={"user-agent": "Mozilla/5.0\x00"},
    )
    assert response.status_code == 400
    assert "We couldn’t understand that request" in response.text
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_a_page_visit_to_an_address_that_only_takes_forms_gets_the_site_s_405_page(alice_client):
    response = alice_client.get(reverse("logout"))
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST, OPTIONS"
    assert "Nothing to show at this address" in response.text
    assert '<main id="main"' in response.text


def test_logging_in_again_after_an_expired_session_sent_an_answer_is_not_a_blank_page(
    client, alice, password
):
    interview = start(alice, [1, 2], timezone.now())
    answer_url = reverse("interviews:submit", args=[interview.pk, 1])
    sent = client.post(answer_url, {"answer_text": "Typed while logged out."})
    assert sent.status_code == 302

    back = client.post(sent["Location"], {"username": "alice", "password": password}, follow=True)

    assert back.redirect_chain[-1][0] == answer_url
    assert back.status_code == 405
    assert "Nothing to show at this address" in back.text
    assert reverse("home") in back.text


def test_an_htmx_request_with_the_wrong_method_still_gets_an_empty_405(alice_client):
    response = alice_client.get(reverse("logout"), headers={"HX-Request": "true"})
    assert response.status_code == 405
    assert response.content == b""


def test_a_form_opened_before_logging_in_again_elsewhere_is_refused_with_the_true_reason(
    alice, password
):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login")).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    # Logging in (as if in another tab of the same browser) rotates the token...
    client.post(
        reverse("login"),
        {"csrfmiddlewaretoken": token, "username": "alice", "password": password},
    )

    # ...so a form of a page opened before it, here the log-out button, is refused.
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 403
    assert "logged in or out in another tab" in response.text
    assert "open too long" not in response.text
