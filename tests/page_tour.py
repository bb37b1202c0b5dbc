"""Every page of the site, each as the right user with data on it: the tour that the
accessibility test (axe in Chromium) and the HTML validity test (the Nu validator) take."""

import os
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts import unsubscribe
from accounts.models import Profile
from questions.marks import set_mark
from questions.models import Deck, Question
from questions.sharing import share
from sessions import engine
from sessions.feedback import reviews
from sessions.feedback.models import Verdict
from sessions.models import (
    InterviewSession,
    InterviewStatus,
    Recording,
    RecordingsExport,
    TimingMode,
)
from tests.bench.data import make_history
from tests.factories import deck, own_question, review_link, review_url, set_profile, start


@dataclass(frozen=True)
class TourPage:
    name: str
    path: str
    user: str | None
    status: int = 200
    # The page's form sent with these values, to see the page that answers it (with its
    # errors, or the next page with a message), which shows `shows`.
    post: dict | None = None
    shows: str = ""


# The configure form with a fixed time below the minimum.
TOO_SHORT_FIXED_TIME = {
    "question_count": "2",
    "timing_mode": "fixed",
    "fixed_seconds": "10",
    "order": "random",
}


def no_attempts_left(settings) -> None:
    """Every per-address limit used up, so the tour's log-in, sign-up and password-reset
    forms are answered with the 429 page (the tour logs users in without the log-in form)."""
    settings.LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE = 0
    settings.SIGN_UPS_PER_ADDRESS_PER_HOUR = 0
    settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = 0


