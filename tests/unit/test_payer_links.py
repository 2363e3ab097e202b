"""Single-use links and the payer's email, without AWS: tokens and their hashes, expiry, the email body."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest

from shared.claims.payer_emails import PAYMENT_FILE_READY_SUBJECT, london_time, payment_file_ready
from shared.usecases.payer_links import (
    LINK_LIFETIME,
    PayerAddressInvalid,
    download_url,
    link_expiry,
    link_reference,
    looks_like_token,
    new_token,
    payer_addresses,
    payment_file_name,
    token_hash,
)

NOW = dt.datetime(2026, 11, 28, 10, 30, tzinfo=dt.UTC)
LINK = "https://claim-funding.example.gov.uk/downloads/" + "A" * 43


def _email(claims: int = 2, total_pence: int = 70080, expires_at: dt.datetime = NOW + LINK_LIFETIME) -> str:
    message = payment_file_ready(
        "payments@payer.example.gov.uk",
        run_id="window-w1-run-1",
        claims=claims,
        total_pence=total_pence,
        link=LINK,
        expires_at=expires_at,
    )
    return message.body


# -- tokens -----------------------------------------------------------------------------------------------
def test_a_token_is_32_random_bytes_in_url_safe_base64() -> None:
    # When tokens are made / Then each is 43 URL-safe characters (256 bits) and no two are the same
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
        assert looks_like_token(token)


def test_only_token_shaped_paths_are_looked_up() -> None:
    assert not looks_like_token("")
    assert not looks_like_token("A" * 42)
    assert not looks_like_token("A" * 44)
    assert not looks_like_token("A" * 42 + "=")
    assert not looks_like_token("A" * 42 + "/")
    assert not looks_like_token("A" * 42 + "\n")


def test_the_stored_hash_is_the_sha256_of_the_token_and_the_log_shows_only_its_start() -> None:
    token = "abc_DEF-123" + "x" * 32
    hashed = token_hash(token)
    # Then the hash is SHA-256 in hex, the same every time, and different for a different token
    assert hashed == hashlib.sha256(token.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", hashed)
    assert token_hash(token) == hashed
    assert token_hash(token[:-1] + "y") != hashed
    # And logs name a link by 8 hex digits of its hash: enough to follow, useless to open it
    assert link_reference(hashed) == hashed[:8]
    assert token not in link_reference(hashed)


def test_a_link_expires_exactly_7_days_after_it_is_issued() -> None:
    assert link_expiry(NOW) == dt.datetime(2026, 12, 5, 10, 30, tzinfo=dt.UTC)
    # Across the change to summer time it is still 7 x 24 hours
    spring = dt.datetime(2027, 3, 25, 12, 0, tzinfo=dt.UTC)
    assert link_expiry(spring) - spring == dt.timedelta(hours=168)


def test_the_link_is_the_service_url_and_the_token() -> None:
    assert (
        download_url("https://claim.example.gov.uk", "T" * 43) == "https://claim.example.gov.uk/downloads/" + "T" * 43
    )
    assert (
        download_url("https://claim.example.gov.uk/", "T" * 43) == "https://claim.example.gov.uk/downloads/" + "T" * 43
    )


def test_the_file_is_saved_under_its_uk_date() -> None:
    assert payment_file_name(NOW) == "payments-claims-2026-11-28.csv"
    # 11:30pm UTC on 30 June is already 1 July in London
    assert payment_file_name(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)) == "payments-claims-2026-07-01.csv"


# -- payer addresses --------------------------------------------------------------------------------------
def test_payer_addresses_are_comma_separated_trimmed_and_not_repeated() -> None:
    configured = " payments@payer.example.gov.uk, ,second@payer.example.gov.uk,PAYMENTS@payer.example.gov.uk "
    assert payer_addresses(configured) == ["payments@payer.example.gov.uk", "second@payer.example.gov.uk"]
    assert payer_addresses("") == []


def test_a_payer_address_that_is_not_an_email_address_is_a_deployment_mistake() -> None:
    with pytest.raises(PayerAddressInvalid) as raised:
        payer_addresses("payments@payer.example.gov.uk, payments at payer")
    # And the message does not repeat what was configured
    assert "payments at payer" not in str(raised.value)


# -- the email --------------------------------------------------------------------------------------------
def test_the_email_gives_counts_the_total_the_link_and_what_to_do() -> None:
    message = payment_file_ready(
        "payments@payer.example.gov.uk",
        run_id="window-w1-run-1",
        claims=1234,
        total_pence=5_404_920,
        link=LINK,
        expires_at=NOW + LINK_LIFETIME,
    )
    # Then it is the live service's subject, to one payer address, referenced by the run
    assert (
        message.subject == PAYMENT_FILE_READY_SUBJECT == "Claims ready for payment - Claim funding for mentor training"
    )
    assert message.kind == "payment_file_ready"
    assert message.to == "payments@payer.example.gov.uk"
    assert message.reference == "window-w1-run-1"
    body = message.body
    # And it gives the number of claims and the total in GOV.UK style
    assert "There are 1,234 claims ready for payment" in body
    assert "totalling £54,049.20" in body
    # And the link, on a line of its own (Notify turns it into a link)
    assert LINK in body.splitlines()
    # And that it opens a page with a button, works once and when it expires, in UK time
    assert "The link opens a page with a “Download the file” button." in body
    assert "The link can only be used once: it stops working when you download the file." in body
    assert "It expires after 7 days, at 10:30am on 5 December 2026 (UK time)." in body
    # And the columns to fill in, and to reply with the file
    assert "claim_status: enter paid if you have paid the claim, or unpaid if you have not" in body
    assert "claim_unpaid_reason: if the claim is unpaid, enter the reason" in body
    assert "reply to this email with the completed file" in body
    assert "ittmentor.funding@education.gov.uk" in body


def test_one_claim_reads_as_one_claim() -> None:
    assert "There is 1 claim ready for payment" in _email(claims=1, total_pence=43800)
    assert "totalling £438.00" in _email(claims=1, total_pence=43800)


def test_the_email_carries_no_personal_data() -> None:
    # Given the email for a run / Then the only address in it is the support mailbox, and the only link the download
    body = _email()
    addresses = {address.rstrip(".") for address in re.findall(r"[^\s@]+@[^\s@]+", body)}
    assert addresses == {"ittmentor.funding@education.gov.uk"}
    assert re.findall(r"https?://\S+", body) == [LINK]
    # And it is built from counts alone: nothing about a school, a school user or a mentor can reach it
    for word in ("school", "TRN", "Dear"):
        assert word.lower() not in body.lower()


def test_uk_time_is_written_the_gov_uk_way() -> None:
    assert london_time(dt.datetime(2026, 12, 5, 10, 30, tzinfo=dt.UTC)) == "10:30am on 5 December 2026"
    assert london_time(dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)) == "12pm on 5 December 2026"
    assert london_time(dt.datetime(2026, 12, 5, 0, 5, tzinfo=dt.UTC)) == "12:05am on 5 December 2026"
    # British Summer Time: 1 hour ahead of UTC
    assert london_time(dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC)) == "5pm on 1 July 2026"


# -- where a download link's POST may come from (DownloadFunction has no session to hold a CSRF token) ----
SERVICE = "https://claim-funding.example.gov.uk"


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": SERVICE, "sec-fetch-site": "same-origin"},
        {"origin": "HTTPS://Claim-Funding.example.gov.uk:443"},  # the same origin, written differently
        {"referer": f"{SERVICE}/downloads/" + "T" * 43, "sec-fetch-site": "same-origin"},
        {"sec-fetch-site": "none"},
        {},
    ],
)
def test_a_post_from_the_services_own_pages_is_allowed(headers: dict[str, str]) -> None:
    from shared.web.app import from_own_origin

    assert from_own_origin(headers, SERVICE)
    assert from_own_origin(headers, SERVICE + "/")


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"origin": ""},
        {"origin": "http://claim-funding.example.gov.uk"},
        {"origin": "https://claim-funding.example.gov.uk:8443"},
        {"origin": "https://claim-funding.example.gov.uk.evil.example"},
        {"origin": SERVICE, "sec-fetch-site": "same-site"},
        {"origin": SERVICE, "sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "cross-site"},
        {"referer": "https://evil.example/page"},
        {"origin": "https://evil.example", "referer": f"{SERVICE}/"},  # Origin wins over Referer
    ],
)
def test_a_post_from_anywhere_else_is_refused(headers: dict[str, str]) -> None:
    from shared.web.app import from_own_origin

    assert not from_own_origin(headers, SERVICE)


PAYER_EMAIL_LINES = [
    "There are 2 claims ready for payment from Claim funding for mentor training, totalling £700.80.",
    "",
    "Download the claims (CSV file):",
    LINK,
    "",
    "The link opens a page with a “Download the file” button. The link can only be used once: it stops working "
    "when you download the file. It expires after 7 days, at 10:30am on 5 December 2026 (UK time).",
    "",
    "# What to do next",
    "",
    "For each claim in the file, fill in:",
    "",
    "* claim_status: enter paid if you have paid the claim, or unpaid if you have not",
    "* claim_unpaid_reason: if the claim is unpaid, enter the reason",
    "",
    "Then reply to this email with the completed file, or send it to ittmentor.funding@education.gov.uk.",
    "",
    "# Get help",
    "",
    "If the link has expired or has already been used, email ittmentor.funding@education.gov.uk to ask for the file "
    "to be sent again.",
]


def test_the_payer_s_email_reads_exactly_as_written() -> None:
    # When the payer is told about a run's file for the first time
    body = _email()
    # Then the whole body is the agreed content, line for line, and says nothing about an earlier link
    assert body.splitlines() == PAYER_EMAIL_LINES


def test_a_link_sent_again_says_the_earlier_one_no_longer_works_before_the_rest() -> None:
    # When support sends the payer a new link to the same file
    message = payment_file_ready(
        "payments@payer.example.gov.uk",
        run_id="window-w1-run-1",
        claims=2,
        total_pence=70080,
        link=LINK,
        expires_at=NOW + LINK_LIFETIME,
        replaces_earlier=True,
    )
    # Then the email opens by saying so, then reads as the first one did
    assert message.body.splitlines() == [
        "This is a new link to the same file. The link in our earlier email no longer works.",
        "",
        *PAYER_EMAIL_LINES,
    ]
