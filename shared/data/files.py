"""Files in the private S3 bucket: written as a stream with their SHA-256, read back, opened by single-use links."""

from __future__ import annotations

import base64
import hashlib
import io
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TextIO

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


# -- files uploaded straight to the bucket (school data, ADR 26) ---------------------------------------------
@dataclass(frozen=True)
class UploadForm:
    """A presigned POST: the form's action and its hidden fields (the file goes in a field named "file")."""

    url: str
    fields: dict[str, str]


def upload_form(key: str, redirect: str, max_bytes: int, seconds: int) -> UploadForm:
    """An HTML form that sends one file from the browser to the bucket under `key` (never through Lambda and
    API Gateway, whose requests stop at 10 MB), then sends the browser to `redirect` (S3 adds bucket, key and
    etag to its query). The policy allows only that key, that redirect and at most `max_bytes`."""
    conditions: list[Any] = [
        {"success_action_redirect": redirect},
        {"x-amz-server-side-encryption": "AES256"},
        ["content-length-range", 1, max_bytes],
    ]
    presigned = _s3().generate_presigned_post(
        Bucket=settings().files_bucket,
        Key=key,
        Fields={"success_action_redirect": redirect, "x-amz-server-side-encryption": "AES256"},
        Conditions=conditions,
        ExpiresIn=seconds,
    )
    return UploadForm(url=str(presigned["url"]), fields={str(k): str(v) for k, v in presigned["fields"].items()})


def size_of(key: str) -> int | None:
    """The stored file's size in bytes, or None when there is no such file (one HeadObject)."""
    try:
        response = _s3().head_object(Bucket=settings().files_bucket, Key=key)
    except _s3().exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    return int(response["ContentLength"])


@contextmanager
def open_text(key: str, encoding: str) -> Iterator[TextIO]:
    """A stored file as text, streamed from S3 in its encoding (a buffer's worth in memory, whatever its size;
    universal newlines left to the reader, as `csv` wants)."""
    body = _s3().get_object(Bucket=settings().files_bucket, Key=key)["Body"]
    try:
        yield io.TextIOWrapper(io.BufferedReader(body, buffer_size=256 * 1024), encoding=encoding, newline="")
    finally:
        body.close()
