"""What an answer may hold and how it met its clock: shared by a question's row
(sessions.models.SessionQuestion) and a follow-up's (sessions.follow_ups.FollowUpAnswer)."""

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
