"""Downloading one's own deck as CSV (formula injection neutralised), JSON and an Anki package
that holds the deck's notes."""

import csv
import io
import json
import sqlite3
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questions.models import Deck
from tests.factories import deck, own_question


@pytest.fixture
def alices_deck(alice):
    company = deck(alice, "Company X: onsite")
    own_question(company)
    own_question(
        company,
        prompt='=HYPERLINK("http://evil")',
        key_points=[("+1 for caching", []), ("-x is a flag", []), ("@SUM(A1)", [])],
        topics=["Caching"],
    )
    return company


def url(target: Deck, kind: str) -> str:
    return reverse("decks:export", args=[target.pk, kind])


@pytest.mark.parametrize("kind", ["csv", "json", "apkg"])
def test_exports_are_the_owners_alone(seeded, client, bob_client, alice_client, alices_deck, kind):
    assert client.get(url(alices_deck, kind)).status_code == 302
    assert bob_client.get(url(alices_deck, kind)).status_code == 404
    assert bob_client.get(url(Deck.builtin(), kind)).status_code == 404
    response = alice_client.get(url(alices_deck, kind))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="company-x-onsite.{kind}"'


def test_an_unknown_format_is_a_404(seeded, alice_client, alices_deck):
    assert alice_client.get(url(alices_deck, "xlsx")).status_code == 404


def test_the_csv_has_the_import_columns_and_neutralises_formulas(seeded, alice_client, alices_deck):
    text = alice_client.get(url(alices_deck, "csv")).content.decode("utf-8-sig")

    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["prompt"] == "What does a load balancer do?"
    assert rows[0]["key_point_2"] == "Checks the health of each server"
    assert rows[0]["topics"] == "Architectures;Systems"
    assert rows[0]["suggested_seconds"] == "90"
    assert rows[0]["follow_up_1"] == "And sticky sessions?"
    formula = rows[1]
    assert formula["prompt"] == '\'=HYPERLINK("http://evil")'
    assert [formula[f"key_point_{n}"] for n in (1, 2, 3)] == [
        "'+1 for caching",
        "'-x is a flag",
        "'@SUM(A1)",
    ]


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_an_export_imports_into_another_deck_as_it_was(seeded, alice, alice_client, kind):
    source = deck(alice, "Source")
    own_question(source, follow_ups=["Why?", "How?"], topics=["Networking", "Architectures"])
    target = deck(alice, "Target")
    exported = alice_client.get(url(source, kind)).content

    preview = alice_client.post(
        reverse("decks:import", args=[target.pk]),
        {"file": SimpleUploadedFile(f"deck.{kind}", exported)},
    )
    checked = preview.text.split('name="checked" value="')[1].split('"')[0]
    alice_client.post(reverse("decks:import_apply", args=[target.pk]), {"checked": checked})

    original, copy = source.questions.get(), target.questions.get()
    for name in ("prompt", "reference_answer", "level", "suggested_seconds", "follow_ups"):
        assert getattr(copy, name) == getattr(original, name)
    assert [p.text for p in copy.key_points.all()] == [p.text for p in original.key_points.all()]
    assert {t.pk for t in copy.topics.all()} == {t.pk for t in original.topics.all()}


def test_the_anki_package_holds_the_decks_notes(seeded, alice_client, alices_deck, tmp_path):
    package = alice_client.get(url(alices_deck, "apkg")).content

    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert set(archive.namelist()) == {"collection.anki2", "media"}
        archive.extract("collection.anki2", tmp_path)
    database = sqlite3.connect(tmp_path / "collection.anki2")
    notes = [row[0].split("\x1f") for row in database.execute("SELECT flds FROM notes")]
    decks = json.loads(database.execute("SELECT decks FROM col").fetchone()[0])
    models = json.loads(database.execute("SELECT models FROM col").fetchone()[0])
    tags = {row[0].strip() for row in database.execute("SELECT tags FROM notes")}
    database.close()
    assert "Company X: onsite" in {deck["name"] for deck in decks.values()}
    (model,) = models.values()
    assert [field["name"] for field in model["flds"]] == ["Front", "Back", "Key points"]
    front, back, points = notes[0]
    assert front == "What does a load balancer do?"
    assert back == "<p>It <strong>spreads</strong> requests across servers.</p>"
    assert points == (
        "<ul><li>Spreads requests across servers</li><li>Checks the health of each server</li>"
        "<li>Removes a failing server from rotation</li></ul>"
    )
    assert notes[1][0] == "=HYPERLINK(&quot;http://evil&quot;)"
    assert "Architectures Systems" in tags
