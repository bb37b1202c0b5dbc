"""Writing a checked bank file into the database (questions/bank.py checks it): the admin's and
`import_questions`' apply, and `seed_questions`' seed, each in one transaction."""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from questions import misconceptions
from questions.bank import (
    RELATED,
    BankError,
    BankPlan,
    check,
    checksum,
    key_point_values,
    question_record,
)
from questions.models import Deck, KeyPoint, Question, Topic


def _write_question(
    record: dict[str, Any], topics_by_slug: dict[str, Topic], deck: Deck, *, seeded: bool
):
    values = {
        "slug": record["slug"],
        "level": record["level"],
        "prompt": record["prompt"],
        "reference_answer": record["reference_answer"],
        "suggested_seconds": record["suggested_seconds"],
        "is_active": record["is_active"],
        "follow_ups": record["follow_ups"],
    }
    if seeded:
        values["seed_checksum"] = checksum(record)
    question, _ = Question.objects.update_or_create(
        deck=deck, number=record["number"], defaults=values
    )
    question.topics.set([topics_by_slug[slug] for slug in record["topics"]])
    question.key_points.all().delete()
    KeyPoint.objects.bulk_create(
        KeyPoint(question=question, order=order, **key_point_values(point))
        for order, point in enumerate(record["key_points"], start=1)
    )
    misconceptions.write(question, record["misconceptions"])
    return question


def _write_topics(topics: list[dict[str, str]], *, overwrite: bool) -> dict[str, Topic]:
    for topic in topics:
        if overwrite:
            Topic.objects.update_or_create(
                owner=None,
                slug=topic["slug"],
                defaults={"name": topic["name"], "description": topic["description"]},
            )
        else:
            Topic.objects.get_or_create(
                owner=None,
                slug=topic["slug"],
                defaults={"name": topic["name"], "description": topic["description"]},
            )
    return {topic.slug: topic for topic in Topic.objects.builtin()}


def apply(plan: BankPlan) -> None:
    """Write a checked plan: add new questions and make changed ones match the file."""
    try:
        with transaction.atomic():
            topics_by_slug = _write_topics(plan.topics, overwrite=True)
            deck = Deck.builtin()
            for record in plan.added + [record for record, _ in plan.changed]:
                _write_question(record, topics_by_slug, deck, seeded=False)
    except IntegrityError as error:
        raise BankError([f"The database refused the file: {error}."]) from None


@dataclass
class SeedResult:
    added: int = 0
    updated: int = 0
    kept_edited: int = 0
    unchanged: int = 0


def seed(data: dict[str, Any], *, update: bool = False) -> SeedResult:
    """Load the fixture into the built-in deck: add what is missing; refresh questions nobody has edited since the
    last seed; leave edited questions alone unless `update` lets the fixture win."""
    plan = check(data)
    result = SeedResult()
    existing = {
        question.number: question
        for question in Question.objects.builtin().prefetch_related(*RELATED)
    }
    with transaction.atomic():
        deck = Deck.builtin()
        topics_by_slug = _write_topics(plan.topics, overwrite=update)
        for record in plan.questions:
            current = existing.get(record["number"])
            if current is None:
                _write_question(record, topics_by_slug, deck, seeded=True)
                result.added += 1
                continue
            current_checksum = checksum(question_record(current))
            wanted = checksum(record)
            if current_checksum == wanted:
                if current.seed_checksum != wanted:
                    Question.objects.filter(pk=current.pk).update(seed_checksum=wanted)
                result.unchanged += 1
            elif update or current_checksum == current.seed_checksum:
                _write_question(record, topics_by_slug, deck, seeded=True)
                result.updated += 1
            else:
                result.kept_edited += 1
    return result
