"""Times written for machines: the page's script and the HTML `datetime` attribute."""

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def iso_datetime(moment: datetime) -> str:
    """ISO 8601 to the millisecond: HTML's `datetime` allows at most three fraction digits."""
    return moment.isoformat(timespec="milliseconds")


@register.filter
def minutes_seconds(seconds: int | None) -> str:
    """Seconds as the countdown shows them, "9:05" (static/js/site.js writes the same)."""
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"
