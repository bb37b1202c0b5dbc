"""Template filters for spoken answers."""

from django import template

register = template.Library()


@register.filter
def recording_length(milliseconds: int | None) -> str:
    """A recording's length as minutes and seconds, "1:05"."""
    if milliseconds is None:
        return "—"
    seconds = round(milliseconds / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"
