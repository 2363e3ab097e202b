"""Files in the private S3 bucket, written as a stream with their SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3

from shared.config import settings

_PART_SIZE = 8 * 1024 * 1024  # S3 multipart minimum is 5 MiB


@lru_cache(maxsize=1)
def _s3() -> Any:
    return boto3.client("s3", region_name=settings().aws_region)


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int


def put_stream(key: str, chunks: Iterable[bytes], content_type: str = "text/csv; charset=utf-8") -> StoredFile:
    """Upload in parts of 8 MiB; memory holds one part, whatever the file's size."""
    bucket = settings().files_bucket
    s3 = _s3()
    digest = hashlib.sha256()
    size = 0
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type, ServerSideEncryption="AES256")
    parts: list[dict[str, Any]] = []
    pending = bytearray()
    try:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            pending += chunk
            if len(pending) >= _PART_SIZE:
                parts.append(_upload_part(s3, bucket, key, upload["UploadId"], len(parts) + 1, bytes(pending)))
                pending.clear()
        if pending or not parts:
            parts.append(_upload_part(s3, bucket, key, upload["UploadId"], len(parts) + 1, bytes(pending)))
        s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
        )
    except Exception:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload["UploadId"])
        raise
    return StoredFile(key=key, sha256=digest.hexdigest(), size=size)


def _upload_part(s3: Any, bucket: str, key: str, upload_id: str, number: int, body: bytes) -> dict[str, Any]:
    response = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body)
    return {"PartNumber": number, "ETag": response["ETag"]}


def read_lines(key: str) -> Iterator[bytes]:
    """A stored file's lines, streamed from S3 (constant memory whatever its size)."""
    body = _s3().get_object(Bucket=settings().files_bucket, Key=key)["Body"]
    yield from body.iter_lines(keepends=True)


def read(key: str) -> bytes:
    body: bytes = _s3().get_object(Bucket=settings().files_bucket, Key=key)["Body"].read()
    return body
