"""multipart/form-data bodies: fields and files, the size limit, malformed bodies, and the request
parser that hands them to the pages (urlencoded forms unchanged)."""

from __future__ import annotations

import base64
import os
import time
from typing import Any

import pytest

from shared.web.request import Form, Request, parse_form
from shared.web.uploads import MalformedUpload, UploadedFile, is_multipart, parse_multipart
from tests.support import NOW

BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = BOUNDARY) -> bytes:
    """A body as a browser builds it: (name, filename or None for a text field, content)."""
    body = b""
    for name, filename, content in parts:
        body += f"--{boundary}\r\n".encode()
        disposition = f'Content-Disposition: form-data; name="{name}"'
        if filename is None:
            body += f"{disposition}\r\n\r\n".encode()
        else:
            body += f'{disposition}; filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        body += content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


def event(body: bytes, content_type: str = CONTENT_TYPE, base64_encoded: bool = False) -> dict[str, Any]:
    text = base64.b64encode(body).decode() if base64_encoded else body.decode("utf-8")
    return {"headers": {"content-type": content_type}, "body": text, "isBase64Encoded": base64_encoded}


def test_fields_and_a_file_are_read() -> None:
    # Given a form with a CSRF token, a file and another field
    csv = b"\xef\xbb\xbfclaim_reference,claim_status\r\n12345678,paid\r\n"
    body = multipart([("csrf_token", None, b"token"), ("file", "response.csv", csv), ("note", None, "café".encode())])
    # When
    found = parse_multipart(body, CONTENT_TYPE)
    # Then
    assert found.fields == {"csrf_token": ["token"], "note": ["café"]}
    assert found.files == {"file": UploadedFile("response.csv", "text/csv", csv)}
    assert not found.too_large


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(os.urandom(4096), id="random-bytes"),
        pytest.param(b"\r\n\r\n--\r\n\x00\r", id="line-ends-and-dashes"),
        pytest.param(b"no line end at all", id="no-final-newline"),
        pytest.param(b"ends with CRLF\r\n", id="final-crlf"),
    ],
)
def test_file_bytes_arrive_exactly_as_sent(content: bytes) -> None:
    found = parse_multipart(multipart([("file", "x.csv", content)]), CONTENT_TYPE)
    assert found.files["file"].content == content
    assert found.files["file"].size == len(content)


def test_an_empty_file_input_is_no_file() -> None:
    # Given the file input left empty: browsers send an empty filename and no bytes
    found = parse_multipart(multipart([("csrf_token", None, b"t"), ("file", "", b"")]), CONTENT_TYPE)
    assert found.files == {}
    assert found.fields == {"csrf_token": ["t"]}


def test_a_chosen_but_empty_file_is_a_file() -> None:
    found = parse_multipart(multipart([("file", "empty.csv", b"")]), CONTENT_TYPE)
    assert found.files["file"].size == 0


def test_utf8_filenames_are_read() -> None:
    found = parse_multipart(multipart([("file", "réponse “payeur”.csv", b"x")]), CONTENT_TYPE)
    assert found.files["file"].filename == "réponse “payeur”.csv"


def test_repeated_fields_keep_every_value_and_the_first_file_wins() -> None:
    body = multipart([("a", None, b"1"), ("a", None, b"2"), ("file", "one.csv", b"1"), ("file", "two.csv", b"2")])
    found = parse_multipart(body, CONTENT_TYPE)
    assert found.fields["a"] == ["1", "2"]
    assert found.files["file"].filename == "one.csv"


def test_over_the_size_limit_only_the_leading_fields_are_read() -> None:
    # Given a body over the limit, with the CSRF token first as every form puts it
    body = multipart([("csrf_token", None, b"token"), ("file", "big.csv", b"x" * 200_000)])
    # When
    found = parse_multipart(body, CONTENT_TYPE, max_bytes=100_000)
    # Then the token arrives, the file does not, and the result says why
    assert found.too_large
    assert found.fields == {"csrf_token": ["token"]}
    assert found.files == {}


