"""Generate a realistic answering history quickly, for the benchmark and for screenshots.

Rows are written with bulk_create in the shape the interview engine leaves them, then each
card is rebuilt from its log the way grading does."""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Min

from accounts.models import profile_for
from progress import scheduling
from progress.models import ReviewCard, ReviewLogEntry
from questions.models import Question
from sessions.models import (
    FinishState,
    InterviewSession,
    InterviewStatus,
    QuestionOrder,
    SessionQuestion,
    ShownKeyPoint,
    TimingMode,
)

BATCH = 2000


def make_history(user, answers: int, *, days: int, now: datetime, seed: int = 1) -> None:
    """`answers` graded answers for `user`, in interviews of five, spread over `days` days."""
    rng = random.Random(seed)
    questions = list(Question.objects.prefetch_related("key_points"))
    zone = profile_for(user).zone
    # A skill per question, so some are weak and some strong.
    skill = {question.pk: rng.uniform(0.2, 0.95) for question in questions}
    per_interview = 5
    interviews_needed = (answers + per_interview - 1) // per_interview
    starts = sorted(
        now - timedelta(days=days) + timedelta(seconds=rng.uniform(0, days * 86400 - 3600))
        for _ in range(interviews_needed)
    )
    with transaction.atomic():
        sessions = InterviewSession.objects.bulk_create(
            InterviewSession(
                user=user,
                status=InterviewStatus.COMPLETED,
                timing_mode=TimingMode.SUGGESTED,
                order=QuestionOrder.RANDOM,
                question_count=per_interview,
                started_at=start,
                finished_at=start + timedelta(minutes=20),
            )
            for start in starts
        )
        remaining = answers
        items: list[SessionQuestion] = []
        plan: list[tuple[SessionQuestion, Question, list[bool]]] = []
        for interview in sessions:
            chosen = rng.sample(questions, min(per_interview, remaining))
            remaining -= len(chosen)
            for position, question in enumerate(chosen, start=1):
                shown = interview.started_at + timedelta(minutes=3 * position)
                allowed = question.suggested_seconds
                timed_out = rng.random() < 0.08
                used = allowed if timed_out else rng.randint(20, allowed)
                points = list(question.key_points.all())
                covered = [rng.random() < skill[question.pk] for _ in points]
                share = sum(covered) / len(covered)
                rating = 1 if share < 0.4 else 2 if share < 0.65 else 3 if share < 0.9 else 4
                item = SessionQuestion(
                    interview=interview,
                    position=position,
                    question=question,
                    prompt=question.prompt,
                    reference_answer=question.reference_answer,
                    level=question.level,
                    time_allowed=allowed,
                    shown_at=shown,
                    deadline=shown + timedelta(seconds=allowed),
                    answer_text="A generated answer.",
                    draft="A generated answer.",
                    submitted_at=shown + timedelta(seconds=used),
                    finish_state=FinishState.TIMED_OUT if timed_out else FinishState.ON_TIME,
                    time_used=used,
                    self_rating=rating,
                    graded_at=shown + timedelta(seconds=used + 30),
                )
                items.append(item)
                plan.append((item, question, covered))
        SessionQuestion.objects.bulk_create(items, batch_size=BATCH)
        ShownKeyPoint.objects.bulk_create(
            (
                ShownKeyPoint(item=item, position=position, text=point.text, covered=flag)
                for item, question, covered in plan
                for position, (point, flag) in enumerate(
                    zip(question.key_points.all(), covered, strict=True), start=1
                )
            ),
            batch_size=BATCH,
        )
        cards = {
            question.pk: ReviewCard.objects.get_or_create(
                user=user, question=question, defaults={"due": now}
            )[0]
            for question in questions
        }
        ReviewLogEntry.objects.bulk_create(
            (
                ReviewLogEntry(
                    card=cards[question.pk],
                    user=user,
                    item=item,
                    rating=item.self_rating,
                    review_datetime=item.graded_at,
                    review_duration=item.time_used * 1000,
                    answered_on=item.graded_at.astimezone(zone).date(),
                    covered_count=sum(covered),
                    key_point_count=len(covered),
                    timed_out=item.finish_state == FinishState.TIMED_OUT,
                    deck_next_due=item.graded_at + timedelta(days=rng.randint(0, 3)),
                )
                for item, question, covered in plan
            ),
            batch_size=BATCH,
        )
        for card in cards.values():
            if card.log.exists():
                scheduling.rebuild_card(card)
            else:
                card.delete()
        # The last entries' deck_next_due as grading would leave it.
        first_due = ReviewCard.objects.filter(user=user).aggregate(first=Min("due"))["first"]
        if first_due:
            ReviewLogEntry.objects.filter(
                user=user, review_datetime__gte=now - timedelta(days=1)
            ).update(deck_next_due=first_due)
        days = ReviewLogEntry.objects.filter(user=user).values_list("answered_on", flat=True)
        scheduling.refresh_activity(user, list(days.order_by().distinct()))


def make_user(username: str):
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com"}
    )
    user.set_password("a-long-unusual-passphrase")
    user.save()
    return user
