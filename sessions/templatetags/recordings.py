"""Template filters for spoken answers."""

from django import template

from sessions.templatetags.clock import minutes_seconds

register = template.Library()


@register.filter
def recording_length(milliseconds: int | None) -> str:
    """A recording's length as minutes and whole seconds, "1:05", as audio players show it."""
    if milliseconds is None:
        return "—"
    return minutes_seconds(milliseconds // 1000)
