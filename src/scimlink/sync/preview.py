"""The exact SCIM resource a connector would send for a user."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from scimlink.apps import (
    MissingRequiredAttributesError,
    adapt_to_service_provider_config,
)
from scimlink.connectors.service import profile_of
from scimlink.db.models import Connector, User
from scimlink.errors import FieldError, InvalidInput
from scimlink.mapping import MappingRow, build_user_resource, validate_mapping
from scimlink.sync.sources import ManagerLookup, source_user


def preview_user(
    session: Session,
    connector: Connector,
    user: User,
    mapping: Sequence[dict[str, str]] | None,
    matching_attribute: str | None = None,
) -> dict[str, Any]:
    """Build the resource with the saved mapping, or with one being tried."""
    profile = adapt_to_service_provider_config(
        profile_of(connector.app), connector.server_config
    )
    raw = mapping if mapping is not None else connector.mapping
    rows = [MappingRow(source=r["source"], target=r["target"]) for r in raw]
    problems = validate_mapping(rows, profile)
    if problems:
        errors = [
            FieldError(
                "mapping" if p.index < 0 else f"mapping[{p.index}].{p.field}", p.message
            )
            for p in problems
        ]
        raise InvalidInput(errors[0].message, errors)
    try:
        return build_user_resource(
            rows,
            source_user(user),
            profile,
            matching_attribute=matching_attribute or connector.matching_attribute,
            resolve_manager=ManagerLookup(session, connector.id),
        )
    except MissingRequiredAttributesError as exc:
        raise InvalidInput.field("userId", str(exc)) from exc
