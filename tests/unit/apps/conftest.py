"""Fixtures: example payloads of RFC 7643 §8, one file per section."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# The RFC 7643 §8 examples live in one place, beside the mapping tests.
FIXTURES = Path(__file__).parent.parent / "mapping" / "fixtures"


@pytest.fixture
def rfc_example() -> Callable[[str], dict[str, Any]]:
    """Load an RFC example by file stem, e.g. 'rfc7643_8_2_full_user'."""

    def load(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
        return data

    return load
