"""PATCH operations (RFC 7644 §3.5.2) from what was last pushed to what is wanted.

Both resources are flattened into leaf paths such as `name.givenName`,
`emails[type eq "work"].value` or `urn:...:User:department`; only leaves that
differ become operations, and every operation names its path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Set by the service provider or by the message envelope, never patched.
_NOT_PATCHED = ("schemas", "id", "meta")


@dataclass(frozen=True)
class _Leaf:
    value: Any
    # The multi-valued entry holding this leaf, e.g. 'emails[type eq "work"]'.
    entry: str | None = None


@dataclass(frozen=True)
class _Flat:
    leaves: dict[str, _Leaf]
    # Entry path -> (attribute path, the whole entry) for multi-valued values.
    entries: dict[str, tuple[str, dict[str, Any]]]


def diff_user_resources(
    old: dict[str, Any] | None, new: dict[str, Any]
) -> list[dict[str, Any]]:
    """The operations that turn `old` (None: nothing known) into `new`.

    A new value of a multi-valued attribute is added whole; a value set before
    and now unset is removed by its path. Equal resources give no operations.
    """
    before = _flatten(old or {})
    after = _flatten(new)
    operations: list[dict[str, Any]] = []

    added_entries = [e for e in after.entries if e not in before.entries]
    for entry in added_entries:
        attribute, value = after.entries[entry]
        operations.append({"op": "add", "path": attribute, "value": [value]})

    for path, leaf in after.leaves.items():
        if leaf.entry in added_entries:
            continue
        previous = before.leaves.get(path)
        if previous is None:
            operations.append({"op": "add", "path": path, "value": leaf.value})
        elif previous.value != leaf.value:
            operations.append({"op": "replace", "path": path, "value": leaf.value})

    for path, leaf in before.leaves.items():
        entry_gone = leaf.entry is not None and leaf.entry not in after.entries
        if path not in after.leaves and not entry_gone:
            operations.append({"op": "remove", "path": path})
    operations += [
        {"op": "remove", "path": entry}
        for entry in before.entries
        if entry not in after.entries
    ]
    return operations


def changed(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """True when pushing `new` over `old` would send anything."""
    return bool(diff_user_resources(old, new))


def _flatten(resource: dict[str, Any]) -> _Flat:
    flat = _Flat({}, {})
    for name, value in resource.items():
        if name.lower() in _NOT_PATCHED:
            continue
        if name.startswith("urn:") and isinstance(value, dict):
            for attribute, inner in value.items():
                _flatten_attribute(flat, f"{name}:{attribute}", inner)
        else:
            _flatten_attribute(flat, name, value)
    return flat


def _flatten_attribute(flat: _Flat, path: str, value: Any) -> None:
    if _absent(value):
        return
    if isinstance(value, dict):
        for sub, inner in value.items():
            if not _absent(inner):
                flat.leaves[f"{path}.{sub}"] = _Leaf(inner)
    elif _typed_values(value):
        for item in value:
            entry = f'{path}[type eq "{item["type"]}"]'
            flat.entries[entry] = (path, item)
            for sub, inner in item.items():
                if sub != "type" and not _absent(inner):
                    flat.leaves[f"{entry}.{sub}"] = _Leaf(inner, entry)
    else:
        # Limitation: multi-valued attributes without a distinct `type` per
        # value are compared and replaced as a whole.
        flat.leaves[path] = _Leaf(value)


def _typed_values(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    if not all(isinstance(item, dict) and item.get("type") for item in value):
        return False
    types = [str(item["type"]).lower() for item in value]
    return len(set(types)) == len(types)


def _absent(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}
