"""A deck's share link: Share and Stop sharing for its owner; for any logged-in user who has
the link, the deck's prompts, levels and topics, and Add to my decks. A stopped link and a
made-up one are the same 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from questions import decks, sharing
from questions.authoring import DeckFull
from questions.models import Deck, Topic


def _get_own_deck_for_user(request: HttpRequest, pk: int) -> Deck:
    return get_object_or_404(Deck.objects.owned_by(request.user), pk=pk)


def _get_shared_deck(token: str) -> Deck:
    deck = sharing.shared_deck(token)
    if deck is None:
        raise Http404("No deck is shared by this link.")
    return deck


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_POST
def deck_share(request: HttpRequest, pk: int) -> HttpResponse:
    deck = _get_own_deck_for_user(request, pk)
    sharing.share(deck)
    messages.success(request, "Anyone with the link who logs in can now see and copy this deck.")
    return redirect(deck)


@login_required
@require_POST
def deck_stop_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    deck = _get_own_deck_for_user(request, pk)
    sharing.stop_sharing(deck)
    messages.success(request, "The link no longer works. Copies already made stay their owners'.")
    return redirect(deck)


@login_required
def shared_deck(request: HttpRequest, token: str) -> HttpResponse:
    deck = _get_shared_deck(token)
    questions = deck.questions.active().prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name"))
    )
    response = render(
        request,
        "decks/shared_deck.html",
        {"deck": deck, "questions": questions, "token": token},
    )
    return _noindex(response)


@login_required
@require_POST
def shared_deck_add(request: HttpRequest, token: str) -> HttpResponse:
    deck = _get_shared_deck(token)
    try:
        copy = sharing.copy_deck(deck, request.user)
    except (decks.DeckLimitReached, DeckFull) as refusal:
        messages.error(request, str(refusal))
        return redirect("decks:shared", token=token)
    messages.success(request, f"“{copy.name}” is now in your decks, with its reference answers.")
    return redirect(copy)
