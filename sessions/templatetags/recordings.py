"""Template filters for spoken answers."""

from django import template

register = template.Library()


@register.filter
def recording_length(milliseconds: int | None) -> str:
    """A recording's length as minutes and whole seconds, "1:05", as audio players show it."""
    if milliseconds is None:
        return "—"
    seconds = milliseconds // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"