def test_over_the_size_limit_with_the_file_first_nothing_is_read() -> None:
    body = multipart([("file", "big.csv", b"x" * 200_000), ("csrf_token", None, b"token")])
    found = parse_multipart(body, CONTENT_TYPE, max_bytes=100_000)
    assert found.too_large
    assert (found.fields, found.files) == ({}, {})


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"--x\r\n", "multipart/form-data", id="no-boundary-parameter"),
        pytest.param(b"just some text", CONTENT_TYPE, id="boundary-not-in-body"),
        pytest.param(b"", CONTENT_TYPE, id="empty-body"),
        pytest.param(b"x", "multipart/form-data; boundary=a\r\nX-Evil: 1", id="header-injection"),
    ],
)
def test_malformed_bodies_are_refused(body: bytes, content_type: str) -> None:
    with pytest.raises(MalformedUpload):
        parse_multipart(body, content_type)


def test_parsing_the_largest_upload_is_quick() -> None:
    body = multipart([("csrf_token", None, b"t"), ("file", "big.csv", b"12345678,paid,\r\n" * 320_000)])
    assert len(body) < 5 * 1024 * 1024
    started = time.perf_counter()
    found = parse_multipart(body, CONTENT_TYPE)
    assert found.files["file"].size == 16 * 320_000
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (CONTENT_TYPE, True),
        ("Multipart/Form-Data; boundary=x", True),
        ("application/x-www-form-urlencoded", False),
        ("multipart/mixed; boundary=x", False),
        ("", False),
    ],
)
def test_is_multipart(content_type: str, expected: bool) -> None:
    assert is_multipart(content_type) is expected


# -- the request parser ------------------------------------------------------------------------------
def _request(form: Form) -> Request:
    return Request(method="POST", path="/", query={}, form=form, cookies={}, now=NOW)


@pytest.mark.parametrize("base64_encoded", [False, True])
def test_parse_form_reads_multipart_text_or_base64(base64_encoded: bool) -> None:
    # Given API Gateway's two ways of passing a body (text, or base64 for binary media types)
    content = b"claim_reference\r\n1\r\n" if not base64_encoded else b"\x89PNG\r\n\x1a\n\x00\x00"
    body = multipart([("csrf_token", None, b"tok"), ("file", "a.csv", content)])
    # When
    form = parse_form(event(body, base64_encoded=base64_encoded))
    request = _request(form)
    # Then the pages see the token as a field and the file as a file
    assert request.field("csrf_token") == "tok"
    assert request.files["file"].content == content
    assert not request.upload_too_large


def test_parse_form_finds_the_content_type_header_in_any_case() -> None:
    body = multipart([("csrf_token", None, b"tok")])
    form = parse_form({"headers": {"Content-Type": CONTENT_TYPE}, "body": body.decode(), "isBase64Encoded": False})
    assert form == {"csrf_token": ["tok"]}


def test_parse_form_with_a_malformed_multipart_body_has_no_fields() -> None:
    form = parse_form(event(b"garbage", content_type="multipart/form-data"))
    assert form == {}
    assert _request(form).files == {}


def test_parse_form_reports_an_upload_over_the_limit() -> None:
    body = multipart([("csrf_token", None, b"tok"), ("file", "big.csv", b"x" * (5 * 1024 * 1024 + 1))])
    request = _request(parse_form(event(body)))
    assert request.upload_too_large
    assert request.field("csrf_token") == "tok"
    assert request.files == {}


def test_urlencoded_forms_are_unchanged() -> None:
    # Given the ordinary form post every other page makes
    form = parse_form(
        {
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": "csrf_token=abc&name=A+B&empty=",
            "isBase64Encoded": False,
        }
    )
    assert form == {"csrf_token": ["abc"], "name": ["A B"], "empty": [""]}
    assert _request(form).files == {}
    assert not _request(form).upload_too_large
    # And an oversized one is still refused, and no Content-Type still means urlencoded
    assert parse_form({"body": "a=" + "x" * 70_000}) == {}
    assert parse_form({"body": base64.b64encode(b"a=1").decode(), "isBase64Encoded": True}) == {"a": ["1"]}


def test_a_plain_dict_form_has_no_files() -> None:
    request = Request(method="POST", path="/", query={}, form={"a": ["1"]}, cookies={}, now=NOW)
    assert request.files == {}
    assert not request.upload_too_large
