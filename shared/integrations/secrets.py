"""API keys: from the environment locally, from one Secrets Manager secret (JSON) in AWS."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from shared.config import settings


@lru_cache(maxsize=1)
def _secret_values() -> dict[str, Any]:
    import boto3  # only functions that need a key pay for the client

    arn = settings().secrets_arn
    if not arn:
        return {}
    client = boto3.client("secretsmanager", region_name=settings().aws_region)
    values: dict[str, Any] = json.loads(client.get_secret_value(SecretId=arn)["SecretString"])
    return values


def secret(name: str) -> str:
    """`name` is a Settings field (e.g. "notify_api_key"); the environment wins over the secret."""
    value = getattr(settings(), name, "")
    if value:
        return str(value)
    found = _secret_values().get(name) or _secret_values().get(name.upper())
    if not found:
        raise RuntimeError(f"no value configured for {name}")
    return str(found)
