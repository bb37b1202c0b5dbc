"""Template filters for second opinions."""

from django import template

from sessions.feedback.reviews import format_moment

register = template.Library()


@register.filter
def moment(milliseconds: int) -> str:
    """A moment of a recording as its player shows it: "0:42"."""
    return format_moment(milliseconds)
