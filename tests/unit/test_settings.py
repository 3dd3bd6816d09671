"""Settings from the environment: bad values name the variable to fix."""

import pytest

from scimlink.settings import SettingsError, get_settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SCIMLINK_LOG_LEVEL", "loud"),
        ("SCIMLINK_LOG_FORMAT", "xml"),
        ("SCIMLINK_SECRET_KEY", "notakey"),
        ("SCIMLINK_DATABASE_URL", "nosuch://x"),
        ("SCIMLINK_WORKER_THREADS", "0"),
        ("SCIMLINK_PORT", "abc"),
        ("SCIMLINK_PORT", "70000"),
    ],
)
def test_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """The error names the environment variable, not a Python field."""
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match=variable):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_levels_and_formats_ignore_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """`INFO` and `JSON` are as good as `info` and `json`."""
    monkeypatch.setenv("SCIMLINK_LOG_LEVEL", "INFO")
    monkeypatch.setenv("SCIMLINK_LOG_FORMAT", "JSON")
    get_settings.cache_clear()
    try:
        settings = get_settings()
    finally:
        get_settings.cache_clear()
    assert (settings.log_level, settings.log_format) == ("info", "json")
