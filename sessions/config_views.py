"""Configuring a mock interview: the form, and starting the interview it describes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from interviewprep import cache_versions, fragments
from sessions import engine
from sessions.forms import InterviewConfigForm
from sessions.models import InterviewSession, InterviewStatus

CONFIG_FORM = "sessions/new.html#config_form"


@login_required
@require_http_methods(["GET", "POST"])
def new_interview(request: HttpRequest) -> HttpResponse:
    # Most visitors have no interview in progress: a plain look first, then the engine's
    # own check (which finalises a question that ran out) only for those who do.
    mine = InterviewSession.objects.filter(user=request.user, status=InterviewStatus.IN_PROGRESS)
    current = engine.interview_in_progress(request.user, timezone.now()) if mine.exists() else None
    if current is not None and request.method == "GET":
        return render(request, "sessions/new.html", {"current": current})
    if request.method == "GET":
        return render(request, "sessions/new.html", {"config_form": _blank_form_html(request)})
    form = InterviewConfigForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            interview = engine.start_interview(request.user, form.config(), timezone.now())
        except engine.InterviewInProgress as refusal:
            messages.warning(request, str(refusal))
        else:
            return redirect(interview)
    html = fragments.with_csrf(request, fragments.render(CONFIG_FORM, {"form": form}))
    return render(request, "sessions/new.html", {"config_form": html, "current": current})


def _blank_form_html(request: HttpRequest) -> str:
    """The form as it first shows, from the cache, under the versions of what it lists: the
    user's decks and tags (their progress version) and the bank's topics."""
    versions = cache_versions.versions_for(request.user.pk)
    key = cache_versions.cache_key("new-interview", request.user.pk, versions)
    html = cache.get(key)
    if html is None:
        form = InterviewConfigForm(user=request.user)
        html = fragments.render(CONFIG_FORM, {"form": form})
        cache.set(key, html)
    return fragments.with_csrf(request, html)
