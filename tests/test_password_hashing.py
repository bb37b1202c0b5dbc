"""Production hashes passwords with Argon2id, and upgrades older hashes at the next log-in."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.urls import reverse

from interviewprep import settings as production_settings

User = get_user_model()


@pytest.fixture
def production_hashers(settings):
    # The test settings hash with MD5 for speed; these tests need the real list.
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS


def test_new_passwords_are_hashed_with_argon2id(production_hashers):
    assert make_password("correct horse battery staple").startswith("argon2$argon2id$")


def test_an_old_pbkdf2_password_still_logs_in_and_is_upgraded(client, db, production_hashers):
    # Few iterations keep the test fast; the hash is PBKDF2 all the same.
    old_hash = PBKDF2PasswordHasher().encode("old passphrase", "saltsaltsalt", iterations=1000)
    carol = User.objects.create(username="carol", email="carol@example.com", password=old_hash)

    response = client.post(reverse("login"), {"username": "carol", "password": "old passphrase"})

    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.password.startswith("argon2$argon2id$")
    assert carol.check_password("old passphrase")
