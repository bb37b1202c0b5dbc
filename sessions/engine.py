"""The rules of a mock interview: drawing questions, the server's clock, the grace period,
finalising answers and grading. Plain Python over the models; every rule takes `now`. The
clock times a question's answer and a follow-up's (TimedAnswer) alike, by their shared fields."""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Left
from django.utils import timezone

from interviewprep import cache_versions
from progress import scheduling
from progress.models import ReviewCard
from questions.models import Question, suspended_by
from sessions import follow_ups
from sessions.drawing import matching_questions
from sessions.feedback import suggestions
from sessions.follow_ups import DEFAULT_FOLLOW_UP_SECONDS
from sessions.models import (
    MAX_ANSWER_CHARS,
    FinishState,
    FollowUpAnswer,
    InterviewSession,
    InterviewStatus,
    QuestionOrder,
    SessionQuestion,
    TimingMode,
    snapshot_questions,
)

TimedAnswer = SessionQuestion | FollowUpAnswer

# The page submits by itself when its countdown reaches zero; its clock may run a little
# ahead of ours, but a "ran out" claim earlier than this is an ordinary submission.
RAN_OUT_TOLERANCE = timedelta(seconds=2)


def grace_seconds() -> int:
    """How long after a deadline an answer still counts, marked late (a setting)."""
    return settings.INTERVIEW_GRACE_SECONDS


def grace_period() -> timedelta:
    return timedelta(seconds=grace_seconds())


class InterviewInProgress(Exception):
    """The user already has an interview in progress; only one at a time."""

    def __init__(self) -> None:
        super().__init__(
            "You already have an interview in progress: resume it or abandon it first."
        )


@dataclass(frozen=True)
class InterviewConfig:
    levels: list[str]
    topics: list[str]
    question_count: int
    timing_mode: str
    order: str
    fixed_seconds: int | None = None
    # The decks chosen (their ids); none chosen means the built-in deck.
    decks: tuple[int, ...] = ()
    follow_up_round: bool = False
    follow_up_seconds: int = DEFAULT_FOLLOW_UP_SECONDS


# Drawing questions


def draw_questions(
    user, config: InterviewConfig, rng: random.Random | None = None, now: datetime | None = None
) -> list:
    """The interview's questions: at random, or the lowest predicted recall first once
    grades exist."""
    rng = rng or random.Random()
    now = now or timezone.now()
    matching = matching_questions(user, config.levels, config.topics, config.decks)
    if config.order == QuestionOrder.WEAKEST_FIRST:
        matching = matching.exclude(pk__in=suspended_by(user))
    candidates = list(matching)
    rng.shuffle(candidates)
    if config.order == QuestionOrder.WEAKEST_FIRST:
        recall = {
            card.question_id: scheduling.retrievability(card, now)
            for card in ReviewCard.objects.filter(user=user)
        }
        # Reviewed questions from the lowest predicted recall up, then those never
        # reviewed; ties stay shuffled.
        candidates.sort(key=lambda question: recall.get(question.pk, math.inf))
    return candidates[: config.question_count]


def time_allowed_for(question: Question, config: InterviewConfig) -> int | None:
    if config.timing_mode == TimingMode.UNTIMED:
        return None
    if config.timing_mode == TimingMode.FIXED:
        return config.fixed_seconds
    return question.suggested_seconds


