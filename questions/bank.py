"""Reading, checking and exporting the question bank in the fixture's JSON format.

The same rules serve `seed_questions`, `import_questions`, `export_questions` and the
admin's import page: a file is checked whole here before anything is written, and then
written in one transaction (questions/loading.py).
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from questions import misconceptions
from questions.models import (
    MAX_KEY_POINTS,
    MAX_SECONDS,
    MIN_KEY_POINTS,
    MIN_SECONDS,
    KeyPoint,
    Level,
    Question,
    Topic,
)
from questions.storable import field_problem

FIXTURE_FORMAT = "interviewprep.questions/1"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUESTION_FIELDS = (
    "number",
    "slug",
    "level",
    "topics",
    "prompt",
    "reference_answer",
    "key_points",
    "suggested_seconds",
    "is_active",
    "follow_ups",
    "misconceptions",
)
# A key point is its text, or an object with its text and the cue phrases the detector
# looks for; the plain form is kept for points without cues.
KEY_POINT_FIELDS = ("text", "cues")
# Fields a file may leave out, with the value they then take.
OPTIONAL_FIELDS = {"is_active": True, "follow_ups": [], "misconceptions": []}
# Fields added to the format after questions were first seeded: left out of the checksum
# while empty, so a question seeded before they existed still counts as unedited.
FIELDS_ADDED_LATER = {"follow_ups": [], "misconceptions": []}


class BankError(Exception):
    """A bank file that cannot be applied; `problems` names each question and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class BankPlan:
    """What applying a checked file would do, question by question."""

    topics: list[dict[str, str]]
    questions: list[dict[str, Any]]
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    new_topics: list[str] = field(default_factory=list)


def checksum(record: dict[str, Any]) -> str:
    canonical = {
        name: value
        for name, value in record.items()
        if name not in FIELDS_ADDED_LATER or value != FIELDS_ADDED_LATER[name]
    }
    canonical["topics"] = sorted(record["topics"])
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


# What question_record reads, to be prefetched.
RELATED = ("topics", "key_points", "misconceptions")


def question_record(question: Question) -> dict[str, Any]:
    """A question in the fixture's form; expects RELATED prefetched."""
    return {
        "number": question.number,
        "slug": question.slug,
        "level": question.level,
        "topics": sorted(topic.slug for topic in question.topics.all()),
        "prompt": question.prompt,
        "reference_answer": question.reference_answer,
        "key_points": [
            key_point_record(point.text, point.cues) for point in question.key_points.all()
        ],
        "suggested_seconds": question.suggested_seconds,
        "is_active": question.is_active,
        "follow_ups": question.follow_ups,
        "misconceptions": [misconceptions.record(item) for item in question.misconceptions.all()],
    }


def key_point_record(text: str, cues: list[str]) -> str | dict[str, Any]:
    return {"text": text, "cues": cues} if cues else text


def key_point_values(record: str | dict[str, Any]) -> dict[str, Any]:
    """A checked key point as KeyPoint's fields."""
    if isinstance(record, str):
        return {"text": record, "cues": []}
    return {name: record[name] for name in KEY_POINT_FIELDS}


def _check_key_point(point: Any, where: str, problems: list[str]):
    """A key point in its normalised form, or None after naming its problem; `where` names
    the question, `where` plus the position names the point."""
    if isinstance(point, dict):
        unknown = sorted(set(point) - set(KEY_POINT_FIELDS))
        if unknown:
            problems.append(f"{where} has unknown fields: {', '.join(unknown)}.")
            return None
        text, cues = point.get("text"), point.get("cues", [])
    else:
        text, cues = point, []
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where} has no text.")
        return None
    place = where.replace(": key point", ", key point")
    if not (
        _check_field(place, KeyPoint, "text", text.strip(), problems)
        and _check_field(place, KeyPoint, "cues", cues, problems)
    ):
        return None
    return key_point_record(text.strip(), [cue.strip() for cue in cues])


def export_bank(questions=None) -> dict[str, Any]:
    """The whole built-in deck, or the given questions with the topics they use."""
    whole_bank = questions is None
    if whole_bank:
        questions = Question.objects.builtin()
    questions = questions.order_by("number").prefetch_related(*RELATED)
    records = [question_record(question) for question in questions]
    used = {slug for record in records for slug in record["topics"]}
    topics = [
        {"slug": topic.slug, "name": topic.name, "description": topic.description}
        for topic in Topic.objects.builtin().order_by("slug")
        if whole_bank or topic.slug in used
    ]
    return {"format": FIXTURE_FORMAT, "topics": topics, "questions": records}


