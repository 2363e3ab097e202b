"""The email that tells the payer (ESFA) a payment file is ready, with its single-use link.

Pure: counts, a link and its expiry in, an `EmailMessage` out. The payer gets no personal data: the email
says how many claims and how much in total, never a school user's or a mentor's name or address.
Bodies are GOV.UK Notify markdown.
"""

from __future__ import annotations

import datetime as dt

from shared.claims.academic_years import LONDON
from shared.claims.emails import SERVICE_NAME, SUPPORT_EMAIL, EmailMessage
from shared.claims.money import format_pounds

PAYMENT_FILE_READY_SUBJECT = f"Claims ready for payment - {SERVICE_NAME}"
PAYMENT_FILE_READY_KIND = "payment_file_ready"


def london_time(at: dt.datetime) -> str:
    """GOV.UK style, in UK time: `10:30am on 5 December 2026`, `12pm on 1 May 2026`."""
    local = at.astimezone(LONDON)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    clock = f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"
    return f"{clock} on {local.day} {local:%B %Y}"


def claims_phrase(count: int) -> str:
    return "1 claim" if count == 1 else f"{count:,} claims"


def payment_file_ready(
    to: str,
    *,
    run_id: str,
    claims: int,
    total_pence: int,
    link: str,
    expires_at: dt.datetime,
    replaces_earlier: bool = False,
) -> EmailMessage:
    """To one payer address: the claims ready for payment, the link to the file and what to do with it.
    `replaces_earlier`: support sent this link again; the one in the earlier email no longer works."""
    replaced = (
        ["This is a new link to the same file. The link in our earlier email no longer works.", ""]
        if replaces_earlier
        else []
    )
    body = "\n".join(
        [
            *replaced,
            f"There {'is' if claims == 1 else 'are'} {claims_phrase(claims)} ready for payment from "
            f"{SERVICE_NAME}, totalling {format_pounds(total_pence)}.",
            "",
            "Download the claims (CSV file):",
            link,
            "",
            "The link opens a page with a “Download the file” button. The link can only be used once: it stops "
            f"working when you download the file. It expires after 7 days, at {london_time(expires_at)} (UK time).",
            "",
            "# What to do next",
            "",
            "For each claim in the file, fill in:",
            "",
            "* claim_status: enter paid if you have paid the claim, or unpaid if you have not",
            "* claim_unpaid_reason: if the claim is unpaid, enter the reason",
            "",
            f"Then reply to this email with the completed file, or send it to {SUPPORT_EMAIL}.",
            "",
            "# Get help",
            "",
            f"If the link has expired or has already been used, email {SUPPORT_EMAIL} to ask for the file to be "
            "sent again.",
        ]
    )
    return EmailMessage(
        kind=PAYMENT_FILE_READY_KIND, to=to, subject=PAYMENT_FILE_READY_SUBJECT, body=body, reference=run_id
    )
