"""Home and dashboard, history, a question's own history, spaced review, practice sets."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from accounts.models import Profile, profile_for
from interviewprep import cache_versions
from progress import charts, compiled, exports, reviewers, scheduling, stats
from progress.forms import HistoryFilterForm
from progress.models import KeyPointMiss, ReviewCard
from progress.paging import page_of
from questions.models import Level, Question, suspended_by
from sessions import engine
from sessions.feedback import reviews
from sessions.grading import CALIBRATION_RULE, calibration_hint, coverage_counts
from sessions.models import (
    MAX_QUESTIONS_PER_INTERVIEW,
    InterviewSession,
    InterviewStatus,
    QuestionOrder,
    SessionQuestion,
    ShownKeyPoint,
    TimingMode,
)
from sessions.recordings import pace

PAGE_SIZE = 20
# The suggestions' agreement (sessions.feedback.suggestions.AGREEMENT) as the card keeps it.
AGREED = ("accepted", "rejected", "agreed", "decided")


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    user = request.user
    now = timezone.now()
    context = {
        "current": engine.interview_in_progress(user, now),
        "recent": InterviewSession.objects.filter(user=user)
        .exclude(status=InterviewStatus.IN_PROGRESS)
        .order_by("-started_at")[:5],
    }
    profile = _profile_with_versions(user)
    today = now.astimezone(profile.zone).date()
    key = cache_versions.cache_key(
        "dashboard",
        user.pk,
        profile.progress_version,
        profile.bank_version,
        today,
        profile.time_zone,
        profile.rest_days,
        profile.show_streaks,
        profile.interview_date,
    )
    cached = cache.get(key)
    if cached is None:
        figures = stats.figures(user, profile, today)
        if figures is None:
            cached = (None, "", "", 0, [], None)
        else:
            # The days are drawn into the HTML; the page itself does not need them again.
            # An interview completing bumps the progress version (sessions.engine).
            completed = stats.interviews_completed(user)
            # A recording joined or deleted bumps the progress version too (recording_store).
            pace_weeks = compiled.dicts(
                "pace",
                lambda user_id: pace.weekly_pace_query(user_id, profile.zone, today),
                user.pk,
                (profile.time_zone, today),
            )
            # A review sent bumps the progress version (sessions.feedback.reviews); the
            # window moves with the day in the key.
            against = reviewers.against_reviewers(user, now)
            cached = (
                dataclasses.replace(figures, days=[]),
                *_figures_html(figures),
                completed,
                pace_weeks,
                against,
            )
        cache.set(key, cached)
    figures, figures_html, mastery_html, interviews_completed, pace_weeks, against = cached
    if figures is None:
        return render(request, "home.html", context)
    due, weakest = _schedule_now(user, profile, now)
    context.update(
        figures=figures,
        figures_html=figures_html,
        mastery_html=mastery_html,
        profile=profile,
        due=due,
        weakest=weakest,
        interviews_completed=interviews_completed,
        pace_weeks=pace_weeks,
        against_reviewers=against,
        calibration_rule=CALIBRATION_RULE,
    )
    return render(request, "progress/dashboard.html", context)


def _schedule_now(user, profile: Profile, now) -> tuple[int, list[stats.WeakQuestion]]:
    """The due count and the weakest questions, cached for the minute they were worked out
    in under the progress version (every grade and review bumps it) and the bank version (an
    archived question leaves the list). Between two grades they move only with the clock: a
    question falls due at most a minute late (the review page lists it at once), and recall
    drifts by far less than the whole percent the page shows."""
    key = cache_versions.cache_key(
        "dashboard-schedule",
        user.pk,
        profile.progress_version,
        profile.bank_version,
        now.replace(second=0, microsecond=0),
    )
    schedule = cache.get(key)
    if schedule is None:
        schedule = stats.schedule_now(user, now)
        cache.set(key, schedule, timeout=60)
    return schedule


def _profile_with_versions(user) -> Profile:
    """The user's profile with the versions that key their cached dashboard, in one query."""
    profile = cache_versions.with_versions(Profile.objects.filter(user=user)).first()
    if profile is None:
        profile_for(user)
        profile = cache_versions.with_versions(Profile.objects.filter(user=user)).get()
    return profile


