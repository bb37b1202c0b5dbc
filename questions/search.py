"""Finding questions by their words: PostgreSQL's full-text search (stemmed English, so
"normalising" finds "normalisation") where the database is PostgreSQL, and on SQLite every
word as a substring of the prompt, the reference answer or a key point."""

from django.db import connection
from django.db.models import Q, QuerySet

from questions.models import Question

MAX_WORDS = 10


def search(questions: QuerySet[Question], text: str) -> QuerySet[Question]:
    words = text.split()[:MAX_WORDS]
    if not words:
        return questions
    if connection.vendor == "postgresql":
        return questions.filter(pk__in=_full_text_matches(" ".join(words)))
    for word in words:
        questions = questions.filter(
            Q(prompt__icontains=word)
            | Q(reference_answer__icontains=word)
            | Q(pk__in=Question.objects.filter(key_points__text__icontains=word).values("pk"))
        )
    return questions


def _full_text_matches(text: str):
    """The ids of the questions whose prompt, reference answer or key points hold every
    word of `text` (stemmed), as a subquery."""
    from django.contrib.postgres.search import SearchQuery, SearchVector

    vector = (
        SearchVector("prompt", config="english")
        + SearchVector("reference_answer", config="english")
        + SearchVector("key_points__text", config="english")
    )
    query = SearchQuery(text, config="english", search_type="plain")
    return Question.objects.annotate(document=vector).filter(document=query).values("pk")
