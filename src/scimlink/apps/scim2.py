"""Any SCIM 2.0 server, refined by what its /ServiceProviderConfig says."""

from __future__ import annotations

import dataclasses
from typing import Any

from scimlink.apps.profile import AppProfile, Paging
from scimlink.mapping.rows import default_mapping

PROFILE = AppProfile(
    key="scim2",
    name="SCIM 2.0",
    endpoint_example="https://scim.example.com/scim/v2",
    endpoint_pattern=None,
    endpoint_hint_text=None,
    supports_groups=True,
    default_mapping=tuple(default_mapping()),
    required_attributes=("userName",),
    # Until the server advertises PATCH, a full PUT is the one safe update.
    update_method="put",
    patch_supported=False,
    user_match_attributes=("userName", "externalId", "emails.value"),
    paging="index",
    page_size=100,
    # Generic servers publish no limit; 429 and Retry-After slow us down
    # where a server needs it.
    default_rate_limit=50.0,
    default_concurrency=8,
    default_deprovision="delete",
    reads_service_provider_config=True,
    notes=(
        "PATCH is used when the server's ServiceProviderConfig advertises it, "
        "else PUT of the full resource.",
        "429 responses and Retry-After are honoured.",
    ),
)


def adapt_to_service_provider_config(
    profile: AppProfile, spc: dict[str, Any] | None
) -> AppProfile:
    """A copy of `profile` refined by a ServiceProviderConfig (RFC 7643 §5).

    Reads patch, bulk, filter, etag and RFC 9865 pagination. Anything missing
    or malformed keeps the safe default: PUT when PATCH support is unknown.
    Profiles that do not read the config are returned unchanged.
    """
    if not profile.reads_service_provider_config:
        return profile
    if not isinstance(spc, dict):
        return dataclasses.replace(
            profile,
            update_method="put",
            patch_supported=False,
            notes=(*profile.notes, "No usable ServiceProviderConfig: using PUT."),
        )

    patch = _flag(_section(spc, "patch"), "supported")
    filter_section = _section(spc, "filter")
    filter_supported = _flag(filter_section, "supported")
    bulk_section = _section(spc, "bulk")
    etag = _flag(_section(spc, "etag"), "supported")
    paging, max_page = _paging(_section(spc, "pagination"), profile.paging)

    page_size = profile.page_size
    for cap in (_positive_int(filter_section, "maxResults"), max_page):
        if cap is not None:
            page_size = min(page_size, cap)

    return dataclasses.replace(
        profile,
        update_method="patch" if patch is True else "put",
        patch_supported=patch is True,
        filter_supported=filter_supported is not False,
        bulk_supported=_flag(bulk_section, "supported") is True,
        bulk_max_operations=_positive_int(bulk_section, "maxOperations"),
        etag_supported=etag is True,
        paging=paging,
        page_size=page_size,
        notes=(*profile.notes, "Refined from the server's ServiceProviderConfig."),
    )


def _paging(section: dict[str, Any], current: Paging) -> tuple[Paging, int | None]:
    cursor = _flag(section, "cursor") is True
    index = _flag(section, "index") is True
    max_page = _positive_int(section, "maxPageSize")
    # Cursors stay consistent while the server's data changes; prefer them.
    if cursor:
        return "cursor", max_page
    if index:
        return "index", max_page
    return current, max_page


def _section(spc: dict[str, Any], name: str) -> dict[str, Any]:
    value = _get(spc, name)
    return value if isinstance(value, dict) else {}


def _get(container: dict[str, Any], name: str) -> Any:
    # RFC 7643 §2.1: attribute names are case-insensitive.
    return next(
        (v for k, v in container.items() if str(k).lower() == name.lower()), None
    )


def _flag(section: dict[str, Any], name: str) -> bool | None:
    value = _get(section, name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _positive_int(section: dict[str, Any], name: str) -> int | None:
    value = _get(section, name)
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number > 0 else None
