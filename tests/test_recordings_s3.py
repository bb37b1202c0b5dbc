"""Recordings in an S3-compatible bucket: moto's standalone server, started by these tests on a
free port, stands in for the bucket. Chunks and the joined file are objects; playback is a
redirect to a short-lived signed link; deleting the account deletes the objects; objects no
row names are found."""

import io
import json
import os
import socket
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import boto3
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer

from sessions import engine
from sessions.feedback import reviews
from sessions.models import Recording, RecordingsExport
from sessions.recordings import store as recording_store
from tests.audio import container_of, duration_seconds, tone
from tests.factories import item, review_link, review_url, start
from tests.recording_uploads import send_stream

BUCKET = "interviewprep-test-recordings"
KEYS = {"access_key": "testing-key", "secret_key": "testing-secret"}
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    settings.RECORDINGS_S3_BUCKET = BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "location": "recordings",
                "querystring_auth": True,
                "querystring_expire": 300,
                **KEYS,
            },
        },
    }
    yield client
    for listed in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=listed["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.fixture
def recorded(alice, alice_client, bucket):
    interview = start(alice, (1,), timezone.now(), timing_mode="fixed", fixed_seconds=60)
    engine.show(item(interview, 1), interview.started_at)
    send_stream(alice_client, interview.pk, 1, tone(2.0, "webm"), segment=0)
    send_stream(alice_client, interview.pk, 1, tone(1.0, "webm"), segment=1, pieces=2)
    alice_client.post(reverse("interviews:submit", args=[interview.pk, 1]), {"answer": "Spoken."})
    return Recording.objects.get(item__interview=interview)


@pytest.mark.django_db(transaction=True)
def test_chunks_join_into_one_object_in_the_bucket(recorded, bucket):
    assert keys(bucket) == [f"recordings/{recorded.file}"]
    data = bucket.get_object(Bucket=BUCKET, Key=f"recordings/{recorded.file}")["Body"].read()
    assert container_of(data) == "matroska,webm"
    assert duration_seconds(data) == pytest.approx(3.0, abs=0.1)


@pytest.mark.django_db(transaction=True)
def test_playback_redirects_the_owner_to_a_signed_link_with_ranges(
    recorded, alice_client, bob_client, client, s3_endpoint
):
    response = alice_client.get(reverse("interviews:recording_audio", args=[recorded.pk]))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    link = response["Location"]
    assert link.startswith(f"{s3_endpoint}/{BUCKET}/recordings/")
    assert "Signature=" in link or "X-Amz-Signature=" in link
    assert "Expires=" in link or "X-Amz-Expires=300" in link
    with urllib.request.urlopen(
        urllib.request.Request(link, headers={"Range": "bytes=0-99"})
    ) as part:
        assert part.status == 206
        assert part.headers["Content-Type"] == "audio/webm"
        assert len(part.read()) == 100
    # Others get the same 404, and no link.
    url = reverse("interviews:recording_audio", args=[recorded.pk])
    assert bob_client.get(url).status_code == 404
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_recordings_zip_is_built_in_the_bucket_and_handed_over_by_a_signed_link(
    recorded, alice_client, bob_client, bucket, s3_endpoint
):
    # The tests' tasks run at once: the zip is built within the POST.
    alice_client.post(reverse("export_recordings"))
    export = RecordingsExport.objects.get()
    assert f"recordings/{export.file}" in keys(bucket)

    response = alice_client.get(reverse("export_recordings_zip"))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    link = response["Location"]
    assert link.startswith(f"{s3_endpoint}/{BUCKET}/recordings/")
    with urllib.request.urlopen(link) as download:
        assert download.headers["Content-Type"] == "application/zip"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        archive = zipfile.ZipFile(io.BytesIO(download.read()))
    assert archive.namelist() == [recording_store.zip_entry_name(recorded)]
    # Bob has no zip, and gets no link to Alice's.
    assert bob_client.get(reverse("export_recordings_zip")).url == reverse("export_recordings")


@pytest.mark.django_db(transaction=True)
def test_deleting_the_account_deletes_the_objects(recorded, alice, bucket):
    assert keys(bucket)
    alice.delete()
    assert keys(bucket) == []


@pytest.mark.django_db(transaction=True)
def test_find_orphan_recordings_finds_and_deletes_objects_no_row_names(recorded, bucket):
    stray = "recordings/1/9/answer-0badf11e.webm"
    bucket.put_object(Bucket=BUCKET, Key=stray, Body=b"left by a crash")

    listed = io.StringIO()
    call_command("find_orphan_recordings", "--older-than", "0", "--delete", stdout=listed)

    assert listed.getvalue().splitlines() == [
        "1/9/answer-0badf11e.webm",
        "Deleted 1 file(s) that no recording names.",
    ]
    assert keys(bucket) == [f"recordings/{recorded.file}"]


def test_the_settings_use_the_bucket_and_let_the_page_play_from_it():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RECORDINGS_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "interviewprep.settings",
        "DJANGO_DEBUG": "True",
        "RECORDINGS_S3_BUCKET": "answers",
        "RECORDINGS_S3_ENDPOINT_URL": "https://objects.example.com:9000/",
        "RECORDINGS_S3_REGION": "eu-west-3",
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.STORAGES['recordings'], s.SECURE_CSP['media-src']], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    storage, media = json.loads(result.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "answers"
    assert storage["OPTIONS"]["region_name"] == "eu-west-3"
    assert media == ["'self'", "blob:", "https://objects.example.com:9000"]


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_is_redirected_to_a_signed_link_until_the_link_is_revoked(
    recorded, client, s3_endpoint
):
    interview = recorded.item.interview
    interview.refresh_from_db()
    link, token = review_link(interview, timezone.now())
    url = review_url(link, token, "recording", 1)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{s3_endpoint}/{BUCKET}/recordings/")
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    reviews.revoke(link, timezone.now())
    assert client.get(url).status_code == 410
