"""Views of spoken answers: a chunk arriving while the user records, playback with Range
requests, its state while a worker joins it, deleting one recording, and the zip of them all
(built by a worker, then handed over)."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.decorators.vary import vary_on_headers

from sessions.access import get_follow_up_for_user, get_item_for_user
from sessions.models import MAX_CHUNK_BYTES, Recording
from sessions.recordings import rules as recording_rules
from sessions.recordings import store as recording_store
from sessions.recordings import tasks as recording_tasks
from sessions.recordings.delivery import delivery
from sessions.recordings.exports import ExportStatus, RecordingsExport


def _get_recording_for_user(request: HttpRequest, recording_id: int) -> Recording:
    # Anonymous visitors get the same 404 as another user: an audio element cannot log in,
    # and a redirect would tell that the recording exists.
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Recording.objects.owned_by(request.user).select_related(
            "item__interview", "item__question", "follow_up__interview", "follow_up__item__question"
        ),
        pk=recording_id,
    )


def _int_field(request: HttpRequest, name: str, maximum: int) -> int:
    raw = request.POST.get(name, "")
    # ASCII digits only ("²".isdigit() is true too), and no longer than the maximum, before
    # int() reads them.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum)) or int(raw) > maximum:
        raise recording_rules.ChunkRefused(f"The upload's {name} is missing or not a number.", 400)
    return int(raw)


def _logged_out() -> JsonResponse:
    # The page sends chunks with fetch, which would follow a redirect to the log-in page and
    # report its 200: a logged-out sender gets 401 instead.
    return JsonResponse({"error": "You have been logged out.", "final": False}, status=401)


@require_POST
def upload_chunk(request: HttpRequest, pk: int, position: int) -> JsonResponse:
    """Keep one chunk of a question's spoken answer (see _receive_chunk)."""
    if not request.user.is_authenticated:
        return _logged_out()
    return _receive_chunk(request, get_item_for_user(request, pk, position))


@require_POST
def upload_follow_up_chunk(request: HttpRequest, pk: int, position: int) -> JsonResponse:
    """Keep one chunk of the spoken answer to the follow-up asked after question `position`,
    under the same rules as a question's (see _receive_chunk)."""
    if not request.user.is_authenticated:
        return _logged_out()
    return _receive_chunk(request, get_follow_up_for_user(request, pk, position))


def _receive_chunk(request: HttpRequest, answer) -> JsonResponse:
    """Keep one chunk and acknowledge it with its place, so the page can let it go. A
    refusal says why and whether retrying could help."""
    upload = request.FILES.get("chunk")
    try:
        if upload is None:
            raise recording_rules.ChunkRefused("The upload carried no audio.", 400)
        if upload.size > MAX_CHUNK_BYTES:
            raise recording_rules.ChunkRefused("This piece of the recording is too large.", 413)
        data = upload.read()
        chunk = recording_rules.ChunkInfo(
            segment=_int_field(request, "segment", 10_000),
            sequence=_int_field(request, "sequence", 1_000_000),
            size=len(data),
            elapsed_ms=_int_field(request, "elapsed_ms", 10**9),
            head=data[:8192],
        )
        acknowledgement = recording_store.add_chunk(answer, chunk, data, timezone.now())
    except recording_rules.ChunkRefused as refusal:
        return JsonResponse(
            {"error": refusal.message, "final": refusal.final}, status=refusal.status
        )
    return JsonResponse(
        {
            "segment": acknowledgement.segment,
            "sequence": acknowledgement.sequence,
            "duplicate": acknowledgement.duplicate,
        }
    )


@require_safe
def recording_audio(request: HttpRequest, recording_id: int) -> HttpResponse:
    """The joined recording, for its owner only (a reviewer's link plays it through
    sessions/review_audio.py). Playing never joins: a page shows a player only once the
    recording is one file."""
    recording = _get_recording_for_user(request, recording_id)
    if not recording.file:
        raise Http404
    return serve(request, recording)