def _figures_html(figures: stats.Figures) -> tuple[str, str]:
    """The dashboard's charts and tables, rendered once per version and day: the calendar
    and weekly trends, and the mastery figures (the speaking pace goes between them)."""
    heatmap = charts.heatmap(figures.days, figures.today)
    weeks = charts.weekly(figures.days, figures.today)
    history_url = reverse("progress:history")
    trends = render_to_string(
        "progress/dashboard.html#figures",
        {
            "heatmap": heatmap,
            "rating_chart": charts.line_chart_svg(
                charts.rating_chart(weeks), "Average rating per week, last 12 weeks"
            ),
            "coverage_chart": charts.line_chart_svg(
                charts.coverage_chart(weeks),
                "Share of key points covered per week, last 12 weeks",
            ),
            "month_rows": charts.month_rows(heatmap),
            "week_rows": charts.week_rows(weeks),
        },
    )
    mastery = render_to_string(
        "progress/dashboard.html#mastery",
        {
            "level_bars": charts.bars_html(figures.levels, "levels", history_url),
            "topic_bars": charts.bars_html(figures.topics, "topics", history_url),
            "deck_bars": charts.bars_html(figures.decks, "decks", ""),
            "mastery_rows": charts.mastery_rows(figures.levels + figures.topics + figures.decks),
            "time_items": format_html_join(
                "",
                "<li>{}: {}% of answers ran out of time</li>",
                ((bar.label, charts.percent(bar.timed_out_share)) for bar in figures.levels),
            ),
        },
    )
    return trends, mastery


@login_required
def history(request: HttpRequest) -> HttpResponse:
    filters = HistoryFilterForm(request.GET)
    interviews = filters.filter(InterviewSession.objects.filter(user=request.user))
    page = page_of(interviews.order_by("-started_at", "-pk"), request.GET.get("page"), PAGE_SIZE)
    # Figures for this page's interviews only, aggregated by the database; the key points
    # apart, so that their join does not multiply the ratings and times.
    interview_ids = [interview.pk for interview in page]
    figures = {
        row["interview"]: row
        for row in SessionQuestion.objects.filter(interview__in=interview_ids)
        .values("interview")
        .annotate(
            graded=Count("pk", filter=Q(self_rating__isnull=False)),
            rating_sum=Sum("self_rating"),
            time_used=Sum("time_used"),
        )
        .order_by()
    }
    key_points = {
        row["item__interview"]: row
        for row in ShownKeyPoint.objects.filter(
            item__interview__in=interview_ids, item__self_rating__isnull=False
        )
        .values("item__interview")
        .annotate(**coverage_counts(""))
        .order_by()
    }
    levels_seen = set(
        SessionQuestion.objects.filter(interview__in=interview_ids)
        .values_list("interview", "level")
        .order_by()
        .distinct()
    )
    rows = []
    for interview in page:
        row = figures.get(interview.pk, {})
        points = key_points.get(interview.pk, {})
        graded = row.get("graded") or 0
        rows.append(
            {
                "interview": interview,
                "levels": [
                    label for value, label in Level.choices if (interview.pk, value) in levels_seen
                ],
                "average_rating": row["rating_sum"] / graded if graded else None,
                "covered": points.get("covered_count", 0),
                "key_points": points.get("key_point_count", 0),
                "time_used": row.get("time_used") or 0,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "progress/history.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": query.urlencode(),
        },
    )


