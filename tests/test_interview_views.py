"""The mock interview through HTTP: who may see what, the answer and grade steps, htmx
partials, the configure form, abandoning, and a fixed number of queries per page."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from sessions import engine
from sessions.models import (
    MAX_ANSWER_CHARS,
    FinishState,
    InterviewSession,
    InterviewStatus,
    Rating,
    SessionQuestion,
)
from tests.factories import T0, answer, change_form_data, item, question, start

GRACE = 5
HTMX = {"HTTP_HX_REQUEST": "true"}
NEW = reverse("interviews:new")


@pytest.fixture(autouse=True)
def clock(time_machine, settings):
    """Every test starts at T0 with the clock stopped; tests move it on by hand."""
    settings.INTERVIEW_GRACE_SECONDS = GRACE
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def interview(seeded, alice) -> InterviewSession:
    """Alice's interview of questions 1, 2 and 3 (120 s each), nothing shown yet."""
    return start(alice, [1, 2, 3], now=T0)


@pytest.fixture
def underway(interview) -> InterviewSession:
    """Question 1 answered and graded, question 2 on screen with a draft."""
    engine.grade(
        answer(interview, 1, T0, text="Weighted sum, bias, activation."),
        Rating.GOOD,
        {1, 2},
        "",
        T0,
    )
    engine.show(item(interview, 2), T0)
    engine.autosave(item(interview, 2), "Alice's draft.", T0)
    return interview


def url(name: str, interview_pk: int, position: int | None = None) -> str:
    args = [interview_pk] if position is None else [interview_pk, position]
    return reverse(f"interviews:{name}", args=args)


def snapshot(interview: InterviewSession) -> tuple:
    """Everything a request could change about an interview."""
    interview.refresh_from_db()
    return (
        interview.status,
        interview.finished_at,
        list(
            interview.items.values_list(
                "shown_at",
                "deadline",
                "draft",
                "answer_text",
                "submitted_at",
                "finish_state",
                "self_rating",
                "note",
            )
        ),
        list(
            interview.items.values_list("key_points__position", "key_points__covered").order_by(
                "position", "key_points__position"
            )
        ),
    )


