"""What a SCIM server advertises in its ServiceProviderConfig (RFC 7643 §5)."""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic import ConfigDict
from pydantic.alias_generators import to_camel
from scim2_models import ServiceProviderConfig

from scimlink.scim.messages import integer


class ServerCapabilities(pydantic.BaseModel):
    """The features a server advertises; None where it says nothing."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True
    )

    patch: bool | None = None
    bulk: bool | None = None
    bulk_max_operations: int | None = None
    bulk_max_payload_size: int | None = None
    filter: bool | None = None
    filter_max_results: int | None = None
    change_password: bool | None = None
    sort: bool | None = None
    etag: bool | None = None
    index_paging: bool | None = None
    cursor_paging: bool | None = None
    default_page_size: int | None = None
    max_page_size: int | None = None
    authentication_schemes: tuple[str, ...] = ()


def read_capabilities(payload: dict[str, Any]) -> ServerCapabilities:
    """Read a ServiceProviderConfig, leniently when it does not validate."""
    try:
        config = ServiceProviderConfig.model_validate(payload)
    except pydantic.ValidationError:
        return _read_leniently(payload)
    return _from_model(config)


def _from_model(config: ServiceProviderConfig) -> ServerCapabilities:
    pagination = config.pagination
    return ServerCapabilities(
        patch=config.patch.supported if config.patch else None,
        bulk=config.bulk.supported if config.bulk else None,
        bulk_max_operations=config.bulk.max_operations if config.bulk else None,
        bulk_max_payload_size=config.bulk.max_payload_size if config.bulk else None,
        filter=config.filter.supported if config.filter else None,
        filter_max_results=config.filter.max_results if config.filter else None,
        change_password=(
            config.change_password.supported if config.change_password else None
        ),
        sort=config.sort.supported if config.sort else None,
        etag=config.etag.supported if config.etag else None,
        index_paging=pagination.index if pagination else None,
        cursor_paging=pagination.cursor if pagination else None,
        default_page_size=pagination.default_page_size if pagination else None,
        max_page_size=pagination.max_page_size if pagination else None,
        authentication_schemes=tuple(
            str(scheme.type or scheme.name)
            for scheme in config.authentication_schemes or ()
            if scheme.type or scheme.name
        ),
    )


def _read_leniently(payload: dict[str, Any]) -> ServerCapabilities:
    """Pick what can be understood from a payload that breaks the schema."""
    pagination = _section(payload, "pagination")
    schemes = payload.get("authenticationSchemes")
    return ServerCapabilities(
        patch=_flag(_section(payload, "patch").get("supported")),
        bulk=_flag(_section(payload, "bulk").get("supported")),
        bulk_max_operations=integer(_section(payload, "bulk").get("maxOperations")),
        bulk_max_payload_size=integer(_section(payload, "bulk").get("maxPayloadSize")),
        filter=_flag(_section(payload, "filter").get("supported")),
        filter_max_results=integer(_section(payload, "filter").get("maxResults")),
        change_password=_flag(_section(payload, "changePassword").get("supported")),
        sort=_flag(_section(payload, "sort").get("supported")),
        etag=_flag(_section(payload, "etag").get("supported")),
        index_paging=_flag(pagination.get("index")),
        cursor_paging=_flag(pagination.get("cursor")),
        default_page_size=integer(pagination.get("defaultPageSize")),
        max_page_size=integer(pagination.get("maxPageSize")),
        authentication_schemes=tuple(
            str(scheme.get("type") or scheme.get("name"))
            for scheme in (schemes if isinstance(schemes, list) else ())
            if isinstance(scheme, dict) and (scheme.get("type") or scheme.get("name"))
        ),
    )


def _section(payload: dict[str, Any], name: str) -> dict[str, Any]:
    # Attribute names are case-insensitive in SCIM (RFC 7643 §2.1).
    for key, value in payload.items():
        if key.lower() == name.lower() and isinstance(value, dict):
            return value
    return {}


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None
