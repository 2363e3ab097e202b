"""Files in the private S3 bucket: written as a stream with their SHA-256, read back, opened by single-use links."""

from __future__ import annotations

import base64
import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3

from shared.config import settings


@lru_cache(maxsize=1)
def _s3() -> Any:
    return boto3.client("s3", region_name=settings().aws_region)


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int


def put_stream(key: str, chunks: Iterable[bytes], content_type: str = "text/csv; charset=utf-8") -> StoredFile:
    """Spool the chunks to a temporary file (Lambda's /tmp) while hashing them, then upload that file in
    one PutObject with its SHA-256 for S3 to check. Memory holds a chunk at a time, whatever the file's
    size (a file held in memory until upload grew with the claims in it: `make bench` measured that)."""
    digest = hashlib.sha256()
    size = 0
    with tempfile.TemporaryFile() as spool:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            spool.write(chunk)
        spool.seek(0)
        _s3().put_object(
            Bucket=settings().files_bucket,
            Key=key,
            Body=spool,
            ContentType=content_type,
            ServerSideEncryption="AES256",
            ChecksumSHA256=base64.b64encode(digest.digest()).decode("ascii"),
        )
    return StoredFile(key=key, sha256=digest.hexdigest(), size=size)


def read_lines(key: str) -> Iterator[bytes]:
    """A stored file's lines, streamed from S3 (constant memory whatever its size)."""
    body = _s3().get_object(Bucket=settings().files_bucket, Key=key)["Body"]
    yield from body.iter_lines(keepends=True)


def read(key: str) -> bytes:
    body: bytes = _s3().get_object(Bucket=settings().files_bucket, Key=key)["Body"].read()
    return body


# -- the files single-use links open ---------------------------------------------------------------
@dataclass(frozen=True)
class LinkedFile:
    """A file a link opens: its size, and its bytes when it is small enough to return in the response."""

    size: int
    content: bytes | None


def fetch_file(key: str, max_bytes: int) -> LinkedFile:
    """The file's bytes if it has at most `max_bytes`; otherwise only its size (the caller redirects)."""
    response = _s3().get_object(Bucket=settings().files_bucket, Key=key)
    size = int(response["ContentLength"])
    body = response["Body"]
    try:
        content: bytes | None = body.read() if size <= max_bytes else None
    finally:
        body.close()
    return LinkedFile(size=size, content=content)


def short_lived_url(key: str, filename: str, content_type: str, seconds: int) -> str:
    """A presigned GET for a file too large to return through Lambda, valid for `seconds`."""
    url: str = _s3().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings().files_bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": content_type,
            "ResponseCacheControl": "no-store",
        },
        ExpiresIn=seconds,
    )
    return url
