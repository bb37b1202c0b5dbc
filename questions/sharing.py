"""Sharing a deck by an unguessable link, and copying a shared deck into one's own decks."""

import secrets

from django.db import transaction

from questions import authoring, decks
from questions.models import Deck

# 32 random bytes: 256 bits, written in 43 URL-safe characters.
TOKEN_BYTES = 32


def share(deck: Deck) -> str:
    """The deck's share link secret, made the first time it is shared."""
    if deck.share_token is None:
        deck.share_token = secrets.token_urlsafe(TOKEN_BYTES)
        deck.save(update_fields=["share_token"])
    return deck.share_token


def stop_sharing(deck: Deck) -> None:
    """The link stops working at once; sharing again makes a new one."""
    Deck.objects.filter(pk=deck.pk).update(share_token=None)
    deck.share_token = None


def shared_deck(token: str) -> Deck | None:
    if not token or len(token) > 64:
        return None
    return Deck.objects.filter(share_token=token, is_builtin=False).first()


def copy_deck(deck: Deck, owner) -> Deck:
    """A copy of the deck and its active questions for `owner`: their own from then on (the
    copy is not changed by later edits of the original, nor deleted with it)."""
    questions = deck.questions.active().order_by("number").prefetch_related("topics", "key_points")
    with transaction.atomic():
        copy = decks.create_deck(owner, deck.name, deck.description)
        authoring.add_questions(copy, [authoring.draft_of(question) for question in questions])
    return copy
