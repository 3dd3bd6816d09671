"""apps and mapping import each other: every entry point must import alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src"


@pytest.mark.parametrize(
    "module",
    [
        "scimlink.apps",
        "scimlink.apps.profile",
        "scimlink.apps.shaping",
        "scimlink.mapping",
        "scimlink.mapping.resource",
        "scimlink.mapping.validation",
    ],
)
def test_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """Importing this module before any other one raises no circular-import error."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        env={"PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
