"""The rules of a second opinion without HTTP, at a frozen clock: the link's secret and its
hash, expiry, revocation, the daily limit, saving and sending a review, moments of a
recording, the database's guards, what a review never touches (the FSRS schedule), what
deleting takes with it, and "You against your reviewers"."""

import hashlib
import hmac
from datetime import timedelta

import pytest
from django.db import DataError, IntegrityError, transaction

from progress import reviewers
from progress.models import ReviewCard, ReviewLogEntry
from sessions.feedback import reviews
from sessions.feedback.models import ReviewedAnswer, ReviewLink, ReviewMoment, ReviewTick, Verdict
from sessions.models import Rating, SessionQuestion
from tests.factories import T0, graded_interview, review_link, start


@pytest.fixture
def interview(alice, seeded):
    """Alice's completed interview: question 1 graded Good with one key point ticked,
    question 2 graded Easy with two."""
    return graded_interview(alice, [(1, Rating.GOOD, 1), (2, Rating.EASY, 2)], T0)


def answer_at(link, position: int) -> ReviewedAnswer:
    answer = reviews.reviewed_answer(link, position)
    answer.link = link
    return answer


# The link's secret


def test_a_token_has_at_least_128_bits_and_only_its_hash_is_kept(interview):
    link, token = review_link(interview, T0)

    assert reviews.TOKEN_BYTES * 8 >= 128
    assert len(token) >= 43  # 32 bytes in URL-safe base64
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = ReviewLink.objects.filter(pk=link.pk).values().get()
    assert token not in [str(value) for value in stored.values()]


def test_every_token_is_new(interview):
    tokens = {review_link(interview, T0)[1] for _ in range(5)}

    assert len(tokens) == 5


def test_the_token_is_compared_in_constant_time(interview, monkeypatch):
    link, token = review_link(interview, T0)
    compared = []
    real = hmac.compare_digest
    monkeypatch.setattr(
        reviews.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b)
    )

    assert reviews.find_open_link(interview.pk, token, T0) == link
    assert compared == [(link.token_hash, link.token_hash)]


def test_a_link_opens_until_it_expires(interview):
    link, token = review_link(interview, T0, days=3)
    assert link.expires_at == T0 + timedelta(days=3)

    assert reviews.find_open_link(interview.pk, token, T0 + timedelta(days=3, seconds=-1))
    assert reviews.find_open_link(interview.pk, token, T0 + timedelta(days=3)) is None


@pytest.mark.parametrize("case", ["wrong", "other-interview", "revoked", "expired", "too-long"])
def test_a_link_that_does_not_open_finds_nothing(interview, alice, case):
    link, token = review_link(interview, T0)
    other = graded_interview(alice, [(3, Rating.GOOD, 1)], T0)
    other_link, other_token = review_link(other, T0, days=reviews.MAX_DAYS)
    pk, now = interview.pk, T0 + timedelta(hours=1)
    if case == "wrong":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif case == "other-interview":
        token = other_token
    elif case == "revoked":
        reviews.revoke(link, T0)
    elif case == "expired":
        now = T0 + timedelta(days=reviews.DEFAULT_DAYS)
    else:
        token = token * 2

    assert reviews.find_open_link(pk, token, now) is None
    # The other link still opens its own interview only.
    assert reviews.find_open_link(other.pk, other_token, now) == other_link


def test_a_link_lasts_one_to_thirty_days(interview):
    for days in (0, 31):
        with pytest.raises(ValueError):
            review_link(interview, T0, days=days)
    link, _ = review_link(interview, T0, days=30)
    assert link.expires_at == T0 + timedelta(days=30)


def test_only_a_completed_interview_gets_a_link(alice, seeded):
    running = start(alice, [5], T0)

    with pytest.raises(ValueError):
        review_link(running, T0)
    assert not ReviewLink.objects.exists()


def test_a_link_holds_an_empty_review_of_each_answer_and_its_key_points(interview):
    link, _ = review_link(interview, T0)

    answers = list(link.answers.order_by("item__position"))
    assert [answer.item.position for answer in answers] == [1, 2]
    assert all(answer.verdict is None and answer.comment == "" for answer in answers)
    assert ReviewTick.objects.filter(answer__link=link).count() == sum(
        item.key_points.count() for item in interview.items.all()
    )
    assert not ReviewTick.objects.filter(answer__link=link, covered=True).exists()


def test_the_daily_limit_counts_the_last_24_hours(interview, settings):
    settings.REVIEW_LINKS_PER_USER_PER_DAY = 2
    review_link(interview, T0)
    review_link(interview, T0 + timedelta(hours=1))

    with pytest.raises(reviews.TooManyLinks):
        review_link(interview, T0 + timedelta(hours=23))
    # A revoked link still counts: revoking is no way round the limit.
    assert review_link(interview, T0 + timedelta(days=1, seconds=1))
    assert ReviewLink.objects.count() == 3


