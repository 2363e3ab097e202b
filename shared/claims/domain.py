"""The base of every domain model: immutable, validated pydantic models (`shared.data` maps items to them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Domain(BaseModel):
    model_config = ConfigDict(frozen=True)
