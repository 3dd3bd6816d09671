"""Errors raised while choosing a profile or shaping a request for an app."""

from __future__ import annotations

from collections.abc import Iterable


class UnknownAppError(ValueError):
    """The app key names no profile."""

    def __init__(self, key: str, valid: Iterable[str]) -> None:
        self.key = key
        self.valid = tuple(valid)
        super().__init__(f"unknown app '{key}'; valid apps: {', '.join(self.valid)}")


class MissingRequiredAttributesError(ValueError):
    """A User resource lacks attributes that the app requires.

    Retrying cannot fix this: the user's data or the mapping must change.
    """

    def __init__(self, app_name: str, paths: Iterable[str]) -> None:
        self.app_name = app_name
        self.paths = tuple(paths)
        super().__init__(
            f"{app_name} requires {', '.join(self.paths)}, "
            "which the mapping gives no value for this user"
        )


class GroupRenameUnsupportedError(ValueError):
    """The app does not allow renaming a group that it already holds."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        super().__init__(f"{app_name} does not allow renaming a synced group")
