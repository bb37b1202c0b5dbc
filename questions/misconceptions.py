"""A question's common misconceptions in the bank file's format: each one's record, its
checks (the key point it contradicts must exist), and writing them with the question.
Used by bank.py (checking and exporting) and loading.py (writing)."""

from typing import Any

from questions.models import MAX_MISCONCEPTIONS, Misconception, Question

FIELDS = ("claim", "why_wrong", "correction", "contradicts", "cues")
TEXT_FIELDS = ("claim", "why_wrong", "correction")


def record(misconception: Misconception) -> dict[str, Any]:
    return {name: getattr(misconception, name) for name in FIELDS}


def check(raw: Any, where: str, key_points: int, problems: list[str], check_field) -> list | None:
    """The misconceptions of a question in their normalised form, or None after naming
    each problem; `check_field(where, model, name, value, problems)` checks one field."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        problems.append(f"{where}: field 'misconceptions' must be a list of objects.")
        return None
    if len(raw) > MAX_MISCONCEPTIONS:
        problems.append(
            f"{where}: field 'misconceptions' has {len(raw)}; at most {MAX_MISCONCEPTIONS}."
        )
        return None
    before = len(problems)
    checked = []
    for position, item in enumerate(raw, start=1):
        place = f"{where}, misconception {position}"
        unknown = sorted(set(item) - set(FIELDS))
        missing = [name for name in FIELDS if name not in item and name != "cues"]
        if unknown or missing:
            problems.append(
                f"{place}: "
                + "; ".join(
                    part
                    for part in (
                        unknown and f"unknown fields: {', '.join(unknown)}",
                        missing and f"missing fields: {', '.join(missing)}",
                    )
                    if part
                )
                + "."
            )
            continue
        values = {
            name: item[name].strip() if isinstance(item[name], str) else item[name]
            for name in TEXT_FIELDS
        }
        values["contradicts"] = item["contradicts"]
        values["cues"] = item.get("cues", [])
        fine = True
        for name in TEXT_FIELDS:
            if not isinstance(values[name], str) or not values[name]:
                problems.append(f"{place}: field '{name}' is missing or empty.")
                fine = False
        if not fine or not all(
            [check_field(place, Misconception, name, values[name], problems) for name in FIELDS]
        ):
            continue
        if not 1 <= values["contradicts"] <= key_points:
            problems.append(
                f"{place}: field 'contradicts' is {values['contradicts']}; the question has "
                f"{key_points} key points."
            )
            continue
        values["cues"] = [cue.strip() for cue in values["cues"]]
        checked.append(values)
    return None if len(problems) > before else checked


def write(question: Question, records: list[dict[str, Any]]) -> None:
    question.misconceptions.all().delete()
    Misconception.objects.bulk_create(
        Misconception(question=question, order=order, **values)
        for order, values in enumerate(records, start=1)
    )
