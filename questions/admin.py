"""The question bank in Django admin: editing, archiving, importing and exporting."""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Avg, Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator

from interviewprep import cache_versions
from questions import bank, loading
from questions.forms import FollowUpsField, ImportQuestionsForm, TextareaField
from questions.models import (
    MAX_KEY_POINTS,
    MAX_MISCONCEPTIONS,
    MIN_KEY_POINTS,
    KeyPoint,
    Misconception,
    Question,
    Topic,
)


class CuesField(forms.JSONField):
    """Cue phrases edited one per line instead of as JSON."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 50})

    def prepare_value(self, value):
        if isinstance(value, str):  # Submitted text coming back with an error.
            return value
        return "\n".join(value or [])

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def bound_data(self, data, initial):
        return data

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


class ChoiceListFilter(admin.ChoicesFieldListFilter):
    """Django's filter by a field's choices, refusing a value that is not one of them, as
    Django refuses other bad filter values, instead of sending it to the database (where
    PostgreSQL fails on a NUL character)."""

    def queryset(self, request: HttpRequest, queryset):
        choices = {str(value) for value, _ in self.field.flatchoices}
        if any(value not in choices for value in self.lookup_val or []):
            raise IncorrectLookupParameters(f"{self.lookup_kwarg} is not one of the choices.")
        return super().queryset(request, queryset)


class KeyPointForm(forms.ModelForm):
    cues = CuesField(required=False, help_text=KeyPoint._meta.get_field("cues").help_text)

    class Meta:
        model = KeyPoint
        fields = ["order", "text", "cues"]

    def validate_constraints(self) -> None:
        # Orders are checked across the submitted key points by the formset, so that two
        # can swap places; each one alone would clash with the other's current row.
        exclude = self._get_validation_exclusions() | {"order"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)


# The session key under which the import page keeps a checked file until it is applied.
IMPORT_SESSION_KEY = "questions_import_checked"

# Saving reordered key points one by one would collide on (question, order); they are
# first moved out of the way by this much, and the untouched ones moved back after.
REORDER_OFFSET = 10_000


class KeyPointFormSet(forms.BaseInlineFormSet):
    # Django's own messages count "forms"; an editor counts key points.
    default_error_messages = {
        "too_few_forms": "Please give at least %(num)d key points.",
        "too_many_forms": "Please give at most %(num)d key points.",
    }


class KeyPointInline(admin.TabularInline):
    model = KeyPoint
    form = KeyPointForm
    formset = KeyPointFormSet
    fields = ["order", "text", "cues"]
    min_num = MIN_KEY_POINTS
    max_num = MAX_KEY_POINTS
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        # min_num and max_num only size the formset; these make them rules.
        return super().get_formset(request, obj, validate_min=True, validate_max=True, **kwargs)


class MisconceptionForm(forms.ModelForm):
    cues = CuesField(required=False, help_text=Misconception._meta.get_field("cues").help_text)

    class Meta:
        model = Misconception
        fields = ["order", "claim", "why_wrong", "correction", "contradicts", "cues"]
        widgets = {
            "why_wrong": forms.Textarea(attrs={"rows": 3, "cols": 40}),
            "correction": forms.Textarea(attrs={"rows": 3, "cols": 40}),
        }

    validate_constraints = KeyPointForm.validate_constraints


class MisconceptionFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """Each misconception contradicts one of the key points submitted with it."""
        super().clean()
        prefix = "key_points"
        total = int(self.data.get(f"{prefix}-TOTAL_FORMS") or 0)
        key_points = sum(
            1
            for i in range(total)
            if self.data.get(f"{prefix}-{i}-text", "").strip()
            and not self.data.get(f"{prefix}-{i}-DELETE")
        )
        for form in self.forms:
            contradicts = form.cleaned_data.get("contradicts")
            if form.cleaned_data.get("DELETE") or contradicts is None:
                continue
            if not 1 <= contradicts <= key_points:
                form.add_error(
                    "contradicts",
                    f"The question has {key_points} key points; give the place of one of them.",
                )


class MisconceptionInline(admin.StackedInline):
    model = Misconception
    form = MisconceptionForm
    formset = MisconceptionFormSet
    fields = ["order", "claim", "why_wrong", "correction", "contradicts", "cues"]
    max_num = MAX_MISCONCEPTIONS
    extra = 0
    verbose_name = "common misconception"


class QuestionAdminForm(forms.ModelForm):
    """A question of the built-in deck: the admin edits that deck only."""

    follow_ups = FollowUpsField(label="Follow-up questions")

    def validate_constraints(self) -> None:
        # The deck is not on the form but is set: a number taken in the deck is a form error.
        exclude = self._get_validation_exclusions() - {"deck"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)

    class Meta:
        # The bank's texts keep the LF line breaks of its file, whatever the browser sends.
        field_classes = {"prompt": TextareaField, "reference_answer": TextareaField}
        model = Question
        fields = [
            "number",
            "slug",
            "level",
            "topics",
            "is_active",
            "prompt",
            "reference_answer",
            "suggested_seconds",
            "follow_ups",
        ]
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 3, "cols": 90}),
            "reference_answer": forms.Textarea(attrs={"rows": 24, "cols": 90}),
        }


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [KeyPointInline, MisconceptionInline]
    list_display = [
        "number",
        "short_prompt",
        "level",
        "topic_names",
        "is_active",
        "key_point_count",
        "times_answered",
        "average_rating",
    ]
    list_display_links = ["number", "short_prompt"]
    list_filter = [("level", ChoiceListFilter), "topics", "is_active"]
    search_fields = ["prompt", "reference_answer", "key_points__text"]
    ordering = ["number"]
    filter_horizontal = ["topics"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["number", "slug", "level", "topics", "is_active"]}),
        (
            "Content",
            {"fields": ["prompt", "reference_answer", "suggested_seconds", "follow_ups"]},
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    prepopulated_fields = {"slug": ["prompt"]}
    actions = ["archive", "restore", "export_json"]
    delete_confirmation_template = "admin/questions/question/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/questions/question/delete_selected_confirmation.html"
    )

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model not in (KeyPoint, Misconception) or not change:
            super().save_formset(request, form, formset, change)
            return
        rows = formset.model.objects.filter(question=form.instance)
        rows.update(order=F("order") + REORDER_OFFSET)
        super().save_formset(request, form, formset, change)
        rows.filter(order__gte=REORDER_OFFSET).update(order=F("order") - REORDER_OFFSET)

    def get_deleted_objects(self, objs, request: HttpRequest):
        """What users answered must stay in their history: an answered question is
        archived, never deleted (the database would only unlink its answers)."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        answered = [question for question in objs if question.session_questions.exists()]
        return to_delete, model_count, perms_needed, [*protected, *map(str, answered)]

    def get_queryset(self, request: HttpRequest):
        # Only the built-in deck: users' decks are their own. Both joins multiply rows by
        # the same factor per question, so the distinct counts and the average stay exact.
        return (
            super()
            .get_queryset(request)
            .builtin()
            .prefetch_related("topics")
            .annotate(
                _key_points=Count("key_points", distinct=True),
                _answered=Count(
                    "session_questions",
                    filter=Q(session_questions__submitted_at__isnull=False),
                    distinct=True,
                ),
                _average_rating=Avg("session_questions__self_rating"),
            )
        )

    @admin.display(description="Prompt")
    def short_prompt(self, question: Question) -> str:
        return Truncator(question.prompt).chars(80)

    @admin.display(description="Topics")
    def topic_names(self, question: Question) -> str:
        return ", ".join(topic.name for topic in question.topics.all())

    @admin.display(description="Key points", ordering="_key_points")
    def key_point_count(self, question: Question) -> int:
        return question._key_points

    @admin.display(description="Answered", ordering="_answered")
    def times_answered(self, question: Question) -> int:
        return question._answered

    @admin.display(description="Average rating", ordering="_average_rating")
    def average_rating(self, question: Question) -> str:
        return "—" if question._average_rating is None else f"{question._average_rating:.1f}"

    @admin.action(description="Archive selected questions (no longer drawn for new interviews)")
    def archive(self, request: HttpRequest, queryset) -> None:
        count = queryset.update(is_active=False)
        cache_versions.bump_for_questions(queryset)  # a bulk update sends no save signal
        self.message_user(request, f"Archived {count} question(s).", messages.SUCCESS)

    @admin.action(description="Restore selected questions")
    def restore(self, request: HttpRequest, queryset) -> None:
        count = queryset.update(is_active=True)
        cache_versions.bump_for_questions(queryset)
        self.message_user(request, f"Restored {count} question(s).", messages.SUCCESS)

    @admin.action(description="Export selected questions as JSON")
    def export_json(self, request: HttpRequest, queryset) -> HttpResponse:
        ids = list(queryset.values_list("pk", flat=True))
        text = bank.dumps(bank.export_bank(Question.objects.filter(pk__in=ids)))
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="questions.json"'
        return response

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="questions_question_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a file, see what it would add and change, then apply it.

        The checked file stays in the session, and the apply form names it by its hash: posting
        the whole file back would run into DATA_UPLOAD_MAX_MEMORY_SIZE for a large bank.
        """
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:index")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import questions",
            "form": ImportQuestionsForm(),
        }
        if request.method == "POST" and "checked" in request.POST:
            checked = request.session.get(IMPORT_SESSION_KEY) or {}
            if checked.get("sha256") != request.POST["checked"]:
                context["problems"] = [
                    "This checked file is no longer waiting to be applied; upload it again."
                ]
                return TemplateResponse(request, "admin/questions/question/import.html", context)
            try:
                plan = bank.check(bank.parse(checked["payload"]))
                loading.apply(plan)
            except bank.BankError as error:
                context["problems"] = error.problems
            else:
                del request.session[IMPORT_SESSION_KEY]
                self.message_user(
                    request,
                    f"Imported: {len(plan.added)} added, {len(plan.changed)} changed, "
                    f"{len(plan.unchanged)} unchanged.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:questions_question_changelist"))
        elif request.method == "POST":
            form = ImportQuestionsForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                try:
                    data = bank.parse(form.cleaned_data["file"].read())
                    context["plan"] = bank.check(data)
                except bank.BankError as error:
                    context["problems"] = error.problems
                else:
                    payload = bank.dumps(data)
                    digest = hashlib.sha256(payload.encode()).hexdigest()
                    request.session[IMPORT_SESSION_KEY] = {"sha256": digest, "payload": payload}
                    context["checked"] = digest
        return TemplateResponse(request, "admin/questions/question/import.html", context)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "description", "question_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest):
        # The bank's topics; users' tags are their own.
        return super().get_queryset(request).builtin().annotate(_questions=Count("questions"))

    @admin.display(description="Questions", ordering="_questions")
    def question_count(self, topic: Topic) -> int:
        return topic._questions