def textarea(page: str) -> str:
    """The text in the answer box, as the browser would show it."""
    found = re.search(r'<textarea name="answer"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert found, "no answer box on the page"
    return html.unescape(found.group(1))


def unsent_text(page: str) -> str | None:
    """The text a refused submit sent, kept read-only on the page to copy."""
    found = re.search(r'<textarea id="unsent-answer"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    return html.unescape(found.group(1)) if found else None


def without_per_request_tokens(page: str) -> str:
    """The page without its CSRF token and CSP nonces, which change with every response."""
    page = re.sub(r'"X-CSRFToken": "[^"]+"', "", page)
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'nonce="[^"]+"', "", page)


# Who may do what. (URL name, needs a position, method, the POST data.)
ENDPOINTS = [
    ("play", False, "get", None),
    ("summary", False, "get", None),
    ("abandon", False, "get", None),
    ("abandon", False, "post", {}),
    ("review", True, "get", None),
    ("autosave", True, "post", {"answer": "A newer draft."}),
    ("submit", True, "post", {"answer": "A final answer."}),
    ("grade", True, "post", {"rating": "4", "key_points": ["1", "2", "3"], "note": "Regraded."}),
]
ENDPOINT_IDS = [f"{method}-{name}" for name, _, method, _ in ENDPOINTS]
# The question each URL acts on: 1 is answered (to review and grade), 2 is on screen.
POSITION_FOR = {"review": 1, "grade": 1, "autosave": 2, "submit": 2}


def request(client: Client, name, needs_position, method, data, interview_pk):
    position = POSITION_FOR[name] if needs_position else None
    target = url(name, interview_pk, position)
    if method == "get":
        return target, client.get(target)
    return target, client.post(target, data)


@pytest.mark.parametrize(("name", "needs_position", "method", "data"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_it_sends_visitors_to_log_in(client, underway, name, needs_position, method, data):
    before = snapshot(underway)

    target, response = request(client, name, needs_position, method, data, underway.pk)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={target}"
    assert snapshot(underway) == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_configure_page_sends_visitors_to_log_in(client, seeded, method):
    response = getattr(client, method)(NEW, {"question_count": "1"} if method == "post" else {})

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={NEW}"
    assert not InterviewSession.objects.exists()


@pytest.mark.parametrize(("name", "needs_position", "method", "data"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_another_users_interview_looks_like_one_that_does_not_exist(
    bob_client, underway, name, needs_position, method, data
):
    before = snapshot(underway)
    missing_pk = underway.pk + 1000

    _, theirs = request(bob_client, name, needs_position, method, data, underway.pk)
    _, missing = request(bob_client, name, needs_position, method, data, missing_pk)

    assert theirs.status_code == missing.status_code == 404
    assert "We couldn’t find that page" in theirs.text
    assert without_per_request_tokens(theirs.text) == without_per_request_tokens(missing.text)
    assert snapshot(underway) == before


@pytest.mark.parametrize(("name", "needs_position", "method", "data"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_the_owner_reaches_every_page(alice_client, underway, name, needs_position, method, data):
    _, response = request(alice_client, name, needs_position, method, data, underway.pk)

    underway.refresh_from_db()
    match f"{method}-{name}":
        case "get-play":
            assert "Question 2 of 3" in response.text
        case "get-summary":
            assert "Interview summary" in response.text
            assert "1 / 3</span>" in response.text
        case "get-abandon":
            assert "Abandon this interview?" in response.text
        case "post-abandon":
            assert response.url == reverse("home")
            assert underway.status == InterviewStatus.ABANDONED
        case "get-review":
            assert "Weighted sum, bias, activation." in response.text
        case "post-autosave":
            assert response.url == url("play", underway.pk)
            assert item(underway, 2).draft == "A newer draft."
        case "post-submit":
            assert response.url == url("review", underway.pk, 2)
            assert item(underway, 2).answer_text == "A final answer."
        case "post-grade":
            assert response.url == url("play", underway.pk)
            assert item(underway, 1).self_rating == Rating.EASY
            assert item(underway, 1).note == "Regraded."
        case other:
            pytest.fail(f"no expectation for {other}")


@pytest.mark.parametrize("name", ["review", "autosave", "submit", "grade"])
def test_a_position_outside_the_interview_is_404(alice_client, underway, name):
    before = snapshot(underway)
    target = url(name, underway.pk, 4)

    response = alice_client.get(target) if name == "review" else alice_client.post(target)

    assert response.status_code == 404
    assert snapshot(underway) == before


@pytest.mark.parametrize("name", ["autosave", "submit", "grade"])
def test_a_get_on_a_state_changing_url_is_refused(alice_client, underway, name):
    before = snapshot(underway)

    response = alice_client.get(
        url(name, underway.pk, POSITION_FOR[name]),
        {"answer": "Through a GET.", "rating": "1", "key_points": "1"},
    )

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert snapshot(underway) == before


@pytest.mark.parametrize(
    ("name", "needs_position", "method", "data"),
    [endpoint for endpoint in ENDPOINTS if endpoint[2] == "post"],
    ids=[endpoint_id for endpoint_id in ENDPOINT_IDS if endpoint_id.startswith("post")],
)
def test_a_post_without_the_csrf_token_is_refused(
    alice, underway, name, needs_position, method, data
):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    before = snapshot(underway)

    _, response = request(csrf_client, name, needs_position, method, data, underway.pk)

    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert snapshot(underway) == before


def test_a_configure_post_without_the_csrf_token_starts_nothing(alice, seeded):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)

    response = csrf_client.post(
        NEW, {"question_count": "2", "timing_mode": "suggested", "order": "random"}
    )

    assert response.status_code == 403
    assert not InterviewSession.objects.exists()


# Configuring and starting


def configure(**overrides) -> dict:
    return {"question_count": "3", "timing_mode": "suggested", "order": "random"} | overrides


def test_the_configure_page_offers_levels_topics_and_timing(alice_client, seeded):
    page = alice_client.get(NEW).text

    assert 'name="levels" value="bonus"' in page
    assert 'name="topics" value="reinforcement-learning"' in page
    assert 'name="timing_mode" value="untimed"' in page
    assert "Start the interview" in page


def test_it_starts_an_interview_and_shows_its_first_question(alice_client, alice, seeded):
    response = alice_client.post(
        NEW,
        configure(levels=["advanced"], question_count="2", timing_mode="fixed", fixed_seconds="90"),
    )

    started = InterviewSession.objects.get(user=alice)
    assert response.status_code == 302
    assert response.url == url("play", started.pk)
    assert started.question_count == 2
    assert started.started_at == T0
    assert set(started.items.values_list("level", flat=True)) == {"advanced"}
    assert list(started.items.values_list("time_allowed", flat=True)) == [90, 90]

    page = alice_client.get(response.url).text

    assert "Question 1 of 2" in page
    assert html.escape(item(started, 1).prompt) in page
    assert item(started, 1).deadline == T0 + timedelta(seconds=90)


def test_fixed_timing_needs_the_seconds(alice_client, alice, seeded):
    response = alice_client.post(NEW, configure(timing_mode="fixed"))

    assert response.status_code == 200
    assert "Choose how many seconds each question gets." in response.text
    assert not InterviewSession.objects.exists()


def test_it_says_how_many_questions_match_and_offers_that_number(alice_client, alice, seeded):
    response = alice_client.post(NEW, configure(levels=["bonus"], question_count="5"))

    assert response.status_code == 200
    assert "Only 2 questions match these levels and topics." in response.text
    assert 'name="question_count" value="2"' in response.text
    assert "Start with 2 questions" in response.text
    assert not InterviewSession.objects.exists()

    # The browser sends the box's 5, then the button's 2; the last one counts.
    response = alice_client.post(NEW, configure(levels=["bonus"], question_count=["5", "2"]))

    started = InterviewSession.objects.get(user=alice)
    assert response.url == url("play", started.pk)
    assert sorted(started.items.values_list("question__number", flat=True)) == [29, 30]


def test_it_says_when_no_question_matches(alice_client, seeded):
    response = alice_client.post(
        NEW, configure(levels=["bonus"], topics=["deployment"], question_count="1")
    )

    assert "No question matches these decks, levels and topics." in response.text
    assert not InterviewSession.objects.exists()


def test_configuring_while_one_is_in_progress_offers_resume_or_abandon(
    alice_client, alice, interview
):
    page = alice_client.get(NEW).text

    assert "You have an interview in progress" in page
    assert f'href="{url("play", interview.pk)}">Resume the interview' in page
    assert f'href="{url("abandon", interview.pk)}">Abandon it' in page
    assert "Start the interview" not in page


def test_starting_while_one_is_in_progress_creates_nothing(alice_client, alice, interview):
    response = alice_client.post(NEW, configure(question_count="2"))

    assert response.status_code == 200
    assert "You already have an interview in progress: resume it or abandon it first." in (
        response.text
    )
    assert f'href="{url("play", interview.pk)}">Resume the interview' in response.text
    assert list(InterviewSession.objects.all()) == [interview]
    assert SessionQuestion.objects.count() == 3


# Answering


def test_play_shows_the_first_question_and_starts_its_clock(alice_client, interview):
    page = alice_client.get(url("play", interview.pk)).text

    first = item(interview, 1)
    assert first.shown_at == T0
    assert first.deadline == T0 + timedelta(seconds=120)
    assert "Question 1 of 3" in page
    assert html.escape(first.prompt) in page
    assert f'data-deadline="{first.deadline.isoformat(timespec="milliseconds")}"' in page
    assert "answers up to 5 seconds late are accepted" in page
    assert item(interview, 2).shown_at is None


def test_play_keeps_the_draft_in_the_answer_box(alice_client, underway):
    page = alice_client.get(url("play", underway.pk)).text

    assert "Question 2 of 3" in page
    assert textarea(page) == "Alice's draft."


def test_an_untimed_question_shows_no_countdown(alice_client, seeded, alice):
    interview = start(alice, [1], now=T0, timing_mode="untimed")

    page = alice_client.get(url("play", interview.pk)).text

    assert "Untimed practice: take the time you need." in page
    assert "data-deadline" not in page
    assert item(interview, 1).deadline is None


def test_submit_keeps_the_answer_and_shows_it_for_grading(alice_client, clock, interview):
    alice_client.get(url("play", interview.pk))
    clock.shift(40)

    response = alice_client.post(url("submit", interview.pk, 1), {"answer": "A weighted sum."})

    assert response.status_code == 302
    assert response.url == url("review", interview.pk, 1)
    first = item(interview, 1)
    assert first.answer_text == "A weighted sum."
    assert first.finish_state == FinishState.ON_TIME
    assert first.time_used == 40

    page = alice_client.get(response.url).text

    assert "A weighted sum." in page
    assert "On time" in page
    assert "Time used: 40 s of 120 s" in page
    assert "A neuron (or unit) is the basic computational element" in page
    for point in first.key_points.all():
        assert html.escape(point.text) in page


def test_a_late_submit_within_the_grace_period_is_marked_late(alice_client, clock, interview):
    alice_client.get(url("play", interview.pk))
    clock.shift(120 + 3)

    alice_client.post(url("submit", interview.pk, 1), {"answer": "Nearly in time."})

    first = item(interview, 1)
    assert first.answer_text == "Nearly in time."
    assert first.finish_state == FinishState.LATE
    assert "Late" in alice_client.get(url("review", interview.pk, 1)).text


def test_a_submit_after_the_grace_period_keeps_the_last_draft(alice_client, clock, interview):
    alice_client.get(url("play", interview.pk))
    alice_client.post(url("autosave", interview.pk, 1), {"answer": "Saved in time."})
    clock.shift(120 + GRACE + 1)

    response = alice_client.post(url("submit", interview.pk, 1), {"answer": "Too late."})

    first = item(interview, 1)
    assert first.answer_text == "Saved in time."
    assert first.finish_state == FinishState.TIMED_OUT
    assert first.submitted_at == T0 + timedelta(seconds=120)
    # The grade step with the draft as the answer, and the text sent too late kept to copy.
    assert "Ran out of time" in response.text
    assert "Time ran out before this answer arrived" in response.text
    assert unsent_text(response.text) == "Too late."


def test_coming_back_after_the_time_ran_out_keeps_the_draft_and_asks_for_a_grade(
    alice_client, clock, interview
):
    alice_client.get(url("play", interview.pk))
    alice_client.post(url("autosave", interview.pk, 1), {"answer": "Left behind."})
    clock.shift(timedelta(hours=2))

    page = alice_client.get(url("play", interview.pk)).text

    first = item(interview, 1)
    assert first.answer_text == "Left behind."
    assert first.finish_state == FinishState.TIMED_OUT
    assert first.submitted_at == T0 + timedelta(seconds=120)
    # Question 1 is graded first; the next question's clock has not started.
    assert "Question 1 of 3" in page
    assert "Ran out of time" in page
    assert item(interview, 2).shown_at is None
    review = alice_client.get(url("review", interview.pk, 1)).text
    assert "Ran out of time" in review
    assert "Left behind." in review


def test_a_page_that_ran_out_submits_its_text_marked_timed_out(alice_client, clock, interview):
    alice_client.get(url("play", interview.pk))
    clock.shift(120)

    alice_client.post(
        url("submit", interview.pk, 1), {"answer": "All I had at zero.", "ran_out": "1"}
    )

    first = item(interview, 1)
    assert first.answer_text == "All I had at zero."
    assert first.finish_state == FinishState.TIMED_OUT
    assert first.time_used == 120


def test_a_double_submit_keeps_the_first_answer(alice_client, interview):
    alice_client.get(url("play", interview.pk))
    target = url("submit", interview.pk, 1)

    first = alice_client.post(target, {"answer": "The first click."})
    second = alice_client.post(target, {"answer": "The first click."})

    assert first.status_code == second.status_code == 302
    assert first.url == second.url == url("review", interview.pk, 1)
    answered = SessionQuestion.objects.filter(interview=interview, submitted_at__isnull=False)
    assert list(answered.values_list("position", "answer_text")) == [(1, "The first click.")]
    assert "already submitted" not in alice_client.get(second.url).text


STALE_TAB = (
    "This answer was already submitted from another tab or window; the stored answer is "
    "shown. Your text is kept below to copy."
)


def words(page: str) -> str:
    """The page's text with every run of white space as one space."""
    return " ".join(page.split())


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_submit_from_a_stale_tab_says_so_and_keeps_its_text(alice_client, interview, headers):
    alice_client.get(url("play", interview.pk))
    target = url("submit", interview.pk, 1)
    alice_client.post(target, {"answer": "From the first tab."})

    response = alice_client.post(target, {"answer": "From the <second> tab."}, **headers)

    assert response.status_code == 200
    assert 'data-step="grade"' in response.text
    assert STALE_TAB in words(response.text)
    assert "From the first tab." in response.text
    assert unsent_text(response.text) == "From the <second> tab."
    assert ("<html" in response.text) == (not headers)
    assert item(interview, 1).answer_text == "From the first tab."


def test_an_autosave_from_a_stale_tab_says_the_answer_was_submitted_elsewhere(
    alice_client, interview
):
    alice_client.get(url("play", interview.pk))
    alice_client.post(url("submit", interview.pk, 1), {"answer": "From the first tab."})

    response = alice_client.post(
        url("autosave", interview.pk, 1), {"answer": "Still typing here."}, **HTMX
    )

    # The page stays where it is, with its text, instead of being sent to the grade step.
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert "already submitted from another tab or window" in response.text
    assert item(interview, 1).draft == "From the first tab."


def test_saving_a_draft_from_a_stale_tab_without_javascript_keeps_its_text(alice_client, interview):
    alice_client.get(url("play", interview.pk))
    alice_client.post(url("submit", interview.pk, 1), {"answer": "From the first tab."})

    response = alice_client.post(url("autosave", interview.pk, 1), {"answer": "Still typing."})

    assert response.status_code == 200
    assert STALE_TAB in words(response.text)
    assert "From the first tab." in response.text
    assert unsent_text(response.text) == "Still typing."


def test_an_over_long_answer_is_refused_and_kept_as_the_draft(alice_client, interview):
    alice_client.get(url("play", interview.pk))
    text = ("Gradients <vanish> & explode. " * 700)[: MAX_ANSWER_CHARS + 1]

    response = alice_client.post(url("submit", interview.pk, 1), {"answer": text})

    assert response.status_code == 200
    assert "Your answer is longer than 20,000 characters (it has 20001)." in response.text
    assert "Shorten it and submit again; your text is kept." in response.text
    assert textarea(response.text) == text
    first = item(interview, 1)
    assert first.draft == text
    assert first.submitted_at is None
    assert first.answer_text == ""
    assert first.finish_state == ""


def test_an_answer_at_the_limit_counts_line_breaks_as_the_browser_does(alice_client, interview):
    alice_client.get(url("play", interview.pk))
    # 20,000 characters in the box; a form sent without JavaScript has each line break as CRLF.
    text = ("x" * 99 + "\r\n") * 199 + "x" * 100

    response = alice_client.post(url("submit", interview.pk, 1), {"answer": text})

    assert response.status_code == 302
    submitted = item(interview, 1)
    assert submitted.answer_text == ("x" * 99 + "\n") * 199 + "x" * 100
    assert len(submitted.answer_text) == MAX_ANSWER_CHARS


def test_a_draft_sent_without_javascript_keeps_line_breaks_as_typed(alice_client, interview):
    alice_client.get(url("play", interview.pk))

    alice_client.post(url("autosave", interview.pk, 1), {"answer": "First line\r\nsecond"})

    assert item(interview, 1).draft == "First line\nsecond"


def test_an_answer_with_a_null_character_says_so_and_keeps_the_text(alice_client, interview):
    alice_client.get(url("play", interview.pk))

    response = alice_client.post(url("submit", interview.pk, 1), {"answer": "Pasted\x00text"})

    assert response.status_code == 200
    assert "Your answer contains a null character" in response.text
    assert textarea(response.text) == "Pasted\x00text"
    assert item(interview, 1).submitted_at is None


def test_autosave_keeps_the_draft_and_says_so(alice_client, interview):
    alice_client.get(url("play", interview.pk))

    response = alice_client.post(url("autosave", interview.pk, 1), {"answer": "Half done"})

    assert response.url == url("play", interview.pk)
    assert item(interview, 1).draft == "Half done"
    assert item(interview, 1).submitted_at is None
    page = alice_client.get(response.url).text
    assert "Draft saved." in page
    assert textarea(page) == "Half done"


# The htmx path warns about a draft over the answer limit, but the plain POST path only
# says "Draft saved." (views.autosave picks the success message first), so without
# JavaScript the warning is lost until the submit is refused.
def test_autosave_without_javascript_warns_when_the_draft_is_longer_than_an_answer(
    alice_client, interview
):
    alice_client.get(url("play", interview.pk))

    response = alice_client.post(
        url("autosave", interview.pk, 1), {"answer": "x" * (MAX_ANSWER_CHARS + 1)}
    )

    page = alice_client.get(response.url).text
    assert "Your answer is longer than 20,000 characters; shorten it" in page


def test_autosave_refuses_a_draft_too_long_to_keep(alice_client, interview):
    alice_client.get(url("play", interview.pk))

    response = alice_client.post(
        url("autosave", interview.pk, 1), {"answer": "x" * 100_001}, **HTMX
    )

    assert (
        "This draft is longer than 100,000 characters (it has 100001), too long to keep. "
        "Shorten it." in response.text
    )
    assert item(interview, 1).draft == ""


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_autosave_says_a_null_character_cannot_be_saved(alice_client, interview, headers):
    alice_client.get(url("play", interview.pk))
    alice_client.post(url("autosave", interview.pk, 1), {"answer": "Kept draft."})

    response = alice_client.post(
        url("autosave", interview.pk, 1), {"answer": "Pasted\x00text"}, follow=True, **headers
    )

    assert "contains a null character" in response.text
    assert "too long" not in response.text
    assert item(interview, 1).draft == "Kept draft."


def test_autosave_warns_when_the_draft_is_longer_than_an_answer(alice_client, interview):
    alice_client.get(url("play", interview.pk))

    response = alice_client.post(
        url("autosave", interview.pk, 1), {"answer": "x" * (MAX_ANSWER_CHARS + 1)}, **HTMX
    )

    assert "Your answer is longer than 20,000 characters; shorten it" in response.text
    assert item(interview, 1).draft == "x" * (MAX_ANSWER_CHARS + 1)


# Grading


def test_grade_stores_the_rating_and_goes_on_to_the_next_question(alice_client, interview):
    answer(interview, 1, T0)

    response = alice_client.post(
        url("grade", interview.pk, 1), {"rating": "2", "key_points": ["2", "5"], "note": "Bias!"}
    )

    assert response.url == url("play", interview.pk)
    first = item(interview, 1)
    assert first.self_rating == Rating.HARD
    assert first.note == "Bias!"
    assert list(first.key_points.filter(covered=True).values_list("position", flat=True)) == [
        2,
        5,
    ]
    assert "Question 2 of 3" in alice_client.get(response.url).text


def test_grade_needs_a_rating(alice_client, interview):
    answer(interview, 1, T0)

    response = alice_client.post(url("grade", interview.pk, 1), {"key_points": ["1"]})

    assert response.status_code == 200
    assert "Choose Again, Hard, Good or Easy." in response.text
    assert item(interview, 1).self_rating is None


def note_box(page: str) -> str:
    """The text in the grade step's note box, as the browser would show it."""
    found = re.search(r'<textarea name="note"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert found, "no note box on the page"
    # Django writes a newline after the opening tag, which the browser drops.
    return html.unescape(found.group(1)).removeprefix("\n")


def test_a_note_at_the_limit_counts_line_breaks_as_the_browser_does(alice_client, interview):
    answer(interview, 1, T0, text="An answer.")
    # 5,000 characters in the box's maxlength; the browser sends each line break as CRLF.
    note = ("x" * 99 + "\r\n") * 49 + "x" * 100

    alice_client.post(url("grade", interview.pk, 1), {"rating": "3", "note": note})

    graded = item(interview, 1)
    assert graded.self_rating == 3
    assert graded.note == ("x" * 99 + "\n") * 49 + "x" * 100
    assert len(graded.note) == 5_000


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("note", "error"),
    [
        (
            "y" * 4_000 + "\r\n" + "y" * 1_000,
            "Your note is longer than 5,000 characters (it has 5001).",
        ),
        ("Pasted\x00note", "Your note contains a null character"),
    ],
    ids=["too-long", "nul"],
)
def test_a_note_that_cannot_be_saved_is_refused_on_the_grade_step(
    alice_client, interview, headers, note, error
):
    answer(interview, 1, T0, text="An answer.")

    response = alice_client.post(
        url("grade", interview.pk, 1), {"rating": "4", "key_points": ["2"], "note": note}, **headers
    )

    assert response.status_code == 200
    assert 'data-step="grade"' in response.text
    assert error in response.text
    assert "the grade is not saved yet" in response.text
    # What was typed stays: the note, the rating, the key point.
    assert note_box(response.text) == note
    assert re.search(r'<input[^>]*name="rating" value="4"[^>]*checked', response.text)
    assert item(interview, 1).self_rating is None


def test_grade_refuses_a_key_point_the_question_does_not_have(alice_client, interview):
    answer(interview, 1, T0)

    response = alice_client.post(
        url("grade", interview.pk, 1), {"rating": "4", "key_points": ["9"]}
    )

    assert "Select a valid choice. 9 is not one of the available choices." in response.text
    first = item(interview, 1)
    assert first.self_rating is None
    assert not first.key_points.filter(covered=True).exists()


def test_a_question_not_answered_cannot_be_graded(alice_client, interview):
    alice_client.get(url("play", interview.pk))

    response = alice_client.post(url("grade", interview.pk, 1), {"rating": "4"})

    assert response.url == url("play", interview.pk)
    assert item(interview, 1).self_rating is None


def test_a_grade_changed_from_the_summary_returns_to_the_summary(alice_client, underway):
    page = alice_client.get(url("review", underway.pk, 1) + "?from=summary").text
    assert '<input type="hidden" name="next" value="summary">' in page
    assert "Save grade</button>" in page

    response = alice_client.post(
        url("grade", underway.pk, 1), {"rating": "4", "key_points": ["1"], "next": "summary"}
    )

    assert response.url == url("summary", underway.pk)
    assert item(underway, 1).self_rating == Rating.EASY


# The htmx grade form on the review page carries next=summary; the view answers it with a
# plain 302, which htmx follows inside the XHR and swaps the whole summary page (its header,
# nav and footer too) into #step, under the review page's URL. Seen in Chromium: after
# Summary > Change grade > Save grade the page shows two site headers and two footers.
# The view already answers the last question's htmx grade with HX-Redirect; this needs
# the same.
def test_an_htmx_regrade_from_the_summary_sends_the_page_to_the_summary(alice_client, underway):
    response = alice_client.post(
        url("grade", underway.pk, 1), {"rating": "4", "next": "summary"}, **HTMX
    )

    assert item(underway, 1).self_rating == Rating.EASY
    assert response.status_code == 200
    assert response["HX-Redirect"] == url("summary", underway.pk)


# Without JavaScript, submitting redirects to the review page, and the review page always
# renders the grade form as if opened from the summary (next=summary, "Save grade"): so
# after every answer the grade sends the user to the summary instead of the next question,
# unlike the htmx flow ("Save grade and go on").
def test_without_javascript_grading_an_answer_goes_on_to_the_next_question(alice_client, interview):
    alice_client.get(url("play", interview.pk))
    submitted = alice_client.post(url("submit", interview.pk, 1), {"answer": "One."})
    page = alice_client.get(submitted.url).text
    form = {"rating": "3"}
    if '<input type="hidden" name="next" value="summary">' in page:
        form["next"] = "summary"  # as the browser would send it

    response = alice_client.post(url("grade", interview.pk, 1), form)

    assert "Save grade and go on" in page
    assert response.url == url("play", interview.pk)


def test_the_review_page_of_a_question_not_answered_goes_back_to_play(alice_client, underway):
    response = alice_client.get(url("review", underway.pk, 2))

    assert response.url == url("play", underway.pk)


def test_the_review_page_shows_the_question_as_it_was_shown(alice_client, interview, password):
    answer(interview, 1, T0)
    shown_points = [point.text for point in item(interview, 1).key_points.all()]
    neuron = question(1)
    old_prompt = neuron.prompt
    admin = get_user_model().objects.create_superuser("root", "root@example.com", password)
    admin_client = Client()
    admin_client.force_login(admin)
    data = change_form_data(neuron)
    data["prompt"] = "A rewritten prompt about zebras."
    data["reference_answer"] = "A rewritten reference answer about giraffes."
    data["key_points-0-text"] = "A rewritten key point about okapis."

    response = admin_client.post(reverse("admin:questions_question_change", args=[neuron.pk]), data)
    assert response.status_code == 302
    neuron.refresh_from_db()
    assert neuron.prompt == "A rewritten prompt about zebras."
    assert neuron.key_points.first().text == "A rewritten key point about okapis."

    page = alice_client.get(url("review", interview.pk, 1)).text

    assert html.escape(old_prompt) in page
    assert "A neuron (or unit) is the basic computational element" in page
    for point in shown_points:
        assert html.escape(point) in page
    assert "zebras" not in page
    assert "giraffes" not in page
    assert "okapis" not in page


# The summary, abandoning, resuming


def test_the_summary_shows_the_figures_and_each_answer(alice_client, clock, underway):
    clock.shift(150)  # question 2 ran out while nobody looked

    page = alice_client.get(url("summary", underway.pk)).text

    assert "2 / 3</span>" in page
    assert "3.0</span>" in page  # the only rating so far: Good
    assert "33%" in page and "(2 of 6)" in page
    assert "Ran out of time</span>" in page
    assert "Not answered" in page
    assert f'href="{url("review", underway.pk, 1)}?from=summary">Change grade' in page
    assert f'href="{url("review", underway.pk, 2)}?from=summary">Grade' in page
    assert item(underway, 2).finish_state == FinishState.TIMED_OUT


def test_abandon_asks_first(alice_client, interview):
    page = alice_client.get(url("abandon", interview.pk)).text

    assert "Abandon this interview?" in page
    assert f'action="{url("abandon", interview.pk)}"' in page
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.IN_PROGRESS


def test_abandon_then_home_offers_a_new_interview(alice_client, interview):
    assert "Resume the interview" in alice_client.get(reverse("home")).text

    response = alice_client.post(url("abandon", interview.pk))

    assert response.url == reverse("home")
    interview.refresh_from_db()
    assert interview.status == InterviewStatus.ABANDONED
    assert interview.finished_at == T0
    home = alice_client.get(response.url).text
    assert "Interview abandoned." in home
    assert "Resume the interview" not in home
    assert f'href="{NEW}">Start a mock interview' in home
    assert "Start the interview" in alice_client.get(NEW).text


def test_an_abandoned_interview_opens_on_its_summary(alice_client, interview):
    engine.abandon(interview, T0)

    assert alice_client.get(url("play", interview.pk)).url == url("summary", interview.pk)
    assert alice_client.get(url("abandon", interview.pk)).url == url("summary", interview.pk)


# Abandoning says "The questions you have not answered will be dropped", and the cron job
# leaves abandoned interviews alone, but autosave and submit never look at the interview's
# status: a second tab (or a replayed POST) still writes into the abandoned interview.
def test_an_abandoned_interview_keeps_no_more_drafts(alice_client, underway):
    alice_client.post(url("abandon", underway.pk))

    alice_client.post(url("autosave", underway.pk, 2), {"answer": "From a second tab."})

    assert item(underway, 2).draft == "Alice's draft."


def test_an_abandoned_interview_takes_no_more_answers(alice_client, underway):
    alice_client.post(url("abandon", underway.pk))

    alice_client.post(url("submit", underway.pk, 2), {"answer": "From a second tab."})
    alice_client.post(url("submit", underway.pk, 3), {"answer": "Never even shown."})

    assert item(underway, 2).submitted_at is None
    assert item(underway, 3).submitted_at is None
    summary = alice_client.get(url("summary", underway.pk)).text
    assert "1 / 3</span>" in summary


def test_a_finished_and_graded_interview_opens_on_its_summary(alice_client, seeded, alice):
    interview = start(alice, [1], now=T0)
    engine.grade(answer(interview, 1, T0, text="Done."), Rating.EASY, set(), "", T0)

    response = alice_client.get(url("play", interview.pk))

    assert response.url == url("summary", interview.pk)


def test_resuming_shows_the_next_question_with_the_same_deadline(alice_client, clock, interview):
    alice_client.get(url("play", interview.pk))
    alice_client.post(url("submit", interview.pk, 1), {"answer": "One."})
    alice_client.post(url("grade", interview.pk, 1), {"rating": "3"})
    clock.shift(5)

    first_visit = alice_client.get(url("play", interview.pk)).text
    deadline = item(interview, 2).deadline
    clock.shift(60)
    reload = alice_client.get(url("play", interview.pk)).text

    assert deadline == T0 + timedelta(seconds=5 + 120)
    assert item(interview, 2).deadline == deadline
    for page in (first_visit, reload):
        assert "Question 2 of 3" in page
        assert html.escape(item(interview, 2).prompt) in page
        assert f'data-deadline="{deadline.isoformat(timespec="milliseconds")}"' in page
    assert f'data-now="{(T0 + timedelta(seconds=65)).isoformat(timespec="milliseconds")}"' in reload


# htmx


def test_an_htmx_submit_returns_the_grade_step_only(alice_client, interview):
    alice_client.get(url("play", interview.pk))

    response = alice_client.post(url("submit", interview.pk, 1), {"answer": "Via htmx."}, **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="step"')
    assert 'data-step="grade"' in response.text
    assert "Via htmx." in response.text
    assert 'name="rating"' in response.text
    assert item(interview, 1).answer_text == "Via htmx."


def test_an_htmx_grade_returns_the_next_questions_step(alice_client, interview):
    answer(interview, 1, T0)

    response = alice_client.post(url("grade", interview.pk, 1), {"rating": "3"}, **HTMX)

    assert "<html" not in response.text
    assert 'data-step="answer"' in response.text
    assert "Question 2 of 3" in response.text
    assert html.escape(item(interview, 2).prompt) in response.text
    assert item(interview, 1).self_rating == Rating.GOOD
    assert item(interview, 2).shown_at == T0


def test_an_htmx_grade_of_the_last_question_sends_the_page_to_the_summary(
    alice_client, seeded, alice
):
    interview = start(alice, [1], now=T0)
    answer(interview, 1, T0)

    response = alice_client.post(url("grade", interview.pk, 1), {"rating": "3"}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == url("summary", interview.pk)
    assert item(interview, 1).self_rating == Rating.GOOD


def test_an_htmx_autosave_returns_the_save_status(alice_client, clock, interview):
    alice_client.get(url("play", interview.pk))
    clock.shift(17)

    response = alice_client.post(url("autosave", interview.pk, 1), {"answer": "Draft"}, **HTMX)

    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<p id="save-status"')
    assert "Saved at 09:00:17." in response.text
    assert item(interview, 1).draft == "Draft"


def test_an_htmx_autosave_after_time_ran_out_sends_the_page_to_the_grade_step(
    alice_client, clock, interview
):
    alice_client.get(url("play", interview.pk))
    clock.shift(120 + GRACE + 1)

    response = alice_client.post(url("autosave", interview.pk, 1), {"answer": "Late"}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == url("play", interview.pk)
    assert item(interview, 1).finish_state == FinishState.TIMED_OUT


@pytest.mark.parametrize("name", ["play", "review"])
def test_pages_with_an_htmx_variant_vary_on_the_header(alice_client, underway, name):
    target = url(name, underway.pk, 1 if name == "review" else None)

    full = alice_client.get(target)
    partial = alice_client.get(target, **HTMX)

    assert "HX-Request" in full["Vary"]
    assert "<html" in full.text
    assert "<html" not in partial.text
    assert '<section id="step"' in partial.text


# Query counts: the same for an interview of 1 question and of 30.


def sized_interview(user, size: int) -> InterviewSession:
    return start(user, list(range(1, size + 1)), now=T0)


@pytest.mark.parametrize("size", [1, 30])
def test_play_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    alice_client.get(url("play", interview.pk))  # shows question 1

    # The session's row, then: 1. the user, 2. the interview, 3. finalise_expired's
    # UPDATE, 4. the interview's questions with their recordings, 5. the user's speech
    # settings.
    with django_assert_num_queries(1 + 5):
        response = alice_client.get(url("play", interview.pk))

    assert f"Question 1 of {size}" in response.text


@pytest.mark.parametrize("size", [1, 30])
def test_the_summary_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    for position in range(1, size + 1):
        engine.grade(answer(interview, position, T0), Rating.GOOD, {1}, "", T0)

    # The session's row, then: 1. the user, 2. the interview,
    # 3. its questions with their key-point counts (one aggregate query), 4. their sent
    # reviews (none, so their ticks and moments are not fetched).
    with django_assert_num_queries(1 + 4):
        response = alice_client.get(url("summary", interview.pk))

    assert f"{size} / {size}</span>" in response.text
    assert response.text.count("Change grade") == size


@pytest.mark.parametrize("size", [1, 30])
def test_the_summary_of_an_interview_in_progress_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    engine.show(item(interview, 1), T0)

    # The session's row, then: 1. the user, 2. the interview, 3. finalise_expired's
    # UPDATE, 4. the status read back, 5. the questions with their key-point counts, 6. their
    # sent reviews.
    with django_assert_num_queries(1 + 6):
        response = alice_client.get(url("summary", interview.pk))

    assert f"0 / {size}</span>" in response.text


@pytest.mark.parametrize("size", [1, 30])
def test_the_review_page_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    answer(interview, 1, T0)

    # The session's row, then: 1. the user, 2. the question with its interview,
    # 3. finalise_expired's UPDATE (nothing to finalise, so nothing to read back),
    # 4. its key points, 5. its misconceptions.
    with django_assert_num_queries(1 + 5):
        response = alice_client.get(url("review", interview.pk, 1))

    assert "An answer." in response.text


@pytest.mark.parametrize("size", [1, 30])
def test_autosave_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    engine.show(item(interview, 1), T0)

    # The session's row, then: 1. the user, 2. the draft's conditional UPDATE (it
    # checks the owner), 3.-5. the session saved with the "Draft saved." message
    # (SAVEPOINT, UPDATE, RELEASE SAVEPOINT).
    with django_assert_num_queries(1 + 5):
        alice_client.post(url("autosave", interview.pk, 1), {"answer": "Draft"})

    assert item(interview, 1).draft == "Draft"


@pytest.mark.parametrize("size", [1, 30])
def test_the_htmx_autosave_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    engine.show(item(interview, 1), T0)

    # The session's row, then: 1. the user, 2. the draft's conditional UPDATE (it
    # checks the owner).
    with django_assert_num_queries(1 + 2):
        response = alice_client.post(url("autosave", interview.pk, 1), {"answer": "D"}, **HTMX)

    assert "Saved at" in response.text


@pytest.mark.parametrize("size", [1, 30])
def test_the_htmx_submit_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    engine.show(item(interview, 1), T0)

    # The session's row, then: 1. the user, 2. the question with its interview,
    # 3. the answer's conditional UPDATE (accepted, so nothing to read back),
    # 4. the key points to suggest, 5. the misconceptions to look for, 6. the key points'
    # suggestions' UPDATE, 7. the misconceptions' UPDATE,
    # 8. the UPDATE completing the interview if every question is final, 9. the key points,
    # 10. the misconceptions; and when it did complete (the last question), the progress
    # version's bump (sessions.engine), as the dashboard's count of completed interviews is
    # cached under it. (Its recording, none here, came with the question in 2.)
    with django_assert_num_queries(1 + 10 + (size == 1)):
        response = alice_client.post(url("submit", interview.pk, 1), {"answer": "A"}, **HTMX)

    assert 'data-step="grade"' in response.text


@pytest.mark.parametrize("size", [1, 30])
def test_submit_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    engine.show(item(interview, 1), T0)

    # The session's row, then: 1. the user, 2. the question with its interview,
    # 3. the answer's conditional UPDATE (accepted, so nothing to read back),
    # 4. the key points to suggest, 5. the misconceptions to look for, 6. the key points'
    # suggestions' UPDATE, 7. the misconceptions' UPDATE,
    # 8. the UPDATE completing the interview if every question is final; and when it did
    # complete (the last question), the progress version's bump.
    with django_assert_num_queries(1 + 8 + (size == 1)):
        response = alice_client.post(url("submit", interview.pk, 1), {"answer": "A"})

    assert response.url == url("review", interview.pk, 1)


@pytest.mark.parametrize("size", [1, 30])
def test_changing_a_grade_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    engine.grade(answer(interview, 1, T0, text="An answer."), 3, {1}, "", T0)

    # The session's row, then: 1. the user, 2. the question with its interview,
    # 3. its key points, 4. SAVEPOINT, 5. the rating's UPDATE, 6. the answer's key points
    # as its card counts them, before 7.-8. the key points' UPDATEs, 9. the profile, locked,
    # 10. the card, which shows the answer was graded before, so: 11. its log entry's old
    # figures, 12. the card kept in the entry before it, 13. the entries after it (none:
    # one FSRS step, whatever the log's length), 14. the earliest due date of the other
    # cards, 15.-16. the card's and the entry's upserts, 17. the answer's key points as
    # counted now, 18. the card's key points moved by the difference, 19.-20. the day's
    # totals, 21. the progress version, 22. RELEASE SAVEPOINT.
    with django_assert_num_queries(1 + 22):
        response = alice_client.post(
            url("grade", interview.pk, 1),
            {"rating": "1", "key_points": ["1", "2"], "next": "summary"},
            **HTMX,
        )

    assert response["HX-Redirect"] == url("summary", interview.pk)
    assert item(interview, 1).review.rating == 1


# Grading the last question ends in a redirect instead of the next step, so the smallest
# interview with a next step has 2 questions.
@pytest.mark.parametrize("size", [2, 30])
def test_the_htmx_grade_runs_a_fixed_number_of_queries(
    alice_client, seeded, alice, size, django_assert_num_queries
):
    interview = sized_interview(alice, size)
    answer(interview, 1, T0)

    # The session's row, then: 1. the user, 2. the question with its interview,
    # 3. its key points, 4. SAVEPOINT, 5. the rating's UPDATE, 6.-7. the key points' UPDATEs
    # (covered, then not; their row counts are the key-point counts),
    # 8.-17. progress.scheduling.record_review, this being the first grade of the question:
    #   8. the profile, locked (FOR UPDATE on PostgreSQL) for the time zone, 9. the stored
    #   card with whether this answer was graded before (its log is not read: one FSRS step
    #   on the stored card), 10. the earliest due date of the user's other cards, 11. the
    #   card's upsert with its new schedule and totals, 12. the log entry's upsert,
    #   13.-14. this answer's key points added to the card's missed key points and upserted,
    #   15.-16. the day's totals summed and upserted, 17. the progress version's upsert
    #   (it keys the cached dashboard),
    # 18. RELEASE SAVEPOINT, 19. the interview's questions with their recordings, 20. the
    # next question's clock UPDATE (it wins, so nothing to read back), 21. the user's speech
    # settings.
    with django_assert_num_queries(1 + 21):
        response = alice_client.post(
            url("grade", interview.pk, 1), {"rating": "3", "key_points": ["1"]}, **HTMX
        )

    assert f"Question 2 of {size}" in response.text


def test_a_question_cannot_be_answered_out_of_turn(alice_client, clock, interview):
    alice_client.get(url("play", interview.pk))  # shows question 1

    response = alice_client.post(url("submit", interview.pk, 3), {"answer": "Out of turn."})

    assert response.status_code == 302
    assert response.url == url("play", interview.pk)
    third = item(interview, 3)
    assert third.submitted_at is None
    assert third.shown_at is None
    htmx = alice_client.post(
        url("submit", interview.pk, 3), {"answer": "Out of turn."}, headers={"HX-Request": "true"}
    )
    assert htmx.headers["HX-Redirect"] == url("play", interview.pk)
    assert item(interview, 3).submitted_at is None


def test_the_grade_form_suggests_a_rating_from_the_key_points_without_javascript(
    alice_client, clock, interview
):
    alice_client.get(url("play", interview.pk))
    alice_client.post(url("submit", interview.pk, 1), {"answer": "An answer."})

    page = alice_client.get(url("review", interview.pk, 1)).text
    assert "Suggested from the key points you ticked: Again." in page

    count = item(interview, 1).key_points.count()
    alice_client.post(
        url("grade", interview.pk, 1),
        {"rating": "2", "key_points": [str(n) for n in range(1, count + 1)], "next": "summary"},
    )
    page = alice_client.get(url("review", interview.pk, 1) + "?from=summary").text
    assert "Suggested from the key points you ticked: Easy." in page


def test_times_are_shown_in_the_users_time_zone(alice, clock, interview):
    from accounts.models import profile_for

    profile = profile_for(alice)
    profile.time_zone = "Asia/Tokyo"
    profile.save()
    client = Client()
    client.force_login(alice)  # the time zone is taken into the session at log-in

    page = client.get(url("play", interview.pk)).text

    # T0 is 09:00 UTC; question 1 allows 120 s: 18:02 in Tokyo.
    assert "18:02:00 JST" in page
    assert "09:02:00 UTC" not in page


def test_changing_the_time_zone_in_settings_changes_the_times_shown(alice_client, clock, interview):
    alice_client.post(reverse("settings"), {"time_zone": "America/New_York", "show_streaks": "on"})

    page = alice_client.get(url("play", interview.pk)).text

    assert "04:02:00 EST" in page
