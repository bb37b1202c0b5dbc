"""Settings for the test suite: production settings with a fixed key, plain HTTP and fast hashing."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-deployment")
os.environ.setdefault("DJANGO_HTTPS", "False")
os.environ.setdefault("DJANGO_DEBUG", "False")
os.environ.setdefault("DJANGO_EMAIL_CONSOLE", "True")
# Recordings made by the tests never land in the project's folder.
os.environ.setdefault("RECORDINGS_DIR", tempfile.mkdtemp(prefix="interviewprep-test-recordings-"))

from interviewprep.settings import *  # noqa: F403
from interviewprep.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Serve static files from the apps' folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Tasks run at once, inside the request that queues them; the worker's own tests run the
# database backend with real worker processes (tests/test_worker.py).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