@login_required
def question_history(request: HttpRequest, slug: str) -> HttpResponse:
    question = get_object_or_404(Question.objects.visible_to(request.user), slug=slug)
    # Newest interview first: a user has one interview in progress at a time, so this is
    # the order the answers were submitted in, and the database walks the user's interviews
    # by their index (newest first), probing each for the question, until the page is full,
    # instead of sorting every answer the user ever gave to the question.
    newest_first = ("-interview__started_at", "-interview_id")
    answered = SessionQuestion.objects.filter(
        interview__user=request.user, question=question, submitted_at__isnull=False
    ).order_by(*newest_first)
    page = page_of(answered.values_list("pk", flat=True), request.GET.get("page"), PAGE_SIZE)
    # Key points are counted for this page's answers only; each answer's recording, and the
    # follow-up asked after it with its own, come in the same query.
    answers = list(
        SessionQuestion.objects.filter(pk__in=page.object_list)
        .select_related("recording", "follow_up__recording")
        .annotate(
            **coverage_counts(),
            agreed=Count(
                "key_points",
                filter=Q(key_points__suggested=F("key_points__covered"), self_rating__isnull=False),
            ),
            decided=Count(
                "key_points",
                filter=Q(key_points__suggested__isnull=False, self_rating__isnull=False),
            ),
        )
        .order_by(*newest_first)
    )
    for answer in answers:
        answer.hint = calibration_hint(
            answer.self_rating, answer.covered_count, answer.key_point_count
        )
    reviews.attach_reviews(answers)
    card = ReviewCard.objects.filter(user=request.user, question=question).first()
    misses, agreement = [], {}
    if card:
        most_missed = KeyPointMiss.objects.filter(card=card, missed__gt=0)
        misses = most_missed.order_by("-missed", "text")[:5]
        # How often the user kept the detector's suggestions, over every graded answer: the
        # card keeps the counts per key point (progress.scheduling), so a few rows are summed.
        agreement = KeyPointMiss.objects.filter(card=card).aggregate(
            **{name: Coalesce(Sum(name), 0) for name in AGREED},
            missed=Coalesce(Sum("ticked_unsuggested"), 0),
        )
    return render(
        request,
        "progress/question_history.html",
        {
            "question": question,
            "page": page,
            "answers": answers,
            "card": card,
            "misses": misses,
            "agreement": agreement,
        },
    )


@login_required
def review_due(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    cards = list(scheduling.due_cards(request.user, now))
    upcoming = (
        ReviewCard.objects.filter(user=request.user, due__gt=now, question__is_active=True)
        .exclude(question__in=suspended_by(request.user))
        .select_related("question")
        .order_by("due")[:10]
    )
    context = {
        "cards": cards,
        # One interview holds at most this many; the most overdue come first.
        "to_practise": cards[:MAX_QUESTIONS_PER_INTERVIEW],
        "upcoming": upcoming,
        "now": now,
    }
    return render(request, "progress/review.html", context)


@login_required
@require_POST
def practise(request: HttpRequest) -> HttpResponse:
    """Start an interview of exactly the questions sent (weakest, most missed or due)."""
    ids = [
        int(value)
        for value in request.POST.getlist("question")
        # isdigit() alone also passes "²", which int() refuses.
        if value.isascii() and value.isdigit() and len(value) <= 9
    ][:MAX_QUESTIONS_PER_INTERVIEW]
    questions = list(Question.objects.active().visible_to(request.user).filter(pk__in=ids))
    questions.sort(key=lambda question: ids.index(question.pk))
    if not questions:
        messages.warning(request, "None of those questions can be practised any more.")
        return redirect("home")
    config = engine.InterviewConfig(
        levels=[],
        topics=[],
        question_count=len(questions),
        timing_mode=TimingMode.SUGGESTED,
        order=QuestionOrder.WEAKEST_FIRST,
    )
    try:
        interview = engine.start_interview(request.user, config, timezone.now(), questions)
    except engine.InterviewInProgress as refusal:
        messages.warning(request, str(refusal))
        return redirect("interviews:new")
    return redirect(interview)


@login_required
def export_data(request: HttpRequest) -> HttpResponse:
    text = exports.user_data_json(request.user)
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="interviewprep-data.json"'
    return response


@login_required
def export_review_log(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        exports.review_log_csv(request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="interviewprep-review-log.csv"'
    return response
