"""A deck as a file to take away: CSV (the import's columns), the app's JSON, and an Anki
package (.apkg) with a note type of Front, Back and Key points."""

import csv
import hashlib
import io
import itertools
import json
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

import genanki
from django.utils.html import escape

from questions import bank
from questions.import_formats import CSV_COLUMNS
from questions.models import Deck, Topic
from questions.templatetags.markdown import markdown

# Characters that make a spreadsheet read a cell as a formula (with tab and carriage return,
# which some read before one of them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Anki tells note types and decks apart by these numbers; the note type's never changes.
ANKI_MODEL_ID = 1_764_112_019
ANKI_MODEL = genanki.Model(
    ANKI_MODEL_ID,
    "InterviewPrep question",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Key points"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Back}}<h3>Key points</h3>{{Key points}}",
        }
    ],
)


def _questions(deck: Deck):
    return deck.questions.order_by("number").prefetch_related("topics", "key_points")


def neutralised(cell: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def as_csv(deck: Deck) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for question in _questions(deck):
        points = [point.text for point in question.key_points.all()]
        follow_ups = list(question.follow_ups)
        row = {
            "prompt": question.prompt,
            "reference_answer": question.reference_answer,
            **{f"key_point_{n}": text for n, text in enumerate(points, start=1)},
            "level": question.level,
            "topics": ";".join(topic.name for topic in question.topics.all()),
            "suggested_seconds": str(question.suggested_seconds),
            **{f"follow_up_{n}": text for n, text in enumerate(follow_ups, start=1)},
        }
        writer.writerow([neutralised(row.get(column, "")) for column in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()  # the mark makes spreadsheets read UTF-8


def as_json(deck: Deck) -> str:
    """The app's format; the owner's own tags are listed with the bank's topics it uses."""
    data = bank.export_bank(deck.questions.all())
    listed = {topic["slug"] for topic in data["topics"]}
    for tag in Topic.objects.filter(questions__deck=deck, owner=deck.owner_id).distinct():
        if tag.slug not in listed:
            data["topics"].append({"slug": tag.slug, "name": tag.name, "description": ""})
    return bank.dumps(data)


def anki_deck_id(deck: Deck) -> int:
    digest = hashlib.sha256(f"interviewprep-deck-{deck.pk}".encode()).digest()
    return int.from_bytes(digest[:7], "big") or 1


def as_apkg(deck: Deck, timestamp: float | None = None) -> bytes:
    """An Anki package: a zip holding the SQLite collection of the deck's notes."""
    anki_deck = genanki.Deck(anki_deck_id(deck), deck.name)
    for question in _questions(deck):
        points = "".join(f"<li>{escape(point.text)}</li>" for point in question.key_points.all())
        anki_deck.add_note(
            genanki.Note(
                model=ANKI_MODEL,
                fields=[
                    escape(question.prompt),
                    str(markdown(question.reference_answer)),
                    f"<ul>{points}</ul>",
                ],
                tags=[topic.name.replace(" ", "_") for topic in question.topics.all()],
                guid=genanki.guid_for(question.slug),
            )
        )
    package = genanki.Package(anki_deck)
    # As Package.write_to_file does, but without leaving its temporary database behind.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(path)
        timestamp = time.time() if timestamp is None else timestamp
        package.write_to_db(connection.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        connection.commit()
        connection.close()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "collection.anki2")
            archive.writestr("media", json.dumps({}))
    return out.getvalue()
