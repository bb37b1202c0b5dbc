"""Admin: how often each key point's suggestions were kept or unticked by users."""

from django.contrib import admin
from django.db.models import Count, F, FloatField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import HttpRequest
from django.utils.text import Truncator

from sessions.models import KeyPointSuggestions, ShownKeyPoint


def _graded_count(**conditions) -> Coalesce:
    """How many graded answers showed this key point (matched by question and text) with
    the given suggestion and tick."""
    rows = (
        ShownKeyPoint.objects.filter(
            item__question=OuterRef("question"),
            text=OuterRef("text"),
            item__self_rating__isnull=False,
            **conditions,
        )
        .order_by()
        .values("text")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(rows), Value(0))


@admin.register(KeyPointSuggestions)
class KeyPointSuggestionsAdmin(admin.ModelAdmin):
    list_display = ["question_number", "short_text", "accepted", "rejected", "missed", "acceptance"]
    list_display_links = None
    list_filter = ["question__level", "question__topics"]
    search_fields = ["text"]
    ordering = ["question__number", "order"]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("question")
            .annotate(
                _accepted=_graded_count(suggested=True, covered=True),
                _rejected=_graded_count(suggested=True, covered=False),
                _missed=_graded_count(suggested=False, covered=True),
            )
            .annotate(
                _acceptance=Cast(F("_accepted"), FloatField())
                / NullIf(F("_accepted") + F("_rejected"), 0)
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("questions.view_keypoint")

    @admin.display(description="Question", ordering="question__number")
    def question_number(self, point: KeyPointSuggestions) -> str:
        return f"Q{point.question.number}"

    @admin.display(description="Key point", ordering="text")
    def short_text(self, point: KeyPointSuggestions) -> str:
        return Truncator(point.text).chars(90)

    @admin.display(description="Suggested and kept", ordering="_accepted")
    def accepted(self, point: KeyPointSuggestions) -> int:
        return point._accepted

    @admin.display(description="Suggested and unticked", ordering="_rejected")
    def rejected(self, point: KeyPointSuggestions) -> int:
        return point._rejected

    @admin.display(description="Ticked, not suggested", ordering="_missed")
    def missed(self, point: KeyPointSuggestions) -> int:
        return point._missed

    @admin.display(description="Kept", ordering="_acceptance")
    def acceptance(self, point: KeyPointSuggestions) -> str:
        return "—" if point._acceptance is None else f"{point._acceptance:.0%}"
