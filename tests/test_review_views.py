"""The reviewer's pages through HTTP: the interview through the link for anonymous and
logged-in visitors alike, one refusal for every link that does not open, the headers, saving
as they go (htmx and plain forms), the reference behind a button, moments of the recording,
sending, the recording with Range requests until the link is revoked, and the limits."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts import throttling
from sessions import engine
from sessions.feedback import reviews
from sessions.feedback.models import ReviewedAnswer, ReviewLink, ReviewMoment, Verdict
from sessions.models import Rating
from tests.audio import tone
from tests.factories import T0, graded_interview, item, review_link, review_url, start
from tests.recording_uploads import send_stream

HTMX = {"HTTP_HX_REQUEST": "true"}
# The page's CSRF tokens and script nonce are new in every response.
PER_RESPONSE = re.compile(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value="|nonce=")[^"]+')
GONE = "This review link is no longer valid"


@pytest.fixture(autouse=True)
def clock(time_machine, recordings_dir):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def interview(alice, alice_client, seeded):
    """Alice's completed interview of two questions, the first answered out loud; she graded
    them Good and Hard."""
    interview = start(alice, (1, 2), now=T0, timing_mode="fixed", fixed_seconds=60)
    engine.show(item(interview, 1), T0)
    send_stream(alice_client, interview.pk, 1, tone(2.0, "webm"))
    alice_client.post(
        reverse("interviews:submit", args=[interview.pk, 1]),
        {"answer": "A weighted sum of inputs plus a bias, through an activation."},
    )
    engine.grade(item(interview, 1), Rating.GOOD, {1, 2}, "My own note.", T0)
    second = engine.show(item(interview, 2), T0)
    engine.grade(engine.submit(second, "Gradients flow back.", T0).item, Rating.HARD, set(), "", T0)
    interview.refresh_from_db()
    return interview


@pytest.fixture
def link_and_token(interview):
    return review_link(interview, T0)


@pytest.fixture
def link(link_and_token):
    return link_and_token[0]


@pytest.fixture
def token(link_and_token):
    return link_and_token[1]


def page_text(response) -> str:
    return PER_RESPONSE.sub(r"\1", response.text)


def save_data(position: int, verdict=None, points=(), comment: str = "", **extra) -> dict:
    data = {f"q{position}-comment": comment, f"q{position}-key_points": list(points), **extra}
    if verdict is not None:
        data[f"q{position}-verdict"] = str(int(verdict))
    return data


# The page


def test_an_anonymous_reviewer_sees_the_interview_but_not_who_or_the_reference(
    client, interview, link, token
):
    response = client.get(review_url(link, token))

    assert response.status_code == 200
    assert "Review a candidate's mock interview" in response.text
    assert item(interview, 1).prompt in response.text
    assert "A weighted sum of inputs plus a bias" in response.text
    assert "Show the reference answer and key points" in response.text
    first = item(interview, 1)
    assert first.key_points.first().text not in response.text
    for secret in ("alice", "alice@example.com", "My own note.", "Good</strong>"):
        assert secret not in response.text
    assert review_url(link, token, "recording", 1) in response.text
    assert "Again: would not pass" in response.text and "Easy: strong" in response.text


def test_the_page_names_the_candidate_by_first_name_only(client, alice, link, token):
    alice.first_name = "Alice"
    alice.save()

    response = client.get(review_url(link, token))

    assert "Review Alice's mock interview" in response.text


def test_a_logged_in_third_user_sees_only_that_interview(bob_client, interview, link, token):
    response = bob_client.get(review_url(link, token))

    assert response.status_code == 200
    assert item(interview, 2).prompt in response.text
    assert bob_client.get(reverse("interviews:summary", args=[interview.pk])).status_code == 404
    assert bob_client.get(item(interview, 1).recording.get_absolute_url()).status_code == 404


def test_the_page_tells_nobody_else_about_itself(client, link, token):
    response = client.get(review_url(link, token))

    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in response.text and "style=" not in response.text


def test_the_first_opening_is_stamped(client, link, token, clock):
    clock.move_to(T0 + timedelta(hours=2), tick=False)
    client.get(review_url(link, token))
    clock.move_to(T0 + timedelta(hours=3), tick=False)
    client.get(review_url(link, token))

    assert ReviewLink.objects.get(pk=link.pk).first_opened_at == T0 + timedelta(hours=2)


def test_the_candidate_opening_their_own_link_is_not_the_first_opening(alice_client, link, token):
    assert alice_client.get(review_url(link, token)).status_code == 200

    assert ReviewLink.objects.get(pk=link.pk).first_opened_at is None


def test_what_the_link_hides_is_not_on_the_page(client, interview):
    link, token = review_link(interview, T0, show_answers=False, show_recordings=False)

    response = client.get(review_url(link, token))

    assert "A weighted sum of inputs plus a bias" not in response.text
    assert "<audio" not in response.text
    assert client.get(review_url(link, token, "recording", 1)).status_code == 404


def test_the_candidates_own_grades_show_when_the_link_says_so(client, interview):
    link, token = review_link(interview, T0, show_own_grades=True)

    response = client.get(review_url(link, token))

    assert "graded this answer <strong>Good</strong>" in response.text
    assert "graded this answer <strong>Hard</strong>" in response.text


# One refusal for every link that does not open


@pytest.mark.parametrize("case", ["wrong", "other-interview", "expired", "revoked"])
@pytest.mark.parametrize("path", ["page", "recording", "save"])
def test_every_link_that_does_not_open_gets_the_same_410(
    client, alice, interview, link, token, clock, case, path
):
    elsewhere = graded_interview(alice, [(7, Rating.GOOD, 1)], T0)
    _, elsewhere_token = review_link(elsewhere, T0)
    if case == "wrong":
        url_token, pk = token[:-2] + ("xy" if not token.endswith("xy") else "yx"), interview.pk
    elif case == "other-interview":
        # Another interview's good token, with this interview's number.
        url_token, pk = elsewhere_token, interview.pk
    elif case == "expired":
        url_token, pk = token, interview.pk
        clock.move_to(link.expires_at, tick=False)
    else:
        url_token, pk = token, interview.pk
        reviews.revoke(link, T0)
    args = [pk, url_token] + ([1] if path != "page" else [])
    url = reverse(f"reviews:{path}", args=args)

    response = client.post(url, save_data(1, Verdict.GOOD)) if path == "save" else client.get(url)

    assert response.status_code == 410
    assert GONE in response.text
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert not ReviewedAnswer.objects.filter(verdict__isnull=False).exists()


def test_the_refusals_are_identical(client, interview, link, token, clock):
    wrong = page_text(client.get(review_url(link, token[:-1] + "~")))
    reviews.revoke(link, T0)
    revoked = page_text(client.get(review_url(link, token)))

    assert wrong == revoked


def test_a_link_for_another_interview_does_not_open_this_one(client, alice, interview):
    elsewhere = graded_interview(alice, [(7, Rating.GOOD, 1)], T0)
    elsewhere_link, elsewhere_token = review_link(elsewhere, T0)

    # The other interview's good token, with this interview's number.
    response = client.get(reverse("reviews:page", args=[interview.pk, elsewhere_token]))
    assert response.status_code == 410
    # And on its own interview it shows that interview only.
    own = client.get(review_url(elsewhere_link, elsewhere_token))
    assert own.status_code == 200
    assert item(elsewhere, 1).prompt in own.text
    assert item(interview, 1).prompt not in own.text


def test_guessing_links_from_one_address_is_slowed_down(client, link, token, settings):
    settings.REVIEW_LINK_FAILURES_PER_ADDRESS_PER_HOUR = 3
    for attempt in range(3):
        assert client.get(review_url(link, f"guess{attempt}")).status_code == 410

    refused = client.get(review_url(link, "guess4"))
    # Even the right link waits, from this address: the guesser cannot tell.
    right = client.get(review_url(link, token))
    elsewhere = Client(REMOTE_ADDR="10.9.8.7").get(review_url(link, token))

    assert refused.status_code == 429 and right.status_code == 429
    assert "Too many attempts" in refused.text
    assert int(refused["Retry-After"]) <= 3600
    assert elsewhere.status_code == 200


def test_the_link_counters_go_through_the_throttle(client, link, monkeypatch):
    counted = []
    monkeypatch.setattr(throttling, "count", lambda kind, request, now: counted.append(kind))

    client.get(review_url(link, "nothing-like-a-token"))

    assert counted == [throttling.REVIEW_LINK_FAILURES]


# Saving as they go


def test_a_plain_save_keeps_the_verdict_and_comment_and_comes_back(client, link, token):
    response = client.post(
        review_url(link, token, "save", 1), save_data(1, Verdict.HARD, comment="Vague on bias.")
    )

    assert response.status_code == 302
    assert response["Location"] == review_url(link, token) + "#question-1"
    answer = ReviewedAnswer.objects.get(link=link, item__position=1)
    assert (answer.verdict, answer.comment) == (Verdict.HARD, "Vague on bias.")
    again = client.get(response["Location"])
    assert "Vague on bias." in again.text
    assert re.search(r'name="q1-verdict" value="2" id="[^"]+" checked', again.text)


def test_an_htmx_save_answers_with_its_status(client, link, token):
    response = client.post(review_url(link, token, "save", 2), save_data(2, Verdict.EASY), **HTMX)

    assert response.status_code == 200
    assert 'id="save-status-2"' in response.text
    assert "Saved at 09:00:00" in response.text
    assert ReviewedAnswer.objects.get(link=link, item__position=2).verdict == Verdict.EASY


def test_the_reference_shows_only_after_the_button(client, interview, link, token):
    point = item(interview, 1).key_points.get(position=1)
    before = client.get(review_url(link, token))
    assert point.text not in before.text

    response = client.post(
        review_url(link, token, "save", 1), save_data(1, comment="First thoughts.", reveal="1")
    )
    after = client.get(response["Location"])

    assert point.text in after.text
    assert "Reference answer" in after.text
    answer = ReviewedAnswer.objects.get(link=link, item__position=1)
    assert answer.reference_shown_at == T0
    assert answer.comment == "First thoughts."


def test_with_htmx_the_button_swaps_in_the_question_with_its_reference(
    client, interview, link, token
):
    response = client.post(
        review_url(link, token, "save", 1), save_data(1, Verdict.GOOD, reveal="1"), **HTMX
    )

    assert response["HX-Retarget"] == "#question-1"
    assert response["HX-Reswap"] == "outerHTML"
    assert response.text.lstrip().startswith('<section id="question-1"')
    assert item(interview, 1).key_points.get(position=2).text in response.text


def test_ticks_are_kept_once_the_key_points_are_shown(client, link, token):
    client.post(review_url(link, token, "save", 1), save_data(1, reveal="1"))

    client.post(review_url(link, token, "save", 1), save_data(1, Verdict.GOOD, points=[1, 3]))

    answer = ReviewedAnswer.objects.get(link=link, item__position=1)
    assert set(answer.ticks.filter(covered=True).values_list("key_point__position", flat=True)) == {
        1,
        3,
    }


@pytest.mark.parametrize(
    "data, message",
    [
        (save_data(1, comment="Bad\x00byte"), "null character"),
        (save_data(1, comment="x" * 5001), "longer than 5,000 characters"),
        ({"q1-verdict": "9"}, "Select a valid choice"),
        (save_data(1, points=[99]), "Select a valid choice"),
    ],
    ids=["nul", "too-long", "verdict-9", "no-such-key-point"],
)
def test_a_save_that_cannot_be_kept_says_why(client, link, token, data, message):
    plain = client.post(review_url(link, token, "save", 1), data)
    htmx = client.post(review_url(link, token, "save", 1), data, **HTMX)

    assert plain.status_code == 400
    assert message in plain.text
    assert "Not saved:" in htmx.text and message in htmx.text
    assert not ReviewedAnswer.objects.filter(link=link, saved_at__isnull=False).exists()


def test_a_line_break_counts_once_in_the_comment(client, link, token):
    comment = "a\r\n" * 2500
    client.post(review_url(link, token, "save", 1), save_data(1, comment=comment))

    assert ReviewedAnswer.objects.get(link=link, item__position=1).comment == ("a\n" * 2500).strip()


def test_saves_from_one_address_are_limited(client, link, token, settings):
    settings.REVIEW_SAVES_PER_ADDRESS_PER_MINUTE = 2
    for _ in range(2):
        assert client.post(review_url(link, token, "save", 1), save_data(1)).status_code == 302

    refused = client.post(review_url(link, token, "save", 1), save_data(1, Verdict.EASY))

    assert refused.status_code == 429
    assert ReviewedAnswer.objects.get(link=link, item__position=1).verdict is None


def test_a_question_the_interview_does_not_have_is_refused(client, link, token):
    response = client.post(review_url(link, token, "save", 9), save_data(9, Verdict.GOOD))

    assert response.status_code == 410


def test_an_anonymous_reviewer_needs_the_csrf_token(interview, link, token):
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(review_url(link, token))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    without = strict.post(review_url(link, token, "save", 1), save_data(1, Verdict.GOOD))
    with_token = strict.post(
        review_url(link, token, "save", 1),
        save_data(1, Verdict.GOOD, csrfmiddlewaretoken=csrf),
    )

    assert without.status_code == 403
    assert with_token.status_code == 302


@pytest.mark.parametrize(
    "headers, with_token, status",
    [
        # What a browser sends for a form on a page with Referrer-Policy: no-referrer.
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"}, True, 302),
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"}, False, 403),
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "cross-site"}, True, 403),
        ({"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-site"}, True, 403),
        ({"HTTP_ORIGIN": "null"}, True, 403),
        ({"HTTP_ORIGIN": "http://testserver"}, True, 302),
        (
            {"HTTP_ORIGIN": "https://elsewhere.example", "HTTP_SEC_FETCH_SITE": "same-origin"},
            True,
            403,
        ),
        # Over HTTPS without an Origin: Fetch Metadata stands in for the Referer.
        ({"secure": True, "HTTP_SEC_FETCH_SITE": "same-origin"}, True, 302),
        ({"secure": True}, True, 403),
    ],
    ids=[
        "null-origin-same-origin",
        "null-origin-no-token",
        "null-origin-cross-site",
        "null-origin-same-site",
        "null-origin-no-fetch-metadata",
        "own-origin",
        "other-origin",
        "https-no-origin-same-origin",
        "https-no-origin-no-referer",
    ],
)
def test_the_reviewers_forms_keep_csrf_protection_without_a_referrer(
    interview, link, token, headers, with_token, status
):
    headers = dict(headers)
    secure = headers.pop("secure", False)
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(review_url(link, token), secure=secure)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = save_data(1, Verdict.GOOD) | ({"csrfmiddlewaretoken": csrf} if with_token else {})

    response = strict.post(review_url(link, token, "save", 1), data, secure=secure, **headers)

    assert response.status_code == status
    saved = ReviewedAnswer.objects.get(link=link, item__position=1).verdict
    assert saved == (Verdict.GOOD if status == 302 else None)


# Moments of the recording


def test_a_moment_is_added_listed_and_deleted(client, link, token):
    added = client.post(
        review_url(link, token, "add_moment", 1), {"m1-at": "0:01", "m1-text": "Good start."}
    )
    page = client.get(added["Location"])

    moment = ReviewMoment.objects.get()
    assert moment.at_ms == 1000
    assert 'data-seek-ms="1000"' in page.text and "at 0:01</a>: Good start." in page.text

    client.post(review_url(link, token, "delete_moment", 1, moment.pk))
    assert not ReviewMoment.objects.exists()


def test_with_htmx_a_moment_answers_with_the_list(client, link, token):
    response = client.post(
        review_url(link, token, "add_moment", 1), {"m1-at": "1.5", "m1-text": "Pause."}, **HTMX
    )

    assert response.text.lstrip().startswith('<div id="moments-1"')
    assert "at 0:01</a>: Pause." in response.text


@pytest.mark.parametrize(
    "data, message",
    [
        ({"m1-at": "soon", "m1-text": "Hm."}, "such as 0:42"),
        ({"m1-at": "0:10", "m1-text": ""}, "Write the comment."),
        ({"m1-at": "0:10", "m1-text": "x\x00"}, "null character"),
        ({"m1-at": "0:10", "m1-text": "x" * 501}, "at most 500 characters"),
        ({"m1-at": "0:05", "m1-text": "After the end."}, "The recording lasts 0:02"),
    ],
)
def test_a_moment_that_cannot_be_kept_says_why(client, link, token, data, message):
    response = client.post(review_url(link, token, "add_moment", 1), data)

    assert response.status_code == 400
    assert message in response.text
    assert not ReviewMoment.objects.exists()


def test_an_answer_without_a_recording_takes_no_moments(client, interview):
    link, token = review_link(interview, T0)
    hidden, hidden_token = review_link(interview, T0, show_recordings=False)

    unrecorded = client.post(
        review_url(link, token, "add_moment", 2), {"m2-at": "0:01", "m2-text": "Here."}
    )
    not_shown = client.post(
        review_url(hidden, hidden_token, "add_moment", 1), {"m1-at": "0:01", "m1-text": "Here."}
    )

    assert unrecorded.status_code == 404 and not_shown.status_code == 404
    assert not ReviewMoment.objects.exists()


# Sending


def test_sending_shows_the_review_to_the_candidate_and_closes_it(client, link, token):
    empty = client.post(review_url(link, token, "send"))
    assert ReviewLink.objects.get(pk=link.pk).sent_at is None
    assert "Choose a verdict" in client.get(empty["Location"]).text

    client.post(review_url(link, token, "save", 1), save_data(1, Verdict.AGAIN, comment="No."))
    client.get(review_url(link, token))
    sent = client.post(review_url(link, token, "send"))
    page = client.get(sent["Location"])

    assert ReviewLink.objects.get(pk=link.pk).sent_at == T0
    assert "Your review was sent" in page.text
    assert "Send review" not in page.text and "<textarea" not in page.text
    late = client.post(review_url(link, token, "save", 1), save_data(1, Verdict.EASY))
    assert late.status_code == 302
    late_htmx = client.post(review_url(link, token, "save", 1), save_data(1, Verdict.EASY), **HTMX)
    assert late_htmx["HX-Redirect"] == review_url(link, token)
    assert ReviewedAnswer.objects.get(link=link, item__position=1).verdict == Verdict.AGAIN


# The recording through the link


def test_the_recording_plays_through_the_link_with_range_requests(
    client, interview, link, token, recordings_dir
):
    recording = item(interview, 1).recording
    data = (recordings_dir / recording.file).read_bytes()

    whole = client.get(review_url(link, token, "recording", 1))
    part = client.get(review_url(link, token, "recording", 1), HTTP_RANGE="bytes=100-199")
    beyond = client.get(review_url(link, token, "recording", 1), HTTP_RANGE="bytes=99999999-")

    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == data
    assert whole["Accept-Ranges"] == "bytes"
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == data[100:200]
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert beyond.status_code == 416
    for response in (whole, part, beyond):
        assert response["Cache-Control"] == "private, no-store"
        assert response["Referrer-Policy"] == "no-referrer"


def test_a_head_request_gets_the_headers_alone(client, interview, link, token):
    response = client.head(review_url(link, token, "recording", 1))

    assert response.status_code == 200
    assert response["Content-Length"] == str(item(interview, 1).recording.size_bytes)
    assert b"".join(response.streaming_content) == b""


def test_the_recording_stops_at_once_when_the_link_is_revoked(
    client, alice_client, interview, link, token
):
    assert client.get(review_url(link, token, "recording", 1)).status_code == 200

    alice_client.post(reverse("interviews:revoke_review_link", args=[interview.pk, link.pk]))

    assert client.get(review_url(link, token, "recording", 1)).status_code == 410
    ranged = client.get(review_url(link, token, "recording", 1), HTTP_RANGE="bytes=0-99")
    assert ranged.status_code == 410


def test_an_answer_without_a_recording_plays_nothing(client, link, token):
    assert client.get(review_url(link, token, "recording", 2)).status_code == 404


@pytest.mark.parametrize("size", [1, 30])
def test_the_page_runs_a_fixed_number_of_queries(
    client, alice, seeded, size, django_assert_num_queries
):
    interview = graded_interview(alice, [(n, Rating.GOOD, 1) for n in range(1, size + 1)], T0)
    link, token = review_link(interview, T0)
    for position in range(1, size + 1):
        answer = reviews.reviewed_answer(link, position)
        answer.link = link
        reviews.show_reference(answer, T0)
        reviews.add_moment(answer, 1000, "A moment.", T0)

    # 1. this address's count of links that did not open, 2. the link with its interview and
    # candidate, 3. the first opening stamped, 4. the reviewed answers with their questions
    # and recordings, 5. their ticks with the key points, 6. their moments.
    with django_assert_num_queries(6):
        response = client.get(review_url(link, token))
    assert response.text.count('<section id="question-') == size
