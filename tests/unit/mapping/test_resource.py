"""build_user_resource: the exact SCIM User sent for a user, per app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scimlink.apps import MissingRequiredAttributesError, get_profile
from scimlink.mapping.resource import InvalidMappingError, build_user_resource
from scimlink.mapping.rows import MappingRow, default_mapping
from scimlink.mapping.sources import SourceUser
from scimlink.mapping.targets import CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA

Loader = Callable[[str], dict[str, Any]]
SCIM2 = get_profile("scim2")
AWS = get_profile("aws")

BABS = SourceUser(
    id="2819c223-7f76-453a-919d-413861904646",
    email="bjensen@example.com",
    first_name="Barbara",
    last_name="Jensen",
    phone_number="555-555-5555",
    custom={
        "title": "Tour Guide",
        "employeeNumber": "701984",
        "costCenter": "4130",
        "organization": "Universal Studios",
        "division": "Theme Park",
        "department": "Tour Operations",
        "manager": "jsmith@example.com",
        "userType": "Employee",
    },
)
ENTERPRISE_ROWS = [
    MappingRow(source="user.custom.title", target="title"),
    MappingRow(source="user.custom.userType", target="userType"),
    MappingRow(source="user.custom.employeeNumber", target="employeeNumber"),
    MappingRow(source="user.custom.costCenter", target="costCenter"),
    MappingRow(source="user.custom.organization", target="organization"),
    MappingRow(source="user.custom.division", target="division"),
    MappingRow(
        source="user.custom.department",
        target=f"{ENTERPRISE_USER_SCHEMA}:department",
    ),
    MappingRow(
        source="user.custom.manager", target=f"{ENTERPRISE_USER_SCHEMA}:manager.value"
    ),
    MappingRow(source='join(" ", user.firstName, user.lastName)', target="displayName"),
]
MANAGERS = {"jsmith@example.com": "26118915-6090-4610-87e4-49d8ca9f808d"}


def test_default_mapping_builds_the_expected_resource() -> None:
    """The default mapping gives userName, names, primary work email and phone."""
    resource = build_user_resource(default_mapping(), BABS, SCIM2)
    assert resource == {
        "schemas": [CORE_USER_SCHEMA],
        "userName": "bjensen@example.com",
        "emails": [{"type": "work", "value": "bjensen@example.com", "primary": True}],
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "phoneNumbers": [{"type": "work", "value": "555-555-5555", "primary": True}],
        "externalId": BABS.id,
        "active": True,
    }


def test_enterprise_attributes_match_rfc_example(rfc_example: Loader) -> None:
    """Custom attributes mapped to the enterprise extension reproduce §8.3."""
    expected = rfc_example("rfc7643_8_3_enterprise_user")
    resource = build_user_resource(
        [*default_mapping(), *ENTERPRISE_ROWS],
        BABS,
        SCIM2,
        resolve_manager=MANAGERS.get,
    )

    assert resource["schemas"] == expected["schemas"]
    extension = dict(expected[ENTERPRISE_USER_SCHEMA])
    extension["manager"] = {"value": extension["manager"]["value"]}
    assert resource[ENTERPRISE_USER_SCHEMA] == extension
    for name in ("userName", "title", "userType", "active"):
        assert resource[name] == expected[name]
    assert resource["displayName"] == "Barbara Jensen"
    assert resource["emails"][0]["value"] == expected["emails"][0]["value"]


def test_manager_left_out_when_it_cannot_be_resolved() -> None:
    """An unknown manager, or no resolver, leaves manager out entirely."""
    mapping = [*default_mapping(), ENTERPRISE_ROWS[7]]
    unresolved = build_user_resource(
        mapping, BABS, SCIM2, resolve_manager=lambda _: None
    )
    assert ENTERPRISE_USER_SCHEMA not in unresolved
    assert unresolved["schemas"] == [CORE_USER_SCHEMA]
    assert ENTERPRISE_USER_SCHEMA not in build_user_resource(mapping, BABS, SCIM2)


def test_unset_values_are_omitted_not_null() -> None:
    """No phone means no phoneNumbers key: never null, empty list or object."""
    user = SourceUser(id="u-2", email="x@example.com", first_name="X")
    resource = build_user_resource(default_mapping(), user, SCIM2)
    assert "phoneNumbers" not in resource
    assert resource["name"] == {"givenName": "X"}
    assert None not in resource.values()


def test_suspended_user_is_inactive() -> None:
    """A suspended user is sent with active false."""
    user = SourceUser(id="u-3", email="s@example.com", status="suspended")
    assert build_user_resource(default_mapping(), user, SCIM2)["active"] is False


def test_mapped_active_cannot_reactivate_a_suspended_user() -> None:
    """A row writing active true still sends false for a suspended user."""
    mapping = [*default_mapping(), MappingRow(source='"true"', target="active")]
    suspended = SourceUser(id="u-4", email="s@example.com", status="suspended")
    active = SourceUser(id="u-5", email="a@example.com")
    assert build_user_resource(mapping, suspended, SCIM2)["active"] is False
    assert build_user_resource(mapping, active, SCIM2)["active"] is True


def test_external_id_is_scimlink_id_unless_mapped() -> None:
    """externalId defaults to the user's id; a row mapping it takes precedence."""
    assert build_user_resource(default_mapping(), BABS, SCIM2)["externalId"] == BABS.id
    mapping = [
        *default_mapping(),
        MappingRow(source="user.custom.employeeNumber", target="externalId"),
    ]
    assert build_user_resource(mapping, BABS, SCIM2)["externalId"] == "701984"


