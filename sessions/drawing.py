"""Which questions match what a mock interview is configured to ask."""

from questions.models import Question


def matching_questions(user, levels: list[str], topics: list[str], decks=()):
    """The active questions of the chosen decks that the user may see, at these levels and
    on these topics (any, when none is chosen)."""
    active = Question.objects.active()
    questions = active.visible_to(user).filter(deck__in=decks) if decks else active.builtin()
    if levels:
        questions = questions.filter(level__in=levels)
    if topics:
        questions = questions.filter(
            pk__in=Question.objects.filter(topics__slug__in=topics).values("pk")
        )
    return questions