def dumps(bank: dict[str, Any]) -> str:
    return json.dumps(bank, indent=2, ensure_ascii=False) + "\n"


def parse(text: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BankError([f"The file is not valid JSON: {error}."]) from None
    except ValueError:  # a number of more digits than Python converts
        raise BankError(["The file holds a number far too long to be read."]) from None
    except RecursionError:
        raise BankError(
            ["The file nests lists or objects too deeply to be a question bank."]
        ) from None
    if not isinstance(data, dict):
        raise BankError(["The file must hold one JSON object with 'topics' and 'questions'."])
    return data


def _check_field(
    where: str, model: type[models.Model], name: str, value: Any, problems: list[str]
) -> bool:
    """Add the problem with `value` for `model`'s field `name` to `problems`; True if none."""
    problem = field_problem(model, name, value)
    if problem is not None:
        problems.append(f"{where}: field '{name}': {problem}")
    return problem is None


def _check_topics(data: dict[str, Any], problems: list[str]) -> list[dict[str, str]]:
    topics = data.get("topics", [])
    if not isinstance(topics, list):
        problems.append("'topics' must be a list.")
        return []
    seen: set[str] = set()
    names: dict[str, str] = {}
    checked = []
    for index, topic in enumerate(topics, start=1):
        where = f"Topic {index}"
        if not isinstance(topic, dict):
            problems.append(f"{where}: must be an object.")
            continue
        slug, name = topic.get("slug"), topic.get("name")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problems.append(f"{where}: field 'slug' is missing or not a slug.")
            continue
        if not _check_field(where, Topic, "slug", slug, problems):
            continue
        where = f"Topic '{slug}'"
        if slug in seen:
            problems.append(f"{where}: the slug appears twice.")
        seen.add(slug)
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}: field 'name' is missing or empty.")
            continue
        description = topic.get("description", "")
        if isinstance(description, str):
            description = description.strip()
        name = name.strip()
        fine = _check_field(where, Topic, "name", name, problems)
        if not _check_field(where, Topic, "description", description, problems) or not fine:
            continue
        if name in names:
            problems.append(f"{where}: its name is also the name of topic '{names[name]}'.")
        names[name] = slug
        checked.append({"slug": slug, "name": name, "description": description})
    other_names = dict(
        Topic.objects.builtin()
        .filter(name__in=names)
        .exclude(slug__in=seen)
        .values_list("name", "slug")
    )
    for name, slug in names.items():
        if name in other_names:
            problems.append(
                f"Topic '{slug}': its name already belongs to topic '{other_names[name]}'."
            )
    return checked


