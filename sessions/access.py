"""Which interview rows a request may reach: one rule for the interview's views and its
recordings' views alike. Another user's row is the same 404 as a missing one."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from sessions.models import FollowUpAnswer, InterviewSession, SessionQuestion


def get_interview_for_user(request: HttpRequest, pk: int) -> InterviewSession:
    return get_object_or_404(InterviewSession, pk=pk, user=request.user)


def get_item_for_user(request: HttpRequest, pk: int, position: int) -> SessionQuestion:
    """One question of the user's interview, with its interview and recording (if any)."""
    return get_object_or_404(
        SessionQuestion.objects.select_related("interview", "recording"),
        interview__pk=pk,
        interview__user=request.user,
        position=position,
    )


def get_follow_up_for_user(request: HttpRequest, pk: int, position: int) -> FollowUpAnswer:
    """The follow-up asked after one question of the user's interview, with its interview,
    its question and its recording (if any)."""
    return get_object_or_404(
        FollowUpAnswer.objects.select_related("interview", "item", "recording"),
        interview__pk=pk,
        interview__user=request.user,
        item__position=position,
    )
