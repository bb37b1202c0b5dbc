"""Decks as users see them: My decks, a new deck, one deck's questions, renaming and deleting.

The built-in deck is everyone's to read; a user's own deck is theirs alone: for anyone else it
is the same 404 as a missing one."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from interviewprep import cache_versions, fragments
from questions import authoring, decks
from questions.forms import DeckForm, DeckQuestionFilterForm, chosen_filters
from questions.models import (
    MAX_KEY_POINTS,
    MAX_REFERENCE_ANSWER_CHARS,
    MIN_KEY_POINTS,
    Deck,
    Question,
    Topic,
)
from questions.question_forms import QuestionForm, draft_from, key_point_formset

DECK_PAGE_SIZE = 50
# The most pages a deck can have.
MAX_DECK_PAGES = -(-settings.QUESTIONS_PER_DECK // DECK_PAGE_SIZE)


def _get_deck_for_user(request: HttpRequest, pk: int) -> Deck:
    """A deck the user may read: the built-in deck or one of their own."""
    return get_object_or_404(Deck.objects.visible_to(request.user), pk=pk)


def _get_own_deck_for_user(request: HttpRequest, pk: int) -> Deck:
    """A deck the user may change: one of their own."""
    return get_object_or_404(Deck.objects.owned_by(request.user), pk=pk)


@login_required
def deck_list(request: HttpRequest) -> HttpResponse:
    """The decks with their sizes, cached under the user's progress version (a change to
    their decks or questions bumps it) and the bank's (its questions count too)."""
    versions = cache_versions.versions_for(request.user.pk)
    rows = cache.get_or_set(
        cache_versions.cache_key("my-decks", request.user.pk, versions),
        lambda: list(decks.decks_for(request.user)),
    )
    return render(request, "decks/deck_list.html", {"decks": rows})


@login_required
@require_http_methods(["GET", "POST"])
def deck_new(request: HttpRequest) -> HttpResponse:
    form = DeckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deck = decks.create_deck(
                request.user, form.cleaned_data["name"], form.cleaned_data["description"]
            )
        except decks.DeckLimitReached as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Deck “{deck.name}” created.")
            return redirect(deck)
    return render(request, "decks/deck_form.html", {"form": form, "deck": None})


@login_required
@vary_on_headers("HX-Request")
def deck_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A deck's questions, a page at a time. What lists them (the filters and the page) is
    cached under the deck's version and the bank's (its questions' topics may be the bank's),
    whoever is looking (the owner sees buttons, others do not) and the filters, once they
    exist; searches are not cached."""
    deck = _get_deck_for_user(request, pk)
    is_owner = deck.owner_id == request.user.pk
    partial = "results" if request.htmx else "listing"
    key = _listing_key(request, deck, is_owner, partial)
    html = cache.get(key) if key else None
    if html is None:
        html = fragments.render(
            f"decks/deck_detail.html#{partial}", _listing_context(request, deck, is_owner)
        )
        if key:
            cache.set(key, html)
    html = fragments.with_csrf(request, html)
    if request.htmx:
        return HttpResponse(html)
    return render(request, "decks/deck_detail.html", {"deck": deck, "listing": html})


def _listing_key(request: HttpRequest, deck: Deck, is_owner: bool, partial: str) -> str | None:
    """The cache key of the deck's listing as this request asks for it, or None when it is
    not to be cached: a search, a filter that does not exist, a page past the largest deck's."""
    if request.GET.get("q"):
        return None
    page = request.GET.get("page", "1")
    if not page.isascii() or not page.isdigit() or not 1 <= int(page) <= MAX_DECK_PAGES:
        return None
    versions = (deck.pk, deck.version, cache_versions.bank_version())
    topic_slugs = cache.get_or_set(
        cache_versions.cache_key("deck-topic-slugs", *versions),
        lambda: list(Topic.objects.filter(questions__deck=deck).values_list("slug", flat=True)),
    )
    filters = chosen_filters(request.GET, topic_slugs)
    if filters is None:
        return None
    return cache_versions.cache_key("deck", *versions, is_owner, partial, filters, int(page))