# Saving and sending


def test_saving_keeps_the_verdict_the_ticks_and_the_comment(interview):
    link, _ = review_link(interview, T0)
    answer = answer_at(link, 2)

    reviews.save_answer(answer, Verdict.HARD, {2}, "Too vague on the bias.", T0)
    reviews.save_answer(answer, Verdict.GOOD, {1}, "Fine, in the end.", T0 + timedelta(minutes=1))

    answer.refresh_from_db()
    assert (answer.verdict, answer.comment) == (Verdict.GOOD, "Fine, in the end.")
    assert answer.saved_at == T0 + timedelta(minutes=1)
    ticks = dict(answer.ticks.values_list("key_point__position", "covered"))
    assert ticks[1] is True and not any(ticks[position] for position in ticks if position != 1)


def test_sending_needs_a_verdict_and_then_closes_the_review(interview):
    link, _ = review_link(interview, T0)
    reviews.mark_opened(link, T0)

    assert reviews.send(link, T0) is False
    reviews.save_answer(answer_at(link, 1), Verdict.AGAIN, set(), "", T0)
    assert reviews.send(link, T0 + timedelta(minutes=5)) is True

    link.refresh_from_db()
    assert link.sent_at == T0 + timedelta(minutes=5)
    with pytest.raises(reviews.ReviewClosed):
        reviews.save_answer(answer_at(link, 1), Verdict.EASY, set(), "", T0)
    with pytest.raises(reviews.ReviewClosed):
        reviews.add_moment(answer_at(link, 1), 1000, "Late.", T0)


def test_a_review_sent_through_a_link_nobody_else_opened_counts_it_opened(interview):
    link, _ = review_link(interview, T0)
    reviews.save_answer(answer_at(link, 1), Verdict.GOOD, set(), "", T0)

    assert reviews.send(link, T0 + timedelta(minutes=1))

    link.refresh_from_db()
    assert link.first_opened_at == link.sent_at == T0 + timedelta(minutes=1)


def test_the_first_opening_is_stamped_once(interview):
    link, _ = review_link(interview, T0)

    reviews.mark_opened(link, T0 + timedelta(hours=1))
    again = ReviewLink.objects.get(pk=link.pk)
    reviews.mark_opened(again, T0 + timedelta(hours=2))

    assert ReviewLink.objects.get(pk=link.pk).first_opened_at == T0 + timedelta(hours=1)


def test_a_review_never_changes_the_grades_or_the_schedule(interview):
    cards = list(ReviewCard.objects.order_by("pk").values())
    log = list(ReviewLogEntry.objects.order_by("pk").values())
    grades = list(SessionQuestion.objects.order_by("pk").values("self_rating", "graded_at"))
    link, _ = review_link(interview, T0)
    reviews.mark_opened(link, T0)
    for position in (1, 2):
        answer = answer_at(link, position)
        reviews.show_reference(answer, T0)
        reviews.save_answer(answer, Verdict.AGAIN, set(), "Would not pass.", T0)
    reviews.send(link, T0 + timedelta(hours=1))

    assert list(ReviewCard.objects.order_by("pk").values()) == cards
    assert list(ReviewLogEntry.objects.order_by("pk").values()) == log
    assert list(SessionQuestion.objects.order_by("pk").values("self_rating", "graded_at")) == (
        grades
    )


def test_revoking_keeps_a_sent_review(interview):
    link, _ = review_link(interview, T0)
    reviews.mark_opened(link, T0)
    reviews.save_answer(answer_at(link, 1), Verdict.HARD, set(), "", T0)
    reviews.send(link, T0)

    reviews.revoke(link, T0 + timedelta(days=1))

    assert ReviewLink.objects.get(pk=link.pk).revoked_at == T0 + timedelta(days=1)
    assert ReviewedAnswer.objects.filter(link=link, verdict=Verdict.HARD).exists()


# Moments of a recording


@pytest.mark.parametrize(
    "text, ms",
    [
        ("0:42", 42_000),
        ("42", 42_000),
        ("42.5", 42_500),
        (" 1:05 ", 65_000),
        ("1:02:03", 3_723_000),
        ("0:00", 0),
        ("0:60", None),
        ("1:60:00", None),
        ("-1", None),
        ("abc", None),
        ("", None),
        ("1:2:3:4", None),
        ("99999:00", None),
    ],
)
def test_a_moment_reads_as_a_player_writes_it(text, ms):
    assert reviews.parse_moment(text) == ms


# The database's guards


def test_the_verdicts_are_the_self_grades_scale():
    assert Verdict.values == Rating.values
    assert Verdict.labels == ["Would not pass", "Borderline", "Pass", "Strong"]


