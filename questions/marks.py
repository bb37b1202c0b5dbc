"""A user's marks on questions: Flag (a list to find again and practise) and Suspend (out of
reviews and weakest-first until unsuspended)."""

from django.db import IntegrityError, transaction

from interviewprep import cache_versions
from questions.models import Question, QuestionMark


def mark_of(user, question: Question) -> QuestionMark:
    """The user's mark on the question; an unsaved blank one if they never marked it."""
    return QuestionMark.objects.filter(user=user, question=question).first() or QuestionMark(
        user=user, question=question
    )


def set_mark(user, question: Question, **values: bool) -> None:
    """Flag or suspend (or undo either); suspending changes what the dashboard shows."""
    try:
        with transaction.atomic():
            QuestionMark.objects.update_or_create(user=user, question=question, defaults=values)
    except IntegrityError:  # created by a request at the same moment: update it
        QuestionMark.objects.filter(user=user, question=question).update(**values)
    if "suspended" in values:
        cache_versions.bump_progress(user.pk)


def flagged(user):
    """The user's flagged questions that can still be practised."""
    return (
        Question.objects.active()
        .visible_to(user)
        .filter(marks__user=user, marks__flagged=True)
        .select_related("deck")
        .order_by("deck__is_builtin", "deck_id", "number")
    )
