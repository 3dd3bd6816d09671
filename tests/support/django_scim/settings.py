"""Django settings, URLconf and bearer check for the test SCIM server.

The process that starts the server passes the database file and the token in
the environment: ``DJANGO_SCIM_DATABASE`` and ``DJANGO_SCIM_TOKEN`` (no token:
every request is let in). django-scim2-server has no token mechanism of its
own, only a hook deciding whether a request may pass; ``bearer_token_matches``
is that hook.
"""

from __future__ import annotations

import hmac
import os

from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, include, path
from tests.support.django_scim import DATABASE_VARIABLE, TOKEN_VARIABLE

SECRET_KEY = "scimlink-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django_scim2_server",
]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = __name__
# A file, not ":memory:": runserver answers each request on its own thread,
# and every thread would otherwise see a database of its own. Transactions
# take the write lock up front and wait for it: a read lock upgraded later
# fails at once with "database is locked" when another thread writes, which
# the server answers with a 500 on concurrent creates.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ[DATABASE_VARIABLE],
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    }
}
USE_TZ = True
# Tracebacks of 500s go to the server's log, which tests show when they fail.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
SCIM2_SERVER_AUTH_CHECK = f"{__name__}.bearer_token_matches"

# The package writes meta.location under this very prefix, so it stays fixed.
urlpatterns: list[URLPattern | URLResolver] = [
    path("scim/v2/", include("django_scim2_server.urls")),
]


def bearer_token_matches(request: HttpRequest) -> bool:
    """Let a request in when it carries ``Authorization: Bearer <token>``."""
    token = os.environ.get(TOKEN_VARIABLE)
    if token is None:
        return True
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
