"""Test settings: the database and broker come from DATABASE_URL / REDIS_URL as in any environment."""

import os

os.environ.setdefault(
    "SECRET_KEY", "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
)

from .base import *  # noqa: F403

# Hashing cost is not what the tests are about.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# django-axes reports every sign-in at INFO; in tests that is noise (failures still show).
LOGGING["loggers"] = {"axes": {"level": "WARNING"}}  # noqa: F405
