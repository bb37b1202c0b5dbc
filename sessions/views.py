"""Views of the mock interview: home, configuring, answering, grading, the summary.

Each step is one page of sessions/play.html; htmx requests get only the part that changes,
and every form also works as a plain POST-redirect-GET without JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import Profile
from sessions import engine, grading, scores
from sessions.access import get_interview_for_user, get_item_for_user
from sessions.feedback import reviews, suggestions
from sessions.forms import AnswerForm, DraftForm, FollowUpGradeForm, GradeForm
from sessions.grading import calibration_hint
from sessions.models import (
    MAX_ANSWER_CHARS,
    RECORDING_TIMESLICE_MS,
    FinishState,
    FollowUpAnswer,
    InterviewSession,
    InterviewStatus,
    Recording,
    SessionQuestion,
)
from sessions.recordings import rules as recording_rules
from sessions.recordings import store as recording_store
from sessions.recordings import tasks as recording_tasks
from sessions.recordings.delivery import delivery

PLAY = "sessions/play.html"


def _steps(interview: InterviewSession) -> list[SessionQuestion]:
    """The interview's questions with what the current step needs of each."""
    return list(interview.items.select_related("recording", "follow_up__recording"))


def _abandoned(request: HttpRequest, pk: int) -> HttpResponse:
    messages.warning(request, "This interview was abandoned; it takes no more answers.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("interviews:summary", args=[pk]))
    return redirect("interviews:summary", pk=pk)


def _common_context(interview: InterviewSession, item: SessionQuestion, **extra) -> dict:
    return {
        "interview": interview,
        "item": item,
        "now": timezone.now(),
        "grace_seconds": engine.grace_seconds(),
        **extra,
    }


def _answer_step_context(
    interview: InterviewSession, answer: SessionQuestion | FollowUpAnswer, **extra
) -> dict:
    """The question (or its follow-up) to answer: its form with the draft, its clock, the
    recorder's limits and the user's speech settings."""
    follow_up = answer if isinstance(answer, FollowUpAnswer) else None
    item = answer.item if follow_up else answer
    position = f"{item.position} of {interview.question_count}"
    context = _common_context(interview, item, **extra)
    kind = "follow_up_" if follow_up else ""
    urls = {
        f"{name}_url": reverse(f"interviews:{kind}{name}", args=[interview.pk, item.position])
        for name in ("submit", "autosave", "recording_chunk")
    }
    context.update(
        answer=answer,
        follow_up=follow_up,
        **urls,
        step_title=f"Follow-up to question {position}" if follow_up else f"Question {position}",
        step_announcement=(
            f"Follow-up to question {position}: {answer.prompt}"
            if follow_up
            else f"Question {position}: {answer.prompt}"
        ),
        seconds_left=engine.seconds_left(answer, context["now"]),
        speech=Profile.objects.filter(user_id=interview.user_id).first(),
        recording=getattr(answer, "recording", None),
        recording_max_ms=recording_rules.limits_for(answer).max_ms,
        recording_timeslice_ms=RECORDING_TIMESLICE_MS,
        recording_flush_ms=recording_rules.flush_ms(),
    )
    context.setdefault("answer_form", AnswerForm(initial={"answer": answer.draft}))
    return context


def _follow_up_grade_context(
    interview: InterviewSession, follow_up: FollowUpAnswer, recording: Recording | None, **extra
) -> dict:
    """The follow-up's answer, with its recording as it is, and its simple rating."""
    position = f"{follow_up.item.position} of {interview.question_count}"
    form = extra.pop("follow_up_form", None) or FollowUpGradeForm(
        initial={"rating": follow_up.self_rating}
    )
    context = _common_context(interview, follow_up.item, **extra)
    context.update(
        answer=follow_up,
        follow_up=follow_up,
        follow_up_form=form,
        step_title=f"Grade the follow-up to question {position}",
        step_announcement=(
            f"Follow-up {follow_up.item.position} submitted: "
            f"{follow_up.get_finish_state_display()}. Say how well you answered it."
        ),
        **_recording_context(recording, follow_up, context["now"]),
    )
    return context


def _recording_context(
    recording: Recording | None, answer: SessionQuestion | FollowUpAnswer, now
) -> dict:
    """A grade step's recording: its player and delivery once joined, else whether to poll."""
    context = {
        "recording": recording,
        "poll_recording": recording_tasks.worth_polling(recording, now),
    }
    if recording is not None and recording.duration_ms is not None:
        context["delivery"] = delivery(
            recording.duration_ms, answer.transcript, answer.time_allowed
        )
    return context


def _grade_step_context(
    interview: InterviewSession, item: SessionQuestion, recording: Recording | None, **extra
) -> dict:
    """The answer to grade, from what it is given: the answer's key points with their
    suggestions, the grade form, and the recording as it is (joined, or being prepared)."""
    position = f"{item.position} of {interview.question_count}"
    key_points = list(item.key_points.all())
    stated = [wrong for wrong in item.misconceptions.all() if wrong.stated]
    ticked = grading.initial_ticks(item, key_points)
    initial = {"key_points": ticked, "rating": item.self_rating, "note": item.note}
    grade_form = extra.pop("grade_form", None) or GradeForm(initial=initial, key_points=key_points)
    context = _common_context(interview, item, **extra)
    context.update(
        answer=item,
        step_title=f"Grade question {position}",
        step_announcement=(
            f"Answer {item.position} submitted: {item.get_finish_state_display()}. "
            "Compare it with the reference answer and grade it."
        ),
        grade_form=grade_form,
        key_points=key_points,
        key_point_choices=[
            (choice, point, [wrong for wrong in stated if wrong.contradicts == point.position])
            for choice, point in zip(grade_form["key_points"], key_points, strict=True)
        ],
        any_suggested=any(point.suggested for point in key_points),
        stated_misconceptions=stated,
        answer_segments=suggestions.evidence_segments(item.answer_text, key_points, stated),
        rating_table=grading.rating_table(len(key_points)),
        suggested_rating=grading.suggested_rating(len(ticked), len(key_points)).label,
        **_recording_context(recording, item, context["now"]),
    )
    return context


def _render_step(
    request: HttpRequest,
    interview: InterviewSession,
    item: SessionQuestion | FollowUpAnswer,
    **extra,
) -> HttpResponse:
    template = f"{PLAY}#step" if request.htmx else PLAY
    if not item.is_finalised:
        context = _answer_step_context(interview, item, **extra)
    else:
        # The recording's pieces are joined by a worker; until then the page says so.
        recording = recording_tasks.queue_join(item, timezone.now())
        grade_context = (
            _follow_up_grade_context if isinstance(item, FollowUpAnswer) else _grade_step_context
        )
        context = grade_context(interview, item, recording, **extra)
    return render(request, template, context)


@login_required
@vary_on_headers("HX-Request")
def play(request: HttpRequest, pk: int) -> HttpResponse:
    """The interview where the user left it: the question to answer, or the answer to grade."""
    interview = get_interview_for_user(request, pk)
    now = timezone.now()
    if interview.status == InterviewStatus.ABANDONED:
        return redirect("interviews:summary", pk=interview.pk)
    engine.finalise_expired(interview, now)
    item = scores.current_item(_steps(interview))
    if item is None:
        return redirect("interviews:summary", pk=interview.pk)
    if not item.is_finalised:
        engine.show(item, now)
    return _render_step(request, interview, item)


@login_required
@vary_on_headers("HX-Request")
def review(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """One answer with the reference answer and its grade form, e.g. to change a grade."""
    item = get_item_for_user(request, pk, position)
    if engine.finalise_expired(item.interview, timezone.now()):
        item.refresh_from_db()
    if not item.is_finalised:
        return redirect(item.interview)
    return _render_step(
        request, item.interview, item, from_summary=request.GET.get("from") == "summary"
    )


def _transcript(request: HttpRequest, form: AnswerForm | DraftForm) -> str | None:
    """The transcript the page sent, or None when it sent none (speech recognition off)."""
    return form.cleaned_data["transcript"] if "transcript" in request.POST else None


@login_required
@require_POST
def autosave(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    form = DraftForm(request.POST)
    now = timezone.now()
    status = {"saved": False}
    # The usual case in one UPDATE; the answer is read only to say why a draft was refused.
    if form.is_valid() and engine.autosave_for_user(
        request.user, pk, position, form.cleaned_data["answer"], now, _transcript(request, form)
    ):
        status["saved"] = True
        status["saved_at"] = now
        if len(form.cleaned_data["answer"]) > MAX_ANSWER_CHARS:
            status["problem"] = (
                f"Your answer is longer than {MAX_ANSWER_CHARS:,} characters; "
                "shorten it before you submit."
            )
    else:
        item = get_item_for_user(request, pk, position)
        if item.interview.status == InterviewStatus.ABANDONED:
            return _abandoned(request, pk)
        if not form.is_valid():
            status["problem"] = form.errors["answer"][0]
        elif item.is_finalised and item.finish_state != FinishState.TIMED_OUT:
            if not request.htmx:
                # The stored answer, with this page's text kept to copy.
                return _render_step(
                    request, item.interview, item, unsent_answer=form.cleaned_data["answer"]
                )
            # The text stays in the box; submitting it shows the stored answer beside it.
            status["problem"] = (
                "This answer was already submitted from another tab or window, so this "
                "text is not saved. Submit to see the stored answer; your text stays to copy."
            )
        elif item.is_finalised or engine.is_expired(item, now):
            engine.finalise_expired(item.interview, now)
            status["problem"] = "Time is up: your last saved draft was kept as your answer."
            if request.htmx:
                return HttpResponseClientRedirect(reverse("interviews:play", args=[pk]))
    if request.htmx:
        return render(request, f"{PLAY}#save-status", {"status": status})
    if "problem" in status:
        messages.warning(request, status["problem"])
    elif status["saved"]:
        messages.success(request, "Draft saved.")
    return redirect("interviews:play", pk=pk)


@login_required
@require_POST
def submit_answer(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    item = get_item_for_user(request, pk, position)
    interview = item.interview
    if interview.status == InterviewStatus.ABANDONED:
        return _abandoned(request, pk)
    now = timezone.now()
    form = AnswerForm(request.POST)
    if not item.is_finalised and not form.is_valid():
        # Too long: keep the text in the box and in the draft, and say what to do.
        draft = DraftForm(request.POST)
        if draft.is_valid():
            engine.autosave(item, draft.cleaned_data["answer"], now, _transcript(request, draft))
            item.refresh_from_db()
        if not item.is_finalised:
            return _render_step(request, interview, item, answer_form=form)
    text = form.cleaned_data["answer"] if form.is_valid() else item.draft
    result = engine.submit(
        item,
        text,
        now,
        ran_out=request.POST.get("ran_out") == "1",
        transcript=_transcript(request, form) if form.is_valid() else None,
    )
    # A spoken answer becomes one file as soon as the answer is final, joined by a worker.
    recording_tasks.queue_join(result.item, now)
    if not result.item.is_finalised:
        # Not this question's turn yet: back to the one that is.
        if request.htmx:
            return HttpResponseClientRedirect(interview.get_absolute_url())
        return redirect(interview)
    sent = form.cleaned_data["answer"] if form.is_valid() else request.POST.get("answer", "")
    if sent != result.item.answer_text:
        # Another tab, or the clock, finalised a different text: show the stored answer and
        # keep what this page sent, to copy. Rendered here, as a redirect would lose it.
        return _render_step(request, interview, result.item, unsent_answer=sent)
    if request.htmx:
        return _render_step(request, interview, result.item)
    return redirect("interviews:review", pk=pk, position=position)


@login_required
@require_POST
def grade_answer(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    item = get_item_for_user(request, pk, position)
    interview = item.interview
    if not item.is_finalised:
        return redirect(interview)
    key_points = list(item.key_points.all())
    form = GradeForm(request.POST, key_points=key_points)
    if not form.is_valid():
        return _render_step(request, interview, item, grade_form=form)
    engine.grade(
        item,
        form.cleaned_data["rating"],
        set(form.cleaned_data["key_points"]),
        form.cleaned_data["note"],
        timezone.now(),
    )
    if request.POST.get("next") == "summary":
        if request.htmx:
            return HttpResponseClientRedirect(reverse("interviews:summary", args=[pk]))
        return redirect("interviews:summary", pk=pk)
    return _next_step(request, interview)


def _next_step(request: HttpRequest, interview: InterviewSession) -> HttpResponse:
    """After a grade: the next step in place (htmx), or the interview's page."""
    if request.htmx:
        next_item = scores.current_item(_steps(interview))
        if next_item is None:
            return HttpResponseClientRedirect(reverse("interviews:summary", args=[interview.pk]))
        if not next_item.is_finalised:
            engine.show(next_item, timezone.now())
        return _render_step(request, interview, next_item)
    return redirect(interview)


@login_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview_for_user(request, pk)
    if interview.status == InterviewStatus.IN_PROGRESS:
        engine.finalise_expired(interview, timezone.now())
        interview.refresh_from_db(fields=["status", "finished_at"])
    items = list(scores.item_scores(interview).select_related("recording", "follow_up__recording"))
    for item in items:
        item.hint = calibration_hint(item.self_rating, item.covered_count, item.key_point_count)
        item.missed = grading.missed(item.self_rating, item.covered_count, item.key_point_count)
        recording = getattr(item, "recording", None)
        if recording is not None and recording.duration_ms is not None:
            item.delivery = delivery(recording.duration_ms, item.transcript, item.time_allowed)
    reviews.attach_reviews(items)
    return render(
        request,
        "sessions/summary.html",
        {
            "interview": interview,
            "items": items,
            "summary": scores.summarise(items),
            "first_hint": next((item for item in items if item.hint), None),
            "missed": [item for item in items if item.missed],
            "follow_ups": [
                item.follow_up
                for item in items
                if getattr(item, "follow_up", None) is not None and item.follow_up.prompt
            ],
            "reviewed_items": [item for item in items if item.sent_reviews],
        },
    )


@login_required
@require_POST
def retry_missed(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an interview of the questions this one missed: rated Again or Hard, or with
    under half of their key points ticked."""
    interview = get_interview_for_user(request, pk)
    items = list(scores.item_scores(interview).select_related("question"))
    try:
        retry = scores.retry_missed(interview, items, timezone.now())
    except engine.InterviewInProgress:
        messages.warning(
            request, "You already have an interview in progress: resume it or abandon it first."
        )
        return redirect("interviews:summary", pk=pk)
    except ValueError:
        messages.info(request, "No question of this interview was missed.")
        return redirect("interviews:summary", pk=pk)
    return redirect(retry)


@login_required
@require_http_methods(["GET", "POST"])
def abandon(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview_for_user(request, pk)
    if interview.status != InterviewStatus.IN_PROGRESS:
        return redirect("interviews:summary", pk=pk)
    if request.method == "POST":
        if engine.abandon(interview, timezone.now()):
            # Recorded pieces of the questions left unanswered can never be played.
            recording_store.drop_unanswered(interview)
        messages.success(
            request, "Interview abandoned. Your answers so far are kept in its summary."
        )
        return redirect("home")
    return render(request, "sessions/abandon.html", {"interview": interview})
