"""validate_mapping: one precise problem per offending row, per app profile."""

from __future__ import annotations

from scimlink.apps import get_profile
from scimlink.mapping.rows import MappingRow, default_mapping
from scimlink.mapping.validation import RowProblem, validate_mapping

AWS = get_profile("aws")
SCIM2 = get_profile("scim2")


def rows(*pairs: tuple[str, str]) -> list[MappingRow]:
    return [MappingRow(source=source, target=target) for source, target in pairs]


def test_every_default_mapping_is_valid_for_its_app() -> None:
    """Each profile's own default mapping passes validation."""
    for key in ("aws", "apple_business_manager", "apple_school_manager"):
        profile = get_profile(key)
        assert validate_mapping(list(profile.default_mapping), profile) == []
    for key in ("atlassian", "auth0", "scim2"):
        profile = get_profile(key)
        assert validate_mapping(list(profile.default_mapping), profile) == []


def test_unknown_source_attribute_is_reported_on_its_row() -> None:
    """A misspelt user attribute names the row, the field and the attribute."""
    mapping = [*default_mapping(), MappingRow(source="user.titel", target="title")]
    problems = validate_mapping(mapping, SCIM2)
    assert len(problems) == 1
    assert (problems[0].index, problems[0].field) == (5, "source")
    assert "user.titel" in problems[0].message
    assert "character 6" in problems[0].message


def test_malformed_expression_is_reported() -> None:
    """An unclosed call is a source problem with its position."""
    mapping = [
        *default_mapping(),
        MappingRow(source="lower(user.email", target="nickName"),
    ]
    [problem] = validate_mapping(mapping, SCIM2)
    assert problem.field == "source"
    assert "expected ',' or ')'" in problem.message


def test_read_only_and_malformed_targets_are_reported() -> None:
    """id, meta, malformed paths and password are refused, one message each."""
    mapping = [
        *default_mapping(),
        *rows(
            ("user.id", "id"),
            ("user.id", "meta.created"),
            ('"x"', "emails[type eq work].value"),
            ('"secret"', "password"),
        ),
    ]
    problems = validate_mapping(mapping, SCIM2)
    assert [(p.index, p.field) for p in problems] == [
        (5, "target"),
        (6, "target"),
        (7, "target"),
        (8, "target"),
    ]
    assert "read-only" in problems[0].message
    assert "read-only" in problems[1].message
    assert "type selector" in problems[2].message
    assert "never sent" in problems[3].message


def test_two_rows_writing_one_target_after_friendly_keys_resolve() -> None:
    """`firstName` and `name.givenName` are the same target: the second row fails."""
    mapping = [*default_mapping(), MappingRow(source='"B"', target="NAME.givenname")]
    [problem] = validate_mapping(mapping, SCIM2)
    assert problem == RowProblem(
        5, "target", "'name.givenName' is already written by row 3"
    )


def test_missing_required_attribute_is_a_mapping_problem() -> None:
    """Without a userName row, the mapping as a whole is refused."""
    mapping = [row for row in default_mapping() if row.target != "username"]
    problems = validate_mapping(mapping, SCIM2)
    assert problems == [
        RowProblem(
            -1, "mapping", "SCIM 2.0 requires 'userName': add a row that writes it"
        )
    ]


def test_aws_requires_names_but_derives_display_name() -> None:
    """AWS needs given and family names; displayName may be derived from them."""
    without_display = list(default_mapping())
    assert validate_mapping(without_display, AWS) == []

    without_family = [row for row in without_display if row.target != "lastName"]
    problems = validate_mapping(without_family, AWS)
    assert [p.message for p in problems] == [
        "AWS IAM Identity Center requires 'name.familyName': add a row that writes it"
    ]


def test_second_email_type_is_refused_on_aws() -> None:
    """AWS accepts one email: a home email next to the work one is refused."""
    mapping = [
        *default_mapping(),
        MappingRow(
            source="user.custom.privateEmail", target='emails[type eq "home"].value'
        ),
    ]
    [problem] = validate_mapping(mapping, AWS)
    assert (problem.index, problem.field) == (5, "target")
    assert "exactly one value of 'emails'" in problem.message
    assert validate_mapping(mapping, SCIM2) == []


def test_two_sub_attributes_of_one_address_are_fine_on_aws() -> None:
    """Locality and region of the same work address are one address value."""
    mapping = [
        *default_mapping(),
        *rows(
            ("user.custom.city", 'addresses[type eq "work"].locality'),
            ("user.custom.region", 'addresses[type eq "work"].region'),
        ),
    ]
    assert validate_mapping(mapping, AWS) == []


def test_atlassian_requires_an_email() -> None:
    """Atlassian refuses a mapping that sends no email."""
    profile = get_profile("atlassian")
    mapping = [row for row in default_mapping() if row.target != "email"]
    [problem] = validate_mapping(mapping, profile)
    assert problem.index == -1
    assert "'emails'" in problem.message


def test_each_bad_row_gets_exactly_one_problem() -> None:
    """A row with a bad source and a bad target is reported once, on its source."""
    mapping = [*default_mapping(), MappingRow(source="user.nope", target="id")]
    problems = validate_mapping(mapping, SCIM2)
    assert [(p.index, p.field) for p in problems] == [(5, "source")]


def test_extension_targets_validate() -> None:
    """Enterprise and custom extension targets are accepted."""
    mapping = [
        *default_mapping(),
        *rows(
            ("user.custom.department", "department"),
            ("user.custom.manager", "manager"),
            (
                '"blue"',
                "urn:example:params:scim:schemas:extension:acme:2.0:User:badgeColor",
            ),
        ),
    ]
    assert validate_mapping(mapping, AWS) == []


def test_matching_attribute_must_be_mapped() -> None:
    """Matching by emails.value needs an email row; externalId is automatic."""
    without_email = [r for r in default_mapping() if r.target != "email"]
    [problem] = validate_mapping(
        without_email, SCIM2, matching_attribute="emails.value"
    )
    assert (problem.index, problem.field) == (-1, "mapping")
    assert "'emails.value'" in problem.message

    assert (
        validate_mapping(default_mapping(), SCIM2, matching_attribute="emails.value")
        == []
    )
    assert validate_mapping(without_email, SCIM2, matching_attribute="externalId") == []
    assert validate_mapping(without_email, SCIM2) == []
