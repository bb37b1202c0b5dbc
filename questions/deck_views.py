"""Decks as users see them: My decks, a new deck, one deck's questions, renaming and deleting.

The built-in deck is everyone's to read; a user's own deck is theirs alone: for anyone else it
is the same 404 as a missing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from questions import decks
from questions.forms import DeckForm, DeckQuestionFilterForm
from questions.models import Deck, Topic


def _get_deck_for_user(request: HttpRequest, pk: int) -> Deck:
    """A deck the user may read: the built-in deck or one of their own."""
    return get_object_or_404(Deck.objects.visible_to(request.user), pk=pk)


def _get_own_deck_for_user(request: HttpRequest, pk: int) -> Deck:
    """A deck the user may change: one of their own."""
    return get_object_or_404(Deck.objects.owned_by(request.user), pk=pk)


@login_required
def deck_list(request: HttpRequest) -> HttpResponse:
    return render(request, "decks/deck_list.html", {"decks": decks.decks_for(request.user)})


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
    deck = _get_deck_for_user(request, pk)
    form = DeckQuestionFilterForm(request.GET or None, deck=deck)
    questions = form.filter(deck.questions.active()).prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name"))
    )
    context = {"deck": deck, "form": form, "questions": questions}
    template = "decks/deck_detail.html#results" if request.htmx else "decks/deck_detail.html"
    return render(request, template, context)


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
