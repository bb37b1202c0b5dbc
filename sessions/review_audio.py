"""A recording played to a reviewer through their link: the feedback room says whether the
link opens and what it shows, the recordings room streams the file (with Range requests).
It lives here, in the interview's room, because each of those two rooms keeps to itself."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sessions.feedback.models import ReviewLink
from sessions.feedback.review_views import with_review_link
from sessions.models import SessionQuestion
from sessions.recordings import views as recording_views


@require_safe
@with_review_link
def review_recording(request: HttpRequest, link: ReviewLink, position: int) -> HttpResponse:
    """The answer's recording, while the link opens and if it lets the reviewer play it.
    Checked on every request, so a revoked link stops playing at the next one."""
    item = (
        SessionQuestion.objects.select_related("recording")
        .filter(interview_id=link.interview_id, position=position, submitted_at__isnull=False)
        .first()
    )
    recording = getattr(item, "recording", None) if link.show_recordings else None
    # Joined by a worker once the answer was final (sessions/recordings/tasks.py); until
    # then there is nothing to play, as for its owner.
    if recording is None or not recording.file:
        return render(request, "404.html", status=404)
    return recording_views.serve(request, recording)
