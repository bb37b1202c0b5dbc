"""The reviewer's pages, reached only through a review link: the interview to review, saving
each answer's grade as they go, comments on moments of a recording, and sending the review.

Every page goes through `with_review_link`: a link that does not open (wrong, another
interview's, revoked or expired) gets one and the same 410 page, counted against the client
address so that guessing is slow; and every answer says noindex, no-referrer and no-store.
The candidate's side of a second opinion is second_opinion_views.py."""

import functools
import math

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from accounts import throttling
from sessions.feedback import reviews
from sessions.feedback.models import ReviewedAnswer, ReviewLink
from sessions.feedback.review_forms import MomentForm, ReviewAnswerForm
from sessions.feedback.reviews import TICKS
from sessions.models import Rating

REVIEWER = "sessions/reviewer.html"
REFUSED = "sessions/review_refused.html"


def reviewer_headers(response: HttpResponse) -> HttpResponse:
    """Kept out of search engines, caches and other sites' logs: the address is the key."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


class _ReviewerCsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF check for the reviewer's forms, which their pages' Referrer-Policy:
    no-referrer (the address holds the link's secret) would otherwise break: browsers then
    send a form with `Origin: null` and no Referer. The form's token must still match the
    reviewer's own CSRF cookie, as everywhere; in place of the origin, Fetch Metadata must say
    the form came from this very site (`Sec-Fetch-Site: same-origin`, which no other site,
    nor a sibling subdomain, can send). A real origin is checked as usual."""

    def _same_origin_by_fetch_metadata(self, request: HttpRequest) -> bool:
        return request.headers.get("Sec-Fetch-Site") == "same-origin"

    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META["HTTP_ORIGIN"] == "null":
            return self._same_origin_by_fetch_metadata(request)
        return super()._origin_verified(request)

    def _check_referer(self, request: HttpRequest) -> None:
        if not self._same_origin_by_fetch_metadata(request):
            super()._check_referer(request)


def reviewer_csrf(view):
    """Apply the reviewer's CSRF check in place of the site-wide one."""
    return csrf_exempt(decorator_from_middleware(_ReviewerCsrfMiddleware)(view))


def refused(request: HttpRequest) -> HttpResponse:
    return render(request, REFUSED, {"gone": True}, status=410)


def with_review_link(view):
    """Give `view` the open link named in the address, or answer 410 the same way for every
    link that does not open (429 once this address has tried too many of them)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, pk: int, token: str, *args, **kwargs) -> HttpResponse:
        now = timezone.now()
        used_up = throttling.used_up(throttling.REVIEW_LINK_FAILURES, request, now)
        if used_up is not None:
            return reviewer_headers(_too_many(request, used_up))
        link = reviews.find_open_link(pk, token, now)
        if link is None:
            throttling.count(throttling.REVIEW_LINK_FAILURES, request, now)
            return reviewer_headers(refused(request))
        request.review_token = token
        return reviewer_headers(view(request, link, *args, **kwargs))

    return wrapped


def _too_many(request: HttpRequest, used_up) -> HttpResponse:
    response = render(
        request,
        REFUSED,
        {"minutes": math.ceil(used_up.retry_after / 60)},
        status=429,
    )
    response["Retry-After"] = str(used_up.retry_after)
    return response


def _saves_used_up(request: HttpRequest) -> HttpResponse | None:
    now = timezone.now()
    used_up = throttling.used_up(throttling.REVIEW_SAVES, request, now)
    if used_up is not None:
        return _too_many(request, used_up)
    throttling.count(throttling.REVIEW_SAVES, request, now)
    return None


def _page_url(request: HttpRequest, link: ReviewLink, position: int | None = None) -> str:
    url = reverse("reviews:page", args=[link.interview_id, request.review_token])
    return f"{url}#question-{position}" if position else url


def _answer_context(request: HttpRequest, link: ReviewLink, answer: ReviewedAnswer, **extra):
    """One question as the reviewer sees it: what the link shows of it, and their forms."""
    item = answer.item
    ticks = list(answer.ticks.all())
    key_points = [tick.key_point for tick in ticks]
    recording = getattr(item, "recording", None) if link.show_recordings else None
    form = extra.pop("form", None) or ReviewAnswerForm(
        initial={
            "verdict": answer.verdict,
            "key_points": [tick.key_point.position for tick in ticks if tick.covered],
            "comment": answer.comment,
        },
        key_points=key_points,
        prefix_position=item.position,
    )
    return {
        "answer": answer,
        "item": item,
        "form": form,
        "moment_form": extra.pop("moment_form", None) or MomentForm(prefix_position=item.position),
        "recording": recording if recording is not None and recording.file else None,
        "revealed": answer.reference_shown_at is not None or link.sent_at is not None,
        "own_rating": Rating(item.self_rating).label
        if link.show_own_grades and item.self_rating
        else None,
        **extra,
    }


def _reviewer_context(request: HttpRequest, link: ReviewLink) -> dict:
    return {
        "link": link,
        "token": request.review_token,
        "candidate": reviews.candidate_name(link.interview),
        "question_count": link.interview.question_count,
    }


def _answers(link: ReviewLink):
    return (
        link.answers.select_related("item__recording")
        .prefetch_related(TICKS, "moments")
        .order_by("item__position")
    )


def _whole_page_refused(request: HttpRequest, link, answer, **forms) -> HttpResponse:
    """The whole page again (no JavaScript), with the refused form and its errors in place."""
    context = _reviewer_context(request, link)
    context["questions"] = [
        _answer_context(request, link, each, **forms)
        if each.pk == answer.pk
        else _answer_context(request, link, each)
        for each in _answers(link)
    ]
    return render(request, REVIEWER, context, status=400)


@require_GET
@with_review_link
def review_page(request: HttpRequest, link: ReviewLink) -> HttpResponse:
    """The interview to review: each answer with its recording, the reference answer behind
    a button, and the reviewer's verdict, ticks and comments, saved as they go."""
    # The candidate trying their own link is not the reviewer opening it.
    if request.user.pk != link.interview.user_id:
        reviews.mark_opened(link, timezone.now())
    context = _reviewer_context(request, link)
    context["questions"] = [_answer_context(request, link, answer) for answer in _answers(link)]
    return render(request, REVIEWER, context)