def build_world(password: str) -> tuple[dict, list[TourPage]]:
    """Alice with a history of graded interviews, one finished interview with a timed-out
    answer, one with the follow-up round whose spoken follow-up waits for its rating, and one in
    progress (a timed question on screen, with a draft); Bob, new, with nothing; Dana
    answering a follow-up. Returns the users by name and the tour of pages."""
    users = get_user_model().objects
    alice = users.create_user("alice", "alice@example.com", password)
    bob = users.create_user("bob", "bob@example.com", password)
    dana = users.create_user("dana", "dana@example.com", password)
    now = timezone.now()
    make_history(alice, 25, days=20, now=now)
    # Her real interview's date: the dashboard then shows its forecast table.
    set_profile(alice, interview_date=now.date() + timedelta(days=30))

    finished = start(alice, [1, 2], now, timing_mode=TimingMode.FIXED, fixed_seconds=60)
    first = engine.show(finished.items.get(position=1), now)
    # The answer states a common misconception, so the grade step, the dashboard and the
    # question page show it.
    stated = (
        "A weighted sum. Stacking linear layers without any activation makes it more expressive."
    )
    engine.grade(engine.submit(first, stated, now).item, 3, {1}, "Say more.", now)
    second = engine.show(finished.items.get(position=2), now)
    engine.submit(second, "", now + timedelta(seconds=120))  # after the grace period
    finished.refresh_from_db()
    assert finished.status == InterviewStatus.COMPLETED

    # The follow-up round: a one-question interview whose follow-up waits for its rating.
    followed = start(
        alice, [5], now, timing_mode=TimingMode.FIXED, fixed_seconds=60, follow_up_round=True
    )
    asked = engine.show(followed.items.get(position=1), now)
    engine.grade(engine.submit(asked, "A first answer.", now).item, 2, {1}, "", now)
    engine.submit(engine.show(followed.follow_up_answers.get(), now), "Because.", now)
    followed.refresh_from_db()
    assert followed.status == InterviewStatus.COMPLETED
    # The follow-up was answered aloud: its rating step, the summary and question 5's history
    # (the second opinion's) play it. The player is drawn from the row alone.
    Recording.objects.create(
        follow_up=followed.follow_up_answers.get(),
        created_at=now,
        container="webm",
        size_bytes=1000,
        file="tour/absent-follow-up.webm",
        duration_ms=20_000,
        assembled_at=now,
    )
    # Dana is answering a follow-up.
    answering = start(
        dana, [6, 7], now, timing_mode=TimingMode.FIXED, fixed_seconds=600, follow_up_round=True
    )
    asked = engine.show(answering.items.get(position=1), now)
    engine.grade(engine.submit(asked, "An answer.", now).item, 3, {1, 2}, "", now)
    engine.autosave(engine.show(answering.follow_up_answers.get(item__position=1), now), "So.", now)
    reviewed, links = reviewed_interview(alice, now)

    in_progress = start(alice, [3, 4], now, timing_mode=TimingMode.FIXED, fixed_seconds=600)
    engine.autosave(engine.show(in_progress.items.get(position=1), now), "A draft.", now)
    answered = Question.objects.filter(session_questions__interview__user=alice).first()
    # A recordings zip being built, a calendar address, and an unsubscribe link of Alice's.
    RecordingsExport.objects.create(
        user=alice, requested_at=now, status="building", recordings_total=3, recordings_done=1
    )
    Profile.objects.filter(user=alice).update(calendar_token="t" * 43)
    unsubscribe_link = reverse("unsubscribe", args=[unsubscribe.token_for(alice.pk, "due")])
    own_deck = deck(alice, "Company X", "What they asked last year.")
    written = own_question(own_deck)
    set_mark(alice, answered, flagged=True, suspended=True)
    pages = [
        TourPage("landing", "/", user=None),
        TourPage("review an interview", review_url(*links["open"]), user=None),
        TourPage("a sent review", review_url(*links["sent"]), user=None),
        TourPage(
            "review link no longer valid", review_url(*links["revoked"]), user=None, status=410
        ),
        TourPage("login", reverse("login"), user=None),
        TourPage("sign-up", reverse("signup"), user=None),
        TourPage("password reset", reverse("password_reset"), user=None),
        TourPage(
            "too many failed log-ins",
            reverse("login"),
            user=None,
            post={"username": "alice", "password": "not her password"},
            shows="Too many failed log-ins from your network",
        ),
        TourPage(
            "too many sign-ups",
            reverse("signup"),
            user=None,
            post={
                "username": "carol",
                "email": "carol@example.com",
                "password1": password,
                "password2": password,
            },
            shows="Too many sign-ups from your network",
        ),
        TourPage(
            "too many password resets",
            reverse("password_reset"),
            user=None,
            post={"email": "alice@example.com"},
            shows="Too many password reset requests from your network",
        ),
        TourPage("question bank", reverse("questions:list"), user="alice"),
        TourPage("question bank, searched", reverse("questions:list") + "?q=dropout", user="alice"),
        TourPage("flagged questions", reverse("questions:flagged"), user="alice"),
        TourPage("question", reverse("questions:detail", args=[answered.slug]), user="alice"),
        TourPage(
            "question with its answer",
            reverse("questions:detail", args=[answered.slug]) + "?reveal=1",
            user="alice",
        ),
        TourPage("new interview, one in progress", reverse("interviews:new"), user="alice"),
        TourPage("answer step", in_progress.get_absolute_url(), user="alice"),
        TourPage("grade step", reverse("interviews:review", args=[finished.pk, 2]), user="alice"),
        TourPage(
            "grade step with a misconception",
            reverse("interviews:review", args=[finished.pk, 1]),
            user="alice",
            shows="a common misconception",
        ),
        TourPage("summary", reverse("interviews:summary", args=[finished.pk]), user="alice"),
        TourPage("follow-up grade step", followed.get_absolute_url(), user="alice"),
        TourPage(
            "summary with follow-ups and a retry",
            reverse("interviews:summary", args=[followed.pk]),
            user="alice",
        ),
        TourPage("abandon", reverse("interviews:abandon", args=[in_progress.pk]), user="alice"),
        TourPage(
            "ask for a second opinion",
            reverse("interviews:second_opinion", args=[finished.pk]),
            user="alice",
        ),
        TourPage(
            "a new review link",
            reverse("interviews:second_opinion", args=[finished.pk]),
            user="alice",
            post={"reviewer_name": "Sam", "days": "7"},
            shows="Your new link",
        ),
        TourPage(
            "review links",
            reverse("interviews:second_opinion", args=[reviewed.pk]),
            user="alice",
        ),
        TourPage(
            "summary with second opinions",
            reverse("interviews:summary", args=[reviewed.pk]),
            user="alice",
        ),
        TourPage(
            "question history with a second opinion",
            reverse(
                "progress:question_history", args=[reviewed.items.get(position=1).question.slug]
            ),
            user="alice",
        ),
        TourPage("dashboard", "/", user="alice"),
        TourPage("history", reverse("progress:history"), user="alice"),
        TourPage(
            "question history",
            reverse("progress:question_history", args=[answered.slug]),
            user="alice",
        ),
        TourPage("review", reverse("progress:review"), user="alice"),
        TourPage("my decks", reverse("decks:list"), user="alice"),
        TourPage("new deck", reverse("decks:new"), user="alice"),
        TourPage(
            "new deck with errors",
            reverse("decks:new"),
            user="alice",
            post={"name": ""},
            shows="This field is required.",
        ),
        TourPage("deck", own_deck.get_absolute_url(), user="alice"),
        TourPage("deck, searched", own_deck.get_absolute_url() + "?q=nothing", user="alice"),
        TourPage("rename deck", reverse("decks:rename", args=[own_deck.pk]), user="alice"),
        TourPage("delete deck", reverse("decks:delete", args=[own_deck.pk]), user="alice"),
        TourPage("new question", reverse("decks:question_new", args=[own_deck.pk]), user="alice"),
        TourPage(
            "new question with errors",
            reverse("decks:question_new", args=[own_deck.pk]),
            user="alice",
            post={"prompt": ""},
            shows="This field is required.",
        ),
        TourPage(
            "edit question",
            reverse("decks:question_edit", args=[own_deck.pk, written.number]),
            user="alice",
        ),
        TourPage("own question", written.get_absolute_url(), user="alice"),
        TourPage("import into a deck", reverse("decks:import", args=[own_deck.pk]), user="alice"),
        TourPage("shared deck", reverse("decks:shared", args=[share(own_deck)]), user="bob"),
        TourPage("account", reverse("account"), user="alice"),
        TourPage("settings", reverse("settings"), user="alice"),
        TourPage("recordings zip being built", reverse("export_recordings"), user="alice"),
        TourPage("calendar address", reverse("progress:calendar"), user="alice"),
        TourPage("unsubscribe", unsubscribe_link, user=None),
        TourPage(
            "unsubscribed",
            unsubscribe_link,
            user=None,
            post={},
            shows="are turned off",
        ),
        TourPage("unsubscribe link altered", unsubscribe_link[:-3] + "x/", user=None, status=400),
        TourPage("calendar address turned off", "/calendar/nothing.ics", user=None, status=404),
        TourPage("account delete confirmation", reverse("delete_account"), user="alice"),
        TourPage("404", "/no-such-page/", user="alice", status=404),
        TourPage("405", reverse("logout"), user="alice", status=405),
        # Last of Alice's: it ends her interview in progress.
        TourPage(
            "dashboard with a message",
            reverse("interviews:abandon", args=[in_progress.pk]),
            user="alice",
            post={},
            shows="Interview abandoned.",
        ),
        TourPage("new interview", reverse("interviews:new"), user="bob"),
        TourPage(
            "new interview with errors",
            reverse("interviews:new"),
            user="bob",
            post=TOO_SHORT_FIXED_TIME,
            shows="Seconds per question",
        ),
        TourPage("empty dashboard", "/", user="bob"),
        TourPage("empty history", reverse("progress:history"), user="bob"),
        TourPage("empty review", reverse("progress:review"), user="bob"),
        TourPage("no recordings zip", reverse("export_recordings"), user="bob"),
        TourPage("no calendar address", reverse("progress:calendar"), user="bob"),
        TourPage("follow-up answer step", answering.get_absolute_url(), user="dana"),
        TourPage("no flagged questions", reverse("questions:flagged"), user="bob"),
        TourPage("built-in deck", Deck.builtin().get_absolute_url(), user="bob"),
    ]
    assert InterviewSession.objects.filter(user=alice).count() > 2
    # TOUR_PAGES=dashboard (words separated by commas) takes only the pages so named.
    if only := [word for word in os.environ.get("TOUR_PAGES", "").split(",") if word]:
        pages = [page for page in pages if any(word in page.name for word in only)]
    return {"alice": alice, "bob": bob, "dana": dana}, pages


