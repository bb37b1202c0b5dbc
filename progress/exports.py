"""Everything of one user's, for them to download: JSON of all, and the review log as CSV."""

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch

from accounts.models import profile_for
from progress.models import ReviewCard, ReviewLogEntry
from sessions.models import FollowUpAnswer, InterviewSession, SessionQuestion
from sessions.recordings.store import zip_entry_name


def timestamp(moment: datetime) -> str:
    """Every moment of both files in one form: ISO 8601 in UTC to the microsecond."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class _ExportEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime):
            return timestamp(o)
        return super().default(o)


def user_data_json(user) -> str:
    return json.dumps(user_data(user), cls=_ExportEncoder, indent=2)


def _answer(item: SessionQuestion) -> dict[str, Any]:
    return {
        "position": item.position,
        # Empty once the question's deck was deleted; the answer keeps what was shown.
        "question_number": item.question.number if item.question else None,
        "question_slug": item.question.slug if item.question else None,
        "deck": item.question.deck.name if item.question else None,
        "prompt": item.prompt,
        "reference_answer": item.reference_answer,
        "key_points": [
            {"position": point.position, "text": point.text, "covered": point.covered}
            for point in item.key_points.all()
        ],
        "time_allowed": item.time_allowed,
        "shown_at": item.shown_at,
        "deadline": item.deadline,
        "answer": item.answer_text,
        "draft": item.draft,
        "submitted_at": item.submitted_at,
        "finish_state": item.finish_state,
        "time_used": item.time_used,
        "self_rating": item.self_rating,
        "note": item.note,
        "graded_at": item.graded_at,
        "recording": _recording(item),
        "follow_up": _follow_up(item),
    }


def _follow_up(item: SessionQuestion) -> dict[str, Any] | None:
    """The follow-up asked after the answer, in the follow-up round."""
    follow_up = getattr(item, "follow_up", None)
    if follow_up is None or not follow_up.prompt:
        return None
    return {
        "prompt": follow_up.prompt,
        "key_point": follow_up.key_point,
        "time_allowed": follow_up.time_allowed,
        "shown_at": follow_up.shown_at,
        "deadline": follow_up.deadline,
        "answer": follow_up.answer_text,
        "submitted_at": follow_up.submitted_at,
        "finish_state": follow_up.finish_state,
        "time_used": follow_up.time_used,
        "self_rating": follow_up.self_rating,
        "graded_at": follow_up.graded_at,
        "recording": _recording(follow_up),
    }


def _recording(answer: SessionQuestion | FollowUpAnswer) -> dict[str, Any] | None:
    """The joined recording of a question's answer or of a follow-up's."""
    recording = getattr(answer, "recording", None)
    if recording is None or not recording.file:
        return None
    return {
        "container": recording.container,
        "duration_ms": recording.duration_ms,
        "size_bytes": recording.size_bytes,
        "created_at": recording.created_at,
        # Where it is in "Download my recordings".
        "file_in_zip": zip_entry_name(recording),
    }


def _review_card(card: ReviewCard) -> dict[str, Any]:
    """A card of the review schedule and its log; `card_id` is the review-log CSV's."""
    return {
        "card_id": card.pk,
        "question_number": card.question.number,
        "question_slug": card.question.slug,
        "deck": card.question.deck.name,
        "state": card.state,
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
        "log": [
            {
                "interview_id": entry.item.interview_id,
                "position": entry.item.position,
                "rating": entry.rating,
                "review_datetime": entry.review_datetime,
                "review_duration": entry.review_duration,
                "answered_on": entry.answered_on,
                "covered_count": entry.covered_count,
                "key_point_count": entry.key_point_count,
                "timed_out": entry.timed_out,
            }
            for entry in card.log.all()
        ],
    }


def user_data(user) -> dict[str, Any]:
    profile = profile_for(user)
    interviews = (
        InterviewSession.objects.filter(user=user)
        .order_by("started_at", "pk")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=SessionQuestion.objects.select_related(
                    "question__deck", "recording", "follow_up__recording"
                ).order_by("position"),
            ),
            "items__key_points",
        )
    )
    cards = (
        ReviewCard.objects.filter(user=user)
        .select_related("question__deck")
        .order_by("question__deck_id", "question__number")
        .prefetch_related(
            Prefetch(
                "log",
                queryset=ReviewLogEntry.objects.select_related("item").order_by(
                    "review_datetime", "pk"
                ),
            )
        )
    )
    return {
        "user": {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": user.date_joined,
        },
        "settings": {
            "time_zone": profile.time_zone,
            "rest_days": profile.rest_days,
            "show_streaks": profile.show_streaks,
            "interview_date": profile.interview_date,
            "transcribe_speech": profile.transcribe_speech,
            "read_questions_aloud": profile.read_questions_aloud,
        },
        "interviews": [
            {
                "id": interview.pk,
                "status": interview.status,
                "levels": interview.levels,
                "topics": interview.topics,
                "timing_mode": interview.timing_mode,
                "fixed_seconds": interview.fixed_seconds,
                "order": interview.order,
                "follow_up_round": interview.follow_up_round,
                "follow_up_seconds": interview.follow_up_seconds,
                "started_at": interview.started_at,
                "finished_at": interview.finished_at,
                "questions": [_answer(item) for item in interview.items.all()],
            }
            for interview in interviews
        ],
        "review_schedule": [_review_card(card) for card in cards],
    }


REVIEW_LOG_COLUMNS = ["card_id", "rating", "review_datetime", "review_duration"]


def review_log_csv(user) -> str:
    """The review log in FSRS's own form, one row per graded answer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REVIEW_LOG_COLUMNS)
    for card_id, rating, when, duration in (
        ReviewLogEntry.objects.filter(user=user)
        .order_by("review_datetime", "pk")
        .values_list("card_id", "rating", "review_datetime", "review_duration")
        .iterator()
    ):
        writer.writerow([card_id, rating, timestamp(when), "" if duration is None else duration])
    return buffer.getvalue()
