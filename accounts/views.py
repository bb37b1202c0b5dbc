"""Sign up, account settings and account deletion; the rest is django.contrib.auth's own views."""

import math

from django.contrib import admin, messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import throttling
from accounts import unsubscribe as unsubscribe_links
from accounts.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LogInForm,
    ProfileForm,
    QueuedPasswordResetForm,
    ResetPasswordForm,
    SignUpForm,
)
from accounts.models import TIME_ZONE_SESSION_KEY, profile_for


def _too_many(request: HttpRequest, kind: str) -> HttpResponse | None:
    """A 429 page when this address has used up its attempts of `kind`; checked before any
    password is hashed, so refusing costs next to nothing."""
    used_up = throttling.used_up(kind, request, timezone.now())
    if used_up is None:
        return None
    response = render(
        request,
        "registration/throttled.html",
        {"kind": kind, "minutes": math.ceil(used_up.retry_after / 60)},
        status=429,
    )
    response["Retry-After"] = str(used_up.retry_after)
    return response


def _password_checks_refused(request: HttpRequest) -> HttpResponse | None:
    """For a form that checks a password: a 429 page when this address has given too many
    wrong passwords, or had too many checked at all, in the last minute. The checks are
    counted where the password is checked (accounts/backends.py)."""
    if request.method != "POST":
        return None
    return _too_many(request, throttling.LOGIN_FAILURES) or _too_many(
        request, throttling.PASSWORD_CHECKS
    )


_django_login = auth_views.LoginView.as_view(authentication_form=LogInForm)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Django's log-in, refused while this address has failed too often across usernames
    (django-axes separately pauses one username at one address)."""
    if refused := _password_checks_refused(request):
        return refused
    return _django_login(request)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's log-in, under the same limits as the site's."""
    if refused := _password_checks_refused(request):
        return refused
    return admin.site.login(request)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Django's password change, whose check of the old password counts like a log-in."""
    if refused := _password_checks_refused(request):
        return refused
    form = ChangePasswordForm(request.user, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        form.save()
        # The other sessions of this account end; this one goes on.
        update_session_auth_hash(request, form.user)
        return redirect("password_change_done")
    return render(request, "registration/password_change_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Django's password-reset request, limited per client address like sign-ups, and per
    email address typed in: each one sends an email."""
    if request.method == "POST":
        kinds = [throttling.PASSWORD_RESETS, throttling.PASSWORD_RESETS_TO_ONE_EMAIL]
        for kind in kinds:
            if refused := _too_many(request, kind):
                return refused
        for kind in kinds:
            throttling.count(kind, request, timezone.now())
    return _django_password_reset(request)


_django_password_reset = auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm)

# A completed reset also ends a django-axes lockout of that account (see ResetPasswordForm).
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(form_class=ResetPasswordForm)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        if refused := _too_many(request, throttling.SIGN_UPS):
            return refused
        throttling.count(throttling.SIGN_UPS, request, timezone.now())
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # All or nothing: an account whose profile or log-in failed half-way would leave the
        # user with an error page and a username that is "already taken" when they retry.
        with transaction.atomic():
            user = form.save()
            login(request, user, backend="accounts.backends.CountedModelBackend")
        messages.success(request, f"Welcome, {user.username}! Your account is ready.")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=profile_for(request.user))
    if request.method == "POST" and form.is_valid():
        profile = form.save()
        request.session[TIME_ZONE_SESSION_KEY] = profile.time_zone
        messages.success(request, "Your settings are saved.")
        return redirect("settings")
    return render(request, "accounts/settings.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    if refused := _password_checks_refused(request):
        return refused
    form = DeleteAccountForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user.delete()
        messages.success(request, "Your account and everything in it have been deleted.")
        return redirect("home")
    return render(request, "accounts/delete_account.html", {"form": form})


@csrf_exempt  # the signed link is the credential; RFC 8058's one-click POST has no cookies
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Turn off one kind of reminder email from the link in it, logged in or not: a GET asks
    (link checkers open links), a POST (the button, or the mail provider's one-click
    unsubscribe) turns it off and says what was turned off."""
    try:
        user_id, mailing_list = unsubscribe_links.read(token)
    except unsubscribe_links.BadLink:
        return render(request, "accounts/unsubscribe.html", {"bad_link": True}, status=400)
    context = {"mailing_list": mailing_list}
    if request.method == "POST":
        context["done"] = unsubscribe_links.turn_off(user_id, mailing_list)
        context["gone"] = not context["done"]
    return render(request, "accounts/unsubscribe.html", context)
