"""Render the Markdown of reference answers to safe HTML."""

import hashlib

import markdown as markdown_lib
import nh3
from django import template
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "p", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "br", "hr",
}  # fmt: skip


@register.filter
def markdown(text: str) -> SafeString:
    # Keyed by the text itself, so an edited answer can never be served from an old entry.
    key = "markdown:" + hashlib.sha256(text.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = nh3.clean(
            markdown_lib.markdown(text, extensions=["fenced_code", "tables", "sane_lists"]),
            tags=ALLOWED_TAGS,
            attributes={},
        )
        cache.set(key, html)
    return mark_safe(html)
