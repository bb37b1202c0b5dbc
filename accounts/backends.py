"""The authentication backend that checks passwords, counting each check against the client."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts import throttling


class CountedModelBackend(ModelBackend):
    """Django's ModelBackend, through which every password check of the site goes (log-in,
    the admin's log-in, changing a password, deleting an account): each check for a request
    counts against the client address, and a wrong password counts as a failure too. The
    views refuse a client that has used up either limit before any password is hashed.

    A wrong password ends the authentication outright, so that Django's own ModelBackend,
    listed after this one only to recognise sessions begun before it, never hashes it again."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username, password, **kwargs)
        if request is None or username is None or password is None:
            return user
        now = timezone.now()
        throttling.count(throttling.PASSWORD_CHECKS, request, now)
        if user is None:
            throttling.count(throttling.LOGIN_FAILURES, request, now)
            raise PermissionDenied
        return user
