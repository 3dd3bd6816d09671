"""Target paths: friendly keys, SCIM paths, extensions, and what is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scimlink.mapping.targets import (
    ENTERPRISE_USER_SCHEMA,
    FRIENDLY_TARGETS,
    TargetError,
    TargetPath,
    resolve_target,
)

Loader = Callable[[str], dict[str, Any]]


@pytest.mark.parametrize(
    ("friendly", "path"),
    [
        ("username", "userName"),
        ("email", 'emails[type eq "work"].value'),
        ("firstName", "name.givenName"),
        ("lastName", "name.familyName"),
        ("phoneNumber", 'phoneNumbers[type eq "work"].value'),
        ("department", f"{ENTERPRISE_USER_SCHEMA}:department"),
        ("manager", f"{ENTERPRISE_USER_SCHEMA}:manager.value"),
    ],
)
def test_friendly_keys_resolve_to_scim_paths(friendly: str, path: str) -> None:
    """Each friendly key of PRODUCT.md §4 resolves to its SCIM path."""
    assert str(resolve_target(friendly)) == path


def test_every_friendly_key_is_a_valid_target() -> None:
    """No friendly key points at a path that resolve_target would refuse."""
    for friendly in FRIENDLY_TARGETS:
        resolve_target(friendly)


def test_multi_valued_path_is_split_into_its_parts() -> None:
    """A typed multi-valued path keeps attribute, type and sub-attribute."""
    path = resolve_target('addresses[type eq "work"].locality')
    assert path == TargetPath("addresses", "locality", "work")
    assert path.multi_valued


def test_names_are_case_insensitive_and_canonicalised() -> None:
    """RFC 7643 §2.1: `USERNAME` and `Name.GivenName` mean the core attributes."""
    assert str(resolve_target("USERNAME")) == "userName"
    assert str(resolve_target("Name.GivenName")) == "name.givenName"
    assert resolve_target("userName").key == resolve_target("username").key


def test_multi_valued_without_sub_attribute_means_value() -> None:
    """`phoneNumbers[type eq "mobile"]` writes that phone's value."""
    path = resolve_target('phoneNumbers[type eq "mobile"]')
    assert str(path) == 'phoneNumbers[type eq "mobile"].value'


def test_core_urn_prefix_is_the_core_attribute() -> None:
    """A fully qualified core attribute equals the bare one."""
    path = resolve_target("urn:ietf:params:scim:schemas:core:2.0:User:title")
    assert path == TargetPath("title")


@pytest.mark.parametrize(
    "attribute",
    ["employeeNumber", "costCenter", "organization", "division", "department"],
)
def test_enterprise_attributes_resolve(attribute: str) -> None:
    """RFC 7643 §4.3 attributes are accepted under the enterprise URN."""
    path = resolve_target(f"{ENTERPRISE_USER_SCHEMA}:{attribute}")
    assert path.schema == ENTERPRISE_USER_SCHEMA
    assert path.attribute == attribute


def test_enterprise_manager_value_resolves() -> None:
    """The manager's `value` is a sub-attribute of the extension's manager."""
    path = resolve_target(f"{ENTERPRISE_USER_SCHEMA}:manager.value")
    assert (path.attribute, path.sub_attribute) == ("manager", "value")


def test_custom_extension_urn_is_allowed() -> None:
    """A well-formed custom extension URN is accepted as written."""
    text = "urn:example:params:scim:schemas:extension:acme:2.0:User:badgeColor"
    path = resolve_target(text)
    assert path.schema == "urn:example:params:scim:schemas:extension:acme:2.0:User"
    assert str(path) == text


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("id", "read-only"),
        ("meta", "read-only"),
        ("groups", "read-only"),
        ("schemas", "read-only"),
        ("password", "never sent"),
        ("nickname.first", "no sub-attributes"),
        ("favouriteColour", "not an attribute of the SCIM User schema"),
        ("emails.value", "multi-valued"),
        ('title[type eq "work"]', "single-valued"),
        ('emails[value eq "x"].value', "type selector"),
        ("name", "name a sub-attribute"),
        ("name.nickname", "no sub-attribute 'nickname'"),
        (f"{ENTERPRISE_USER_SCHEMA}:shoeSize", "enterprise extension"),
        ("", "empty"),
        ('emails[type eq "work"', "not a valid SCIM attribute path"),
        ("1title", "not a valid SCIM attribute path"),
    ],
)
def test_refused_targets_say_why(target: str, fragment: str) -> None:
    """Read-only, unknown and malformed targets raise a precise TargetError."""
    with pytest.raises(TargetError) as raised:
        resolve_target(target)
    assert fragment in str(raised.value)


def _leaf_paths(resource: dict[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for name, value in resource.items():
        if name in ("schemas", "id", "meta"):
            continue
        if name.startswith("urn:"):
            paths += _leaf_paths(value, f"{name}:")
        elif isinstance(value, dict):
            paths += [f"{prefix}{name}.{sub}" for sub in value]
        elif isinstance(value, list) and all("type" in v for v in value):
            paths += [
                f'{prefix}{name}[type eq "{item["type"]}"].{sub}'
                for item in value
                for sub in item
                if sub not in ("type", "primary")
            ]
        else:
            paths.append(f"{prefix}{name}")
    return paths


@pytest.mark.parametrize(
    ("example", "expected_refusals"),
    [
        ("rfc7643_8_2_full_user", {"password", "groups", "x509Certificates"}),
        (
            "rfc7643_8_3_enterprise_user",
            {f"{ENTERPRISE_USER_SCHEMA}:manager.displayName"},
        ),
    ],
)
def test_rfc_example_paths_resolve_or_are_refused_for_a_reason(
    rfc_example: Loader, example: str, expected_refusals: set[str]
) -> None:
    """Every leaf of the RFC 7643 §8 examples is a target, except attributes
    that are read-only, never sent, or lack a type to select one value."""
    refused = set()
    accepted = []
    for path in _leaf_paths(rfc_example(example)):
        try:
            accepted.append(str(resolve_target(path)))
        except TargetError:
            refused.add(path)

    assert refused == expected_refusals
    assert "name.honorificSuffix" in accepted
    assert 'emails[type eq "work"].value' in accepted
