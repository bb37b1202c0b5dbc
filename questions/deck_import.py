"""Importing a file into one's own deck: each record checked against what the models can
store (questions/storable.py), a plan of what is new, changed or refused, and applying it all
or nothing. A question of the deck with the same prompt is the one a record changes."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from questions import authoring, import_formats
from questions.authoring import QuestionDraft
from questions.models import (
    MAX_KEY_POINTS,
    MAX_SECONDS,
    MIN_KEY_POINTS,
    MIN_SECONDS,
    Deck,
    KeyPoint,
    Level,
    Question,
    cue_problem,
    validate_follow_ups,
)
from questions.storable import field_problem, text_problem
from questions.tags import MAX_TAG_CHARS, MAX_TAGS, tag_names

FORMATS = {"csv": import_formats.read_csv, "anki": import_formats.read_anki}
FORMATS["json"] = import_formats.read_json
FORMAT_LABELS = {"csv": "CSV", "anki": "Anki notes in plain text", "json": "InterviewPrep JSON"}


@dataclass
class Checked:
    row: int
    draft: QuestionDraft | None
    problems: list[str] = field(default_factory=list)  # "field: why", each naming the field
    # Fewer than MIN_KEY_POINTS key points: the preview asks for the rest.
    missing_key_points: int = 0
    changes: Question | None = None  # the deck's question of the same prompt


@dataclass
class ImportPlan:
    checked: list[Checked]

    @property
    def new(self) -> list[Checked]:
        return [row for row in self.importable if row.changes is None]

    @property
    def changed(self) -> list[Checked]:
        return [row for row in self.importable if row.changes is not None]

    @property
    def importable(self) -> list[Checked]:
        return [row for row in self.checked if not row.problems and not row.missing_key_points]

    @property
    def refused(self) -> list[Checked]:
        return [row for row in self.checked if row.problems]

    @property
    def incomplete(self) -> list[Checked]:
        return [row for row in self.checked if not row.problems and row.missing_key_points]

    @property
    def can_apply(self) -> bool:
        return bool(self.checked) and len(self.importable) == len(self.checked)


def _text(value, model, name: str, problems: list[str], label: str, required: bool = True):
    if not isinstance(value, str):
        problems.append(f"{label}: it must be text.")
        return ""
    value = value.strip()
    if not value:
        if required:
            problems.append(f"{label}: it is empty.")
        return value
    if problem := field_problem(model, name, value):
        problems.append(f"{label}: {problem}")
    return value


def _key_points(record, problems: list[str]) -> list[tuple[str, list[str]]]:
    points = []
    for position, point in enumerate(record.key_points, start=1):
        text, cues = point if isinstance(point, tuple) else (point, [])
        if isinstance(text, str) and not text.strip() and not cues:
            continue  # an empty column
        label = f"key point {position}"
        text = _text(text, KeyPoint, "text", problems, label)
        if problem := cue_problem(cues):
            problems.append(f"{label}: its cues: {problem}.")
        elif problem := next(filter(None, map(text_problem, cues)), None):
            problems.append(f"{label}: its cues: {problem}")
        points.append((text, [cue.strip() for cue in cues] if isinstance(cues, list) else []))
    if len(points) > MAX_KEY_POINTS:
        problems.append(f"key points: there are {len(points)}; at most {MAX_KEY_POINTS}.")
    return points


def _level(value, problems: list[str]) -> str:
    value = value.strip().lower() if isinstance(value, str) else value
    if value in ("", None):
        return Level.INTERMEDIATE
    if value not in Level.values:
        problems.append(f"level: {str(value)[:40]!r} is not one of {', '.join(Level.values)}.")
        return Level.INTERMEDIATE
    return value


def _seconds(value, problems: list[str]) -> int:
    if value in ("", None):
        return 120
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 6:
            problems.append(f"suggested_seconds: {value[:20]!r} is not a whole number.")
            return 120
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append("suggested_seconds: it must be a whole number.")
        return 120
    if not MIN_SECONDS <= value <= MAX_SECONDS:
        problems.append(f"suggested_seconds: {value} is not from {MIN_SECONDS} to {MAX_SECONDS}.")
    return value


def _topics(values, problems: list[str]) -> list[str]:
    texts = [value for value in values if isinstance(value, str)]
    if len(texts) != len(values):
        problems.append("topics: each must be text.")
    names = tag_names(",".join(text.replace(",", " ") for text in texts))
    if len(names) > MAX_TAGS:
        problems.append(f"topics: there are {len(names)}; at most {MAX_TAGS}.")
    for name in names:
        if len(name) > MAX_TAG_CHARS or text_problem(name):
            problems.append(
                f"topics: {name[:40]!r} is longer than {MAX_TAG_CHARS} characters "
                "or not storable text."
            )
    return names


def _follow_ups(values, problems: list[str]) -> list[str]:
    texts = [value.strip() for value in values if isinstance(value, str) and value.strip()]
    try:
        validate_follow_ups(texts)
    except ValidationError as error:
        problems.append(f"follow-ups: {' '.join(error.messages)}")
    if any(text_problem(text) for text in texts):
        problems.append("follow-ups: one contains a NUL character or a lone surrogate.")
    return texts


def check_record(record, completions: list[str] = ()) -> Checked:
    problems: list[str] = []
    prompt = _text(record.prompt, Question, "prompt", problems, "prompt")
    answer = _text(
        record.reference_answer, Question, "reference_answer", problems, "reference_answer"
    )
    points = _key_points(record, problems)
    for text in completions:
        if text.strip() and len(points) < MIN_KEY_POINTS:
            points.append((_text(text, KeyPoint, "text", problems, "added key point"), []))
    draft = QuestionDraft(
        prompt=prompt,
        reference_answer=answer,
        key_points=points,
        level=_level(record.level, problems),
        topics=_topics(record.topics, problems),
        suggested_seconds=_seconds(record.suggested_seconds, problems),
        follow_ups=_follow_ups(record.follow_ups, problems),
    )
    missing = max(0, MIN_KEY_POINTS - len(points))
    return Checked(row=record.row, draft=draft, problems=problems, missing_key_points=missing)


EXTENSIONS = {".csv": "csv", ".txt": "anki", ".json": "json"}


def kind_of(filename: str) -> str:
    """The format a file's name says it holds, or FileRefused."""
    for extension, kind in EXTENSIONS.items():
        if filename.lower().endswith(extension):
            return kind
    raise import_formats.FileRefused(
        "Upload a .csv file, an Anki “Notes in Plain Text” .txt file or a .json file."
    )


