"""Home and dashboard, history, a question's own history, spaced review, practice sets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import profile_for
from progress import charts, scheduling, stats
from progress.calibration import calibration_hint
from progress.forms import HistoryFilterForm
from progress.models import KeyPointMiss, ReviewCard, ReviewLogEntry
from progress.paging import page_of
from questions.models import Level, Question
from sessions import engine
from sessions.models import (
    InterviewSession,
    InterviewStatus,
    QuestionOrder,
    SessionQuestion,
    ShownKeyPoint,
    TimingMode,
)

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "landing.html")
    now = timezone.now()
    context = {
        "current": engine.interview_in_progress(request.user, now),
        "recent": InterviewSession.objects.filter(user=request.user)
        .exclude(status=InterviewStatus.IN_PROGRESS)
        .order_by("-started_at")[:5],
    }
    if not ReviewLogEntry.objects.filter(user=request.user).exists():
        return render(request, "home.html", context)
    profile = profile_for(request.user)
    board = stats.dashboard(request.user, profile, now)
    weeks = charts.weekly(board.days, board.today)
    context.update(
        board=board,
        profile=profile,
        heatmap=charts.heatmap(board.days, board.today),
        weeks=weeks,
        rating_chart=charts.rating_chart(weeks),
        coverage_chart=charts.coverage_chart(weeks),
    )
    return render(request, "progress/dashboard.html", context)


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
        .annotate(covered=Count("pk", filter=Q(covered=True)), total=Count("pk"))
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
                "covered": points.get("covered", 0),
                "key_points": points.get("total", 0),
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
    question = get_object_or_404(Question, slug=slug)
    answered = SessionQuestion.objects.filter(
        interview__user=request.user, question=question, submitted_at__isnull=False
    ).order_by("-submitted_at", "-pk")
    page = page_of(answered.values_list("pk", flat=True), request.GET.get("page"), PAGE_SIZE)
    # Key points are counted for this page's answers only.
    answers = list(
        SessionQuestion.objects.filter(pk__in=page.object_list)
        .annotate(
            covered_count=Count("key_points", filter=Q(key_points__covered=True)),
            key_point_count=Count("key_points"),
        )
        .order_by("-submitted_at", "-pk")
    )
    for answer in answers:
        answer.hint = calibration_hint(
            answer.self_rating, answer.covered_count, answer.key_point_count
        )
    card = ReviewCard.objects.filter(user=request.user, question=question).first()
    misses = (
        KeyPointMiss.objects.filter(card=card, missed__gt=0).order_by("-missed", "text")[:5]
        if card
        else []
    )
    return render(
        request,
        "progress/question_history.html",
        {"question": question, "page": page, "answers": answers, "card": card, "misses": misses},
    )


@login_required
def review_due(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    cards = list(scheduling.due_cards(request.user, now))
    upcoming = (
        ReviewCard.objects.filter(user=request.user, due__gt=now, question__is_active=True)
        .select_related("question")
        .order_by("due")[:10]
    )
    return render(
        request, "progress/review.html", {"cards": cards, "upcoming": upcoming, "now": now}
    )


@login_required
@require_POST
def practise(request: HttpRequest) -> HttpResponse:
    """Start an interview of exactly the questions sent (weakest, most missed or due)."""
    ids = [
        int(value)
        for value in request.POST.getlist("question")
        # isdigit() alone also passes "²", which int() refuses.
        if value.isascii() and value.isdigit() and len(value) <= 9
    ][:30]
    questions = list(Question.objects.active().filter(pk__in=ids).prefetch_related("key_points"))
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
    except engine.InterviewInProgress:
        messages.warning(
            request, "You already have an interview in progress: resume it or abandon it first."
        )
        return redirect("interviews:new")
    return redirect(interview)
