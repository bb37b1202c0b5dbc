"""Reading the files a deck can be imported from into plain records, one per question: CSV
with a header row, Anki's "Notes in Plain Text" export, and the app's own JSON. Nothing is
checked against the models here (questions/deck_import.py does that); what cannot be read at
all raises FileRefused naming the row."""

import csv
import html
import io
import re
from dataclasses import dataclass, field

import nh3

from questions import bank
from questions.models import MAX_FOLLOW_UPS, MAX_KEY_POINTS

CSV_COLUMNS = (
    "prompt",
    "reference_answer",
    *(f"key_point_{n}" for n in range(1, MAX_KEY_POINTS + 1)),
    "level",
    "topics",
    "suggested_seconds",
    *(f"follow_up_{n}" for n in range(1, MAX_FOLLOW_UPS + 1)),
)
REQUIRED_COLUMNS = ("prompt", "reference_answer")
# A field longer than this is no question of a deck (the csv module's own limit is 128 KB).
MAX_FIELD_CHARS = 50_000


class FileRefused(Exception):
    """The file cannot be read as the format it claims to be."""


@dataclass
class Record:
    """One question as the file gives it: texts as written, nothing checked yet."""

    row: int  # the row (CSV), line (Anki text) or position (JSON) that holds it
    prompt: object = ""
    reference_answer: object = ""
    key_points: list = field(default_factory=list)  # texts, or (text, cues) pairs from JSON
    level: object = ""
    topics: list = field(default_factory=list)
    suggested_seconds: object = ""
    follow_ups: list = field(default_factory=list)
    # Where the key points came from, for a file that had to guess them (Anki's back).
    key_points_guessed: bool = False


def decode(data: bytes) -> str:
    """The file as text: UTF-8, with or without a byte-order mark; anything else refused."""
    if b"\x00" in data:
        raise FileRefused("The file holds binary data (a NUL byte), not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRefused(
            f"The file is not UTF-8 text: line {line} has a byte UTF-8 does not allow. "
            "Save it as UTF-8 and upload it again."
        ) from None
    return text


def _rows(text: str, delimiter: str, what: str, offset: int = 0):
    """The rows with the number of the line each ends on (after `offset` lines skipped)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            if any(len(cell) > MAX_FIELD_CHARS for cell in row):
                raise FileRefused(
                    f"{what} {reader.line_num + offset}: a field is longer than "
                    f"{MAX_FIELD_CHARS:,} characters."
                )
            yield reader.line_num + offset, row
    except csv.Error as error:
        raise FileRefused(f"{what} {reader.line_num + offset}: {error}.") from None


def read_csv(text: str, max_records: int) -> list[Record]:
    """CSV with a header row naming CSV_COLUMNS (prompt and reference_answer at least),
    separated by commas or semicolons: sniffed from the header, whichever it uses more."""
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    rows = _rows(text, delimiter, "Row")
    try:
        _, header = next(rows)
    except StopIteration:
        raise FileRefused(
            "The file is empty: it needs a header row and a row per question."
        ) from None
    header = [name.strip().lower() for name in header]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        raise FileRefused(
            f"Row 1 (the header) names unknown columns: {', '.join(unknown[:5])}. "
            f"The columns are: {', '.join(CSV_COLUMNS)}."
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise FileRefused(f"Row 1 (the header) lacks the columns {', '.join(missing)}.")
    if len(set(header)) != len(header):
        raise FileRefused("Row 1 (the header) names a column twice.")
    records = []
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(records) >= max_records:
            raise FileRefused(
                f"Row {line}: the file holds more than {max_records:,} questions, more than "
                "the deck can take. Split it, or start another deck."
            )
        if len(row) > len(header):
            raise FileRefused(f"Row {line} has {len(row)} fields; the header names {len(header)}.")
        cells = dict(zip(header, row, strict=False))
        records.append(
            Record(
                row=line,
                prompt=cells.get("prompt", ""),
                reference_answer=cells.get("reference_answer", ""),
                key_points=[cells.get(f"key_point_{n}", "") for n in range(1, MAX_KEY_POINTS + 1)],
                level=cells.get("level", ""),
                topics=cells.get("topics", "").split(";"),
                suggested_seconds=cells.get("suggested_seconds", ""),
                follow_ups=[cells.get(f"follow_up_{n}", "") for n in range(1, MAX_FOLLOW_UPS + 1)],
            )
        )
    return records


# Anki's plain-text export: header lines, then one note per line.
ANKI_SEPARATORS = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "space": " ",
    "colon": ":",
}
ANKI_META_COLUMNS = ("guid", "notetype", "deck", "tags")
_LIST_ITEM_RE = re.compile(r"<li[^>]*>(.*?)</li>", re.IGNORECASE | re.DOTALL)
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def _anki_headers(lines: list[str]) -> tuple[dict[str, str], int]:
    headers, count = {}, 0
    for line in lines:
        if not line.startswith("#") or ":" not in line:
            break
        name, value = line[1:].split(":", 1)
        headers[name.strip().lower()] = value.strip()
        count += 1
    return headers, count


def html_to_markdown(text: str) -> str:
    """Anki's HTML as plain Markdown where it is simple: bold, italic, line breaks, lists and
    paragraphs; any other tag dropped, entities read."""
    text = nh3.clean(text, tags={"b", "strong", "i", "em", "br", "li", "ul", "ol", "p", "div"})
    replacements = (
        (r"<\s*(b|strong)\s*>", "**"),
        (r"<\s*/\s*(b|strong)\s*>", "**"),
        (r"<\s*(i|em)\s*>", "*"),
        (r"<\s*/\s*(i|em)\s*>", "*"),
        (r"<\s*br\s*/?\s*>", "\n"),
        (r"<\s*li[^>]*>", "\n- "),
        (r"<\s*/\s*(p|div|ul|ol)\s*>", "\n\n"),
        (r"<[^>]+>", ""),
    )
    for pattern, replacement in replacements:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    text = html.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()


def _plain(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def key_points_from_back(back: str, is_html: bool) -> list[str]:
    """The back's list items, else its sentences, up to MAX_KEY_POINTS."""
    items = [_plain(item) for item in _LIST_ITEM_RE.findall(back)] if is_html else []
    if not items:
        lines = [line.strip()[2:] for line in back.splitlines() if line.strip()[:2] in ("- ", "* ")]
        items = lines or _SENTENCE_RE.split(_plain(back) if is_html else " ".join(back.split()))
    return [item.strip() for item in items if item.strip()][:MAX_KEY_POINTS]


