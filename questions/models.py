"""The question bank: topics, questions and the key points an answer is graded against."""

from django.core.exceptions import ValidationError
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


class Topic(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionQuerySet(models.QuerySet):
    def active(self) -> "QuestionQuerySet":
        return self.filter(is_active=True)


class Question(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    level = models.CharField(max_length=12, choices=Level.choices)
    topics = models.ManyToManyField(Topic, related_name="questions")
    prompt = models.TextField()
    reference_answer = models.TextField(help_text="Markdown.")
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
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=Level.values), name="question_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(suggested_seconds__gte=MIN_SECONDS, suggested_seconds__lte=MAX_SECONDS),
                name="question_suggested_seconds_range",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="question_number_positive"),
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
