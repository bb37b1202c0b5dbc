"""The choices and limits of an interview's rows: its status, timing and order, how an
answer met its clock and what it may hold, the ratings. Shared by sessions/models.py and
the follow-ups' row (sessions/follow_ups.py)."""

from django.db import models

MAX_ANSWER_CHARS = 20_000
# Drafts may run past the answer limit so that nothing typed is lost; this only stops abuse.
MAX_DRAFT_CHARS = 100_000
# Counted as the browser's maxlength counts, a line break being one character.
MAX_NOTE_CHARS = 5_000


class FinishState(models.TextChoices):
    ON_TIME = "on_time", "On time"
    LATE = "late", "Late"
    TIMED_OUT = "timed_out", "Ran out of time"
    UNTIMED = "untimed", "Untimed"


MAX_QUESTIONS_PER_INTERVIEW = 30


class InterviewStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"


class TimingMode(models.TextChoices):
    SUGGESTED = "suggested", "Each question's suggested time"
    FIXED = "fixed", "A fixed time per question"
    UNTIMED = "untimed", "Untimed practice"


class QuestionOrder(models.TextChoices):
    RANDOM = "random", "Random"
    WEAKEST_FIRST = "weakest", "Weakest first"


class Rating(models.IntegerChoices):
    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"
