"""Attribute mapping: from identity-source users to SCIM User resources."""

from scimlink.mapping.diff import changed, diff_user_resources
from scimlink.mapping.expression import ExpressionError, parse_source
from scimlink.mapping.resource import (
    CompiledRow,
    InvalidMappingError,
    build_user_resource,
    compile_rows,
)
from scimlink.mapping.rows import MappingRow, default_mapping
from scimlink.mapping.sources import STANDARD_SOURCES, SourceUser
from scimlink.mapping.targets import (
    CORE_USER_SCHEMA,
    ENTERPRISE_USER_SCHEMA,
    FRIENDLY_TARGETS,
    TargetError,
    TargetPath,
    resolve_target,
)
from scimlink.mapping.transforms import TRANSFORMS
from scimlink.mapping.validation import RowProblem, validate_mapping

__all__ = [
    "CORE_USER_SCHEMA",
    "ENTERPRISE_USER_SCHEMA",
    "FRIENDLY_TARGETS",
    "STANDARD_SOURCES",
    "TRANSFORMS",
    "CompiledRow",
    "ExpressionError",
    "InvalidMappingError",
    "MappingRow",
    "RowProblem",
    "SourceUser",
    "TargetError",
    "TargetPath",
    "build_user_resource",
    "changed",
    "compile_rows",
    "default_mapping",
    "diff_user_resources",
    "parse_source",
    "resolve_target",
    "validate_mapping",
]
