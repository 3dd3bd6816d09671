"""What a connector learns about its app from the app's own answers.

A server may advertise PATCH in its ServiceProviderConfig and then refuse it;
what it actually accepted is stored with the connector so the next push,
by any worker, shapes its requests accordingly.
"""

from sqlalchemy.orm import Session

from scimlink.db.models import Connector
from scimlink.scim.errors import InvalidRequestError

# Statuses with which servers say "this method is not available here".
METHOD_REFUSED = (405, 501)


def refuses_method(error: InvalidRequestError) -> bool:
    return error.status in METHOD_REFUSED


def remember_put_only(session: Session, connector_id: str) -> None:
    connector = session.get(Connector, connector_id)
    if connector is not None:
        config = dict(connector.server_config or {})
        config["patch"] = {"supported": False}
        config["learned"] = "PATCH refused by the server; using PUT."
        connector.server_config = config
