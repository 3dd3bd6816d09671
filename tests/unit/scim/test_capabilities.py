"""Reading a ServiceProviderConfig into ServerCapabilities."""

from __future__ import annotations

from scimlink.scim.capabilities import ServerCapabilities, read_capabilities

# RFC 7643 §8.5, abridged.
RFC_7643_8_5 = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    "documentationUri": "http://example.com/help/scim.html",
    "patch": {"supported": True},
    "bulk": {"supported": True, "maxOperations": 1000, "maxPayloadSize": 1048576},
    "filter": {"supported": True, "maxResults": 200},
    "changePassword": {"supported": True},
    "sort": {"supported": True},
    "etag": {"supported": True},
    "authenticationSchemes": [
        {
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token",
            "specUri": "http://www.rfc-editor.org/info/rfc6750",
            "type": "oauthbearertoken",
            "primary": True,
        }
    ],
}


def test_rfc_example() -> None:
    """The RFC 7643 §8.5 example is read in full."""
    capabilities = read_capabilities(RFC_7643_8_5)

    assert capabilities == ServerCapabilities(
        patch=True,
        bulk=True,
        bulk_max_operations=1000,
        bulk_max_payload_size=1048576,
        filter=True,
        filter_max_results=200,
        change_password=True,
        sort=True,
        etag=True,
        authentication_schemes=("oauthbearertoken",),
    )


def test_rfc_9865_pagination() -> None:
    """The pagination section of RFC 9865 tells cursor and index support."""
    payload = {
        **RFC_7643_8_5,
        "pagination": {"cursor": True, "index": False, "maxPageSize": 100},
    }

    capabilities = read_capabilities(payload)

    assert capabilities.cursor_paging is True
    assert capabilities.index_paging is False
    assert capabilities.max_page_size == 100


def test_payload_that_breaks_the_schema_is_read_leniently() -> None:
    """Strings for booleans and numbers, and unknown members, still give answers."""
    payload = {
        "Patch": {"supported": "true"},
        "filter": {"supported": "false", "maxResults": "50"},
        "bulk": "unsupported",
        "vendorThing": {"x": 1},
        "pagination": {"defaultPageSize": 0},
        "authenticationSchemes": [{"name": "Bearer"}, "junk"],
    }

    capabilities = read_capabilities(payload)

    assert capabilities.patch is True
    assert capabilities.filter is False
    assert capabilities.filter_max_results == 50
    assert capabilities.bulk is None
    assert capabilities.authentication_schemes == ("Bearer",)


def test_empty_payload_knows_nothing() -> None:
    """An empty ServiceProviderConfig advertises nothing."""
    assert read_capabilities({}) == ServerCapabilities()


def test_camel_case_serialisation() -> None:
    """Capabilities serialise with camelCase keys for the API."""
    dumped = read_capabilities(RFC_7643_8_5).model_dump(by_alias=True)

    assert dumped["changePassword"] is True
    assert dumped["filterMaxResults"] == 200