def test_custom_extension_and_multi_valued_types() -> None:
    """Custom URNs, mobile phones and address parts land at their paths."""
    urn = "urn:example:params:scim:schemas:extension:acme:2.0:User"
    user = SourceUser(
        id="u-6",
        email="m@example.com",
        custom={"badge": "blue", "mobile": "555-1", "city": "Hollywood"},
    )
    mapping = [
        MappingRow(source="user.email", target="username"),
        MappingRow(source="user.custom.badge", target=f"{urn}:badgeColor"),
        MappingRow(source="user.custom.mobile", target="mobilePhone"),
        MappingRow(
            source="user.custom.city", target='addresses[type eq "work"].locality'
        ),
        MappingRow(source='"CA"', target='addresses[type eq "work"].region'),
    ]
    resource = build_user_resource(mapping, user, SCIM2)
    assert resource[urn] == {"badgeColor": "blue"}
    assert resource["schemas"] == [CORE_USER_SCHEMA, urn]
    assert resource["phoneNumbers"] == [
        {"type": "mobile", "value": "555-1", "primary": True}
    ]
    assert resource["addresses"] == [
        {"type": "work", "locality": "Hollywood", "region": "CA", "primary": True}
    ]


def test_password_target_is_refused_when_building() -> None:
    """No mapping can produce a password: the target itself is refused."""
    mapping = [*default_mapping(), MappingRow(source='"x"', target="password")]
    with pytest.raises(InvalidMappingError, match="row 6: passwords are never sent"):
        build_user_resource(mapping, BABS, SCIM2)


def test_aws_resource_is_shaped() -> None:
    """On AWS displayName is derived and only one email is kept."""
    mapping = [
        *default_mapping(),
        MappingRow(source='"b@home.example"', target='emails[type eq "home"].value'),
    ]
    resource = build_user_resource(mapping, BABS, AWS)
    assert resource["displayName"] == "Barbara Jensen"
    assert resource["emails"] == [
        {"type": "work", "value": "bjensen@example.com", "primary": True}
    ]


def test_missing_required_value_names_the_attribute() -> None:
    """A user without a last name cannot be sent to AWS: the error says why."""
    user = SourceUser(id="u-7", email="n@example.com", first_name="N")
    with pytest.raises(MissingRequiredAttributesError) as raised:
        build_user_resource(AWS.default_mapping, user, AWS)
    assert raised.value.paths == ("name.familyName",)


def test_matching_attribute_must_have_a_value() -> None:
    """Matching on emails.value needs an email in the resource."""
    mapping = [MappingRow(source="user.email", target="username")]
    with pytest.raises(MissingRequiredAttributesError, match=r"emails\.value"):
        build_user_resource(mapping, BABS, SCIM2, matching_attribute="emails.value")
    built = build_user_resource(
        default_mapping(), BABS, SCIM2, matching_attribute="emails.value"
    )
    assert built["emails"][0]["value"] == BABS.email
