"""Start the test SCIM server: ``python -m tests.support.django_scim PORT``.

Creates the schema in the SQLite file named by ``DJANGO_SCIM_DATABASE``, then
serves ``http://127.0.0.1:PORT/scim/v2`` until SIGTERM, on which it exits 0.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

SETTINGS = "tests.support.django_scim.settings"


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def main(argv: list[str]) -> None:
    if len(argv) != 1 or not argv[0].isdigit():
        sys.exit("usage: python -m tests.support.django_scim PORT")
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    signal.signal(signal.SIGTERM, _exit_cleanly)
    # The reloader would run the server in a child that SIGTERM does not
    # reach; the system checks would only slow the start.
    call_command(
        "runserver", f"127.0.0.1:{argv[0]}", use_reloader=False, skip_checks=True
    )


if __name__ == "__main__":
    main(sys.argv[1:])
