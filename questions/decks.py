"""Decks as their owners manage them: creating one within the limit, listing them with their
sizes, deleting one. Plain Python over the models."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from interviewprep import cache_versions
from questions.models import Deck


class DeckLimitReached(Exception):
    """The user has as many decks as a user may have."""

    def __init__(self) -> None:
        super().__init__(
            f"You have {settings.DECKS_PER_USER} decks, as many as one account may have. "
            "Delete one you no longer use first."
        )


def decks_for(user) -> QuerySet[Deck]:
    """The built-in deck and the user's own, each with how many active questions it holds."""
    return Deck.objects.visible_to(user).annotate(
        question_count=Count("questions", filter=Q(questions__is_active=True))
    )


def create_deck(owner, name: str, description: str = "") -> Deck:
    with transaction.atomic():
        # The owner's row is locked so that two requests at once cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        if Deck.objects.owned_by(owner).count() >= settings.DECKS_PER_USER:
            raise DeckLimitReached
        return Deck.objects.create(owner=owner, name=name, description=description)


def delete_deck(deck: Deck) -> None:
    """Delete the deck and its questions. Interviews that asked them keep what was shown
    (their answers are unlinked, not deleted); the review schedule of its questions goes."""
    owner_id = deck.owner_id
    with cache_versions.bumped_once_by_the_caller():
        deck.delete()
    if owner_id is not None:
        cache_versions.bump_progress(owner_id)
