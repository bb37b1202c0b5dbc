"""The candidate's side of a second opinion: asking for one (a link per reviewer, shown once),
revoking a link, and copying a reviewer's verdict into their own grade. The reviewer's pages
are review_views.py."""

import logging
import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sessions import engine
from sessions.access import get_interview_for_user
from sessions.feedback import reviews
from sessions.feedback.models import ReviewedAnswer, ReviewLink
from sessions.feedback.review_forms import ReviewLinkForm
from sessions.models import InterviewSession, InterviewStatus, Rating

logger = logging.getLogger(__name__)

SECOND_OPINION = "sessions/second_opinion.html"
# The link just made, kept in the candidate's session until the page after the redirect
# shows it: only its hash is stored anywhere else.
NEW_LINK = "second-opinion-new-link"


def _get_link_for_user(request: HttpRequest, pk: int, link_id: int) -> ReviewLink:
    return get_object_or_404(
        ReviewLink.objects.select_related("interview"),
        pk=link_id,
        interview__pk=pk,
        interview__user=request.user,
    )


def _get_sent_review_for_user(request: HttpRequest, pk: int, review_id: int) -> ReviewedAnswer:
    return get_object_or_404(
        ReviewedAnswer.objects.select_related("item__interview", "item__question", "link"),
        pk=review_id,
        item__interview__pk=pk,
        item__interview__user=request.user,
        link__sent_at__isnull=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def second_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for a second opinion on a completed interview, and the links asked for so far."""
    interview = get_interview_for_user(request, pk)
    now = timezone.now()
    by_email = settings.REVIEW_LINKS_BY_EMAIL
    form = ReviewLinkForm(request.POST or None, by_email=by_email)
    completed = interview.status == InterviewStatus.COMPLETED
    if request.method == "POST" and completed and form.is_valid():
        try:
            link, token = reviews.create_link(interview, form.options(), now)
        except reviews.TooManyLinks:
            form.add_error(
                None,
                f"You have made {reviews.links_per_day()} review links in the last 24 hours, "
                "as many as a day allows. Try again tomorrow.",
            )
        else:
            url = request.build_absolute_uri(reverse("reviews:page", args=[pk, token]))
            email = form.cleaned_data.get("email")
            if email and _email_link(interview, url, link, email):
                messages.success(request, f"The link is made and was emailed to {email}.")
            elif email:
                messages.warning(
                    request,
                    f"The link is made, but the email to {email} could not be sent: "
                    "copy the link and send it yourself.",
                )
            else:
                messages.success(request, "The link is made: copy it and send it to your reviewer.")
            request.session[NEW_LINK] = {"link": link.pk, "url": url}
            return redirect("interviews:second_opinion", pk=pk)
    new_link = request.session.pop(NEW_LINK, None)
    links = interview.review_links.annotate(
        verdicts=Count("answers", filter=Q(answers__verdict__isnull=False))
    )
    return render(
        request,
        SECOND_OPINION,
        {
            "interview": interview,
            "form": form,
            "completed": completed,
            "links": links,
            "now": now,
            "new_link": new_link,
            "by_email": by_email,
            "links_per_day": reviews.links_per_day(),
        },
    )


def _email_link(interview: InterviewSession, url: str, link: ReviewLink, email: str) -> bool:
    """Send the link now, from this request, whether the mail server answered. Unlike the
    site's other emails it is not queued for a task worker: the queue keeps a task's
    arguments in the database, and the link's secret is kept nowhere but in this email."""
    name = interview.user.first_name.strip()
    context = {"name": name, "url": url, "link": link}
    try:
        send_mail(
            f"{name or 'Someone'} asks for your opinion on a mock interview",
            render_to_string("sessions/review_link_email.txt", context),
            None,
            [email],
        )
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not email a review link.")
        return False
    return True


@login_required
@require_POST
def revoke_link(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    link = _get_link_for_user(request, pk, link_id)
    reviews.revoke(link, timezone.now())
    messages.success(request, "The link is revoked: it no longer opens, and plays nothing.")
    return redirect("interviews:second_opinion", pk=pk)


@login_required
@require_POST
def use_verdict(request: HttpRequest, pk: int, review_id: int) -> HttpResponse:
    """Make a reviewer's verdict the candidate's own grade, through the usual grade (so the
    review schedule follows); the candidate's own ticks and note stay as they are."""
    review = _get_sent_review_for_user(request, pk, review_id)
    item = review.item
    if review.verdict is not None and item.is_finalised:
        covered = set(item.key_points.filter(covered=True).values_list("position", flat=True))
        engine.grade(item, review.verdict, covered, item.note, timezone.now())
        messages.success(
            request,
            f"Question {item.position} is now graded {Rating(review.verdict).label}, "
            "the reviewer's verdict; your review schedule follows it.",
        )
    # A question whose deck was deleted has no history page; its interview still shows it.
    if request.POST.get("next") == "history" and item.question is not None:
        return redirect("progress:question_history", slug=item.question.slug)
    return redirect("interviews:summary", pk=pk)
