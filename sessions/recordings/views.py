"""Views of spoken answers: a chunk arriving while the user records, playback with Range
requests, deleting one recording, and downloading them all as a zip."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sessions.access import get_item_for_user
from sessions.models import MAX_CHUNK_BYTES, Recording
from sessions.recordings import rules as recording_rules
from sessions.recordings import store as recording_store


def _get_recording_for_user(request: HttpRequest, recording_id: int) -> Recording:
    # Anonymous visitors get the same 404 as another user: an audio element cannot log in,
    # and a redirect would tell that the recording exists.
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Recording.objects.select_related("item__interview", "item__question"),
        pk=recording_id,
        item__interview__user=request.user,
    )


def _int_field(request: HttpRequest, name: str, maximum: int) -> int:
    raw = request.POST.get(name, "")
    if not raw.isdigit() or int(raw) > maximum:
        raise recording_rules.ChunkRefused(f"The upload's {name} is missing or not a number.", 400)
    return int(raw)


@login_required
@require_POST
def upload_chunk(request: HttpRequest, pk: int, position: int) -> JsonResponse:
    """Keep one chunk and acknowledge it with its place, so the page can let it go. A
    refusal says why and whether retrying could help."""
    item = get_item_for_user(request, pk, position)
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
        acknowledgement = recording_store.add_chunk(item, chunk, data, timezone.now())
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


@require_GET
def recording_audio(request: HttpRequest, recording_id: int) -> HttpResponse:
    """The joined recording, for its owner only; seekable through Range requests. With a
    bucket, a redirect to a link that stays valid for RECORDINGS_S3_URL_SECONDS."""
    recording = _get_recording_for_user(request, recording_id)
    recording = recording_store.assemble_if_needed(recording.item, timezone.now()) or recording
    if not recording.file:
        raise Http404
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
    size = recording.size_bytes
    try:
        wanted = recording_rules.parse_range(request.headers.get("Range", ""), size)
    except recording_rules.RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Cache-Control"] = "private"
        return response
    if wanted is None:
        response = StreamingHttpResponse(
            recording_store.read_blocks(recording.file), content_type=recording.media_type
        )
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        response = StreamingHttpResponse(
            recording_store.read_blocks(recording.file, start, end - start + 1),
            status=206,
            content_type=recording.media_type,
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_recording(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = _get_recording_for_user(request, recording_id)
    question = recording.item.question
    if request.method == "POST":
        recording_store.delete(Recording.objects.filter(pk=recording.pk))
        messages.success(request, "The recording is deleted. Your written answer is kept.")
        return redirect("progress:question_history", slug=question.slug)
    return render(
        request, "sessions/delete_recording.html", {"recording": recording, "question": question}
    )


@login_required
def download_recordings(request: HttpRequest) -> StreamingHttpResponse:
    """Every joined recording of the user's, as a zip made while it is sent."""
    now = timezone.now()
    for waiting in Recording.objects.filter(
        item__interview__user=request.user, file="", item__submitted_at__isnull=False
    ).select_related("item__interview"):
        recording_store.assemble(waiting, now)
    chosen = (
        Recording.objects.filter(item__interview__user=request.user)
        .exclude(file="")
        .select_related("item__question")
        .order_by("created_at", "pk")
    )
    response = StreamingHttpResponse(
        recording_store.stream_zip(chosen.iterator(chunk_size=100)),
        content_type="application/zip",
    )
    response["Content-Disposition"] = 'attachment; filename="interviewprep-recording_rules.zip"'
    response["Cache-Control"] = "private"
    return response
