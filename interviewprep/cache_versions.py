"""The versions that key cached pages, and the one place each of them is bumped.

A foundation module: it imports no app of the project, so every app may import it (the
version rows themselves are progress's models, looked up by name when first used). Write
paths that change what a cached page shows call `bump_progress` or `bump_bank` here, or are
covered by the signal receivers at the end; nowhere else bumps a version.

A cached fragment is stored under the versions of everything it shows: a user's progress
version (bumped by every grade or changed grade, by a change to their settings or account, and
by a change to their own decks, questions or tags), the question bank's version (bumped by
every change to a built-in question, key point, misconception or topic) and a deck's own
version (a column of the deck, bumped by every change to its questions, their key points and
topics). A change to a user's own question bumps only its deck and its owner: other users'
cached pages do not show it.
The versions live in the database, so every web process sees a bump at once, whatever cache
each one has (its own memory, or a Redis shared by all); an entry under an old version is
never read again and simply ages out."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save

# While set, the signal receivers below bump nothing: a write path that changes many rows at
# once bumps what it changed itself, once, when it is done.
_receivers_quiet: ContextVar[bool] = ContextVar("cache_versions_receivers_quiet", default=False)


@contextmanager
def bumped_once_by_the_caller() -> Iterator[None]:
    """Changes made inside bump nothing per row; the caller bumps what they changed after."""
    token = _receivers_quiet.set(True)
    try:
        yield
    finally:
        _receivers_quiet.reset(token)


def _model(name: str):
    return apps.get_model("progress", name)


def bump_progress(user_id: int) -> None:
    """What the user's dashboard shows has changed."""
    _bump(_model("ProgressVersion"), "user_id", user_id)


def bump_bank() -> None:
    """The question bank has changed."""
    _bump(_model("BankVersion"), "id", 1)


def bump_decks(**lookups) -> None:
    """What the page of the decks found by `lookups` lists has changed."""
    apps.get_model("questions", "Deck").objects.filter(**lookups).update(version=F("version") + 1)


def bump_for_questions(questions) -> None:
    """These questions were changed in bulk (an update sends no save signal): bump what
    shows them, the bank or their decks and owners."""
    decks = apps.get_model("questions", "Deck").objects.filter(pk__in=questions.values("deck_id"))
    if decks.filter(is_builtin=True).exists():
        bump_bank()
    own = decks.filter(is_builtin=False)
    for owner_id in own.values_list("owner_id", flat=True).distinct():
        bump_progress(owner_id)
    own.update(version=F("version") + 1)


def _bump(model, key: str, value: int) -> None:
    # One upsert (SQLite and PostgreSQL both have ON CONFLICT): the first bump creates the
    # row, and two bumps at once both count. The ORM's upsert can only overwrite a value.
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(key)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({column}, number) VALUES (%s, 1) "
            f"ON CONFLICT ({column}) DO UPDATE SET number = {table}.number + 1",
            [value],
        )


def bank_version() -> int:
    return _model("BankVersion").objects.filter(pk=1).values_list("number", flat=True).first() or 0


def versions_for(user_id: int) -> tuple[int, int]:
    """The user's progress version and the bank's, in one query (0 before a first bump)."""
    progress, bank = (
        connection.ops.quote_name(_model(name)._meta.db_table)
        for name in ("ProgressVersion", "BankVersion")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT number FROM {progress} WHERE user_id = %s), "
            f"(SELECT number FROM {bank} WHERE id = 1)",
            [user_id],
        )
        row = cursor.fetchone()
    return row[0] or 0, row[1] or 0


def with_versions(profiles):
    """Profiles annotated with `progress_version` and `bank_version`, read in one query."""
    progress_version, bank_version = _model("ProgressVersion"), _model("BankVersion")
    return profiles.annotate(
        progress_version=Subquery(
            progress_version.objects.filter(user=OuterRef("user")).values("number")[:1]
        ),
        bank_version=Subquery(bank_version.objects.filter(pk=1).values("number")),
    )


def cache_key(name: str, *parts: object) -> str:
    """A key from the page's name and everything its content depends on; hashed so that
    user input (filters) can never make an invalid key."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"{name}:{digest}"


# What bumps the versions. Bulk updates send no signals: code that changes the bank with
# QuerySet.update() calls bump_bank() itself.


def _deck_content_changed(deck_id: int | None) -> None:
    """A question of this deck, or one of its parts, has changed."""
    owner = (
        apps.get_model("questions", "Deck")
        .objects.filter(pk=deck_id)
        .values_list("is_builtin", "owner_id")
        .first()
    )
    if owner is None:  # the deck itself is being deleted: questions/decks.py bumps
        return
    is_builtin, owner_id = owner
    if is_builtin:
        bump_bank()
    else:
        bump_decks(pk=deck_id)
        bump_progress(owner_id)


def _deck_of_question(question_id: int) -> int | None:
    return (
        apps.get_model("questions", "Question")
        .objects.filter(pk=question_id)
        .values_list("deck_id", flat=True)
        .first()
    )


def _question_changed(sender, instance, **kwargs) -> None:
    if _receivers_quiet.get():
        return
    _deck_content_changed(instance.deck_id)


def _question_part_changed(sender, instance, **kwargs) -> None:
    """A key point or misconception."""
    if _receivers_quiet.get():
        return
    _deck_content_changed(_deck_of_question(instance.question_id))


def _topic_changed(sender, instance, **kwargs) -> None:
    if _receivers_quiet.get():
        return
    if instance.owner_id is None:
        # A bank topic names the bank's questions and may tag users' own.
        bump_bank()
        return
    bump_decks(owner=instance.owner_id)
    bump_progress(instance.owner_id)


def _topics_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    if _receivers_quiet.get():
        return
    if not action.startswith("post_"):  # m2m_changed also sends pre_add, pre_remove...
        return
    if reverse:  # the questions of a topic were changed from the topic's side
        _topic_changed(sender, instance)
    else:
        _deck_content_changed(instance.deck_id)


def _deck_saved(sender, instance, **kwargs) -> None:
    # Its name shows on the owner's dashboard and in their new-interview form.
    if instance.owner_id is not None:
        bump_progress(instance.owner_id)


def _profile_saved(sender, instance, created, **kwargs) -> None:
    # A new profile has no cached dashboard yet.
    if not created:
        bump_progress(instance.user_id)


def _account_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    # Logging in only stamps last_login, which no cached page shows.
    if not created and update_fields != frozenset({"last_login"}):
        bump_progress(instance.pk)


def connect_signals() -> None:
    """Called once the apps are loaded (progress's AppConfig.ready)."""
    receivers = {
        "Question": _question_changed,
        "KeyPoint": _question_part_changed,
        "Misconception": _question_part_changed,
        "Topic": _topic_changed,
    }
    for name, receiver in receivers.items():
        model = apps.get_model("questions", name)
        post_save.connect(receiver, sender=model, dispatch_uid=f"bank-save-{name}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"bank-delete-{name}")
    topics = apps.get_model("questions", "Question").topics.through
    m2m_changed.connect(_topics_changed, sender=topics, dispatch_uid="bank-topics")
    deck = apps.get_model("questions", "Deck")
    post_save.connect(_deck_saved, sender=deck, dispatch_uid="progress-deck")
    profile = apps.get_model("accounts", "Profile")
    post_save.connect(_profile_saved, sender=profile, dispatch_uid="progress-profile")
    post_save.connect(
        _account_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="progress-account"
    )
