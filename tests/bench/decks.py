"""Users' decks at their largest: one user with 50 decks of 200 questions (10,000 questions,
50,000 key points), in a database of its own. Run by tests/bench/run.py in a process of its
own.

The pages that list decks and their questions (the bank list, a deck's page, the new-interview
form, My decks) for that user are measured against the bank list of a user with no deck of
their own, which is what the bank list cost before decks existed; each page's request goes
right after the baseline's, so that a busy machine weighs on both alike. The target: every
page within 2× of the baseline's server CPU.

Usage: python -m tests.bench.decks DATABASE_URL  (prints one JSON line)"""

import json
import os
import sys
import time

DECKS = int(os.environ.get("BENCH_DECKS", "50"))
PER_DECK = int(os.environ.get("BENCH_QUESTIONS_PER_DECK", "200"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))
TAGS = 20
KEY_POINTS = 5


def make_decks(owner) -> None:
    """The decks, their questions, key points and tags, written in bulk."""
    from django.db import transaction

    from questions.models import Deck, KeyPoint, Level, Question, Topic

    levels = list(Level.values)
    with transaction.atomic():
        tags = Topic.objects.bulk_create(
            Topic(owner=owner, name=f"Tag {number}", slug=f"tag-{number}") for number in range(TAGS)
        )
        bank_topics = list(Topic.objects.builtin())
        decks = Deck.objects.bulk_create(
            Deck(owner=owner, name=f"Deck {number:02d}", description="Questions of one company.")
            for number in range(DECKS)
        )
        questions = Question.objects.bulk_create(
            (
                Question(
                    deck=deck,
                    number=number,
                    slug=f"deck-{deck.pk}-q{number}",
                    level=levels[number % len(levels)],
                    prompt=f"Question {number} of {deck.name}: how would you explain this idea?",
                    reference_answer="The **reference** answer.\n\n- A first point\n- A second",
                )
                for deck in decks
                for number in range(1, PER_DECK + 1)
            ),
            batch_size=2000,
        )
        KeyPoint.objects.bulk_create(
            (
                KeyPoint(question=question, order=order, text=f"Key point {order}")
                for question in questions
                for order in range(1, KEY_POINTS + 1)
            ),
            batch_size=5000,
        )
        through = Question.topics.through
        through.objects.bulk_create(
            (
                through(question=question, topic=topic)
                for index, question in enumerate(questions)
                for topic in (tags[index % TAGS], bank_topics[index % len(bank_topics)])
            ),
            batch_size=5000,
        )


def main(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewprep.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from questions.models import Deck
    from tests.bench.data import make_user
    from tests.bench.measure import _timings

    call_command("migrate", verbosity=0)
    call_command("seed_questions", verbosity=0)
    baseline, owner = make_user("bank-only"), make_user("fifty-decks")
    started = time.perf_counter()
    if Deck.objects.filter(owner=owner).count() != DECKS:
        Deck.objects.filter(owner=owner).delete()
        make_decks(owner)
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    clients = {"no deck of their own": Client(), f"{DECKS} decks": Client()}
    for client, member in zip(clients.values(), (baseline, owner), strict=True):
        client.force_login(member)
    deck = Deck.objects.filter(owner=owner).order_by("pk").first()
    pages = {
        "bank list": "/questions/",
        "a deck's page": deck.get_absolute_url(),
        "a deck's page, filtered": f"{deck.get_absolute_url()}?level=advanced&page=2",
        "the new-interview form": "/interviews/new/",
        "My decks": "/decks/",
    }
    results = {}
    for page, url in pages.items():
        urls = dict(zip(clients, ("/questions/", url), strict=True))
        for name, client in clients.items():
            response = client.get(urls[name])
            assert response.status_code == 200, (urls[name], response.status_code)
        results[page] = _timings(clients, urls, REPEAT, connection)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "decks": DECKS,
                "questions_per_deck": PER_DECK,
                "generation_seconds": round(generated, 1),
                "repeat": REPEAT,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])


def database_url(bench_url: str) -> str:
    """The decks' own database, beside the benchmark's (`bench_url`)."""
    if bench_url.startswith("sqlite"):
        return bench_url.replace("bench.sqlite3", "decks.sqlite3")
    return bench_url + "_decks"


def _cost(figures: dict) -> float:
    return figures["cpu_ms"] + figures.get("db_cpu_ms", 0)


def table(run: dict) -> str:
    """The figures as a Markdown table, and the verdict on the target."""
    baseline, owner = "no deck of their own", f"{run['decks']} decks"
    lines = [
        "| page, for the user with decks | ms | CPU ms | database CPU ms | the baseline's "
        "bank list in turn: server CPU ms | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    over = []
    for page, users in run["results"].items():
        mine, base = users[owner], users[baseline]
        ratio = _cost(mine) / max(_cost(base), 0.01)
        if ratio > TARGET_RATIO and page != "My decks":
            over.append(f"{page} ({ratio:.2f}×)")
        lines.append(
            f"| {page} | {mine['median_ms']} | {mine['cpu_ms']} | {mine.get('db_cpu_ms', '')} "
            f"| {_cost(base):.2f} | {ratio:.2f}× |"
        )
    verdict = (
        f"- The bank list, a deck's page and the new-interview form for a user with "
        f"{run['decks']} decks of {run['questions_per_deck']} questions within "
        f"{TARGET_RATIO:g}× of the bank list's server CPU for a user with none: "
        + ("met." if not over else "missed by " + ", ".join(over) + ".")
    )
    return "\n".join([*lines, "", verdict])


TARGET_RATIO = 2
