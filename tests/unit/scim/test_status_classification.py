"""How the client classifies HTTP error statuses and error bodies."""

from __future__ import annotations

import httpx
import pytest
from tests.unit.scim.payloads import (
    BJENSEN_ID,
    MakeClient,
    scim_error,
    scim_json,
)

from scimlink.scim.errors import (
    ConfigurationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    ScimError,
    TransientError,
)

USER_ID = BJENSEN_ID


def _failing_get(make_client: MakeClient, response: httpx.Response) -> ScimError:
    client = make_client(lambda request: response)
    with pytest.raises(ScimError) as caught:
        client.get("Users", USER_ID)
    return caught.value


def _failing_search(make_client: MakeClient, response: httpx.Response) -> ScimError:
    client = make_client(lambda request: response)
    with pytest.raises(ScimError) as caught:
        client.search("Users", 'userName eq "x"')
    return caught.value


@pytest.mark.parametrize(
    ("status", "error_class", "reason"),
    [
        (400, InvalidRequestError, "invalid"),
        (401, ConfigurationError, "unauthorized"),
        (403, ConfigurationError, "forbidden"),
        (404, NotFoundError, "not_found"),
        (408, TransientError, "timeout"),
        (409, ConflictError, "conflict"),
        (412, InvalidRequestError, "invalid"),
        (413, InvalidRequestError, "invalid"),
        (429, TransientError, "rate_limited"),
        (500, TransientError, "server_error"),
        (502, TransientError, "server_error"),
        (503, TransientError, "server_error"),
    ],
)
def test_status_on_a_resource_maps_to_a_decision(
    make_client: MakeClient, status: int, error_class: type[ScimError], reason: str
) -> None:
    """Each HTTP error status on a resource becomes the error class of its decision."""
    error = _failing_get(make_client, scim_json(status, scim_error(status, "nope")))

    assert type(error) is error_class
    assert error.reason == reason
    assert error.status == status
    assert error.detail == "nope"
    assert error.method == "GET"
    assert error.url == f"https://scim.example.test/scim/v2/Users/{USER_ID}"
    assert isinstance(error.__cause__, httpx.HTTPStatusError)
    assert error.summary().endswith(".")


def test_404_on_an_endpoint_means_a_wrong_path(make_client: MakeClient) -> None:
    """A 404 on /Users says the base path is wrong, so the connector must stop."""
    error = _failing_search(make_client, scim_json(404, scim_error(404, "no such")))

    assert type(error) is ConfigurationError
    assert error.reason == "not_found"
    assert "https://scim.example.test/scim/v2 " in error.summary()


def test_a_redirect_is_not_scim(make_client: MakeClient) -> None:
    """A redirect (to a sign-in page, say) is not a SCIM answer."""
    response = httpx.Response(302, headers={"Location": "https://login.example.test/"})

    error = _failing_search(make_client, response)

    assert type(error) is ConfigurationError
    assert error.reason == "not_scim"
    assert "https://login.example.test/" in error.detail


def test_uniqueness_scim_type_with_400_is_a_conflict(make_client: MakeClient) -> None:
    """Servers that report a uniqueness clash as 400 still yield a conflict."""
    body = scim_error(400, "userName taken", scim_type="uniqueness")

    error = _failing_search(make_client, scim_json(400, body))

    assert type(error) is ConflictError
    assert error.scim_type == "uniqueness"


def test_error_status_given_as_a_string(make_client: MakeClient) -> None:
    """An Error message whose status is a JSON string, as RFC 7644 writes it."""
    body = scim_error("409", "exists", scim_type="uniqueness")

    error = _failing_search(make_client, scim_json(409, body))

    assert (error.status, error.scim_type, error.detail) == (
        409,
        "uniqueness",
        "exists",
    )


def test_error_status_given_as_an_int(make_client: MakeClient) -> None:
    """An Error message whose status is a JSON number."""
    error = _failing_search(
        make_client, scim_json(400, scim_error(400, "bad", "invalidFilter"))
    )

    assert (error.status, error.scim_type, error.detail) == (
        400,
        "invalidFilter",
        "bad",
    )


def test_error_body_with_unknown_fields_is_read_leniently(
    make_client: MakeClient,
) -> None:
    """An Error body with extra members and a non-numeric status still gives detail."""
    body = {"status": "Bad Request", "scimType": "invalidValue", "detail": "no", "x": 1}

    error = _failing_search(make_client, scim_json(400, body))

    assert (error.scim_type, error.detail) == ("invalidValue", "no")


def test_plain_json_error_with_message(make_client: MakeClient) -> None:
    """A non-SCIM JSON error body with a ``message`` member."""
    error = _failing_search(make_client, scim_json(400, {"message": "bad email"}))

    assert error.detail == "bad email"
    assert error.scim_type is None


def test_scim_1_1_nested_errors(make_client: MakeClient) -> None:
    """A SCIM 1.1 style body: {"Errors": [{"description": ...}]}."""
    body = {"Errors": [{"description": "Attribute missing", "code": "400"}]}

    error = _failing_search(make_client, scim_json(400, body))

    assert error.detail == "Attribute missing"


def test_plain_text_error_body(make_client: MakeClient) -> None:
    """A text/plain error body becomes the detail."""
    response = httpx.Response(
        500, text="upstream exploded\nstack...", headers={"Content-Type": "text/plain"}
    )

    error = _failing_get(make_client, response)

    assert error.detail == "upstream exploded"
    assert error.response_excerpt == "upstream exploded\nstack..."


def test_html_error_body_uses_its_title(make_client: MakeClient) -> None:
    """An HTML error page gives its title as detail."""
    page = (
        "<!DOCTYPE html><html><head><title>502 Bad &amp; Gateway</title></head></html>"
    )
    response = httpx.Response(502, text=page, headers={"Content-Type": "text/html"})

    error = _failing_get(make_client, response)

    assert type(error) is TransientError
    assert error.detail == "502 Bad & Gateway"


def test_empty_error_body_uses_the_status_line(make_client: MakeClient) -> None:
    """An error without a body still has a readable detail."""
    error = _failing_get(make_client, httpx.Response(403))

    assert error.reason == "forbidden"
    assert error.detail == "HTTP 403 Forbidden"
    assert error.response_excerpt == ""


def test_error_carries_the_request_body_excerpt(make_client: MakeClient) -> None:
    """A failed create keeps the request body it sent, for the event log."""
    client = make_client(lambda request: scim_json(400, scim_error(400, "bad")))

    with pytest.raises(InvalidRequestError) as caught:
        client.create("Users", {"userName": "bjensen@example.com"})

    assert caught.value.request_body == '{"userName": "bjensen@example.com"}'
    assert caught.value.method == "POST"
    assert "bad" in (caught.value.response_excerpt or "")


def test_long_response_is_cut_in_the_excerpt(make_client: MakeClient) -> None:
    """A huge error body is cut to an excerpt."""
    error = _failing_get(make_client, httpx.Response(500, text="x" * 10_000))

    assert error.response_excerpt is not None
    assert len(error.response_excerpt) <= 2001


def test_error_message_in_a_2xx_is_an_error(make_client: MakeClient) -> None:
    """A 200 whose body is an Error message with status 409 is a conflict."""
    body = scim_error("409", "duplicate", "uniqueness")

    error = _failing_get(make_client, scim_json(200, body))

    assert type(error) is ConflictError
    assert error.status == 409
