"""The SCIM client: the one place that sends SCIM requests and classifies answers."""

from scimlink.scim.capabilities import ServerCapabilities, read_capabilities
from scimlink.scim.client import ScimClient, ScimResult, eq_filter
from scimlink.scim.connection_test import ConnectionTestResult, check_connection
from scimlink.scim.errors import (
    ConfigurationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    ScimError,
    TransientError,
)

__all__ = [
    "ConfigurationError",
    "ConflictError",
    "ConnectionTestResult",
    "InvalidRequestError",
    "NotFoundError",
    "ScimClient",
    "ScimError",
    "ScimResult",
    "ServerCapabilities",
    "TransientError",
    "check_connection",
    "eq_filter",
    "read_capabilities",
]
