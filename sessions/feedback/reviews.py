"""The rules of a second opinion: making a review link (its secret, its expiry, the daily
limit), finding the link a visitor holds, saving and sending the review, revoking the link.
Every rule takes `now`. A review never changes the candidate's grades or their schedule: only
the candidate can copy a verdict into their own grade (sessions.engine.grade)."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Prefetch, Value
from django.db.models.functions import Coalesce

from interviewprep import cache_versions
from sessions.feedback.models import (
    MAX_MOMENT_MS,
    ReviewedAnswer,
    ReviewLink,
    ReviewMoment,
    ReviewTick,
)
from sessions.models import InterviewSession, InterviewStatus, Rating, SessionQuestion

# 32 bytes from the operating system's generator: 256 bits, written in 43 URL-safe characters.
TOKEN_BYTES = 32
# Longer than any token we make: refused before it is hashed.
MAX_TOKEN_CHARS = 64
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 30, 14
# A review's ticks with the key points they tick, in one query.
TICKS = Prefetch("ticks", queryset=ReviewTick.objects.select_related("key_point"))


class TooManyLinks(Exception):
    """The user has made as many review links as the day allows."""


class ReviewClosed(Exception):
    """The review was sent already: nothing in it changes any more."""


def candidate_name(interview: InterviewSession) -> str:
    """Who the reviewer is told they review: a first name at most, never a username."""
    return interview.user.first_name.strip() or "a candidate"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Compared in constant time, so that timing tells nothing about the stored hash."""
    return hmac.compare_digest(token_hash(token), stored_hash)


def is_open(link: ReviewLink, now: datetime) -> bool:
    """Whether the link still opens: neither revoked nor past its expiry."""
    return link.revoked_at is None and now < link.expires_at


def links_per_day() -> int:
    return settings.REVIEW_LINKS_PER_USER_PER_DAY


def links_made_today(user, now: datetime) -> int:
    """Links the user made in the 24 hours before `now` (revoked ones count too)."""
    return ReviewLink.objects.filter(
        interview__user=user, created_at__gt=now - timedelta(days=1)
    ).count()


@dataclass(frozen=True)
class LinkOptions:
    reviewer_name: str = ""
    show_answers: bool = True
    show_recordings: bool = True
    show_own_grades: bool = False
    days: int = DEFAULT_DAYS


def create_link(
    interview: InterviewSession, options: LinkOptions, now: datetime
) -> tuple[ReviewLink, str]:
    """A new link for a completed interview, with an empty review of each answered question;
    returns the link and its secret, which is kept nowhere (only its hash is)."""
    if interview.status != InterviewStatus.COMPLETED:
        raise ValueError("Only a completed interview can be reviewed.")
    if not MIN_DAYS <= options.days <= MAX_DAYS:
        raise ValueError(f"A link lasts {MIN_DAYS} to {MAX_DAYS} days.")
    token = new_token()
    with transaction.atomic():
        # The user's row is locked so that two requests at once cannot both take the last
        # link of the day.
        get_user_model().objects.select_for_update().filter(pk=interview.user_id).first()
        if links_made_today(interview.user_id, now) >= links_per_day():
            raise TooManyLinks
        link = ReviewLink.objects.create(
            interview=interview,
            token_hash=token_hash(token),
            reviewer_name=options.reviewer_name,
            show_answers=options.show_answers,
            show_recordings=options.show_recordings,
            show_own_grades=options.show_own_grades,
            created_at=now,
            expires_at=now + timedelta(days=options.days),
        )
        items = list(
            interview.items.filter(submitted_at__isnull=False).prefetch_related("key_points")
        )
        answers = ReviewedAnswer.objects.bulk_create(
            ReviewedAnswer(link=link, item=item) for item in items
        )
        ReviewTick.objects.bulk_create(
            ReviewTick(answer=answer, key_point=point)
            for answer, item in zip(answers, items, strict=True)
            for point in item.key_points.all()
        )
    return link, token


