"""Spoken answers as the tests need them: chunks uploaded through the view as the page sends
them, and the files a recordings folder holds."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.audio import cut


def chunk_url(interview_pk: int, position: int, *, follow_up: bool = False) -> str:
    """Where the pieces of question `position`'s spoken answer go, or of its follow-up's."""
    name = "follow_up_recording_chunk" if follow_up else "recording_chunk"
    return reverse(f"interviews:{name}", args=[interview_pk, position])


def send_chunk(
    client,
    interview_pk,
    position,
    data,
    *,
    segment=0,
    sequence=0,
    elapsed_ms=2000,
    follow_up=False,
):
    return client.post(
        chunk_url(interview_pk, position, follow_up=follow_up),
        {
            "segment": segment,
            "sequence": sequence,
            "elapsed_ms": elapsed_ms,
            "chunk": SimpleUploadedFile("chunk", data, content_type="audio/webm"),
        },
    )


def send_stream(
    client, interview_pk, position, stream: bytes, *, segment=0, pieces=3, follow_up=False
):
    """A whole stream as `pieces` chunks in order; every one must be acknowledged."""
    for sequence, piece in enumerate(cut(stream, pieces)):
        response = send_chunk(
            client,
            interview_pk,
            position,
            piece,
            segment=segment,
            sequence=sequence,
            follow_up=follow_up,
        )
        assert response.status_code == 200, response.content


def stored_files(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