def read_anki(text: str, max_records: int) -> list[Record]:
    lines = text.splitlines()
    headers, skipped = _anki_headers(lines)
    separator_name = headers.get("separator", "tab").lower()
    separator = ANKI_SEPARATORS.get(separator_name, separator_name)
    if len(separator) != 1:
        raise FileRefused(f"Line 1: the separator {separator_name!r} is not one Anki writes.")
    is_html = headers.get("html", "false").lower() == "true"
    meta = {}
    for name in ANKI_META_COLUMNS:
        value = headers.get(f"{name} column")
        if value is not None:
            if not value.isdigit() or int(value) < 1:
                raise FileRefused(
                    f"The header line '#{name} column:{value}' is not a column number."
                )
            meta[int(value) - 1] = name
    body = "\n".join(lines[skipped:])
    records = []
    for line, row in _rows(body, separator, "Line", offset=skipped):
        if not any(cell.strip() for cell in row):
            continue
        if len(records) >= max_records:
            raise FileRefused(
                f"Line {line}: the file holds more than {max_records:,} notes, more "
                "than the deck can take."
            )
        fields = [cell for index, cell in enumerate(row) if index not in meta]
        tags_at = next((index for index, name in meta.items() if name == "tags"), None)
        tags = row[tags_at].split() if tags_at is not None and tags_at < len(row) else []
        front = fields[0] if fields else ""
        back = fields[1] if len(fields) > 1 else ""
        records.append(
            Record(
                row=line,
                prompt=_plain(front) if is_html else front.strip(),
                reference_answer=html_to_markdown(back) if is_html else back.strip(),
                key_points=key_points_from_back(back, is_html),
                topics=[tag.replace("::", " / ").replace("_", " ") for tag in tags],
                key_points_guessed=True,
            )
        )
    return records


def read_json(text: str, max_records: int) -> list[Record]:
    """The app's own format (as export_questions and a deck's JSON export write it)."""
    try:
        data = bank.parse(text)
    except bank.BankError as error:
        raise FileRefused(" ".join(error.problems)) from None
    if not isinstance(data, dict) or data.get("format") != bank.FIXTURE_FORMAT:
        raise FileRefused(f"The file is not in the {bank.FIXTURE_FORMAT} format.")
    questions = data.get("questions")
    if not isinstance(questions, list):
        raise FileRefused("'questions' must be a list.")
    if len(questions) > max_records:
        raise FileRefused(
            f"Question {max_records + 1}: the file holds {len(questions):,} questions, more "
            "than the deck can take."
        )
    names = {
        topic.get("slug"): topic.get("name")
        for topic in data.get("topics") or []
        if isinstance(topic, dict)
    }
    records = []
    for position, raw in enumerate(questions, start=1):
        if not isinstance(raw, dict):
            raise FileRefused(f"Question {position} is not an object.")
        points = [
            (point.get("text", ""), point.get("cues", [])) if isinstance(point, dict) else point
            for point in raw.get("key_points") or []
        ]
        topics = raw.get("topics") or []
        records.append(
            Record(
                row=position,
                prompt=raw.get("prompt", ""),
                reference_answer=raw.get("reference_answer", ""),
                key_points=points,
                level=raw.get("level", ""),
                topics=[names.get(slug, slug) if isinstance(slug, str) else slug for slug in topics]
                if isinstance(topics, list)
                else [topics],
                suggested_seconds=raw.get("suggested_seconds", ""),
                follow_ups=raw.get("follow_ups") or [],
            )
        )
    return records
