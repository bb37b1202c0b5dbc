"""The question bank: decks, topics, questions and the key points an answer is graded against."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"
    BONUS = "bonus", "Bonus"


MIN_SECONDS = 30
MAX_SECONDS = 3600
MAX_FOLLOW_UPS = 3
MAX_FOLLOW_UP_LENGTH = 300
# Each question has this many key points; each is at most this long, wherever it is copied.
MIN_KEY_POINTS = 3
MAX_KEY_POINTS = 7
MAX_KEY_POINT_CHARS = 300
MAX_PROMPT_CHARS = 1_000
MAX_REFERENCE_ANSWER_CHARS = 200_000


def validate_follow_ups(value) -> None:
    """Follow-up questions: a list of at most MAX_FOLLOW_UPS non-empty texts."""
    if not isinstance(value, list) or not all(isinstance(text, str) for text in value):
        raise ValidationError("Follow-up questions must be a list of texts.")
    if len(value) > MAX_FOLLOW_UPS:
        raise ValidationError(
            f"At most {MAX_FOLLOW_UPS} follow-up questions; there are {len(value)}."
        )
    for position, text in enumerate(value, start=1):
        if not text.strip():
            raise ValidationError(f"Follow-up question {position} has no text.")
        if len(text) > MAX_FOLLOW_UP_LENGTH:
            raise ValidationError(
                f"Follow-up question {position} is longer than {MAX_FOLLOW_UP_LENGTH} characters."
            )


class TopicQuerySet(models.QuerySet):
    def builtin(self) -> "TopicQuerySet":
        return self.filter(owner__isnull=True)

    def visible_to(self, user) -> "TopicQuerySet":
        return self.filter(Q(owner__isnull=True) | Q(owner=user.pk))


class Topic(models.Model):
    """A topic of the bank (no owner), or a tag a user gave their own questions."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="topics",
        help_text="Empty for the bank's topics; a user's own tags are theirs alone.",
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(owner__isnull=True), name="bank_topic_slug_unique"
            ),
            models.UniqueConstraint(
                fields=["name"], condition=Q(owner__isnull=True), name="bank_topic_name_unique"
            ),
            models.UniqueConstraint(
                fields=["owner", "slug"], name="own_topic_slug_unique_for_its_owner"
            ),
            models.UniqueConstraint(
                fields=["owner", "name"], name="own_topic_name_unique_for_its_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.name


BUILTIN_DECK_NAME = "Deep learning interview questions"
MAX_DECK_NAME_CHARS = 120
MAX_DECK_DESCRIPTION_CHARS = 500


class DeckQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DeckQuerySet":
        """The built-in deck and the user's own: no one else's deck exists for them."""
        return self.filter(Q(is_builtin=True) | Q(owner=user.pk))

    def owned_by(self, user) -> "DeckQuerySet":
        return self.filter(owner=user.pk)


class Deck(models.Model):
    """A set of questions: the site's built-in deck (edited in admin), or a user's own."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="decks",
        help_text="Empty for the built-in deck, which belongs to the site.",
    )
    is_builtin = models.BooleanField(default=False, editable=False)
    name = models.CharField(max_length=MAX_DECK_NAME_CHARS)
    description = models.CharField(max_length=MAX_DECK_DESCRIPTION_CHARS, blank=True)
    # The secret of the deck's share link while it is shared (secrets.token_urlsafe(32): 256
    # random bits); empty when it is not.
    share_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Counts the changes to what the deck's page lists (its questions, their key points and
    # topics); the page's cached content is keyed by it (interviewprep/cache_versions.py).
    version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = DeckQuerySet.as_manager()

    class Meta:
        ordering = ["-is_builtin", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_builtin"],
                condition=Q(is_builtin=True),
                name="only_one_builtin_deck",
            ),
            models.CheckConstraint(
                condition=Q(is_builtin=True, owner__isnull=True)
                | Q(is_builtin=False, owner__isnull=False),
                name="deck_is_builtin_exactly_when_it_has_no_owner",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="deck_name_not_empty"),
            models.CheckConstraint(
                condition=Q(share_token__isnull=True) | Q(is_builtin=False),
                name="only_own_decks_are_shared_by_link",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("decks:detail", args=[self.pk])

    @classmethod
    def builtin(cls) -> "Deck":
        deck, _ = cls.objects.get_or_create(is_builtin=True, defaults={"name": BUILTIN_DECK_NAME})
        return deck


def builtin_deck_pk() -> int:
    """A question made without a deck (in admin, by the bank's loaders) is the bank's. The
    id alone is read, so that migrations that call this on an older table still can."""
    pk = Deck.objects.filter(is_builtin=True).values_list("pk", flat=True).first()
    return pk if pk is not None else Deck.builtin().pk


class QuestionQuerySet(models.QuerySet):
    def active(self) -> "QuestionQuerySet":
        return self.filter(is_active=True)

    def builtin(self) -> "QuestionQuerySet":
        return self.filter(deck__is_builtin=True)

    def visible_to(self, user) -> "QuestionQuerySet":
        """The built-in deck's questions and those of the user's own decks; another user's
        question is to them what a missing one is."""
        return self.filter(Q(deck__is_builtin=True) | Q(deck__owner=user.pk))


class Question(models.Model):
    deck = models.ForeignKey(
        Deck, on_delete=models.CASCADE, related_name="questions", default=builtin_deck_pk
    )
    # Numbered within its deck; the slug names the question in URLs across every deck.
    number = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=80, unique=True)
    level = models.CharField(max_length=12, choices=Level.choices)
    topics = models.ManyToManyField(Topic, related_name="questions")
    prompt = models.TextField(validators=[MaxLengthValidator(MAX_PROMPT_CHARS)])
    reference_answer = models.TextField(
        help_text="Markdown.", validators=[MaxLengthValidator(MAX_REFERENCE_ANSWER_CHARS)]
    )
    suggested_seconds = models.PositiveIntegerField(
        default=120,
        help_text=f"Suggested answering time, {MIN_SECONDS}–{MAX_SECONDS} seconds.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Archived questions are never drawn for new interviews but stay in every history.",
    )
    follow_ups = models.JSONField(
        "follow-up questions",
        default=list,
        blank=True,
        validators=[validate_follow_ups],
        help_text="What an interviewer might ask next, shown after the reference answer.",
    )
    # Checksum of the fixture record last applied by seed_questions: when the
    # question no longer matches it, an admin has edited it and seeding leaves it alone.
    seed_checksum = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["deck_id", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=Level.values), name="question_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(suggested_seconds__gte=MIN_SECONDS, suggested_seconds__lte=MAX_SECONDS),
                name="question_suggested_seconds_range",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="question_number_positive"),
            models.UniqueConstraint(
                fields=["deck", "number"], name="question_number_unique_in_its_deck"
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.number}. {self.prompt}"

    def get_absolute_url(self) -> str:
        return reverse("questions:detail", args=[self.slug])


MAX_CUES = 8
MAX_CUE_CHARS = 500


def cue_problem(cues) -> str | None:
    """What is wrong with a key point's cue phrases, or None: a list of up to MAX_CUES
    non-empty texts, each up to MAX_CUE_CHARS characters."""
    if not isinstance(cues, list):
        return "must be a list of texts"
    if len(cues) > MAX_CUES:
        return f"has {len(cues)} cues; at most {MAX_CUES}"
    for position, cue in enumerate(cues, start=1):
        if not isinstance(cue, str) or not cue.strip() or not cue.replace("|", "").strip():
            return f"cue {position} is empty or not text"
        if len(cue) > MAX_CUE_CHARS:
            return f"cue {position} is longer than {MAX_CUE_CHARS} characters"
        if any(not part.strip() for part in cue.split("|")):
            return f"cue {position} has an empty alternative between '|'"
    return None


def validate_cues(cues) -> None:
    problem = cue_problem(cues)
    if problem:
        raise ValidationError(f"{problem[0].upper()}{problem[1:]}.")


class KeyPoint(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="key_points")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=MAX_KEY_POINT_CHARS)
    # What the detector looks for in an answer: each cue is one idea the answer must make,
    # written as alternative phrases separated by "|"; "word*" matches any ending.
    cues = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_cues],
        help_text=(
            "One idea per line that an answer must make to cover this point, as alternative "
            "phrases separated by | (a trailing * matches any ending: saturat*). Empty: the "
            "point's own words are used."
        ),
    )

    class Meta:
        ordering = ["question", "order"]
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="keypoint_order_unique"),
            models.CheckConstraint(condition=~Q(text=""), name="keypoint_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text


# A question's common misconceptions: what interviewers hear, why it is wrong, the
# correction, and the key point it contradicts.
MAX_MISCONCEPTIONS = 6
MAX_CLAIM_CHARS = 300
MAX_EXPLANATION_CHARS = 800


class Misconception(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="misconceptions")
    order = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(
        max_length=MAX_CLAIM_CHARS, help_text="The wrong claim, as a candidate would say it."
    )
    why_wrong = models.TextField("why it is wrong", max_length=MAX_EXPLANATION_CHARS)
    correction = models.TextField(max_length=MAX_EXPLANATION_CHARS)
    contradicts = models.PositiveSmallIntegerField(
        help_text="The key point it contradicts, by its place (1 for the first)."
    )
    # What the detector looks for to say an answer states the claim; as a key point's cues.
    cues = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_cues],
        help_text=(
            "One idea per line that a sentence must make to state this claim, as alternative "
            "phrases separated by | (a trailing * matches any ending). Empty: never detected."
        ),
    )

    class Meta:
        ordering = ["question", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "order"], name="misconception_order_unique"
            ),
            models.CheckConstraint(condition=~Q(claim=""), name="misconception_claim_not_empty"),
            models.CheckConstraint(
                condition=Q(contradicts__gte=1, contradicts__lte=MAX_KEY_POINTS),
                name="misconception_contradicts_a_key_point",
            ),
        ]

    def __str__(self) -> str:
        return self.claim


class QuestionMark(models.Model):
    """What one user marked on one question: flagged (to find again, to practise), and
    suspended (left out of their reviews and of weakest-first until unsuspended)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_marks"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="marks")
    flagged = models.BooleanField(default=False)
    suspended = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"], name="one_mark_per_user_and_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on question {self.question_id}"


def suspended_by(user) -> models.QuerySet:
    """The ids of the questions the user has suspended, as a subquery."""
    return QuestionMark.objects.filter(user=user, suspended=True).values("question_id")
