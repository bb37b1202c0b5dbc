"""Files in and out of one's own deck: importing (upload, a preview of what is new, changed,
refused or incomplete, each refusal naming its row and field, then apply all or nothing) and
downloading the deck as CSV, JSON or an Anki package."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from accounts.rate_limit import RateLimit, allows, window
from questions import deck_export, deck_import
from questions.authoring import DeckFull
from questions.forms import DeckImportForm
from questions.import_formats import FileRefused
from questions.models import Deck

# The session key under which a checked file waits for its owner to apply it.
SESSION_KEY = "deck_import_checked"


def _get_own_deck_for_user(request: HttpRequest, pk: int) -> Deck:
    return get_object_or_404(Deck.objects.owned_by(request.user), pk=pk)


def _imports_used_up(request: HttpRequest) -> bool:
    """Counts this upload; True once the user has used the hour's imports (a shared cache
    counter, so every web process counts the same)."""
    limit = RateLimit(attempts=settings.DECK_IMPORTS_PER_HOUR, seconds=3600)
    current = window(timezone.now(), limit)
    key = f"deck-imports:{request.user.pk}:{current.number}"
    cache.add(key, 0, timeout=current.retry_after + 1)
    try:
        counted = cache.incr(key) - 1
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=current.retry_after + 1)
        counted = 0
    return not allows(counted, limit)


def _completions(request: HttpRequest) -> dict[int, list[str]]:
    """The key points typed on the preview for rows that had too few."""
    added: dict[int, list[str]] = {}
    for name in request.POST:
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "complete" and parts[1].isdigit() and len(parts[1]) < 7:
            added.setdefault(int(parts[1]), []).extend(request.POST.getlist(name)[:1])
    return added


def _preview(request: HttpRequest, deck: Deck, form, **context) -> HttpResponse:
    return render(
        request,
        "decks/deck_import.html",
        {"deck": deck, "form": form, "labels": deck_import.FORMAT_LABELS, **context},
    )


@login_required
@require_http_methods(["GET", "POST"])
def deck_import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    deck = _get_own_deck_for_user(request, pk)
    form = DeckImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _preview(request, deck, form)
    if _imports_used_up(request):
        form.add_error(
            None,
            f"You have imported {settings.DECK_IMPORTS_PER_HOUR} files this hour, as many as "
            "an hour allows. Try again later.",
        )
        return _preview(request, deck, form)
    upload = form.cleaned_data["file"]
    try:
        kind = deck_import.kind_of(upload.name)
        text = deck_import.decode(upload.read(settings.DECK_IMPORT_MAX_KB * 1024 + 1))
        plan = deck_import.plan(deck_import.records(text, kind), deck)
    except FileRefused as refusal:
        form.add_error("file", str(refusal))
        return _preview(request, deck, form)
    digest = hashlib.sha256(text.encode()).hexdigest()
    request.session[SESSION_KEY] = {"deck": deck.pk, "kind": kind, "sha256": digest, "text": text}
    return _preview(request, deck, form, plan=plan, checked=digest, kind=kind)


@login_required
@require_POST
def deck_import_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply the checked file waiting in the session, with the key points the preview asked
    for; nothing is written unless every row can be."""
    deck = _get_own_deck_for_user(request, pk)
    waiting = request.session.get(SESSION_KEY) or {}
    form = DeckImportForm()
    if waiting.get("deck") != deck.pk or waiting.get("sha256") != request.POST.get("checked"):
        return _preview(
            request,
            deck,
            form,
            refusal="This file is no longer waiting to be imported; upload it again.",
        )
    try:
        records = deck_import.records(waiting["text"], waiting["kind"])
        plan = deck_import.plan(records, deck, _completions(request))
        if not plan.can_apply:
            return _preview(
                request,
                deck,
                form,
                plan=plan,
                checked=waiting["sha256"],
                refusal="Nothing was imported: some rows are refused or incomplete.",
            )
        added, changed = deck_import.apply(plan, deck)
    except (FileRefused, DeckFull) as refusal:
        return _preview(request, deck, form, refusal=str(refusal))
    del request.session[SESSION_KEY]
    messages.success(request, f"Imported: {added} new, {changed} changed.")
    return redirect(deck)


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", deck_export.as_csv),
    "json": ("application/json; charset=utf-8", deck_export.as_json),
    "apkg": ("application/octet-stream", deck_export.as_apkg),
}


@login_required
def deck_download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The deck as CSV, JSON or an Anki package, named after the deck."""
    deck = _get_own_deck_for_user(request, pk)
    if kind not in EXPORTS:
        raise Http404("No such format.")
    content_type, make = EXPORTS[kind]
    response = HttpResponse(make(deck), content_type=content_type)
    name = slugify(deck.name) or "deck"
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