def _answer_for_link(link: ReviewLink, position: int) -> ReviewedAnswer | None:
    answer = _answers(link).filter(item__position=position).first()
    if answer is not None:
        answer.link = link
    return answer


def _closed(request: HttpRequest, link: ReviewLink) -> HttpResponse:
    messages.info(request, "This review was sent, so it no longer changes. Thank you.")
    if request.htmx:
        # The whole page again, read-only, rather than a page swapped into a part of it.
        return HttpResponseClientRedirect(_page_url(request, link))
    return redirect(_page_url(request, link))


@reviewer_csrf
@require_POST
@vary_on_headers("HX-Request")
@with_review_link
def save_answer(request: HttpRequest, link: ReviewLink, position: int) -> HttpResponse:
    """Keep the reviewer's verdict, ticks and comment on one answer; with `reveal`, also
    show the reference answer and key points (the page's button for them sends this form)."""
    if refusal := _saves_used_up(request):
        return refusal
    answer = _answer_for_link(link, position)
    if answer is None:
        return refused(request)
    if link.sent_at is not None:
        return _closed(request, link)
    key_points = [tick.key_point for tick in answer.ticks.all()]
    form = ReviewAnswerForm(request.POST, key_points=key_points, prefix_position=position)
    now = timezone.now()
    reveal = request.POST.get("reveal") == "1"
    status = {"saved": False}
    if form.is_valid():
        reviews.save_answer(
            answer,
            form.cleaned_data["verdict"],
            set(form.cleaned_data["key_points"]),
            form.cleaned_data["comment"],
            now,
        )
        status = {"saved": True, "saved_at": now}
        if reveal:
            reviews.show_reference(answer, now)
    else:
        status["problem"] = " ".join(error for errors in form.errors.values() for error in errors)
    if request.htmx:
        if reveal and status["saved"]:
            answer = _answer_for_link(link, position)
            context = _reviewer_context(request, link) | {
                "question": _answer_context(request, link, answer)
            }
            response = render(request, f"{REVIEWER}#question", context)
            return reswap(retarget(response, f"#question-{position}"), "outerHTML")
        return render(request, f"{REVIEWER}#save-status", {"status": status, "position": position})
    if not status["saved"]:
        return _whole_page_refused(request, link, answer, form=form)
    messages.success(request, f"Your review of question {position} is saved.")
    return redirect(_page_url(request, link, position))


@reviewer_csrf
@require_POST
@vary_on_headers("HX-Request")
@with_review_link
def add_moment(request: HttpRequest, link: ReviewLink, position: int) -> HttpResponse:
    """A comment on one moment of the answer's recording."""
    if refusal := _saves_used_up(request):
        return refusal
    answer = _answer_for_link(link, position)
    if answer is None:
        return refused(request)
    if link.sent_at is not None:
        return _closed(request, link)
    recording = getattr(answer.item, "recording", None) if link.show_recordings else None
    if recording is None or not recording.file:
        # Nothing the reviewer may play, so no moment of it to comment on.
        return render(request, "404.html", status=404)
    form = MomentForm(request.POST, prefix_position=position, length_ms=recording.duration_ms)
    if form.is_valid():
        reviews.add_moment(
            answer, form.cleaned_data["at"], form.cleaned_data["text"], timezone.now()
        )
        form = None
    return _moments_answer(request, link, position, moment_form=form)


@reviewer_csrf
@require_POST
@vary_on_headers("HX-Request")
@with_review_link
def delete_moment(
    request: HttpRequest, link: ReviewLink, position: int, moment_id: int
) -> HttpResponse:
    if refusal := _saves_used_up(request):
        return refusal
    answer = _answer_for_link(link, position)
    if answer is None:
        return refused(request)
    if link.sent_at is not None:
        return _closed(request, link)
    reviews.delete_moment(answer, moment_id)
    return _moments_answer(request, link, position)


def _moments_answer(
    request: HttpRequest, link: ReviewLink, position: int, moment_form: MomentForm | None = None
) -> HttpResponse:
    """The moments of one answer again: the htmx part, or the page at that question."""
    answer = _answer_for_link(link, position)
    if request.htmx:
        context = _reviewer_context(request, link) | {
            "question": _answer_context(request, link, answer, moment_form=moment_form)
        }
        return render(request, f"{REVIEWER}#moments", context)
    if moment_form is not None:
        return _whole_page_refused(request, link, answer, moment_form=moment_form)
    return redirect(_page_url(request, link, position))


@reviewer_csrf
@require_POST
@with_review_link
def send_review(request: HttpRequest, link: ReviewLink) -> HttpResponse:
    if refusal := _saves_used_up(request):
        return refusal
    if link.sent_at is not None:
        return _closed(request, link)
    if reviews.send(link, timezone.now()):
        messages.success(request, "Your review is sent. Thank you!")
    else:
        messages.warning(request, "Choose a verdict for at least one answer before you send.")
    return redirect(_page_url(request, link))