def _listing_context(request: HttpRequest, deck: Deck, is_owner: bool) -> dict:
    form = DeckQuestionFilterForm(request.GET or None, deck=deck)
    # The owner sees their archived questions too, to restore them.
    questions = deck.questions.all() if is_owner else deck.questions.active()
    questions = form.filter(questions).prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name"))
    )
    # A deck may hold hundreds of questions: a page of them at a time.
    page = Paginator(questions, DECK_PAGE_SIZE).get_page(request.GET.get("page"))
    # The pages' links keep the filters, and only them (the cached listing serves any
    # address with the same filters).
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = [("q", chosen["q"])] if chosen.get("q") else []
    filters += [("level", level) for level in sorted(chosen.get("level", []))]
    filters += [("topic", slug) for slug in sorted(topic.slug for topic in chosen.get("topic", []))]
    return {
        "deck": deck,
        "is_owner": is_owner,
        "form": form,
        "questions": page,
        "query": urlencode(filters),
        "filtered": bool(filters),
    }


@login_required
@require_http_methods(["GET", "POST"])
def deck_rename(request: HttpRequest, pk: int) -> HttpResponse:
    deck = _get_own_deck_for_user(request, pk)
    form = DeckForm(request.POST or None, instance=deck)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Deck renamed.")
        return redirect(deck)
    return render(request, "decks/deck_form.html", {"form": form, "deck": deck})


@login_required
@require_http_methods(["GET", "POST"])
def deck_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deck = _get_own_deck_for_user(request, pk)
    if request.method == "POST":
        decks.delete_deck(deck)
        messages.success(
            request, f"Deck “{deck.name}” deleted. Your interviews keep their answers."
        )
        return redirect("decks:list")
    question_count = deck.questions.count()
    return render(
        request, "decks/deck_delete.html", {"deck": deck, "question_count": question_count}
    )


# Questions of one's own deck


def _get_own_question_for_user(request: HttpRequest, pk: int, number: int) -> Question:
    return get_object_or_404(
        Question.objects.filter(deck__owner=request.user.pk)
        .select_related("deck")
        .prefetch_related("topics", "key_points"),
        deck__pk=pk,
        number=number,
    )


def _key_point_rows(request: HttpRequest, points) -> list[dict]:
    """The key-point rows to show again: as typed, plus a blank one when asked for."""
    rows = points.rows()
    if "add_key_point" in request.POST and len(rows) < MAX_KEY_POINTS:
        rows.append({"text": "", "cues": ""})
    return rows


def _question_page(
    request: HttpRequest, deck: Deck, question: Question | None, initial: dict, rows: list[dict]
) -> HttpResponse:
    """The question form: new, being edited, or sent back with errors or a preview."""
    form = QuestionForm(request.POST or None, initial=initial)
    points = key_point_formset(request.POST or None, initial=rows)
    if request.method == "POST" and not {"add_key_point", "preview"} & set(request.POST):
        if form.is_valid() & points.is_valid():
            draft = draft_from(form, points)
            try:
                if question is None:
                    question = authoring.add_questions(deck, [draft])[0]
                else:
                    authoring.update_question(question, draft)
            except authoring.DeckFull as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Question {question.number} saved.")
                return redirect(deck)
    elif request.method == "POST":
        # A row added or a preview asked for: the form comes back unchecked, as typed.
        form = QuestionForm(initial={name: form[name].value() for name in form.fields})
        points = key_point_formset(initial=_key_point_rows(request, points))
    context = {
        "deck": deck,
        "question": question,
        "form": form,
        "points": points,
        "max_key_points": MAX_KEY_POINTS,
        "preview": form["reference_answer"].value() if "preview" in request.POST else None,
        "topic_suggestions": Topic.objects.visible_to(request.user).values_list("name", flat=True),
    }
    return render(request, "decks/question_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest, pk: int) -> HttpResponse:
    deck = _get_own_deck_for_user(request, pk)
    rows = [{"text": "", "cues": ""}] * MIN_KEY_POINTS
    return _question_page(request, deck, None, {}, rows)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    question = _get_own_question_for_user(request, pk, number)
    rows = [{"text": point.text, "cues": point.cues} for point in question.key_points.all()]
    return _question_page(
        request, question.deck, question, QuestionForm.initial_for(question), rows
    )


@login_required
@require_POST
def question_archive(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Archive (or restore) a question: an archived one is never drawn for a new interview
    but stays in every history."""
    question = _get_own_question_for_user(request, pk, number)
    question.is_active = request.POST.get("restore") == "1"
    question.save(update_fields=["is_active", "updated_at"])
    messages.success(
        request,
        f"Question {question.number} {'restored' if question.is_active else 'archived'}.",
    )
    return redirect(question.deck)


@login_required
@require_POST
def question_preview(request: HttpRequest) -> HttpResponse:
    """The reference answer as it will show, sanitised as every reference answer is."""
    text = request.POST.get("reference_answer", "")[:MAX_REFERENCE_ANSWER_CHARS]
    return render(request, "decks/question_form.html#preview", {"preview": text})
