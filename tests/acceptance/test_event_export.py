"""The event log's CSV export opens safely in spreadsheet programs."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from scimlink.db.engine import make_session_factory, transaction
from scimlink.sync import events
from scimlink.sync.events import Destination, EventRecord, Source

pytestmark = pytest.mark.acceptance


def _record(engine: Engine, group_name: str, activity: str) -> None:
    with transaction(make_session_factory(engine)) as session:
        events.write_events(
            session,
            Destination("c-1", "=Wiki", "scim2", "SCIM 2.0"),
            [
                EventRecord(
                    events.GROUP_CREATED,
                    activity,
                    source=Source("directory", "d-1", "Équipe ✨"),
                    group_id="g-1",
                    group_name=group_name,
                )
            ],
        )


def test_export_is_utf8_with_bom_and_defuses_formulas(
    api: TestClient, engine: Engine
) -> None:
    """Cells that would run as formulas are quoted; names keep their letters."""
    _record(engine, '=HYPERLINK("http://evil.example","x")', "-1+1 happened")

    response = api.get("/api/v1/events/export.csv")

    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    cell = dict(zip(header, row, strict=True))
    assert cell["group"] == '\'=HYPERLINK("http://evil.example","x")'
    assert cell["activity"] == "'-1+1 happened"
    assert cell["connector"] == "'=Wiki"
    assert cell["source"] == "Équipe ✨"