def start_interview(
    user, config: InterviewConfig, now: datetime, questions: list[Question] | None = None
) -> InterviewSession:
    """Create the interview with each question as it is now, so later edits change nothing."""
    if questions is None:
        questions = draw_questions(user, config, now=now)
    if not questions:
        raise ValueError("No question matches this configuration.")
    try:
        with transaction.atomic():
            interview = InterviewSession.objects.create(
                user=user,
                levels=config.levels,
                topics=config.topics,
                question_count=len(questions),
                timing_mode=config.timing_mode,
                fixed_seconds=(
                    config.fixed_seconds if config.timing_mode == TimingMode.FIXED else None
                ),
                order=config.order,
                follow_up_round=config.follow_up_round,
                follow_up_seconds=(
                    config.follow_up_seconds
                    if config.follow_up_round and config.timing_mode != TimingMode.UNTIMED
                    else None
                ),
                started_at=now,
            )
            items = SessionQuestion.objects.bulk_create(
                SessionQuestion(
                    interview=interview,
                    position=position,
                    question=question,
                    prompt=question.prompt,
                    reference_answer=question.reference_answer,
                    follow_ups=question.follow_ups,
                    level=question.level,
                    time_allowed=time_allowed_for(question, config),
                )
                for position, question in enumerate(questions, start=1)
            )
            snapshot_questions(items, questions)
            if interview.follow_up_round:
                follow_ups.create_for(interview, items)
    except IntegrityError:
        if InterviewSession.objects.filter(user=user, status=InterviewStatus.IN_PROGRESS).exists():
            raise InterviewInProgress from None
        raise
    return interview


# The clock


def show(item: TimedAnswer, now: datetime) -> TimedAnswer:
    """Start the answer's clock the first time it is shown; later calls change nothing."""
    if item.shown_at is not None:
        return item
    deadline = None if item.time_allowed is None else now + timedelta(seconds=item.time_allowed)
    # Conditional, so two tabs racing to show the question agree on one deadline.
    if (
        type(item)
        .objects.filter(pk=item.pk, shown_at__isnull=True)
        .update(shown_at=now, deadline=deadline)
    ):
        item.shown_at, item.deadline = now, deadline
    else:
        item.refresh_from_db(fields=["shown_at", "deadline"])
    return item


def seconds_left(item: TimedAnswer, now: datetime) -> int | None:
    if item.deadline is None:
        return None
    return max(0, math.ceil((item.deadline - now).total_seconds()))


def is_expired(item: TimedAnswer, now: datetime) -> bool:
    """Past the deadline and its grace period: nothing the user sends counts any more."""
    return item.deadline is not None and now > item.deadline + grace_period()


# Answering


@dataclass(frozen=True)
class SubmitResult:
    item: TimedAnswer
    accepted: bool  # False: the answer was already final (a replay, a second tab)


def _timed_out_values() -> dict:
    return {
        "answer_text": Left(F("draft"), MAX_ANSWER_CHARS),
        "submitted_at": F("deadline"),
        "finish_state": FinishState.TIMED_OUT,
        "time_used": F("time_allowed"),
    }


def _interview_in_progress() -> Exists:
    """The answer's interview is in progress, as a condition of the answer's own row.

    A filter across the relation (`interview__status=...`) makes Django write the UPDATE as
    `WHERE id IN (SELECT ... JOIN ...)`; an UPDATE that waited for a concurrent one's row
    lock then keeps the sub-select's stale verdict and overwrites a final answer. With the
    interview in an EXISTS, the row's own conditions (`submitted_at IS NULL`) stay in the
    UPDATE's WHERE, and PostgreSQL re-checks them on the row the other UPDATE left. (An
    abandon at the same moment writes only the interview's row: the answer then counts as
    if it came just before.)"""
    return Exists(
        InterviewSession.objects.filter(
            pk=OuterRef("interview_id"), status=InterviewStatus.IN_PROGRESS
        )
    )


def _keeps_drafts(now: datetime) -> Q:
    """An answer that takes drafts: shown, not final, within its time and grace period."""
    return (
        Q(submitted_at__isnull=True, shown_at__isnull=False)
        & (Q(deadline__isnull=True) | Q(deadline__gte=now - grace_period()))
        & Q(_interview_in_progress())
    )


def _draft_values(text: str, now: datetime, transcript: str | None) -> dict:
    """A draft, and the transcript with it when the page sent one (speech recognition on)."""
    transcribed = {} if transcript is None else {"transcript": transcript}
    return {"draft": text, "draft_saved_at": now, **transcribed}


