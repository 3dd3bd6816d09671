"""SCIM attribute paths that a mapping row may write (RFC 7643 §4, RFC 7644 §3.10).

A target is either a friendly key (``email``, ``firstName``...) or a path:
``title``, ``name.middleName``, ``emails[type eq "work"].value`` or an extension
attribute named by its schema URN, such as
``urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CORE_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"

# RFC 7643 §4.1: singular, writable attributes of the core User schema.
_CORE_SIMPLE = (
    "userName",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "externalId",
)
_CORE_COMPLEX = {
    "name": (
        "formatted",
        "familyName",
        "givenName",
        "middleName",
        "honorificPrefix",
        "honorificSuffix",
    ),
}
_PLAIN_MULTI_SUBS = ("value", "display")
_CORE_MULTI = {
    "emails": _PLAIN_MULTI_SUBS,
    "phoneNumbers": _PLAIN_MULTI_SUBS,
    "ims": _PLAIN_MULTI_SUBS,
    "photos": _PLAIN_MULTI_SUBS,
    "entitlements": _PLAIN_MULTI_SUBS,
    "roles": _PLAIN_MULTI_SUBS,
    "x509Certificates": _PLAIN_MULTI_SUBS,
    "addresses": (
        "formatted",
        "streetAddress",
        "locality",
        "region",
        "postalCode",
        "country",
    ),
}
# Set by the service provider, or never sent by scimlink.
READ_ONLY_ATTRIBUTES = ("id", "meta", "groups", "schemas")
NEVER_SENT_ATTRIBUTES = ("password",)
BOOLEAN_ATTRIBUTES = ("active",)

# RFC 7643 §4.3: the enterprise User extension.
_ENTERPRISE_SIMPLE = (
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
)
_ENTERPRISE_COMPLEX = {"manager": ("value", "$ref")}

FRIENDLY_TARGETS: dict[str, str] = {
    "username": "userName",
    "email": 'emails[type eq "work"].value',
    "firstName": "name.givenName",
    "lastName": "name.familyName",
    "middleName": "name.middleName",
    "phoneNumber": 'phoneNumbers[type eq "work"].value',
    "mobilePhone": 'phoneNumbers[type eq "mobile"].value',
    "displayName": "displayName",
    "nickName": "nickName",
    "externalId": "externalId",
    "title": "title",
    "active": "active",
    "locale": "locale",
    "timezone": "timezone",
    "preferredLanguage": "preferredLanguage",
    "userType": "userType",
    "employeeNumber": f"{ENTERPRISE_USER_SCHEMA}:employeeNumber",
    "department": f"{ENTERPRISE_USER_SCHEMA}:department",
    "costCenter": f"{ENTERPRISE_USER_SCHEMA}:costCenter",
    "organization": f"{ENTERPRISE_USER_SCHEMA}:organization",
    "division": f"{ENTERPRISE_USER_SCHEMA}:division",
    "manager": f"{ENTERPRISE_USER_SCHEMA}:manager.value",
}

_ATTRNAME = r"[A-Za-z][A-Za-z0-9_-]*"
_SUBNAME = r"\$?[A-Za-z][A-Za-z0-9_-]*"
_URN = r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[A-Za-z0-9()+,\-.:=@;$_!*'%/?#]+"
_PATH_RE = re.compile(
    rf"^(?:(?P<urn>{_URN}):)?(?P<attr>{_ATTRNAME})"
    r"(?:\[\s*(?P<filter>[^\]]*)\])?"
    rf"(?:\.(?P<sub>{_SUBNAME}))?$"
)
_TYPE_FILTER_RE = re.compile(r'^type\s+eq\s+"(?P<type>[^"\\]+)"$', re.IGNORECASE)


class TargetError(ValueError):
    """A target that cannot be written: malformed, unknown or read-only."""


@dataclass(frozen=True)
class TargetPath:
    """One resolved attribute path in a SCIM User resource.

    ``schema`` is None for the core User schema, else the extension URN.
    ``value_type`` selects one value of a multi-valued attribute by its ``type``.
    """

    attribute: str
    sub_attribute: str | None = None
    value_type: str | None = None
    schema: str | None = None

    @property
    def multi_valued(self) -> bool:
        """True when the path selects one value of a multi-valued attribute."""
        return self.value_type is not None

    @property
    def is_boolean(self) -> bool:
        """True for attributes whose SCIM type is boolean."""
        return self.schema is None and self.attribute in BOOLEAN_ATTRIBUTES

    @property
    def key(self) -> str:
        """Case-insensitive identity: two rows with the same key write one place."""
        return str(self).lower()

    def __str__(self) -> str:
        text = f"{self.schema}:{self.attribute}" if self.schema else self.attribute
        if self.value_type is not None:
            text += f'[type eq "{self.value_type}"]'
        if self.sub_attribute is not None:
            text += f".{self.sub_attribute}"
        return text


def resolve_target(text: str) -> TargetPath:
    """Turn a friendly key or SCIM path into a known, writable TargetPath.

    Raises TargetError with a message fit to show next to the mapping row.
    """
    text = text.strip()
    if not text:
        raise TargetError("the app attribute is empty")
    path = parse_path(FRIENDLY_TARGETS.get(text, text))
    return _check_known(path, text)


def parse_path(text: str) -> TargetPath:
    """Parse a SCIM attribute path without checking it against any schema."""
    match = _PATH_RE.match(text.strip())
    if match is None:
        raise TargetError(f"'{text}' is not a valid SCIM attribute path")

    schema = match["urn"]
    if schema is not None and schema.lower() == CORE_USER_SCHEMA.lower():
        schema = None
    value_type = None
    if match["filter"] is not None:
        type_match = _TYPE_FILTER_RE.match(match["filter"].strip())
        if type_match is None:
            # Limitation: only the `type eq "..."` selector is supported.
            raise TargetError(
                f"'{text}': only a type selector such as "
                '[type eq "work"] is supported inside brackets'
            )
        value_type = type_match["type"]
    return TargetPath(
        attribute=match["attr"],
        sub_attribute=match["sub"],
        value_type=value_type,
        schema=schema,
    )


def _check_known(path: TargetPath, text: str) -> TargetPath:
    if path.schema is None:
        return _check_core(path, text)
    if path.schema.lower() == ENTERPRISE_USER_SCHEMA.lower():
        return _check_enterprise(path, text)
    if path.value_type is not None:
        raise TargetError(f"'{text}': type selectors work only on core attributes")
    return path


def _check_core(path: TargetPath, text: str) -> TargetPath:
    attribute = _canonical(path.attribute, _all_core_names())
    if attribute is None:
        raise TargetError(f"'{text}' is not an attribute of the SCIM User schema")
    lowered = attribute.lower()
    if lowered in (name.lower() for name in NEVER_SENT_ATTRIBUTES):
        raise TargetError("passwords are never sent to apps")
    if lowered in (name.lower() for name in READ_ONLY_ATTRIBUTES):
        raise TargetError(f"'{attribute}' is read-only: the app sets it")

    if attribute in _CORE_MULTI:
        return _check_multi(path, attribute, _CORE_MULTI[attribute], text)
    if path.value_type is not None:
        raise TargetError(f"'{attribute}' is single-valued: remove the type selector")
    if attribute in _CORE_COMPLEX:
        sub = _required_sub(path, attribute, _CORE_COMPLEX[attribute], text)
        return TargetPath(attribute, sub)
    if path.sub_attribute is not None:
        raise TargetError(f"'{attribute}' has no sub-attributes")
    return TargetPath(attribute)


def _check_multi(
    path: TargetPath, attribute: str, subs: tuple[str, ...], text: str
) -> TargetPath:
    if path.value_type is None:
        raise TargetError(
            f"'{attribute}' is multi-valued: choose one value by type, "
            f'e.g. {attribute}[type eq "work"].{subs[0]}'
        )
    if path.sub_attribute is None and "value" in subs:
        return TargetPath(attribute, "value", path.value_type)
    sub = _required_sub(path, attribute, subs, text)
    return TargetPath(attribute, sub, path.value_type)


def _check_enterprise(path: TargetPath, text: str) -> TargetPath:
    names = _ENTERPRISE_SIMPLE + tuple(_ENTERPRISE_COMPLEX)
    attribute = _canonical(path.attribute, names)
    if attribute is None:
        raise TargetError(f"'{text}' is not an attribute of the enterprise extension")
    if path.value_type is not None:
        raise TargetError(f"'{attribute}' is single-valued: remove the type selector")
    schema = ENTERPRISE_USER_SCHEMA
    if attribute in _ENTERPRISE_COMPLEX:
        if path.sub_attribute is None:
            return TargetPath(attribute, "value", schema=schema)
        sub = _required_sub(path, attribute, _ENTERPRISE_COMPLEX[attribute], text)
        return TargetPath(attribute, sub, schema=schema)
    if path.sub_attribute is not None:
        raise TargetError(f"'{attribute}' has no sub-attributes")
    return TargetPath(attribute, schema=schema)


def _required_sub(
    path: TargetPath, attribute: str, subs: tuple[str, ...], text: str
) -> str:
    if path.sub_attribute is None:
        raise TargetError(
            f"'{text}': name a sub-attribute of '{attribute}' ({', '.join(subs)})"
        )
    sub = _canonical(path.sub_attribute, subs)
    if sub is None:
        raise TargetError(
            f"'{text}': '{attribute}' has no sub-attribute "
            f"'{path.sub_attribute}' (known: {', '.join(subs)})"
        )
    return sub


def _all_core_names() -> tuple[str, ...]:
    return (
        _CORE_SIMPLE
        + tuple(_CORE_COMPLEX)
        + tuple(_CORE_MULTI)
        + READ_ONLY_ATTRIBUTES
        + NEVER_SENT_ATTRIBUTES
    )


def _canonical(name: str, known: tuple[str, ...]) -> str | None:
    # RFC 7643 §2.1: attribute names are case-insensitive; use the schema's spelling.
    for candidate in known:
        if candidate.lower() == name.lower():
            return candidate
    return None
