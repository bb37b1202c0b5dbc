"""Whether a value can be stored in a model's field on every database we support: one rule for
every file a user or admin hands us (the bank's JSON, a deck's CSV), read from the model
fields themselves."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations


def field_problem(model: type[models.Model], name: str, value: Any) -> str | None:
    """Why `value` cannot be stored in `model`'s field `name`, or None if it can.

    Every limit comes from the model field itself: its type, max_length, choices and
    validators, and the range of its integer column on every supported database (SQLite
    would store numbers that PostgreSQL refuses). Text must be storable anywhere: no NUL
    character, no lone surrogate.
    """
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.BooleanField):
        if not isinstance(value, bool):
            return "It must be true or false."
    elif isinstance(model_field, models.IntegerField):
        if not isinstance(value, int) or isinstance(value, bool):
            return "It must be a whole number."
        low, high = BaseDatabaseOperations.integer_field_ranges[model_field.get_internal_type()]
        if value < low:
            return f"It is {value}; the smallest allowed is {low}."
        if value > high:
            return f"It is {value}; the largest allowed is {high}."
    elif isinstance(model_field, (models.CharField, models.TextField)):
        if not isinstance(value, str):
            return "It must be text."
        if problem := text_problem(value):
            return problem
    try:
        model_field.clean(value, None)
    except ValidationError as error:
        return " ".join(error.messages)
    if isinstance(model_field, models.JSONField):
        # The texts inside: PostgreSQL's jsonb refuses NUL as its text columns do.
        for text in _texts_in(value):
            if problem := text_problem(text):
                return problem
    return None


def text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "It contains a NUL character."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "It contains a lone surrogate, which is not valid Unicode."
    return None


def _texts_in(value: Any):
    """Every string in a JSON value, keys included, without recursion."""
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, str):
            yield current
        elif isinstance(current, list):
            pending.extend(current)
        elif isinstance(current, dict):
            pending.extend(current.keys())
            pending.extend(current.values())
