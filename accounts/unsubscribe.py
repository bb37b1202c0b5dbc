"""Signed unsubscribe links: each turns off one kind of reminder email for one user, with no
log-in needed (RFC 8058's one-click POST comes from the mail provider, without cookies)."""

from dataclasses import dataclass

from django.core import signing

from accounts.models import Profile

SALT = "accounts.unsubscribe"


@dataclass(frozen=True)
class MailingList:
    field: str  # the Profile setting that turns it on
    turned_off: str  # said once it is turned off


LISTS = {
    "due": MailingList("remind_due", "Emails when questions are due for review"),
    "interview": MailingList("remind_interview_day", "Emails before your interview"),
}


class BadLink(Exception):
    """The link is altered, made up, or for a list we do not send."""


def token_for(user_id: int, list_name: str) -> str:
    assert list_name in LISTS
    return signing.dumps({"user": user_id, "list": list_name}, salt=SALT, compress=True)


def read(token: str) -> tuple[int, MailingList]:
    try:
        payload = signing.loads(token, salt=SALT)
        return int(payload["user"]), LISTS[payload["list"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadLink from None


def turn_off(user_id: int, mailing_list: MailingList) -> bool:
    """Turn the list off for the user; False when the account no longer exists."""
    profile = Profile.objects.filter(user_id=user_id)
    return profile.update(**{mailing_list.field: False}) == 1
