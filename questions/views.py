"""The question bank as users browse it: a filterable, searchable list, one page per question
(of the bank or of the user's own decks), and the user's flags and suspensions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from interviewprep import cache_versions
from questions import marks
from questions.forms import QuestionFilterForm, chosen_filters
from questions.models import Question, Topic
from sessions.models import MAX_QUESTIONS_PER_INTERVIEW, SessionQuestion


@login_required
@vary_on_headers("HX-Request")
def question_list(request: HttpRequest) -> HttpResponse:
    """The bank is the same for everyone: its rendered list is cached per bank version and
    filters, so a change to any question, key point or topic shows at once. Only filters that
    exist are cached, once whatever else the address says, so that no query string can fill
    the cache with copies; nor are searches."""
    partial = "results" if request.htmx else "bank"
    version = cache_versions.bank_version()
    topic_slugs = cache.get_or_set(
        cache_versions.cache_key("bank-topic-slugs", version),
        lambda: sorted(Topic.objects.builtin().values_list("slug", flat=True)),
    )
    # A search is not cached: its words are whatever anyone types.
    filters = None if request.GET.get("q") else chosen_filters(request.GET, topic_slugs)
    key = cache_versions.cache_key("bank", version, partial, filters)
    html = cache.get(key) if filters is not None else None
    if html is None:
        form = QuestionFilterForm(request.GET or None)
        questions = form.filter(Question.objects.active().builtin()).prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name"))
        )
        html = render_to_string(
            f"questions/question_list.html#{partial}", {"form": form, "questions": questions}
        )
        if filters is not None:
            cache.set(key, html)
    if request.htmx:
        return HttpResponse(html)
    return render(request, "questions/question_list.html", {"bank": html})


@login_required
@vary_on_headers("HX-Request")
def question_detail(request: HttpRequest, slug: str) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.visible_to(request.user).prefetch_related(
            "topics", "key_points", "misconceptions"
        ),
        slug=slug,
        is_active=True,
    )
    answered = SessionQuestion.objects.filter(
        interview__user=request.user, question=question, submitted_at__isnull=False
    ).exists()
    reveal = answered or request.GET.get("reveal") == "1"
    mark = marks.mark_of(request.user, question)
    template = "questions/question_detail.html"
    if request.htmx and reveal:
        template += "#answer"
    return render(
        request,
        template,
        {"question": question, "answered": answered, "reveal": reveal, "mark": mark},
    )


def _get_question_for_user(request: HttpRequest, slug: str) -> Question:
    return get_object_or_404(Question.objects.visible_to(request.user), slug=slug)


@login_required
@require_POST
def question_flag(request: HttpRequest, slug: str) -> HttpResponse:
    question = _get_question_for_user(request, slug)
    flag = request.POST.get("flagged") == "1"
    marks.set_mark(request.user, question, flagged=flag)
    messages.success(request, "Flagged." if flag else "No longer flagged.")
    return redirect(question)


@login_required
@require_POST
def question_suspend(request: HttpRequest, slug: str) -> HttpResponse:
    question = _get_question_for_user(request, slug)
    suspend = request.POST.get("suspended") == "1"
    marks.set_mark(request.user, question, suspended=suspend)
    messages.success(
        request,
        "Suspended: it leaves your reviews and weakest-first interviews."
        if suspend
        else "Unsuspended: it is back in your reviews.",
    )
    return redirect(question)


@login_required
def flagged_list(request: HttpRequest) -> HttpResponse:
    questions = list(marks.flagged(request.user)[: MAX_QUESTIONS_PER_INTERVIEW * 10])
    return render(
        request,
        "questions/flagged.html",
        {"questions": questions, "to_practise": questions[:MAX_QUESTIONS_PER_INTERVIEW]},
    )
