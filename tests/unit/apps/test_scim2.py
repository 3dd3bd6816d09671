"""The scim2 profile adapts to the server's ServiceProviderConfig."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scimlink.apps import adapt_to_service_provider_config, get_profile

Loader = Callable[[str], dict[str, Any]]
SCIM2 = get_profile("scim2")


def test_rfc_example_config_enables_patch_bulk_etag(rfc_example: Loader) -> None:
    """§8.5's config: PATCH, bulk of 1000, etags, pages capped by maxResults."""
    adapted = adapt_to_service_provider_config(
        SCIM2, rfc_example("rfc7643_8_5_service_provider_config")
    )
    assert adapted.update_method == "patch" and adapted.patch_supported
    assert adapted.bulk_supported and adapted.bulk_max_operations == 1000
    assert adapted.etag_supported and adapted.filter_supported
    assert adapted.page_size == 100
    assert SCIM2.update_method == "put", "the original profile is unchanged"


def test_patch_not_supported_means_put(rfc_example: Loader) -> None:
    """patch.supported false: updates are full PUTs."""
    config = rfc_example("rfc7643_8_5_service_provider_config")
    config["patch"] = {"supported": False}
    adapted = adapt_to_service_provider_config(SCIM2, config)
    assert adapted.update_method == "put"
    assert not adapted.patch_supported


@pytest.mark.parametrize(
    "config",
    [None, {}, "garbage", [], {"patch": "yes"}, {"patch": {"supported": "maybe"}}],
)
def test_missing_or_garbage_config_falls_back_to_put(config: Any) -> None:
    """Without a usable patch flag, PUT is the safe fallback."""
    adapted = adapt_to_service_provider_config(SCIM2, config)
    assert adapted.update_method == "put"
    assert adapted.paging == "index"
    assert adapted.page_size == SCIM2.page_size


def test_filter_unsupported_and_small_max_results() -> None:
    """filter.supported false is recorded; maxResults caps the page size."""
    adapted = adapt_to_service_provider_config(
        SCIM2,
        {
            "patch": {"supported": True},
            "filter": {"supported": False, "maxResults": 50},
        },
    )
    assert not adapted.filter_supported
    assert adapted.page_size == 50


def test_names_are_case_insensitive_and_strings_tolerated() -> None:
    """`Patch.Supported: "true"` still counts: servers vary in spelling."""
    adapted = adapt_to_service_provider_config(SCIM2, {"Patch": {"Supported": "true"}})
    assert adapted.update_method == "patch"


def test_rfc9865_cursor_pagination() -> None:
    """A server advertising cursor pagination is paged by cursor."""
    adapted = adapt_to_service_provider_config(
        SCIM2,
        {"pagination": {"cursor": True, "index": True, "maxPageSize": 40}},
    )
    assert adapted.paging == "cursor"
    assert adapted.page_size == 40


def test_bad_numbers_are_ignored() -> None:
    """Negative, boolean or non-numeric limits do not change the page size."""
    adapted = adapt_to_service_provider_config(
        SCIM2,
        {
            "filter": {"maxResults": -5},
            "bulk": {"supported": True, "maxOperations": True},
        },
    )
    assert adapted.page_size == SCIM2.page_size
    assert adapted.bulk_supported and adapted.bulk_max_operations is None


def test_fixed_profiles_are_not_adapted(rfc_example: Loader) -> None:
    """AWS's documented behaviour wins over whatever its config says."""
    aws = get_profile("aws")
    config = {"patch": {"supported": False}}
    assert adapt_to_service_provider_config(aws, config) is aws