def decode(data: bytes) -> str:
    """The uploaded file as text, or FileRefused naming why not."""
    if len(data) > settings.DECK_IMPORT_MAX_KB * 1024:
        raise import_formats.FileRefused(
            f"The file is larger than {settings.DECK_IMPORT_MAX_KB:,} KB; split it."
        )
    return import_formats.decode(data)


def records(text: str, kind: str) -> list:
    """The file's records, or FileRefused naming the row that could not be read."""
    return FORMATS[kind](text, settings.QUESTIONS_PER_DECK)


def plan(records: list, deck: Deck, completions: dict[int, list[str]] | None = None) -> ImportPlan:
    completions = completions or {}
    checked = [check_record(record, completions.get(record.row, ())) for record in records]
    by_prompt = {
        question.prompt: question
        for question in deck.questions.prefetch_related("topics", "key_points")
    }
    seen: dict[str, int] = {}
    for row in checked:
        if row.draft.prompt in seen:
            row.problems.append(f"prompt: the same as row {seen[row.draft.prompt]}'s.")
        seen.setdefault(row.draft.prompt, row.row)
        row.changes = by_prompt.get(row.draft.prompt)
    new = sum(1 for row in checked if row.changes is None)
    if deck.questions.count() + new > settings.QUESTIONS_PER_DECK:
        raise import_formats.FileRefused(
            f"The deck would hold {deck.questions.count() + new:,} questions; a deck holds at "
            f"most {settings.QUESTIONS_PER_DECK:,}."
        )
    return ImportPlan(checked=checked)


def apply(import_plan: ImportPlan, deck: Deck) -> tuple[int, int]:
    """Write every row of a plan that can be applied, in one transaction: (added, changed)."""
    if not import_plan.can_apply:
        raise ValueError("A plan with refused or incomplete rows is never applied.")
    with transaction.atomic():
        for row in import_plan.changed:
            authoring.update_question(row.changes, row.draft)
        authoring.add_questions(deck, [row.draft for row in import_plan.new])
    return len(import_plan.new), len(import_plan.changed)
