"""Installation-wide settings an admin changes: time zone, event retention."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.orm import Session

from scimlink.db.models import InstallationSettings
from scimlink.errors import FieldError, InvalidInput

MAX_RETENTION_DAYS = 3650


def get_installation_settings(session: Session) -> InstallationSettings:
    settings = session.get(InstallationSettings, 1)
    if settings is None:
        settings = InstallationSettings(id=1, timezone="UTC", event_retention_days=30)
        session.add(settings)
        session.flush()
    return settings


def check_timezone(name: str) -> str:
    """Accept only IANA zone names, such as Europe/Paris."""
    if name not in available_timezones() and name != "UTC":
        raise ValueError(
            f"{name!r} is not an IANA time zone name; use one such as "
            "'Europe/Paris' or 'America/New_York'."
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not a usable time zone.") from exc
    return name


def update_installation_settings(
    session: Session,
    admin_name: str,
    timezone: str | None = None,
    event_retention_days: int | None = None,
) -> InstallationSettings:
    errors: list[FieldError] = []
    if timezone is not None:
        try:
            check_timezone(timezone)
        except ValueError as exc:
            errors.append(FieldError("timezone", str(exc)))
    if event_retention_days is not None and not (
        1 <= event_retention_days <= MAX_RETENTION_DAYS
    ):
        errors.append(
            FieldError(
                "eventRetentionDays",
                f"Keep events between 1 and {MAX_RETENTION_DAYS} days.",
            )
        )
    if errors:
        raise InvalidInput(errors[0].message, errors)
    settings = get_installation_settings(session)
    if timezone is not None:
        settings.timezone = timezone
    if event_retention_days is not None:
        settings.event_retention_days = event_retention_days
    settings.updated_by = admin_name
    session.flush()
    return settings