def find_open_link(interview_pk: int, token: str, now: datetime) -> ReviewLink | None:
    """The open link that `token` names for this interview, or None: for a wrong token, one of
    another interview, a revoked or an expired link alike."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    wanted = token_hash(token)
    link = (
        ReviewLink.objects.select_related("interview__user")
        .filter(interview_id=interview_pk, token_hash=wanted)
        .first()
    )
    if link is None or not token_matches(token, link.token_hash) or not is_open(link, now):
        return None
    return link


def mark_opened(link: ReviewLink, now: datetime) -> None:
    """Stamp the first opening, once, whichever request comes first."""
    if link.first_opened_at is None:
        ReviewLink.objects.filter(pk=link.pk, first_opened_at__isnull=True).update(
            first_opened_at=now
        )
        link.first_opened_at = now


def reviewed_answer(link: ReviewLink, position: int) -> ReviewedAnswer | None:
    return (
        ReviewedAnswer.objects.select_related("item__recording")
        .filter(link=link, item__position=position)
        .first()
    )


def _still_open_for_changes(link: ReviewLink) -> None:
    if link.sent_at is not None:
        raise ReviewClosed


def save_answer(
    answer: ReviewedAnswer,
    verdict: int | None,
    covered_positions: set[int],
    comment: str,
    now: datetime,
) -> None:
    """Keep the reviewer's work on one answer as it stands (every save replaces the last)."""
    _still_open_for_changes(answer.link)
    with transaction.atomic():
        ReviewedAnswer.objects.filter(pk=answer.pk).update(
            verdict=verdict, comment=comment, saved_at=now
        )
        answer.ticks.filter(key_point__position__in=covered_positions).update(covered=True)
        answer.ticks.exclude(key_point__position__in=covered_positions).update(covered=False)
    answer.verdict, answer.comment, answer.saved_at = verdict, comment, now


def show_reference(answer: ReviewedAnswer, now: datetime) -> None:
    if answer.reference_shown_at is None:
        ReviewedAnswer.objects.filter(pk=answer.pk, reference_shown_at__isnull=True).update(
            reference_shown_at=now
        )
        answer.reference_shown_at = now


def add_moment(answer: ReviewedAnswer, at_ms: int, text: str, now: datetime) -> ReviewMoment:
    _still_open_for_changes(answer.link)
    return ReviewMoment.objects.create(answer=answer, at_ms=at_ms, text=text, created_at=now)


def delete_moment(answer: ReviewedAnswer, moment_id: int) -> bool:
    _still_open_for_changes(answer.link)
    deleted, _ = ReviewMoment.objects.filter(answer=answer, pk=moment_id).delete()
    return bool(deleted)


def send(link: ReviewLink, now: datetime) -> bool:
    """Send the review: from now on the candidate sees it and it no longer changes. Needs a
    verdict on at least one answer; False when there is none."""
    _still_open_for_changes(link)
    if not link.answers.filter(verdict__isnull=False).exists():
        return False
    with transaction.atomic():
        # A review sent through a link never opened by anyone else (the candidate's own
        # try) counts it opened now.
        sent = ReviewLink.objects.filter(pk=link.pk, sent_at__isnull=True).update(
            sent_at=now, first_opened_at=Coalesce(F("first_opened_at"), Value(now))
        )
        if sent:
            # The dashboard's "You against your reviewers" changes.
            cache_versions.bump_progress(link.interview.user_id)
    link.sent_at = now
    return True


def revoke(link: ReviewLink, now: datetime) -> None:
    """The link stops opening at once; a review already sent stays with the interview."""
    ReviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now)
    link.revoked_at = link.revoked_at or now


# Moments of a recording, written as the player shows them: 0:42, 1:02:03, or seconds.

MOMENT = re.compile(r"^(?:(?:(\d{1,2}):)?(\d{1,2}):)?(\d{1,5})(?:\.(\d{1,3}))?$")


def parse_moment(text: str) -> int | None:
    """Milliseconds from "0:42", "1:02:03", "42" or "42.5"; None when it is not a time."""
    match = MOMENT.match(text.strip())
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    # Past the first place, seconds and minutes stop at 59, as on a clock.
    if (minutes is not None and int(seconds) >= 60) or (hours is not None and int(minutes) >= 60):
        return None
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds)
    ms = total * 1000 + (int(fraction.ljust(3, "0")) if fraction else 0)
    return ms if ms <= MAX_MOMENT_MS else None


def reviews_of(items: list[SessionQuestion]):
    """The sent reviews of these answers, with their link, ticks and moments, in three
    queries (none beyond the first when there are none)."""
    return (
        ReviewedAnswer.objects.filter(item__in=items, link__sent_at__isnull=False)
        .select_related("link")
        .prefetch_related(TICKS, "moments")
        .order_by("item_id", "link__sent_at", "pk")
    )


def attach_reviews(items: list[SessionQuestion]) -> None:
    """Give each item `sent_reviews`, its sent reviews in the order they were sent."""
    by_item: dict[int, list[ReviewedAnswer]] = {item.pk: [] for item in items}
    items_by_id = {item.pk: item for item in items}
    for answer in reviews_of(items):
        answer.item = items_by_id[answer.item_id]
        answer.rating_label = Rating(answer.verdict).label if answer.verdict else ""
        by_item[answer.item_id].append(answer)
    for item in items:
        item.sent_reviews = by_item[item.pk]
