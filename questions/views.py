"""The question bank as users browse it: a filterable list and one page per question."""

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.vary import vary_on_headers

from interviewprep import cache_versions
from questions.forms import QuestionFilterForm, chosen_filters
from questions.models import Question, Topic
from sessions.models import SessionQuestion


@login_required
@vary_on_headers("HX-Request")
def question_list(request: HttpRequest) -> HttpResponse:
    """The bank is the same for everyone: its rendered list is cached per bank version and
    filters, so a change to any question, key point or topic shows at once. Only filters that
    exist are cached, once whatever else the address says, so that no query string can fill
    the cache with copies."""
    partial = "results" if request.htmx else "bank"
    version = cache_versions.bank_version()
    topic_slugs = cache.get_or_set(
        cache_versions.cache_key("bank-topic-slugs", version),
        lambda: sorted(Topic.objects.values_list("slug", flat=True)),
    )
    filters = chosen_filters(request.GET, topic_slugs)
    key = cache_versions.cache_key("bank", version, partial, filters)
    html = cache.get(key) if filters is not None else None
    if html is None:
        form = QuestionFilterForm(request.GET or None)
        questions = form.filter(Question.objects.active()).prefetch_related(
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
        Question.objects.prefetch_related("topics", "key_points", "misconceptions"),
        slug=slug,
        is_active=True,
    )
    answered = SessionQuestion.objects.filter(
        interview__user=request.user, question=question, submitted_at__isnull=False
    ).exists()
    reveal = answered or request.GET.get("reveal") == "1"
    template = "questions/question_detail.html"
    if request.htmx and reveal:
        template += "#answer"
    return render(
        request,
        template,
        {"question": question, "answered": answered, "reveal": reveal},
    )
