"""Each user's preferences: time zone, streak settings, the date of their real interview, the
speech features, the reminder emails and the private calendar feed."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone we know, such as Europe/London.")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Days, streaks and the activity calendar follow this time zone.",
    )
    rest_days = models.BooleanField(
        "rest days",
        default=False,
        help_text="A day with nothing due for review does not break your streak.",
    )
    show_streaks = models.BooleanField("show streaks", default=True)
    interview_date = models.DateField(
        "date of your real interview",
        null=True,
        blank=True,
        help_text="The dashboard then predicts your recall per topic on that day.",
    )
    transcribe_speech = models.BooleanField(
        "transcribe my speech",
        default=False,
        help_text=(
            "While you record, your browser's speech recognition types what you say into the "
            "answer box. On your device where the browser offers it; otherwise some browsers "
            "(Chrome among them) send the audio to their maker to recognise it."
        ),
    )
    read_questions_aloud = models.BooleanField(
        "read each question aloud",
        default=False,
        help_text="Your browser reads each question out when it appears, as an interviewer would.",
    )

    remind_due = models.BooleanField(
        "email me when questions are due",
        default=False,
        help_text=(
            "At most one email a day, at the hour below in your time zone, and only on days "
            "when something is due: how many, your weakest questions and a link to start."
        ),
    )
    remind_at_hour = models.PositiveSmallIntegerField(
        "at this hour",
        default=8,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
    )
    remind_interview_day = models.BooleanField(
        "email me before my interview",
        default=False,
        help_text="7 days and 1 day before the date of your real interview, with your "
        "predicted recall per topic on the day.",
    )
    # The secret of the private calendar feed's address; empty while there is none.
    calendar_token = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remind_at_hour__lte=23),
                name="profile_remind_at_an_hour_of_the_day",
            ),
            models.UniqueConstraint(
                fields=["calendar_token"],
                condition=~models.Q(calendar_token=""),
                name="profile_calendar_token_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


def profile_for(user) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


# The session key under which the user's time zone travels (read by UserTimeZoneMiddleware).
TIME_ZONE_SESSION_KEY = "time_zone"


def remember_time_zone(sender, request, user, **kwargs) -> None:
    """At log-in, keep the user's time zone in the session for UserTimeZoneMiddleware."""
    if request is not None and hasattr(request, "session"):
        request.session[TIME_ZONE_SESSION_KEY] = profile_for(user).time_zone


class AttemptCounter(models.Model):
    """How many attempts of one kind (failed log-ins, sign-ups...) one client made in the
    current window of its rate limit, when the counters are kept in the database (see
    accounts/throttling.py). One row per kind and client, counted by an atomic upsert."""

    kind = models.CharField(max_length=40)
    # The client address, or the hash of an email address.
    who = models.CharField(max_length=64)
    window_number = models.BigIntegerField()
    attempts = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "who"], name="one_attempt_counter_per_kind_and_client"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.who}: {self.attempts}"
