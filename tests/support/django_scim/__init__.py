"""A Django project that serves PyPI's ``django-scim2-server`` for tests.

``settings`` configures it (an SQLite file, a bearer token check, the URL
prefix the package expects) and ``python -m tests.support.django_scim PORT``
starts it; ``tests/support/django_scim_server.py`` drives both from a test.
"""

# Where the starting process tells the server its database file and token.
DATABASE_VARIABLE = "DJANGO_SCIM_DATABASE"
TOKEN_VARIABLE = "DJANGO_SCIM_TOKEN"
