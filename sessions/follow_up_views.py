"""Views of the follow-up round: the follow-up's answer, saved and submitted on the same
clock and with the same kinds of request as a question's (its recording's pieces arrive
through sessions/recordings/views.py), and its simple rating. Each step is drawn by
sessions/views.py's step renderer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from sessions import engine, follow_ups
from sessions.access import get_follow_up_for_user
from sessions.forms import AnswerForm, DraftForm, FollowUpGradeForm
from sessions.models import FinishState, InterviewStatus
from sessions.recordings import tasks as recording_tasks
from sessions.views import PLAY, _abandoned, _next_step, _render_step, _transcript


@login_required
@require_POST
def autosave_follow_up(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(request, pk, position)
    if follow_up.interview.status == InterviewStatus.ABANDONED:
        return _abandoned(request, pk)
    form = DraftForm(request.POST)
    now = timezone.now()
    status = {"saved": False}
    if not form.is_valid():
        status["problem"] = form.errors["answer"][0]
    elif engine.autosave(follow_up, form.cleaned_data["answer"], now, _transcript(request, form)):
        status.update(saved=True, saved_at=now)
    elif follow_up.is_finalised and follow_up.finish_state != FinishState.TIMED_OUT:
        status["problem"] = (
            "This follow-up was already submitted from another tab or window, so this text "
            "is not saved."
        )
    else:
        status["problem"] = "Time is up: your last saved draft was kept as your answer."
        if request.htmx:
            return HttpResponseClientRedirect(reverse("interviews:play", args=[pk]))
    if request.htmx:
        return render(request, f"{PLAY}#save-status", {"status": status})
    if "problem" in status:
        messages.warning(request, status["problem"])
    else:
        messages.success(request, "Draft saved.")
    return redirect("interviews:play", pk=pk)


@login_required
@require_POST
def submit_follow_up(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(request, pk, position)
    interview = follow_up.interview
    if interview.status == InterviewStatus.ABANDONED:
        return _abandoned(request, pk)
    now = timezone.now()
    form = AnswerForm(request.POST)
    if not follow_up.is_finalised and not form.is_valid():
        return _render_step(request, interview, follow_up, answer_form=form)
    text = form.cleaned_data["answer"] if form.is_valid() else follow_up.draft
    result = engine.submit(
        follow_up,
        text,
        now,
        ran_out=request.POST.get("ran_out") == "1",
        transcript=_transcript(request, form) if form.is_valid() else None,
    )
    # A spoken follow-up becomes one file as soon as it is final, joined by a worker.
    recording_tasks.queue_join(result.item, now)
    if request.htmx and result.item.is_finalised:
        return _render_step(request, interview, result.item)
    if request.htmx:
        return HttpResponseClientRedirect(interview.get_absolute_url())
    # The interview's page shows the follow-up's grade (or the step that is due).
    return redirect(interview)


@login_required
@require_POST
def grade_follow_up(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    follow_up = get_follow_up_for_user(request, pk, position)
    interview = follow_up.interview
    if not follow_up.is_finalised:
        return redirect(interview)
    form = FollowUpGradeForm(request.POST)
    if not form.is_valid():
        return _render_step(request, interview, follow_up, follow_up_form=form)
    follow_ups.grade_follow_up(follow_up, form.cleaned_data["rating"], timezone.now())
    return _next_step(request, interview)
