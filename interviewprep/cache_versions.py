"""The versions that key cached pages, and the one place each of them is bumped.

A foundation module: it imports no app of the project, so every app may import it (the
version rows themselves are progress's models, looked up by name when first used). Write
paths that change what a cached page shows call `bump_progress` or `bump_bank` here, or are
covered by the signal receivers at the end; nowhere else bumps a version.

A cached fragment is stored under the versions of everything it shows: a user's progress
version (bumped by every grade or changed grade, and by a change to their settings or account)
and the question bank's version (bumped by every change to a question, key point,
misconception or topic).
The versions live in the database, so every web process sees a bump at once, whatever cache
each one has (its own memory, or a Redis shared by all); an entry under an old version is
never read again and simply ages out."""

import hashlib

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save


def _model(name: str):
    return apps.get_model("progress", name)


def bump_progress(user_id: int) -> None:
    """What the user's dashboard shows has changed."""
    _bump(_model("ProgressVersion"), "user_id", user_id)


def bump_bank() -> None:
    """The question bank has changed."""
    _bump(_model("BankVersion"), "id", 1)


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


def _bank_changed(sender, action: str = "post_", **kwargs) -> None:
    if action.startswith("post_"):  # m2m_changed also sends pre_add, pre_remove...
        bump_bank()


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
    for name in ("Question", "KeyPoint", "Misconception", "Topic"):
        model = apps.get_model("questions", name)
        post_save.connect(_bank_changed, sender=model, dispatch_uid=f"bank-save-{name}")
        post_delete.connect(_bank_changed, sender=model, dispatch_uid=f"bank-delete-{name}")
    topics = apps.get_model("questions", "Question").topics.through
    m2m_changed.connect(_bank_changed, sender=topics, dispatch_uid="bank-topics")
    profile = apps.get_model("accounts", "Profile")
    post_save.connect(_profile_saved, sender=profile, dispatch_uid="progress-profile")
    post_save.connect(
        _account_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="progress-account"
    )
