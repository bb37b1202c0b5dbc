"""Writing questions into a user's own deck: numbering, naming and the deck's size limit, one
rule for the question form, the imports and copying a shared deck."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from interviewprep import cache_versions
from questions.models import Deck, KeyPoint, Level, Question
from questions.tags import topics_named


class DeckFull(Exception):
    """The deck holds as many questions as a deck may."""

    def __init__(self, adding: int = 1) -> None:
        super().__init__(
            f"A deck holds at most {settings.QUESTIONS_PER_DECK} questions; "
            f"adding {adding} would pass that. Start another deck."
        )


@dataclass
class QuestionDraft:
    """A question as its author wrote it, before it has a number, a slug or a deck."""

    prompt: str
    reference_answer: str
    key_points: list[tuple[str, list[str]]]  # (text, cue phrases)
    level: str = Level.INTERMEDIATE
    topics: list[str] = field(default_factory=list)  # topic names, as typed
    suggested_seconds: int = 120
    follow_ups: list[str] = field(default_factory=list)


def slug_for(deck: Deck, number: int) -> str:
    """Slugs name questions across every deck; an own question's names its deck and number."""
    return f"deck-{deck.pk}-q{number}"


def _lock(deck: Deck) -> None:
    """Lock the deck's row: numbers and the size limit are decided one writer at a time."""
    Deck.objects.select_for_update().filter(pk=deck.pk).first()


def add_questions(deck: Deck, drafts: list[QuestionDraft]) -> list[Question]:
    """Add the drafts to the deck, numbered after its last question, in one transaction."""
    with transaction.atomic():
        _lock(deck)
        count = deck.questions.count()
        if count + len(drafts) > settings.QUESTIONS_PER_DECK:
            raise DeckFull(len(drafts))
        last = deck.questions.aggregate(last=Max("number"))["last"] or 0
        added = []
        # An import adds hundreds at once: the deck and its owner's pages are refreshed once.
        with cache_versions.bumped_once_by_the_caller():
            for number, draft in enumerate(drafts, start=last + 1):
                question = Question.objects.create(
                    deck=deck,
                    number=number,
                    slug=slug_for(deck, number),
                    **_question_values(draft),
                )
                _write_details(question, draft, deck.owner)
                added.append(question)
        cache_versions.bump_for_questions(Question.objects.filter(deck=deck))
        return added


def update_question(question: Question, draft: QuestionDraft) -> Question:
    """Make the question say what the draft says. Interviews keep what they showed: each
    answer holds its own copy of the question and its key points."""
    with transaction.atomic():
        for name, value in _question_values(draft).items():
            setattr(question, name, value)
        question.save()
        question.key_points.all().delete()
        _write_details(question, draft, question.deck.owner)
    return question


def _question_values(draft: QuestionDraft) -> dict:
    return {
        "prompt": draft.prompt,
        "reference_answer": draft.reference_answer,
        "level": draft.level,
        "suggested_seconds": draft.suggested_seconds,
        "follow_ups": draft.follow_ups,
    }


def _write_details(question: Question, draft: QuestionDraft, owner) -> None:
    KeyPoint.objects.bulk_create(
        KeyPoint(question=question, order=order, text=text, cues=cues)
        for order, (text, cues) in enumerate(draft.key_points, start=1)
    )
    question.topics.set(topics_named(owner, draft.topics))


def draft_of(question: Question) -> QuestionDraft:
    """The question as a draft (to edit or copy); expects topics and key points prefetched."""
    return QuestionDraft(
        prompt=question.prompt,
        reference_answer=question.reference_answer,
        key_points=[(point.text, list(point.cues)) for point in question.key_points.all()],
        level=question.level,
        topics=[topic.name for topic in question.topics.all()],
        suggested_seconds=question.suggested_seconds,
        follow_ups=list(question.follow_ups),
    )
