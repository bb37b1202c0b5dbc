"""Importing CSV, Anki plain text and the app's JSON into one's own deck: the preview, applying
all or nothing, and every way a file can be bad."""

import html
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questions import bank
from questions.models import Question
from tests.factories import deck, own_question

HEADER = "prompt,reference_answer,key_point_1,key_point_2,key_point_3,level,topics,follow_up_1"
ROW = 'What is a CDN?,"Servers near users, caching content.",Caches content,Near the users,Cuts latency,beginner,Networking;Caching,Which content?'


@pytest.fixture
def alices_deck(alice):
    return deck(alice)


def upload(client, target, name: str, content: bytes | str):
    if isinstance(content, str):
        content = content.encode()
    url = reverse("decks:import", args=[target.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def apply(client, target, page: str, **extra):
    checked = re.search(r'name="checked" value="([0-9a-f]+)"', page).group(1)
    return client.post(
        reverse("decks:import_apply", args=[target.pk]), {"checked": checked, **extra}
    )


def text_of(response) -> str:
    return html.unescape(response.text)


def test_the_import_pages_are_the_owners_alone(seeded, client, bob_client, alices_deck):
    for url in (
        reverse("decks:import", args=[alices_deck.pk]),
        reverse("decks:import_apply", args=[alices_deck.pk]),
    ):
        assert client.post(url).status_code == 302
        assert bob_client.get(url).status_code in (404, 405)
        assert bob_client.post(url, {"checked": "x"}).status_code == 404
    assert upload(bob_client, alices_deck, "q.csv", f"{HEADER}\n{ROW}\n").status_code == 404


def test_a_csv_file_is_previewed_then_applied(seeded, alice, alice_client, alices_deck):
    preview = upload(alice_client, alices_deck, "questions.csv", f"{HEADER}\n{ROW}\n")

    assert "1 new, 0 changed, 0 refused" in preview.text
    assert not alices_deck.questions.exists()
    response = apply(alice_client, alices_deck, preview.text)

    assert response.status_code == 302
    added = alices_deck.questions.get()
    assert (added.prompt, added.level, added.suggested_seconds) == (
        "What is a CDN?",
        "beginner",
        120,
    )
    assert added.reference_answer == "Servers near users, caching content."
    assert [point.text for point in added.key_points.all()] == [
        "Caches content",
        "Near the users",
        "Cuts latency",
    ]
    assert sorted(topic.name for topic in added.topics.all()) == ["Caching", "Networking"]
    assert added.follow_ups == ["Which content?"]


@pytest.mark.parametrize(
    "content",
    [
        "\ufeff" + f"{HEADER}\n{ROW}\n",  # a byte-order mark
        HEADER.replace(",", ";")
        + "\nWhat is a CDN?;Servers near users, caching content.;Caches content;Near the users;"
        + 'Cuts latency;beginner;"Networking;Caching";Which content?\n',
        f"{HEADER}\r\n{ROW}\r\n",
    ],
    ids=["bom", "semicolons", "crlf"],
)
def test_bom_semicolons_and_windows_line_ends_are_read(seeded, alice_client, alices_deck, content):
    preview = upload(alice_client, alices_deck, "q.csv", content)
    apply(alice_client, alices_deck, preview.text)

    added = alices_deck.questions.get()
    assert added.prompt == "What is a CDN?"
    assert added.key_points.count() == 3


def test_the_csv_template_imports_as_it_is(seeded, alice_client, alices_deck, settings):
    template = (settings.BASE_DIR / "static" / "decks" / "questions-template.csv").read_bytes()

    preview = upload(alice_client, alices_deck, "questions-template.csv", template)
    apply(alice_client, alices_deck, preview.text)

    assert alices_deck.questions.get().prompt == "What does a load balancer do?"


def test_a_row_with_the_prompt_of_a_deck_question_changes_it(seeded, alice_client, alices_deck):
    existing = own_question(alices_deck, prompt="What is a CDN?")

    preview = upload(alice_client, alices_deck, "q.csv", f"{HEADER}\n{ROW}\n")
    assert "0 new, 1 changed" in preview.text
    apply(alice_client, alices_deck, preview.text)

    existing.refresh_from_db()
    assert existing.reference_answer == "Servers near users, caching content."
    assert alices_deck.questions.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("q.csv", b"", "The submitted file is empty"),
        ("q.csv", b"prompt,answer\nA,B\n", "Row 1 (the header) names unknown columns: answer"),
        ("q.csv", b"What is a CDN?,Servers\n", "Row 1 (the header) names unknown columns"),
        ("q.csv", b"prompt\nA\n", "lacks the columns reference_answer"),
        (
            "q.csv",
            "prompt,reference_answer\ncaf\u00e9,x\n".encode("latin-1"),
            "line 2 has a byte UTF-8",
        ),
        ("q.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (
            "q.csv",
            f"{HEADER}\n{ROW},extra,fields\n".encode(),
            "Row 2 has 10 fields; the header names 8.",
        ),
        ("q.csv", f'{HEADER}\n"unclosed,{ROW}'.encode(), "Row 2: ',' expected after '\"'."),
        (
            "q.csv",
            f"{HEADER}\n{'x' * 60_000},a,b,c,d\n".encode(),
            "Row 2: a field is longer than 50,000",
        ),
        ("q.pdf", b"%PDF-1.4", "Upload a .csv file"),
        ("q.json", b"{not json", "not valid JSON"),
        ("q.json", b'{"format": "other"}', "is not in the interviewprep.questions/1 format"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_changes_nothing(
    seeded, alice_client, alices_deck, name, content, message
):
    response = upload(alice_client, alices_deck, name, content)

    assert response.status_code == 200
    assert message in text_of(response)
    assert 'name="checked"' not in response.text
    assert not alices_deck.questions.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("<img src=x onerror=alert(1)>,,a,b,c,,,", "Row 2: reference_answer: it is empty."),
        (f"{'x' * 1001},answer,a,b,c,,,", "Row 2: prompt: Ensure this value has at most 1000"),
        (f"P,answer,{'k' * 301},b,c,,,", "Row 2: key point 1: Ensure this value has at most 300"),
        ("P,answer,a,b,c,expert,,", "Row 2: level: 'expert' is not one of"),
        ("P,answer,a,b,c,,,", None),
    ],
)
def test_a_bad_row_is_refused_naming_its_row_and_field(
    seeded, alice_client, alices_deck, row, message
):
    response = upload(alice_client, alices_deck, "q.csv", f"{HEADER}\n{row}\n")

    if message is None:
        assert "1 new, 0 changed, 0 refused" in response.text
        return
    assert message in text_of(response)
    assert "1 refused" in response.text
    assert 'name="checked"' not in response.text  # nothing to apply
    assert "<img src=x" not in response.text


def test_a_file_with_one_bad_row_imports_nothing_even_when_applied(
    seeded, alice_client, alices_deck
):
    good = upload(alice_client, alices_deck, "q.csv", f"{HEADER}\n{ROW}\n")
    checked = re.search(r'name="checked" value="([0-9a-f]+)"', good.text).group(1)
    upload(alice_client, alices_deck, "q.csv", f"{HEADER}\n{ROW}\nP,,a,b,c,,,\n")

    response = alice_client.post(
        reverse("decks:import_apply", args=[alices_deck.pk]), {"checked": checked}
    )

    assert "no longer waiting to be imported" in response.text
    assert not alices_deck.questions.exists()


def test_a_hundred_thousand_rows_are_refused_naming_the_row(
    seeded, alice_client, alices_deck, settings
):
    settings.DECK_IMPORT_MAX_KB = 10_000
    rows = "\n".join(f"Q{n}?,A,a,b,c,,," for n in range(100_000))

    response = upload(alice_client, alices_deck, "q.csv", f"{HEADER}\n{rows}\n")

    assert "Row 502: the file holds more than 500 questions" in text_of(response)
    assert not alices_deck.questions.exists()


def test_a_file_over_the_size_limit_is_refused(seeded, alice_client, alices_deck, settings):
    settings.DECK_IMPORT_MAX_KB = 1

    response = upload(alice_client, alices_deck, "q.csv", f"{HEADER}\n" + f"{ROW}\n" * 20)

    assert "The file is larger than 1 KB" in text_of(response)


def test_the_deck_size_limit_counts_what_the_import_adds(
    seeded, alice_client, alices_deck, settings
):
    settings.QUESTIONS_PER_DECK = 2
    own_question(alices_deck)
    rows = "\n".join([ROW, ROW.replace("CDN", "DNS")])

    response = upload(alice_client, alices_deck, "q.csv", f"{HEADER}\n{rows}\n")

    assert "The deck would hold 3 questions; a deck holds at most 2." in text_of(response)


def test_imports_per_hour_are_limited(seeded, alice_client, alices_deck, settings):
    settings.DECK_IMPORTS_PER_HOUR = 2
    for _ in range(2):
        assert "1 new" in upload(alice_client, alices_deck, "q.csv", f"{HEADER}\n{ROW}\n").text

    response = upload(alice_client, alices_deck, "q.csv", f"{HEADER}\n{ROW}\n")

    assert "You have imported 2 files this hour" in text_of(response)


ANKI = (
    "#separator:tab\n#html:true\n#tags column:3\n"
    "What is dropout?\tDropout <b>randomly</b> zeroes units.<ul><li>Zeroes random units</li>"
    "<li>Only while training</li><li>Reduces overfitting</li></ul>\tregularisation deep_learning\n"
    "Why normalise inputs?\tIt speeds up training. It evens the scales.\tpreprocessing\n"
)


def test_an_anki_text_file_is_read_with_its_headers(seeded, alice_client, alices_deck):
    preview = upload(alice_client, alices_deck, "deck.txt", ANKI)

    assert "1 new, 0 changed, 0 refused, 1 to complete" in preview.text
    assert "Row 5: Why normalise inputs?" in preview.text
    refused = apply(alice_client, alices_deck, preview.text)
    assert "Nothing was imported" in refused.text
    assert not alices_deck.questions.exists()

    response = apply(
        alice_client, alices_deck, preview.text, **{"complete-5-1": "Helps the optimiser"}
    )

    assert response.status_code == 302
    dropout, normalise = alices_deck.questions.order_by("number")
    assert dropout.prompt == "What is dropout?"
    assert dropout.reference_answer.startswith("Dropout **randomly** zeroes units.")
    assert "- Zeroes random units" in dropout.reference_answer
    assert [p.text for p in dropout.key_points.all()] == [
        "Zeroes random units",
        "Only while training",
        "Reduces overfitting",
    ]
    assert sorted(t.name for t in dropout.topics.all()) == ["Regularisation", "deep learning"]
    assert [p.text for p in normalise.key_points.all()] == [
        "It speeds up training.",
        "It evens the scales.",
        "Helps the optimiser",
    ]


def test_anki_html_is_sanitised(seeded, alice_client, alices_deck):
    note = (
        "#separator:tab\n#html:true\n"
        "<script>alert(1)</script>Front\tBack <img src=x onerror=alert(1)>. Two. Three.\n"
    )

    preview = upload(alice_client, alices_deck, "deck.txt", note)
    apply(alice_client, alices_deck, preview.text)

    added = alices_deck.questions.get()
    assert "<" not in added.prompt and "<" not in added.reference_answer


def test_the_apps_json_imports_into_a_deck(seeded, alice_client, alices_deck):
    exported = bank.dumps(bank.export_bank())

    preview = upload(alice_client, alices_deck, "bank.json", exported)
    assert "30 new, 0 changed, 0 refused" in preview.text
    apply(alice_client, alices_deck, preview.text)

    assert alices_deck.questions.count() == 30
    first = alices_deck.questions.get(number=1)
    builtin = Question.objects.builtin().get(number=1)
    assert first.prompt == builtin.prompt
    assert [p.cues for p in first.key_points.all()] == [p.cues for p in builtin.key_points.all()]
    assert Question.objects.builtin().count() == 30


def test_json_with_a_lone_surrogate_or_nul_is_refused_naming_the_question(
    seeded, alice_client, alices_deck
):
    data = bank.export_bank(Question.objects.builtin().filter(number__in=[1, 2]))
    data["questions"][1]["prompt"] = "bad \ud800 text"
    data["questions"][0]["key_points"][0] = "nul \x00 here"

    response = upload(alice_client, alices_deck, "bank.json", json.dumps(data))

    page = text_of(response)
    assert "Row 1: key point 1: It contains a NUL character." in page
    assert "Row 2: prompt: It contains a lone surrogate" in page
    assert not alices_deck.questions.exists()