def autosave(item: TimedAnswer, text: str, now: datetime, transcript: str | None = None) -> bool:
    """Keep the draft; refused once the answer is final or the time is over."""
    if is_expired(item, now):
        finalise_expired(item.interview, now)
        return False
    updated = (
        type(item)
        .objects.filter(_keeps_drafts(now), pk=item.pk)
        .update(**_draft_values(text, now, transcript))
    )
    return bool(updated)


def autosave_for_user(
    user, interview_pk: int, position: int, text: str, now: datetime, transcript: str | None = None
) -> bool:
    """Keep the draft of the user's answer in one UPDATE when it takes drafts. False tells
    nothing about why: the caller reads the answer to say so (or that it is not theirs)."""
    in_users_interview = Exists(
        InterviewSession.objects.filter(pk=OuterRef("interview_id"), user=user)
    )
    updated = SessionQuestion.objects.filter(
        _keeps_drafts(now), in_users_interview, interview_id=interview_pk, position=position
    ).update(**_draft_values(text, now, transcript))
    return bool(updated)


def submit(
    item: TimedAnswer,
    text: str,
    now: datetime,
    *,
    ran_out: bool = False,
    transcript: str | None = None,
) -> SubmitResult:
    """Finalise the answer. On time, or late within the grace period, the text (and the
    transcript) sent counts; after the grace period the last autosaved draft counts, marked
    timed out. `ran_out` is the page submitting by itself at zero: its text counts, marked
    timed out."""
    if item.is_finalised or item.shown_at is None:
        # A replay, or a question not shown yet: one question at a time, in order.
        return SubmitResult(item=item, accepted=False)
    if item.interview.status != InterviewStatus.IN_PROGRESS:
        return SubmitResult(item=item, accepted=False)
    pending = type(item).objects.filter(
        _interview_in_progress(), pk=item.pk, submitted_at__isnull=True
    )
    if is_expired(item, now):
        updated = pending.update(**_timed_out_values())
    else:
        if item.deadline is None:
            state = FinishState.UNTIMED
        elif ran_out and now >= item.deadline - RAN_OUT_TOLERANCE:
            state = FinishState.TIMED_OUT
        elif now <= item.deadline:
            state = FinishState.ON_TIME
        else:
            state = FinishState.LATE
        used = max(0, round((now - item.shown_at).total_seconds()))
        if state == FinishState.TIMED_OUT:
            used = item.time_allowed
        elif item.time_allowed is not None:
            used = min(used, item.time_allowed + grace_seconds())
        final = {
            "answer_text": text,
            **_draft_values(text, now, transcript),
            "submitted_at": now,
            "finish_state": state,
            "time_used": used,
        }
        updated = pending.update(**final)
        if updated:
            for name, value in final.items():
                setattr(item, name, value)
            _finalised(item)
            return SubmitResult(item=item, accepted=True)
    # The answer as stored: this request's, or the one another request finalised first.
    item.refresh_from_db()
    if updated:
        _finalised(item)
    return SubmitResult(item=item, accepted=bool(updated))


def _finalised(item: TimedAnswer) -> None:
    if isinstance(item, SessionQuestion):  # its key points are suggested
        suggestions.record_suggestions(SessionQuestion.objects.filter(pk=item.pk))
    _complete_if_finished(item.interview_id, item.interview.user_id)


def _ran_out(now: datetime) -> Q:
    """An answer not final whose time and grace period are over."""
    return Q(submitted_at__isnull=True, deadline__lt=now - grace_period())


def finalise_expired(interview: InterviewSession, now: datetime) -> int:
    """Finalise this interview's questions whose time ran out while nobody was there,
    with the deadline as their finishing time."""
    ran_out = [_interview_in_progress(), _ran_out(now)]
    count = SessionQuestion.objects.filter(*ran_out, interview=interview).update(
        **_timed_out_values()
    )
    if count:
        suggestions.record_suggestions(interview.items.all())
    if interview.follow_up_round:
        count += FollowUpAnswer.objects.filter(*ran_out, interview=interview).update(
            **_timed_out_values()
        )
    if count:
        _complete_if_finished(interview.pk, interview.user_id)
    return count