@pytest.mark.parametrize(
    "change",
    [
        lambda link, answer: ReviewedAnswer.objects.filter(pk=answer.pk).update(verdict=5),
        lambda link, answer: ReviewedAnswer.objects.filter(pk=answer.pk).update(comment="x" * 5001),
        lambda link, answer: ReviewLink.objects.filter(pk=link.pk).update(expires_at=T0),
        lambda link, answer: ReviewLink.objects.filter(pk=link.pk).update(sent_at=T0),
        lambda link, answer: ReviewLink.objects.filter(pk=link.pk).update(reviewer_name="n" * 81),
        lambda link, answer: ReviewedAnswer.objects.create(link=link, item=answer.item),
        lambda link, answer: ReviewMoment.objects.create(
            answer=answer, at_ms=1000, text="", created_at=T0
        ),
        lambda link, answer: ReviewMoment.objects.create(
            answer=answer, at_ms=1000, text="m" * 501, created_at=T0
        ),
    ],
    ids=[
        "verdict-5",
        "long-comment",
        "expires-when-made",
        "sent-unopened",
        "long-name",
        "two-reviews-of-one-answer-by-one-link",
        "empty-moment",
        "long-moment",
    ],
)
def test_the_database_refuses_what_no_review_may_hold(interview, change):
    link, _ = review_link(interview, T0)
    answer = answer_at(link, 1)

    # PostgreSQL refuses an over-long varchar by its type (DataError), SQLite by the check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        change(link, answer)


# Deleting


def test_deleting_the_interview_deletes_its_reviews(interview):
    link, _ = review_link(interview, T0)
    reviews.add_moment(answer_at(link, 1), 1000, "Here.", T0)

    interview.delete()

    for model in (ReviewLink, ReviewedAnswer, ReviewTick, ReviewMoment):
        assert not model.objects.exists(), model


def test_deleting_the_account_deletes_its_reviews(interview, alice):
    review_link(interview, T0)

    alice.delete()

    assert not ReviewLink.objects.exists()
    assert not ReviewedAnswer.objects.exists()


# You against your reviewers


def send_review(interview, now, verdicts: dict[int, Verdict], covered: dict[int, set[int]]):
    link, _ = review_link(interview, now)
    reviews.mark_opened(link, now)
    for position, verdict in verdicts.items():
        answer = answer_at(link, position)
        reviews.show_reference(answer, now)
        reviews.save_answer(answer, verdict, covered.get(position, set()), "", now)
    reviews.send(link, now)
    return link


def test_against_reviewers_averages_own_rating_minus_the_verdict(interview, alice):
    # Own: Good (3) and Easy (4). Reviewers: Hard (2) and Good (3), then Easy (4) on 1.
    send_review(interview, T0, {1: Verdict.HARD, 2: Verdict.GOOD}, {1: {1}, 2: {1, 2}})
    send_review(interview, T0 + timedelta(days=1), {1: Verdict.EASY}, {1: {1, 2}})

    figures = reviewers.against_reviewers(alice, T0 + timedelta(days=2))

    assert figures.verdicts == 3
    assert figures.average_gap == pytest.approx(((3 - 2) + (4 - 3) + (3 - 4)) / 3)
    # Question 1's points 3 and after were missed by both reviewers, the rest once at most.
    first = interview.items.get(position=1)
    twice = sorted(first.key_points.filter(position__gte=3).values_list("text", flat=True))
    assert [(miss.text, miss.missed) for miss in figures.most_missed[: len(twice)]] == [
        (text, 2) for text in twice
    ]
    assert {miss.question_number for miss in figures.most_missed[: len(twice)]} == {
        first.question.number
    }
    assert all(miss.missed == 1 for miss in figures.most_missed[len(twice) :])


def test_against_reviewers_looks_at_the_last_30_days(interview, alice):
    send_review(interview, T0, {1: Verdict.HARD}, {})

    assert reviewers.against_reviewers(alice, T0 + timedelta(days=29)).verdicts == 1
    assert reviewers.against_reviewers(alice, T0 + timedelta(days=31)) is None


def test_a_review_that_never_showed_the_key_points_counts_none_as_missed(interview, alice):
    link, _ = review_link(interview, T0)
    reviews.mark_opened(link, T0)
    reviews.save_answer(answer_at(link, 1), Verdict.HARD, set(), "", T0)
    reviews.send(link, T0)

    figures = reviewers.against_reviewers(alice, T0)

    assert figures.verdicts == 1
    assert figures.most_missed == []


def test_against_reviewers_counts_only_sent_reviews_of_the_user(interview, alice, bob):
    link, _ = review_link(interview, T0)
    reviews.save_answer(answer_at(link, 1), Verdict.HARD, set(), "", T0)
    send_review(graded_interview(bob, [(4, Rating.GOOD, 1)], T0), T0, {1: Verdict.AGAIN}, {})

    assert reviewers.against_reviewers(alice, T0) is None
    assert reviewers.against_reviewers(bob, T0).verdicts == 1
