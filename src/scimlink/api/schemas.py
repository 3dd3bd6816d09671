"""Shared pieces of the API's request and response models."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class ApiModel(BaseModel):
    """camelCase on the wire; unknown fields in a request are refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        str_max_length=10_000,
    )


class Page(ApiModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
