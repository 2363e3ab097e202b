"""multipart/form-data request bodies (RFC 7578): text fields and uploaded files.

Parsed with the standard library's `email` package (the `cgi` module is gone in 3.13). A body over the
size limit is not parsed whole: only the complete text fields at its start are read (so the CSRF token,
which every form puts first, still arrives), and the result says the upload was too large, for the page
to say so rather than a generic error.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
from dataclasses import dataclass, field
from email.message import Message

# API Gateway passes at most 10 MB and Lambda 6 MB (base64 adds a third): 5 MiB keeps every upload
# that can reach us and is far more than a payer response for every claim of a year (~40 bytes a row).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_TEXT = "5MB"
FIELDS_PREFIX_BYTES = 64 * 1024  # how much of an oversized body is read for its text fields


class MalformedUpload(Exception):
    """Not a multipart/form-data body we can read (no boundary, no parts)."""


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class Multipart:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    too_large: bool = False


def is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


def _text(value: str) -> str:
    """Header text as a browser sent it (raw UTF-8 arrives as surrogate escapes)."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _message(body: bytes, content_type: str) -> Message:
    if "\r" in content_type or "\n" in content_type:
        raise MalformedUpload("content type spans lines")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart() or not message.get_boundary():
        raise MalformedUpload("no boundary or no parts")
    return message


def _complete_parts(body: bytes, boundary: str) -> bytes | None:
    """The start of an oversized body, cut after its last complete part and closed (None: no part is)."""
    delimiter = b"\r\n--" + boundary.encode("latin-1", "replace")
    prefix = body[:FIELDS_PREFIX_BYTES]
    end = prefix.rfind(delimiter)
    return prefix[:end] + delimiter + b"--\r\n" if end >= 0 else None


def _boundary(content_type: str) -> str:
    message = Message()
    message["Content-Type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise MalformedUpload("no boundary")
    return boundary


def parse_multipart(body: bytes, content_type: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Multipart:
    """Fields (name → values, in order) and files (name → the first file sent under it).

    A file input left empty arrives as a part with an empty filename and no content: it is no file.
    Over `max_bytes`, only the complete text fields at the start are read and `too_large` is set.
    """
    boundary = _boundary(content_type)
    too_large = len(body) > max_bytes
    if too_large:
        start = _complete_parts(body, boundary)
        if start is None:
            return Multipart(too_large=True)
        body = start
    message = _message(body, content_type)
    fields: dict[str, list[str]] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.get_payload():
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        name = _text(name)
        filename = part.get_param("filename", header="content-disposition")
        if isinstance(filename, tuple):  # RFC 2231 filename*=UTF-8''…
            filename = email.utils.collapse_rfc2231_value(filename)
        raw = part.get_payload(decode=True)
        content = raw if isinstance(raw, bytes) else b""
        if isinstance(filename, str):
            if too_large or (not filename and not content) or name in files:
                continue
            files[name] = UploadedFile(filename=_text(filename), content_type=part.get_content_type(), content=content)
        else:
            charset = part.get_content_charset() or "utf-8"
            try:
                value = content.decode(charset, "replace")
            except LookupError:
                value = content.decode("utf-8", "replace")
            fields.setdefault(name, []).append(value)
    return Multipart(fields=fields, files=files, too_large=too_large)