def reviewed_interview(alice, now) -> tuple[InterviewSession, dict[str, tuple]]:
    """A completed interview of two questions, the first spoken, and three review links to
    it: one being written (the reference shown, a verdict, a comment and a moment), one
    sent, one revoked. Returns the interview and the links with their secrets by state."""
    interview = start(alice, [5, 6], now, timing_mode=TimingMode.FIXED, fixed_seconds=120)
    for position, rating in ((1, 3), (2, 2)):
        shown = engine.show(interview.items.get(position=position), now)
        engine.grade(engine.submit(shown, "An answer.", now).item, rating, {1}, "", now)
    # The player is drawn from the row; the file is not needed to check the page.
    Recording.objects.create(
        item=interview.items.get(position=1),
        created_at=now,
        container="webm",
        size_bytes=1000,
        file="tour/absent.webm",
        duration_ms=65_000,
        assembled_at=now,
    )
    interview.refresh_from_db()
    links = {}
    for state in ("open", "sent", "revoked"):
        link, token = review_link(interview, now, reviewer_name=f"Reviewer {state}")
        links[state] = (link, token)
        reviews.mark_opened(link, now)
        for position, verdict in ((1, Verdict.HARD), (2, Verdict.GOOD)):
            answer = reviews.reviewed_answer(link, position)
            answer.link = link
            reviews.show_reference(answer, now)
            reviews.save_answer(answer, verdict, {1, 2}, "Clear, but say why it works.", now)
            reviews.add_moment(answer, 42_000, "Here the answer hesitates.", now)
        if state == "sent":
            reviews.send(link, now)
        if state == "revoked":
            reviews.revoke(link, now)
    return interview, links
