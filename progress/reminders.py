"""Reminder emails that bring the candidate back: a daily digest when questions are due, and
emails 7 days and 1 day before the interview. The rule of which are due is one pure function;
the pass (run by the schedule every quarter of an hour, or `manage.py send_reminders`)
claims each email with a ReminderSent row before queueing it, so none goes twice."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from accounts import unsubscribe
from accounts.models import Profile
from accounts.tasks import send_email
from progress import stats
from progress.models import ReminderKind, ReminderSent, ReviewCard

logger = logging.getLogger(__name__)

START_REVIEW_SALT = "progress.start-review"
START_REVIEW_DAYS = 7
INTERVIEW_NOTICE_DAYS = {7: ReminderKind.INTERVIEW_IN_7_DAYS, 1: ReminderKind.INTERVIEW_TOMORROW}


@dataclass(frozen=True)
class ReminderSettings:
    zone: ZoneInfo
    remind_due: bool
    hour: int
    remind_interview: bool
    interview_date: date | None


def reminders_due(chosen: ReminderSettings, now: datetime) -> tuple[date, list[str]]:
    """The user's day at `now`, and the kinds of reminder due on it once their chosen hour has
    come: the digest (sent only if something is due: a day with nothing due is a rest day),
    and the interview notices 7 days and 1 day before the interview date."""
    local = now.astimezone(chosen.zone)
    today = local.date()
    if local.hour < chosen.hour:
        return today, []
    kinds = []
    if chosen.remind_due:
        kinds.append(ReminderKind.DUE)
    if chosen.remind_interview and chosen.interview_date is not None:
        notice = INTERVIEW_NOTICE_DAYS.get((chosen.interview_date - today).days)
        if notice:
            kinds.append(notice)
    return today, kinds


def start_review_token(user_id: int) -> str:
    return signing.dumps(user_id, salt=START_REVIEW_SALT)


def read_start_review_token(token: str) -> int:
    """The user the link was sent to; signing.BadSignature (or SignatureExpired) otherwise."""
    return int(
        signing.loads(token, salt=START_REVIEW_SALT, max_age=timedelta(days=START_REVIEW_DAYS))
    )


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class Email:
    subject: str
    body: str
    html: str
    headers: dict[str, str]


def _email(profile: Profile, kind: str, now: datetime) -> Email | None:
    """The email of this kind for the user at `now`; None when there is nothing to say."""
    user = profile.user
    list_name = "due" if kind == ReminderKind.DUE else "interview"
    unsubscribe_url = _absolute(
        reverse("unsubscribe", args=[unsubscribe.token_for(user.pk, list_name)])
    )
    context = {
        "user": user,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": _absolute(reverse("settings")),
        "start_review_url": _absolute(
            reverse("progress:start_review", args=[start_review_token(user.pk)])
        ),
    }
    if kind == ReminderKind.DUE:
        due, weakest = stats.schedule_now(user, now)
        if not due:
            return None
        context.update(due=due, weakest=weakest)
        subject = f"{due} question{'s' if due != 1 else ''} due for review today"
        template = "progress/email/due"
    else:
        cards = list(
            ReviewCard.objects.filter(user=user)
            .select_related("question")
            .prefetch_related("question__topics")
        )
        moment = datetime.combine(profile.interview_date, time(9), tzinfo=profile.zone)
        days_left = 7 if kind == ReminderKind.INTERVIEW_IN_7_DAYS else 1
        context.update(
            forecast=stats.forecast(cards, moment),
            interview_date=profile.interview_date,
            days_left=days_left,
        )
        subject = "Your interview is tomorrow" if days_left == 1 else "Your interview is in a week"
        template = "progress/email/interview"
    return Email(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        html=render_to_string(f"{template}.html", context),
        headers={
            # RFC 2369 and RFC 8058: mail providers offer a one-click unsubscribe that POSTs
            # "List-Unsubscribe=One-Click" to this address.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def send_reminders(now: datetime) -> int:
    """One reminder pass: queue each reminder that is due and not yet sent; how many."""
    profiles = (
        Profile.objects.filter(
            Q(remind_due=True) | Q(remind_interview_day=True, interview_date__isnull=False),
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
    )
    # Every user's day is within a day of UTC's: what was sent from yesterday on covers them.
    already = set(
        ReminderSent.objects.filter(day__gte=now.date() - timedelta(days=1)).values_list(
            "user_id", "kind", "day"
        )
    )
    queued = 0
    for profile in profiles.iterator(chunk_size=200):
        chosen = ReminderSettings(
            profile.zone,
            profile.remind_due,
            profile.remind_at_hour,
            profile.remind_interview_day,
            profile.interview_date,
        )
        today, kinds = reminders_due(chosen, now)
        for kind in kinds:
            if (profile.user_id, kind, today) in already:
                continue
            email = _email(profile, kind, now)
            if email is not None and _claim_and_queue(profile, kind, today, email, now):
                queued += 1
    return queued


def _claim_and_queue(profile: Profile, kind: str, day: date, email: Email, now: datetime) -> bool:
    try:
        # The claim and the queued email commit together: both, or neither.
        with transaction.atomic():
            ReminderSent.objects.create(user_id=profile.user_id, kind=kind, day=day, queued_at=now)
            send_email.enqueue(
                email.subject,
                email.body,
                [profile.user.email],
                html=email.html,
                headers=email.headers,
            )
    except IntegrityError:
        return False  # another pass claimed it first
    logger.info("Queued the %s reminder of user %s for %s.", kind, profile.user_id, day)
    return True
