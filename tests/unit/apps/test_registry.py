"""The profile registry and what GET /api/v1/apps shows of each profile."""

from __future__ import annotations

import pytest

from scimlink.apps import (
    APP_KEYS,
    AppProfile,
    UnknownAppError,
    all_profiles,
    get_profile,
)


def test_every_app_of_the_product_has_a_profile() -> None:
    """The six app keys of PRODUCT.md §1 are known, in a stable order."""
    assert APP_KEYS == (
        "aws",
        "apple_business_manager",
        "apple_school_manager",
        "atlassian",
        "auth0",
        "scim2",
    )
    assert [p.key for p in all_profiles()] == list(APP_KEYS)


def test_unknown_app_names_the_valid_keys() -> None:
    """An unknown key raises UnknownAppError listing every valid key."""
    with pytest.raises(UnknownAppError) as raised:
        get_profile("okta")
    assert "unknown app 'okta'" in str(raised.value)
    for key in APP_KEYS:
        assert key in str(raised.value)
    assert not isinstance(raised.value, KeyError)


def test_profiles_are_immutable() -> None:
    """A profile is frozen: the engine cannot change it by accident."""
    profile = get_profile("aws")
    with pytest.raises(AttributeError):
        profile.member_limit = 5  # type: ignore[misc]


def test_public_dict_has_the_api_fields() -> None:
    """public_dict gives the camelCase fields of the apps listing."""
    shown = get_profile("aws").public_dict()
    assert set(shown) == {
        "key",
        "name",
        "endpointExample",
        "supportsGroups",
        "defaultMapping",
        "requiredAttributes",
        "updateMethod",
        "patchForm",
        "matchingAttributes",
        "paging",
        "memberLimit",
        "defaultRateLimit",
        "defaultReadRateLimit",
        "defaultDeprovision",
        "rejects",
    }
    assert shown["defaultMapping"][0] == {"source": "user.email", "target": "username"}
    assert shown["defaultMapping"][-1] == {
        "source": 'join(" ", user.firstName, user.lastName)',
        "target": "displayName",
    }
    assert shown["patchForm"] == "pathRequired"
    assert shown["defaultRateLimit"] == 25.0
    assert shown["defaultReadRateLimit"] == 40.0


def test_put_apps_show_no_patch_form() -> None:
    """A profile updating by PUT has no PATCH form to show."""
    assert get_profile("scim2").public_dict()["patchForm"] is None
    assert get_profile("atlassian").public_dict()["patchForm"] == "standard"


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("aws", "https://scim.eu-west-1.amazonaws.com/a1b2-c3d4/scim/v2"),
        ("apple_business_manager", "https://federation.apple.com/feeds/business/scim"),
        ("apple_school_manager", "https://federation.apple.com/feeds/school/scim/"),
        ("atlassian", "https://api.atlassian.com/scim/directory/0a1b-2c3d"),
        ("auth0", "https://acme.eu.auth0.com/scim/v2/connections/con_abc123"),
        ("scim2", "http://127.0.0.1:9000/anything"),
    ],
)
def test_matching_endpoints_get_no_hint(key: str, url: str) -> None:
    """An endpoint shaped like the app's documented one gives no hint."""
    assert get_profile(key).endpoint_hint(url) is None


@pytest.mark.parametrize(
    ("key", "url", "fragment"),
    [
        ("aws", "https://scim.example.com/scim/v2", "scim.<region>.amazonaws.com"),
        (
            "apple_business_manager",
            "https://federation.apple.com/feeds/school/scim",
            "feeds/business/scim",
        ),
        ("atlassian", "https://api.atlassian.com/scim/v2", "<directoryId>"),
        ("auth0", "https://acme.auth0.com/api/v2", "connections"),
    ],
)
def test_mismatching_endpoints_get_a_hint(key: str, url: str, fragment: str) -> None:
    """An endpoint unlike the app's documented shape gets a hint naming it."""
    hint = get_profile(key).endpoint_hint(url)
    assert hint is not None and fragment in hint


def test_every_profile_is_consistent() -> None:
    """Limits are positive and deprovisioning is one of the two actions."""
    for profile in all_profiles():
        assert isinstance(profile, AppProfile)
        assert profile.member_limit > 0 and profile.page_size > 0
        assert profile.default_rate_limit > 0 and profile.default_concurrency > 0
        assert profile.default_deprovision in ("delete", "deactivate")
        assert "password" in profile.rejected_user_attributes
        assert "userName" in profile.required_attributes
        assert profile.group_match_attribute == "displayName"
