"""Everything a worker needs to push to one connector's app.

Built from the connector's row and cached by the worker until the row
changes; holds the decrypted token in memory only.
"""

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scimlink.apps import adapt_to_service_provider_config, get_profile
from scimlink.apps.profile import AppProfile
from scimlink.connectors.vault import TokenVault
from scimlink.db.models import Connector
from scimlink.mapping import CompiledRow, MappingRow, compile_rows
from scimlink.scim.client import ScimClient
from scimlink.sync.events import Destination
from scimlink.sync.ratelimit import RequestLimits

REQUEST_TIMEOUT_SECONDS = 15.0


@dataclass
class ConnectorRuntime:
    connector_id: str
    updated_at: datetime
    destination: Destination
    profile: AppProfile
    mapping: list[CompiledRow]
    matching_attribute: str
    deprovision: str
    group_export: bool
    client: ScimClient
    limiter: RequestLimits
    server_config: dict[str, Any] | None
    # Pushes in flight per app are bounded by the worker's claim capacity.
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Pushes using this runtime now; a runtime replaced after the connector
    # changed (retired) is closed when the last of them ends.
    in_use: int = 0
    retired: bool = False

    def close(self) -> None:
        self.client.close()


def build_runtime(
    connector: Connector, vault: TokenVault, *, verify_tls: bool = True
) -> ConnectorRuntime:
    base = get_profile(connector.app)
    profile = adapt_to_service_provider_config(base, connector.server_config)
    rows = [
        MappingRow(source=r["source"], target=r["target"]) for r in connector.mapping
    ]
    return ConnectorRuntime(
        connector_id=connector.id,
        updated_at=connector.updated_at,
        destination=Destination(
            connector.id, connector.name, connector.app, profile.name
        ),
        profile=profile,
        mapping=compile_rows(rows),
        matching_attribute=connector.matching_attribute,
        deprovision=connector.deprovision,
        group_export=connector.group_export and profile.supports_groups,
        client=ScimClient(
            connector.endpoint,
            vault.decrypt(connector.token_encrypted),
            timeout=REQUEST_TIMEOUT_SECONDS,
            verify=verify_tls,
        ),
        limiter=RequestLimits(
            connector.rate_limit, profile.read_rate_for(connector.rate_limit)
        ),
        server_config=connector.server_config,
    )