def close_expired_interviews(now: datetime) -> int:
    """For cron: finalise every answer whose time ran out, across all interviews."""
    ran_out = (_interview_in_progress(), _ran_out(now))
    expired = SessionQuestion.objects.filter(*ran_out).order_by()
    expired_follow_ups = FollowUpAnswer.objects.filter(*ran_out).order_by()
    owners = ("interview_id", "interview__user_id")
    both = expired.values_list(*owners).union(expired_follow_ups.values_list(*owners))
    interviews = list(both.order_by())
    count = expired.update(**_timed_out_values()) + expired_follow_ups.update(**_timed_out_values())
    suggestions.record_suggestions(
        SessionQuestion.objects.filter(interview_id__in=[pk for pk, _ in interviews])
    )
    for interview_id, user_id in interviews:
        _complete_if_finished(interview_id, user_id)
    return count


def _complete_if_finished(interview_id: int, user_id: int) -> None:
    """Complete once every answer (follow-ups too) is final, when its last question's was."""
    last_answer = (
        SessionQuestion.objects.filter(interview=OuterRef("pk"))
        .values("interview")
        .annotate(last=Max("submitted_at"))
        .values("last")
    )
    completed = (
        InterviewSession.objects.filter(pk=interview_id, status=InterviewStatus.IN_PROGRESS)
        .exclude(items__submitted_at__isnull=True)
        .exclude(
            Exists(
                FollowUpAnswer.objects.filter(interview=OuterRef("pk"), submitted_at__isnull=True)
            )
        )
        .update(status=InterviewStatus.COMPLETED, finished_at=Subquery(last_answer))
    )
    if completed:
        _status_changed(user_id)


def _status_changed(user_id: int) -> None:
    """An interview completed or was abandoned: the dashboard's cached figures (the count
    of completed interviews) are under the user's progress version."""
    cache_versions.bump_progress(user_id)


def interview_in_progress(user, now: datetime) -> InterviewSession | None:
    """The user's interview in progress, once any question that ran out is finalised. The
    UPDATE runs only when the same query saw such a question (it re-checks each row)."""
    interview = (
        InterviewSession.objects.filter(user=user, status=InterviewStatus.IN_PROGRESS)
        .annotate(
            has_ran_out=Exists(
                SessionQuestion.objects.filter(_ran_out(now), interview=OuterRef("pk"))
            )
            | Exists(FollowUpAnswer.objects.filter(_ran_out(now), interview=OuterRef("pk")))
        )
        .first()
    )
    if interview is not None and interview.has_ran_out and finalise_expired(interview, now):
        interview.refresh_from_db(fields=["status"])
        if interview.status != InterviewStatus.IN_PROGRESS:
            return None
    return interview


def abandon(interview: InterviewSession, now: datetime) -> bool:
    abandoned = InterviewSession.objects.filter(
        pk=interview.pk, status=InterviewStatus.IN_PROGRESS
    ).update(status=InterviewStatus.ABANDONED, finished_at=now)
    if abandoned:
        _status_changed(interview.user_id)
    return bool(abandoned)


# Grading


def grade(
    item: SessionQuestion, rating: int, covered_positions: set[int], note: str, now: datetime
) -> None:
    """Record the self-grade; may be changed later. Only a final answer can be graded."""
    if not item.is_finalised:
        raise ValueError("Only a submitted answer can be graded.")
    with transaction.atomic():
        SessionQuestion.objects.filter(pk=item.pk).update(
            self_rating=rating, note=note, graded_at=now
        )
        counted = scheduling.answer_key_points(item.pk) if item.is_graded else None
        item.self_rating, item.note, item.graded_at = rating, note, now
        covered = item.key_points.filter(position__in=covered_positions).update(covered=True)
        missed = item.key_points.exclude(position__in=covered_positions).update(covered=False)
        # A question whose deck was deleted has no schedule left to change.
        if item.question_id is not None:
            scheduling.record_review(
                item, now, covered=covered, key_points=covered + missed, counted_before=counted
            )
        if item.interview.follow_up_round:
            follow_ups.choose_for(item, covered_positions)
