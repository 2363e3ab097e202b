"""Support: upload the schools eligible for an academic year, check them, confirm (ADR 0025).

Nothing changes a school until a support user confirms a checked file. The file is stored as uploaded and
checked again on the check page and on confirmation, because schools may have closed since. The upload adds
the year to the schools in the file; it takes it from none.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from shared.claims.academic_years import AcademicYear, london_today
from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.eligibility_upload import (
    CheckedFile,
    EligibilityUpload,
    InvalidFile,
    KnownSchool,
    RowError,
    UploadStatus,
    check_rows,
    expired,
    read_file,
)
from shared.claims.errors import NotFound
from shared.claims.people import User
from shared.data.activity import Activity
from shared.data.claim_windows import ClaimWindows
from shared.data.eligibility_uploads import EligibilityUploads
from shared.data.organisations import Organisations
from shared.observability import logger, metrics

BASE = "/support/organisations/eligible-schools"


def upload_path(batch_id: str) -> str:
    return f"{BASE}/{batch_id}"


def academic_years(now: dt.datetime) -> list[AcademicYear]:
    """The years an upload can be for, newest first: every claim window's (one Query on the all-windows index)
    and the academic year of today."""
    years = {window.academic_year for window in ClaimWindows().all()}
    years.add(AcademicYear.for_date(london_today(now)))
    return sorted(years, reverse=True)


@dataclass(frozen=True)
class Rejected:
    """The file cannot be used: one message for the page, the first rows' problems and how many there are."""

    message: str
    row_errors: tuple[RowError, ...] = ()
    error_count: int = 0


@dataclass(frozen=True)
class Uploaded:
    batch_id: str


class UploadExpired(Exception):
    """A pending upload older than a day: upload the file again."""


class UnknownYear(Exception):
    """The academic year posted is not one the service offers (a tampered form)."""


def _known(urns: set[str], academic_year: str) -> dict[str, KnownSchool]:
    """What the service holds about each URN (BatchGets of 100 on the organisations table, by key). An
    organisation keyed by a vendor number that happens to look like a URN is not that school."""
    return {
        urn: KnownSchool(
            urn=urn, name=school.name, closed=school.closed, eligible=academic_year in school.eligible_years
        )
        for urn, school in Organisations().schools(urns).items()
        if school.urn == urn
    }


def _check(content: bytes | None, academic_year: str) -> CheckedFile | Rejected:
    try:
        parsed = read_file(content)
    except InvalidFile as error:
        return Rejected(error.message)
    checked = check_rows(parsed, _known(parsed.urns, academic_year))
    if not checked.valid:
        count = len(checked.errors)
        noun = "error" if count == 1 else "errors"
        return Rejected(f"Fix the {count} {noun} in the selected file and upload it again", checked.shown_errors, count)
    return checked


def upload(content: bytes | None, academic_year: str, user: User, now: dt.datetime) -> Uploaded | Rejected:
    """Check the file (the header, then every row); store it with a pending record only when it is valid."""
    if academic_year not in {year.name for year in academic_years(now)}:
        raise UnknownYear(academic_year)
    checked = _check(content, academic_year)
    if isinstance(checked, Rejected):
        return checked
    assert content is not None  # a checked file has content
    batch_id = secrets.token_hex(16)
    EligibilityUploads().store(batch_id, content, user.user_id, now, academic_year, len(checked.schools))
    logger.info("eligible schools uploaded", extra={"batch_id": batch_id, "rows": len(checked.schools)})
    return Uploaded(batch_id)


def _own_upload(batch_id: str, user: User) -> EligibilityUpload:
    """The upload, only for the support user who made it (another user's id tells them nothing)."""
    found = EligibilityUploads().get(batch_id)
    if found is None or found.uploaded_by != user.user_id:
        raise NotFound
    return found


# -- the check page and the confirmation ---------------------------------------------------------------
@dataclass(frozen=True)
class Preview:
    upload: EligibilityUpload
    checked: CheckedFile


@dataclass(frozen=True)
class Unfinished:
    """Confirmed, but the schools were not all written (the confirmation stopped part-way)."""

    upload: EligibilityUpload


@dataclass(frozen=True)
class Confirmed:
    upload: EligibilityUpload
    first_time: bool


def confirmation(batch_id: str, user: User, now: dt.datetime) -> Preview | Unfinished | Confirmed | Rejected:
    """A pending upload checked again against the schools as they are now (or what became of it: any support
    user may see what a confirmed upload did, as Activity links to it)."""
    found = EligibilityUploads().get(batch_id)
    if found is not None and found.status is UploadStatus.CONFIRMED:
        return Confirmed(found, first_time=False)
    found = _own_upload(batch_id, user)
    if found.status is UploadStatus.APPLYING:
        return Unfinished(found)
    if expired(found, now):
        raise UploadExpired(batch_id)
    checked = _check(EligibilityUploads().read_file(found), found.academic_year)
    if isinstance(checked, Rejected):
        return checked
    return Preview(found, checked)


def confirm(batch_id: str, user: User, now: dt.datetime) -> Confirmed | Rejected:
    """Check the stored file again, claim the upload (once), then add the year to its schools and record it in
    Activity. A confirmation that stopped part-way leaves the upload applying: confirming again adds the year to
    the schools of the file that do not have it yet, records the entry if it was not, and finishes."""
    uploads = EligibilityUploads()
    found = _own_upload(batch_id, user)
    if found.status is UploadStatus.CONFIRMED:
        return Confirmed(found, first_time=False)
    if found.status is UploadStatus.PENDING:
        if expired(found, now):
            raise UploadExpired(batch_id)
        checked = _check(uploads.read_file(found), found.academic_year)
        if isinstance(checked, Rejected):
            return checked
        if not uploads.start_applying(batch_id, checked.newly_eligible, checked.already_eligible):
            return Confirmed(uploads.get(batch_id) or found, first_time=False)
        urns = [school.urn for school in checked.schools if not school.already_eligible]
    else:  # applying: every row was valid when it was confirmed; write those not eligible yet, so each try gains
        parsed = read_file(uploads.read_file(found))
        known = _known(parsed.urns, found.academic_year)
        urns = sorted(urn for urn, school in known.items() if not school.eligible)
    uploads.make_eligible(urns, found.academic_year)
    applied = uploads.get(batch_id) or found
    Activity().record(_activity(applied, user, now))  # once: the entry's id is the upload's
    uploads.finish(batch_id)
    logger.info(
        "eligible schools confirmed",
        extra={"batch_id": batch_id, "newly_eligible": applied.newly_eligible, "rows": applied.row_count},
    )
    metrics.add_metric(name="EligibleSchoolsUploaded", unit="Count", value=1)
    metrics.add_metric(name="SchoolsMadeEligible", unit="Count", value=applied.newly_eligible)
    return Confirmed(uploads.get(batch_id) or applied, first_time=True)


def _activity(upload: EligibilityUpload, user: User, now: dt.datetime) -> ActivityEntry:
    return ActivityEntry(
        activity_id=upload.batch_id,
        kind=ActivityKind.ELIGIBILITY_UPLOAD,
        at=now,
        actor_id=user.user_id,
        actor_name=user.full_name,
        summary=f"Schools eligible for {upload.academic_year}",
        counts={
            "rows": upload.row_count,
            "newly eligible": upload.newly_eligible,
            "already eligible": upload.already_eligible,
        },
        link=upload_path(upload.batch_id),
    )