def _check_question(raw: Any, index: int, known_topics: set[str], problems: list[str]):
    if not isinstance(raw, dict):
        problems.append(f"Question {index} in the file: must be an object.")
        return None
    number = raw.get("number")
    where = (
        f"Question {number}"
        if isinstance(number, int) and not isinstance(number, bool)
        else f"Question {index} in the file"
    )
    before = len(problems)
    for name in QUESTION_FIELDS:
        if name not in raw and name not in OPTIONAL_FIELDS:
            problems.append(f"{where}: field '{name}' is missing.")
    if len(problems) > before:
        return None
    if _check_field(where, Question, "number", number, problems) and number < 1:
        problems.append(f"{where}: field 'number' must be a whole number from 1.")
    slug = raw["slug"]
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        problems.append(f"{where}: field 'slug' must be lowercase letters, digits and hyphens.")
    else:
        _check_field(where, Question, "slug", slug, problems)
    if raw["level"] not in Level.values:
        problems.append(
            f"{where}: field 'level' is {raw['level']!r}; it must be one of {', '.join(Level.values)}."
        )
    topics = raw["topics"]
    if not isinstance(topics, list) or not topics or not all(isinstance(t, str) for t in topics):
        problems.append(f"{where}: field 'topics' must be a non-empty list of topic slugs.")
    else:
        for slug_ in topics:
            if slug_ not in known_topics:
                problems.append(f"{where}: field 'topics' names an unknown topic {slug_!r}.")
        if len(set(topics)) != len(topics):
            problems.append(f"{where}: field 'topics' names a topic twice.")
    for text_field in ("prompt", "reference_answer"):
        if not isinstance(raw[text_field], str) or not raw[text_field].strip():
            problems.append(f"{where}: field '{text_field}' is missing or empty.")
        else:
            _check_field(where, Question, text_field, raw[text_field].strip(), problems)
    points = raw["key_points"]
    if not isinstance(points, list):
        problems.append(f"{where}: field 'key_points' must be a list of texts.")
    else:
        if not MIN_KEY_POINTS <= len(points) <= MAX_KEY_POINTS:
            problems.append(
                f"{where}: field 'key_points' has {len(points)} points; "
                f"it needs {MIN_KEY_POINTS} to {MAX_KEY_POINTS}."
            )
        checked_points = [
            _check_key_point(point, f"{where}: key point {position}", problems)
            for position, point in enumerate(points, start=1)
        ]
    seconds = raw["suggested_seconds"]
    if (
        not isinstance(seconds, int)
        or isinstance(seconds, bool)
        or not MIN_SECONDS <= seconds <= MAX_SECONDS
    ):
        problems.append(
            f"{where}: field 'suggested_seconds' must be {MIN_SECONDS} to {MAX_SECONDS} seconds."
        )
    _check_field(where, Question, "is_active", raw.get("is_active", True), problems)
    follow_ups = raw.get("follow_ups", [])
    _check_field(where, Question, "follow_ups", follow_ups, problems)
    if isinstance(points, list):
        checked_misconceptions = misconceptions.check(
            raw.get("misconceptions", []), where, len(points), problems, _check_field
        )
    if len(problems) > before:
        return None
    return {
        "number": number,
        "slug": slug,
        "level": raw["level"],
        "topics": sorted(topics),
        "prompt": raw["prompt"].strip(),
        "reference_answer": raw["reference_answer"].strip(),
        "key_points": checked_points,
        "suggested_seconds": seconds,
        "is_active": raw.get("is_active", True),
        "follow_ups": [text.strip() for text in follow_ups],
        "misconceptions": checked_misconceptions,
    }


def check(data: dict[str, Any]) -> BankPlan:
    """Check a parsed file against the rules and the database; raise BankError if it is refused."""
    problems: list[str] = []
    topics = _check_topics(data, problems)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list):
        raise BankError([*problems, "'questions' must be a list."])
    known_topics = {topic["slug"] for topic in topics} | set(
        Topic.objects.builtin().values_list("slug", flat=True)
    )
    records = []
    for index, raw in enumerate(raw_questions, start=1):
        record = _check_question(raw, index, known_topics, problems)
        if record is not None:
            records.append(record)
    for key in ("number", "slug"):
        seen: set[Any] = set()
        for record in records:
            if record[key] in seen:
                problems.append(
                    f"Question {record['number']}: {key} {record[key]!r} appears twice."
                )
            seen.add(record[key])
    # The file is the built-in deck's; its numbers name that deck's questions.
    existing = {
        question.number: question
        for question in Question.objects.builtin().prefetch_related(*RELATED)
    }
    numbers_in_file = {record["number"] for record in records}
    slugs_elsewhere = {
        question.slug: f"question {number}"
        for number, question in existing.items()
        if number not in numbers_in_file
    }
    # Slugs name questions across every deck.
    slugs_elsewhere |= {
        slug: "a question of a user's deck"
        for slug in Question.objects.exclude(deck__is_builtin=True)
        .filter(slug__in=[record["slug"] for record in records])
        .values_list("slug", flat=True)
    }
    for record in records:
        if record["slug"] in slugs_elsewhere:
            problems.append(
                f"Question {record['number']}: slug {record['slug']!r} already belongs to "
                f"{slugs_elsewhere[record['slug']]}."
            )
    if problems:
        raise BankError(problems)

    plan = BankPlan(topics=topics, questions=records)
    existing_topics = set(Topic.objects.builtin().values_list("slug", flat=True))
    plan.new_topics = [topic["slug"] for topic in topics if topic["slug"] not in existing_topics]
    for record in records:
        current = existing.get(record["number"])
        if current is None:
            plan.added.append(record)
            continue
        before = question_record(current)
        changed = [name for name in QUESTION_FIELDS if before[name] != record[name]]
        if changed:
            plan.changed.append((record, changed))
        else:
            plan.unchanged.append(record)
    return plan