def serve(request: HttpRequest, recording: Recording) -> HttpResponse:
    """A joined recording, to whoever the caller has let in; seekable through Range requests,
    and HEAD answered with the headers alone. With a bucket, a redirect to a link that stays
    valid for RECORDINGS_S3_URL_SECONDS."""
    storage = recording_store.storage()
    if settings.RECORDINGS_S3_BUCKET:
        url = storage.url(
            recording.file,
            parameters={"ResponseContentType": recording.media_type},
            expire=settings.RECORDINGS_S3_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    if settings.RECORDINGS_ACCEL_REDIRECT_PREFIX:
        # nginx sends the file, Range requests included, so no web worker is held by a slow
        # client (docs/OPERATIONS.md).
        response = HttpResponse(content_type=recording.media_type)
        response["X-Accel-Redirect"] = _accel_path(recording.file)
        response["Cache-Control"] = "private"
        return response
    size = recording.size_bytes
    try:
        wanted = recording_rules.parse_range(request.headers.get("Range", ""), size)
    except recording_rules.RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Cache-Control"] = "private"
        return response
    start, end = wanted or (0, size - 1)
    blocks = (
        iter(())
        if request.method == "HEAD"
        else recording_store.read_blocks(recording.file, start, end - start + 1)
    )
    response = StreamingHttpResponse(
        blocks, status=200 if wanted is None else 206, content_type=recording.media_type
    )
    if wanted is not None:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private"
    return response


def _accel_path(name: str) -> str:
    """The file's address under nginx's internal location for the recordings folder."""
    return f"{settings.RECORDINGS_ACCEL_REDIRECT_PREFIX.rstrip('/')}/{quote(name)}"


@login_required
@require_http_methods(["GET", "POST"])
def delete_recording(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = _get_recording_for_user(request, recording_id)
    question = recording.question_item.question
    if request.method == "POST":
        recording_store.delete(Recording.objects.filter(pk=recording.pk))
        messages.success(request, "The recording is deleted. Your written answer is kept.")
        if question is None:  # its deck was deleted: the interview still holds the answer
            return redirect("progress:history")
        return redirect("progress:question_history", slug=question.slug)
    return render(
        request, "sessions/delete_recording.html", {"recording": recording, "question": question}
    )


@login_required
@require_GET
def recording_status(request: HttpRequest, recording_id: int) -> HttpResponse:
    """The grade step's recording as it is now: polled by htmx while it is being prepared
    (the player, once there, has nothing to poll); without htmx, the grade step itself."""
    recording = _get_recording_for_user(request, recording_id)
    answer = recording.answer
    if not request.htmx:
        return redirect(recording.answer_page_url)
    context = {
        "recording": recording,
        "poll_recording": recording_tasks.worth_polling(recording, timezone.now()),
    }
    if recording.duration_ms is not None:
        # From the transcript, as on the grade step: typed text is not what was said.
        context["delivery"] = delivery(
            recording.duration_ms, answer.transcript, answer.time_allowed
        )
    response = render(request, "sessions/_recording_player.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _latest_export(request: HttpRequest) -> RecordingsExport | None:
    return RecordingsExport.objects.filter(user=request.user).first()


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def export_recordings(request: HttpRequest) -> HttpResponse:
    """The zip of all the user's recordings: asked for here, built by a worker while a
    progress bar fills (htmx polls it; without JavaScript, a refresh link), then downloaded
    from here until it expires."""
    if request.method == "POST":
        recording_tasks.request_export(request.user, timezone.now())
        return redirect("export_recordings")
    export = _latest_export(request)
    if export is not None and export.expires_at and export.expires_at <= timezone.now():
        export = None
    context = {"export": export, "zip_hours": settings.RECORDINGS_ZIP_HOURS}
    template = "sessions/export_recordings.html"
    return render(request, f"{template}#export-status" if request.htmx else template, context)


@login_required
@require_GET
def download_recordings(request: HttpRequest) -> HttpResponse:
    """The finished zip, handed over without a web worker streaming it where the deployment
    allows: a signed link to the bucket, or nginx's X-Accel-Redirect to its internal location.
    Otherwise (one node, no proxy configured) the worker sends the file."""
    export = RecordingsExport.objects.filter(
        user=request.user, status=ExportStatus.READY, expires_at__gt=timezone.now()
    ).first()
    if export is None:
        return redirect("export_recordings")
    filename = f"interviewprep-recordings-{export.finished_at:%Y-%m-%d}.zip"
    disposition = f'attachment; filename="{filename}"'
    if settings.RECORDINGS_S3_BUCKET:
        response = HttpResponseRedirect(
            recording_store.storage().url(
                export.file,
                parameters={
                    "ResponseContentType": "application/zip",
                    "ResponseContentDisposition": disposition,
                },
                expire=settings.RECORDINGS_S3_URL_SECONDS,
            )
        )
    elif settings.RECORDINGS_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type="application/zip")
        response["X-Accel-Redirect"] = _accel_path(export.file)
        response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            recording_store.storage().open(export.file, "rb"),
            as_attachment=True,
            filename=filename,
            content_type="application/zip",
        )
    response["Cache-Control"] = "private, no-store"
    return response
