"""Views that bring the candidate back from outside the site: the reminder email's link to
start a review, and the private calendar feed with the page that creates and revokes it."""

import re
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Profile, profile_for
from progress import calendar, reminders
from progress.models import ReviewCard

# How far ahead the calendar feed lists the days with reviews due.
FEED_DAYS = 30
CALENDAR_TOKEN_BYTES = 32
CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32)


@require_GET
def start_review(request: HttpRequest, token: str) -> HttpResponse:
    """The reminder's "Start a review interview" link: it leads a user already logged in as
    its addressee to their due questions; it never logs anyone in."""
    try:
        user_id = reminders.read_start_review_token(token)
    except signing.SignatureExpired:
        return _link_problem(request, "expired", 400)
    except (signing.BadSignature, ValueError):
        return _link_problem(request, "bad", 400)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != user_id:
        return _link_problem(request, "other-account", 403)
    return redirect("progress:review")


def _link_problem(request: HttpRequest, problem: str, status: int) -> HttpResponse:
    return render(request, "progress/link_problem.html", {"problem": problem}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """The user's private calendar address: created, replaced (the old one stops working) or
    turned off."""
    profile = profile_for(request.user)
    if request.method == "POST":
        if request.POST.get("action") == "off":
            profile.calendar_token = ""
            messages.success(request, "The calendar link is turned off; it no longer works.")
        else:
            profile.calendar_token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
            messages.success(request, "Your calendar link is ready. Keep it private.")
        profile.save(update_fields=["calendar_token"])
        return redirect("progress:calendar")
    feed_url = (
        request.build_absolute_uri(reverse("progress:calendar_feed", args=[profile.calendar_token]))
        if profile.calendar_token
        else ""
    )
    return render(request, "progress/calendar.html", {"feed_url": feed_url})


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed a calendar app fetches with the private address: no log-in, so the
    token is the credential; a wrong or revoked one gets a page saying so."""
    # Only what token_urlsafe makes reaches the database (a NUL byte would be a 500 there).
    profile = (
        Profile.objects.filter(calendar_token=token).select_related("user").first()
        if CALENDAR_TOKEN.fullmatch(token)
        else None
    )
    if profile is None:
        return _link_problem(request, "calendar", 404)
    now = timezone.now()
    today = now.astimezone(profile.zone).date()
    events = _due_events(profile, today, now)
    if profile.interview_date and profile.interview_date >= today:
        events.append(
            calendar.CalendarEvent(
                uid=f"interview-{profile.user_id}@interviewprep",
                day=profile.interview_date,
                summary="Your interview",
                description="The date of your real interview, as set in InterviewPrep.",
            )
        )
    response = HttpResponse(
        calendar.ical(events, now, "InterviewPrep reviews"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="interviewprep.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def _due_events(profile: Profile, today: date, now: datetime) -> list[calendar.CalendarEvent]:
    """One event per day with reviews falling due in the next FEED_DAYS days (in the user's
    time zone), counted in SQL; what is overdue already is due today."""
    end = now + timedelta(days=FEED_DAYS)
    rows = (
        ReviewCard.objects.filter(user_id=profile.user_id, question__is_active=True, due__lt=end)
        .annotate(day=TruncDate("due", tzinfo=profile.zone))
        .values("day")
        .annotate(count=Count("id"))
        .order_by()
    )
    per_day: dict[date, int] = {}
    for row in rows:
        day = max(row["day"], today)
        per_day[day] = per_day.get(day, 0) + row["count"]
    review_url = f"{settings.SITE_URL}{reverse('progress:review')}"
    return [
        calendar.CalendarEvent(
            uid=f"due-{profile.user_id}-{day:%Y%m%d}@interviewprep",
            day=day,
            summary=f"Review {count} question{'s' if count != 1 else ''}",
            description="Questions due for review in InterviewPrep.",
            url=review_url,
        )
        for day, count in sorted(per_day.items())
    ]
