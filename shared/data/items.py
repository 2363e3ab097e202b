"""PynamoDB items, one class per table. Key schemas must match `template.yaml` (a test checks).

Table names are bound at cold start from configuration by `bind_tables`.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from shared.config import Settings


class _Meta:
    table_name: str = ""
    region = "eu-west-2"


class OrganisationTypeNameIndex(GlobalSecondaryIndex["OrganisationItem"]):
    class Meta:
        index_name = "type-name-index"
        projection = AllProjection()

    organisation_type = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class SchoolNameIndex(GlobalSecondaryIndex["OrganisationItem"]):
    """Organisations by type and name folded for searching (`name_key`): "meadow" finds "Meadowbank"."""

    class Meta:
        index_name = "name-key-index"
        projection = AllProjection()

    organisation_type = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class OrganisationItem(Model):
    class Meta(_Meta):
        pass

    organisation_id = UnicodeAttribute(hash_key=True)
    organisation_type = UnicodeAttribute()
    name = UnicodeAttribute()
    urn = UnicodeAttribute(null=True)
    details = MapAttribute[str, Any](default=dict)  # type: ignore[no-untyped-call]
    eligible_years = UnicodeSetAttribute(default=set)
    grant_conditions_accepted_at = UTCDateTimeAttribute(null=True)
    grant_conditions_accepted_by = UnicodeAttribute(null=True)
    # Schools: goes up by one whenever a mentor leaves the school's list. A submission checks it is what it
    # was when the school's mentors were read: one condition for every mentor on the claim.
    mentors_version = NumberAttribute(null=True)
    name_key = UnicodeAttribute(null=True)  # the name folded for searching (casefolded, spaces collapsed)
    # Added to the service by support (ADR 0024): an establishment the GIAS import holds has none until then.
    added_at = UTCDateTimeAttribute(null=True)
    by_type_name = OrganisationTypeNameIndex()
    by_name_key = SchoolNameIndex()


class AccreditedNameIndex(GlobalSecondaryIndex["ProviderItem"]):
    class Meta:
        index_name = "accredited-name-index"
        projection = AllProjection()

    accredited = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class ProviderItem(Model):
    class Meta(_Meta):
        pass

    code = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    accredited = UnicodeAttribute()  # "yes" / "no": a GSI key must be a string
    provider_type = UnicodeAttribute()
    ukprn = UnicodeAttribute()
    urn = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(default="")
    city = UnicodeAttribute(default="")
    email = UnicodeAttribute(default="")
    added_at = UTCDateTimeAttribute(null=True)  # added to the service by support (ADR 0024)
    by_accredited_name = AccreditedNameIndex()


class EmailIndex(GlobalSecondaryIndex["UserItem"]):
    class Meta:
        index_name = "email-index"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class RoleIndex(GlobalSecondaryIndex["UserItem"]):
    """Users by role (the support users to assign a claim to: a few dozen)."""

    class Meta:
        index_name = "role-index"
        projection = AllProjection()

    role = UnicodeAttribute(hash_key=True)
    last_name = UnicodeAttribute(range_key=True)


class UserItem(Model):
    class Meta(_Meta):
        pass

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    role = UnicodeAttribute()
    # GOV.UK Notify's word on the address (ADR 0038): the latest receipt's status and time, and, while the address
    # cannot be delivered to, why and since when (cleared by a later delivery)
    email_status = UnicodeAttribute(null=True)
    email_status_at = UTCDateTimeAttribute(null=True)
    email_failure = UnicodeAttribute(null=True)
    email_failed_at = UTCDateTimeAttribute(null=True)
    by_email = EmailIndex()
    by_role = RoleIndex()


class OrganisationMembersIndex(GlobalSecondaryIndex["MembershipItem"]):
    class Meta:
        index_name = "organisation-index"
        projection = AllProjection()

    organisation_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)


class MembershipItem(Model):
    class Meta(_Meta):
        pass

    user_id = UnicodeAttribute(hash_key=True)
    organisation_id = UnicodeAttribute(range_key=True)
    organisation_type = UnicodeAttribute()
    organisation_name = UnicodeAttribute()
    by_organisation = OrganisationMembersIndex()


class SessionItem(Model):
    class Meta(_Meta):
        pass

    session_id = UnicodeAttribute(hash_key=True)
    csrf_token = UnicodeAttribute()
    user_id = UnicodeAttribute(null=True)
    data = MapAttribute[str, Any](default=dict)  # type: ignore[no-untyped-call]
    last_seen_at = UTCDateTimeAttribute()
    expires_at = NumberAttribute()  # epoch seconds: DynamoDB TTL


class AllWindowsIndex(GlobalSecondaryIndex["ClaimWindowItem"]):
    class Meta:
        index_name = "all-windows-index"
        projection = AllProjection()

    partition = UnicodeAttribute(hash_key=True)
    opens_on = UnicodeAttribute(range_key=True)


class ClaimWindowItem(Model):
    class Meta(_Meta):
        pass

    window_id = UnicodeAttribute(hash_key=True)
    partition = UnicodeAttribute(default="window")
    academic_year = UnicodeAttribute()
    opens_on = UnicodeAttribute()  # ISO date
    closes_on = UnicodeAttribute()
    closed_at = UTCDateTimeAttribute(null=True)
    active_run = UnicodeAttribute(null=True)  # the payment run of this window in progress: one at a time
    by_opens_on = AllWindowsIndex()


class SchoolClaimsIndex(GlobalSecondaryIndex["ClaimItem"]):
    class Meta:
        index_name = "school-index"
        projection = AllProjection()

    school_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class WindowStatusIndex(GlobalSecondaryIndex["ClaimItem"]):
    class Meta:
        index_name = "window-status-index"
        projection = AllProjection()

    window_status = UnicodeAttribute(hash_key=True)
    reference = UnicodeAttribute(range_key=True)


class ProviderClaimsIndex(GlobalSecondaryIndex["ClaimItem"]):
    class Meta:
        index_name = "provider-index"
        projection = AllProjection()

    provider_code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RunClaimsIndex(GlobalSecondaryIndex["ClaimItem"]):
    """The claims a payment run owns, by reference (sparse: only claims a run has taken)."""

    class Meta:
        index_name = "run-index"
        projection = AllProjection()

    payment_run_id = UnicodeAttribute(hash_key=True)
    reference = UnicodeAttribute(range_key=True)


class ClawbackClaimsIndex(GlobalSecondaryIndex["ClaimItem"]):
    """The claims whose clawback is approved, waiting for a run ("pending"), then by the clawback run that took
    them, by reference (sparse: only claims with an approved clawback; ADR 0030)."""

    class Meta:
        index_name = "clawback-index"
        projection = AllProjection()

    clawback_run_id = UnicodeAttribute(hash_key=True)
    reference = UnicodeAttribute(range_key=True)


# What the claims list shows and filters on, projected so that a page reads small index items, not claims.
LISTING_ATTRIBUTES = [
    "school_id",
    "school_name",
    "provider_code",
    "provider_name",
    "window_id",
    "status",
    "region",
    "amount_pence",
    "submitted_at",
    "assigned_to",
    "hold_reason",
]


class ListingIndex(GlobalSecondaryIndex["ClaimItem"]):
    """Every claim of an academic year, newest first (`listed_at` = submitted or created instant + reference):
    the support claims list reads it a partition (a year) at a time, filtering on the projected attributes."""

    class Meta:
        index_name = "listing-index"
        projection = IncludeProjection(LISTING_ATTRIBUTES)

    academic_year = UnicodeAttribute(hash_key=True)
    listed_at = UnicodeAttribute(range_key=True)


class ReferenceIndex(GlobalSecondaryIndex["ClaimItem"]):
    class Meta:
        index_name = "reference-index"
        projection = AllProjection()

    reference = UnicodeAttribute(hash_key=True)


class AuditClaimsIndex(GlobalSecondaryIndex["ClaimItem"]):
    """The claims under an audit, by provider (sparse: only claims an audit sampled; ADR 0031)."""

    class Meta:
        index_name = "audit-index"
        projection = AllProjection()

    audit_id = UnicodeAttribute(hash_key=True)
    provider_code = UnicodeAttribute(range_key=True)


class ClaimItem(Model):
    class Meta(_Meta):
        pass

    claim_id = UnicodeAttribute(hash_key=True)
    reference = UnicodeAttribute()
    school_id = UnicodeAttribute()
    provider_code = UnicodeAttribute()
    window_id = UnicodeAttribute()
    academic_year = UnicodeAttribute()
    status = UnicodeAttribute()
    window_status = UnicodeAttribute()  # "<window_id>#<status>"
    created_at = UnicodeAttribute()  # ISO instant, sorts
    submitted_at = UTCDateTimeAttribute(null=True)
    submitted_by = UnicodeAttribute(null=True)
    school_name = UnicodeAttribute(default="")
    provider_name = UnicodeAttribute(default="")
    submitted_by_name = UnicodeAttribute(null=True)
    region = UnicodeAttribute(default="")
    hourly_rate_pence = NumberAttribute(default=0)
    total_hours = NumberAttribute(default=0)
    amount_pence = NumberAttribute(default=0)
    mentors = ListAttribute[MapAttribute[str, Any]](default=list)
    version = NumberAttribute(default=1)
    review_token = UnicodeAttribute(null=True)  # the Step Functions task token a support decision completes
    review_run = UnicodeAttribute(null=True)  # the payment run whose task `review_token` is
    validated_run = UnicodeAttribute(null=True)  # the payment run whose checks this claim passed (or was approved in)
    payment_run_id = UnicodeAttribute(null=True)  # the payment run that owns the claim: set once, never changed
    payment_file_key = UnicodeAttribute(null=True)  # the payment file it went to the payer in
    unpaid_reason = UnicodeAttribute(null=True)  # why the payer needs information (payer response)
    listed_at = UnicodeAttribute(null=True)  # "<submitted or created instant>#<reference>": the list's order
    assigned_to = UnicodeAttribute(null=True)  # the support user looking after the claim
    zendesk_url = UnicodeAttribute(null=True)  # the support ticket about it
    hold_reason = UnicodeAttribute(null=True)  # on hold (no payment run takes it) while set
    prepared_by = UnicodeAttribute(null=True)  # a draft prepared by this support user for the school
    provider_answers = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]  # audit answers (ADR 0032)
    school_response = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]  # the school's response to them
    by_school = SchoolClaimsIndex()
    by_window_status = WindowStatusIndex()
    by_provider = ProviderClaimsIndex()
    by_reference = ReferenceIndex()
    by_run = RunClaimsIndex()
    by_listing = ListingIndex()
    # audits (ADR 0031): the audit that sampled the claim, when it was requested, the answers' deadline
    audit_id = UnicodeAttribute(null=True)
    audit_requested_at = UTCDateTimeAttribute(null=True)
    audit_deadline = UnicodeAttribute(null=True)  # ISO date
    by_audit = AuditClaimsIndex()
    # clawback (ADR 0030): what support asked to claw back and the decision; the run waiting for or owning it
    clawback = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]
    clawback_run_id = UnicodeAttribute(null=True)
    by_clawback = ClawbackClaimsIndex()


class BatchKindIndex(GlobalSecondaryIndex["BatchItem"]):
    class Meta:
        index_name = "kind-index"
        projection = AllProjection()

    kind = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class BatchItem(Model):
    """A payment run, payer response, audit or clawback batch."""

    class Meta(_Meta):
        pass

    batch_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    created_at = UnicodeAttribute()
    status = UnicodeAttribute()
    window_id = UnicodeAttribute(null=True)
    trigger = UnicodeAttribute(null=True)
    started_by = UnicodeAttribute(null=True)
    started_by_name = UnicodeAttribute(null=True)
    file_key = UnicodeAttribute(null=True)
    file_sha256 = UnicodeAttribute(null=True)
    row_count = NumberAttribute(default=0)
    total_pence = NumberAttribute(default=0)
    failure = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]
    counts = MapAttribute[str, Any](default=dict)  # type: ignore[no-untyped-call]
    # payment runs: what NotifyPayer told the payer, and the last new link support sent
    payer_notified_at = UTCDateTimeAttribute(null=True)
    payer_notice = UnicodeAttribute(null=True)  # emailed, no_claims, no_payer_address
    payer_emails = NumberAttribute(null=True)
    link_resent_at = UTCDateTimeAttribute(null=True)
    link_resent_by = UnicodeAttribute(null=True)
    # payment runs: how the file reconciled, files voided before any claim moved, retries, the end
    # payment runs: how many claims the run owns and their total, added in the same transaction as each take
    owned = NumberAttribute(null=True)
    owned_pence = NumberAttribute(null=True)
    reconciliation = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]
    included_key = UnicodeAttribute(null=True)  # the CSV listing the run's claims, for support
    void_files = ListAttribute[MapAttribute[str, Any]](null=True)
    attempts = NumberAttribute(null=True)  # retries started by support
    retried_by = UnicodeAttribute(null=True)
    retried_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    not_started_reason = UnicodeAttribute(null=True)
    # payment runs: when each step started and finished, ISO times by `<step>_started_at` (shared.claims.run_steps)
    steps = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]
    academic_year = UnicodeAttribute(null=True)  # eligible-schools uploads: the year the schools become eligible for
    # audits (ADR 0031): the sample's seed, its providers, the answers' deadline, chasers sent, overdue
    seed = NumberAttribute(null=True)
    providers = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]
    requested_at = UTCDateTimeAttribute(null=True)
    deadline = UnicodeAttribute(null=True)  # ISO date
    chasers = NumberAttribute(null=True)
    overdue_at = UTCDateTimeAttribute(null=True)
    provider_code = UnicodeAttribute(null=True)  # an audit's provider record: whose it is
    emailed = UnicodeSetAttribute(null=True)  # an audit's provider record: "<email kind>#<user id>" sent
    by_kind = BatchKindIndex()


class ClaimEventItem(Model):
    class Meta(_Meta):
        pass

    claim_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)
    action = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    actor = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    detail = MapAttribute[str, Any](default=dict)  # type: ignore[no-untyped-call]


class MentorItem(Model):
    """A teacher from the Teaching Record System, shared by every school that adds them."""

    class Meta(_Meta):
        pass

    trn = UnicodeAttribute(hash_key=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    # The weekly names refresh (ADR 0037): when the Teaching Record last had no teacher with this TRN (cleared
    # when it has one again). A mentor is never deleted for it.
    not_found_at = UTCDateTimeAttribute(null=True)


class MentorSchoolsIndex(GlobalSecondaryIndex["SchoolMentorItem"]):
    class Meta:
        index_name = "trn-index"
        projection = AllProjection()

    trn = UnicodeAttribute(hash_key=True)
    school_id = UnicodeAttribute(range_key=True)


class SchoolMentorItem(Model):
    """A mentor on a school's list (names copied so the list is one Query)."""

    class Meta(_Meta):
        pass

    school_id = UnicodeAttribute(hash_key=True)
    trn = UnicodeAttribute(range_key=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    added_at = UTCDateTimeAttribute()
    added_by = UnicodeAttribute()
    not_found_at = UTCDateTimeAttribute(null=True)  # copied from the teacher's record (ADR 0037)
    by_trn = MentorSchoolsIndex()


class AllowanceItem(Model):
    """Hours used by one mentor with one provider in one academic year, across all schools.

    Submitting a claim adds to `used` with the condition `used <= cap - hours` in the same transaction
    as the claim: the cap cannot be exceeded, whoever submits at the same moment.
    """

    class Meta(_Meta):
        pass

    allowance_id = UnicodeAttribute(hash_key=True)  # "<trn>#<provider code>#<academic year start>"
    trn = UnicodeAttribute()
    provider_code = UnicodeAttribute()
    academic_year = UnicodeAttribute()
    used = NumberAttribute(default=0)
    # Every school that has submitted a claim for this mentor with this provider this year. Only ever
    # added to (a withdrawn claim leaves its school here), so it is a superset: validation counts the
    # schools exactly from their claims only when this names two or more.
    school_ids = UnicodeSetAttribute(null=True)


class FundingRateItem(Model):
    class Meta(_Meta):
        pass

    academic_year = UnicodeAttribute(hash_key=True)
    region = UnicodeAttribute(range_key=True)
    rate_pence = NumberAttribute()
    set_by = UnicodeAttribute(null=True)
    approved_by = UnicodeAttribute(null=True)


class JourneyItem(Model):
    """Answers of a multi-page journey, server-side, keyed by a random id in the URL."""

    class Meta(_Meta):
        pass

    journey_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    owner = UnicodeAttribute()  # the user id: a journey id alone gives nothing to another user
    organisation_id = UnicodeAttribute()
    answers = MapAttribute[str, Any](default=dict)  # type: ignore[no-untyped-call]
    result = UnicodeAttribute(null=True)  # set once, e.g. the claim a submission created
    expires_at = NumberAttribute()


class DownloadTokenItem(Model):
    """A single-use link to a file in the files bucket, keyed by the SHA-256 of its token.

    The token itself is never stored: it exists only in the emailed link. `used_at` is set once, with a
    condition that it is not set yet, when the file is downloaded; DynamoDB TTL removes the item after
    `expires_at`, and reads check `expires_at` themselves (TTL deletes up to a few days late).

    The same table holds one more kind of item, keyed `payment-run#<run id>` (a token hash is 64 hex
    digits, so never that): the link a payment run issued (`link_hash`) and when its emails were queued,
    so a retried NotifyPayer task issues no second link and sends no second email.
    """

    class Meta(_Meta):
        pass

    token_hash = UnicodeAttribute(hash_key=True)
    run_id = UnicodeAttribute()
    file_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    expires_at = NumberAttribute()  # epoch seconds: DynamoDB TTL
    used_at = UTCDateTimeAttribute(null=True)
    replaced_at = UTCDateTimeAttribute(null=True)  # support sent a new link for the same file: this one is dead
    link_hash = UnicodeAttribute(null=True)  # payment-run items: the hash of the run's link
    queued_at = UTCDateTimeAttribute(null=True)  # payment-run items: when the payer emails were queued
    # links: what the file holds, for the link's page (absent on links issued before the page showed them)
    row_count = NumberAttribute(null=True)
    total_pence = NumberAttribute(null=True)


class RateLimitItem(Model):
    """A counter in one fixed window, e.g. failed mentor lookups by one user in one clock hour (ADR 14).

    Only ever changed by an atomic ADD; DynamoDB TTL removes it after `expires_at`.
    """

    class Meta(_Meta):
        pass

    limit_key = UnicodeAttribute(hash_key=True)  # "mentor-lookup#user#<user id>#2026-12-02T14"
    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute()  # epoch seconds: DynamoDB TTL


_BINDINGS: list[tuple[type[Model], str]] = [  # every item class and its Settings field
    (OrganisationItem, "organisations_table"),
    (ProviderItem, "providers_table"),
    (UserItem, "users_table"),
    (MembershipItem, "memberships_table"),
    (SessionItem, "sessions_table"),
    (ClaimWindowItem, "claim_windows_table"),
    (ClaimItem, "claims_table"),
    (BatchItem, "batches_table"),
    (ClaimEventItem, "claim_events_table"),
    (MentorItem, "mentors_table"),
    (SchoolMentorItem, "school_mentors_table"),
    (AllowanceItem, "allowances_table"),
    (FundingRateItem, "funding_rates_table"),
    (JourneyItem, "journeys_table"),
    (DownloadTokenItem, "download_tokens_table"),
    (RateLimitItem, "rate_limits_table"),
]

ALL_ITEMS: tuple[type[Model], ...] = tuple(model for model, _ in _BINDINGS)


def bind_tables(config: Settings) -> None:
    """Point every item class at its configured table (cheap; safe to call again)."""
    for model, field in _BINDINGS:
        model.Meta.table_name = getattr(config, field)
        model.Meta.region = config.aws_region


def table_field(model: type[Model]) -> str:
    return dict(_BINDINGS)[model]


__all__ = [
    "ALL_ITEMS",
    "AllowanceItem",
    "BatchItem",
    "ClaimEventItem",
    "ClaimItem",
    "ClaimWindowItem",
    "DownloadTokenItem",
    "FundingRateItem",
    "JourneyItem",
    "MembershipItem",
    "MentorItem",
    "OrganisationItem",
    "ProviderItem",
    "RateLimitItem",
    "SchoolMentorItem",
    "SessionItem",
    "UserItem",
    "bind_tables",
    "table_field",
]


# -- Activity (ADR 0021) ----------------------------------------------------------------------------------------
class ActivityMonthIndex(GlobalSecondaryIndex["ActivityItem"]):
    """A month's activity, newest first (`at_id` = the instant + the id): the Activity page reads a month at a time."""

    class Meta:
        index_name = "month-index"
        projection = AllProjection()

    month = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class ActivityItem(Model):
    """What a support user did. A claims export's entry is also the export's record: who asked, the filters,
    and (changed only by conditional updates) how far it has got, its file and how many claims it holds."""

    class Meta(_Meta):
        pass

    activity_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    month = UnicodeAttribute()  # "YYYY-MM" of `at` (UTC)
    at_id = UnicodeAttribute()  # "<at, ISO, UTC>#<activity_id>"
    at = UTCDateTimeAttribute()
    actor_id = UnicodeAttribute()
    actor_name = UnicodeAttribute(default="")
    # claims exports
    filters = UnicodeAttribute(null=True)  # the claims list's filters, as its query string
    years = ListAttribute[str](null=True)  # the academic years the list offered
    status = UnicodeAttribute(null=True)  # preparing, ready, failed
    row_count = NumberAttribute(null=True)
    file_key = UnicodeAttribute(null=True)
    file_sha256 = UnicodeAttribute(null=True)
    file_size = NumberAttribute(null=True)
    prepared_at = UTCDateTimeAttribute(null=True)
    failure = UnicodeAttribute(null=True)
    attempts = NumberAttribute(null=True)
    worker = UnicodeAttribute(null=True)  # the delivery writing the file now (its lease)
    lease_until = NumberAttribute(null=True)  # epoch seconds: when that delivery's hold ends
    # every kind: a line on what it concerned, counts, the page with its detail
    summary = UnicodeAttribute(null=True)
    counts = MapAttribute[str, Any](null=True)  # type: ignore[no-untyped-call]
    link = UnicodeAttribute(null=True)
    # school data imports (ADR 26): what the import did (JSON: counts, skipped by reason, the first skipped
    # rows); and on the one "school-data-imports" item (in no month: never listed), the latest import and
    # the one running now (one import at a time)
    report = UnicodeAttribute(null=True)
    latest_import = UnicodeAttribute(null=True)
    running_import = UnicodeAttribute(null=True)
    # a mentor names refresh (ADR 0037): the TRNs the Teaching Record no longer has
    trns = UnicodeSetAttribute(null=True)
    by_month = ActivityMonthIndex()


_BINDINGS.append((ActivityItem, "activity_table"))
ALL_ITEMS = tuple(model for model, _ in _BINDINGS)
__all__ += ["ActivityItem"]


# -- Funding rate proposals and support users' email addresses (ADR 0027) ---------------------------------------
class FundingRateProposalItem(Model):
    """Rates proposed for an academic year, in the funding rates table beside the rates themselves, under the
    sort key `proposal#<proposal id>` (ids sort by when they were proposed). Its status moves once, by a
    conditional update, from pending to approved or rejected."""

    class Meta(_Meta):
        pass

    academic_year = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True, attr_name="region")  # "proposal#<proposal id>"
    proposal_id = UnicodeAttribute()
    status = UnicodeAttribute()  # pending, approved, rejected
    rates = MapAttribute[str, Any]()  # type: ignore[no-untyped-call]  # region -> pence an hour
    previous_rates = MapAttribute[str, Any]()  # type: ignore[no-untyped-call]  # the rates when it was proposed
    reason = UnicodeAttribute()
    proposed_by_id = UnicodeAttribute()
    proposed_by_name = UnicodeAttribute()
    proposed_at = UTCDateTimeAttribute()
    decided_by_id = UnicodeAttribute(null=True)
    decided_by_name = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    rejection_reason = UnicodeAttribute(null=True)


class PendingFundingRateProposalItem(Model):
    """The one pending proposal of an academic year (sort key `pending`): created only if absent, deleted when
    the proposal is decided, each in the same transaction as the proposal's own write."""

    class Meta(_Meta):
        pass

    academic_year = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True, attr_name="region", default="pending")
    proposal_id = UnicodeAttribute()


class SupportUserEmailItem(Model):
    """A support user's email address, taken (users table, key `email#<address>`; it has no `email` or `role`,
    so neither index sees it): written only if absent, in the same transaction as the user, so two adds of one
    address cannot both succeed; deleted with the user."""

    class Meta(_Meta):
        pass

    user_id = UnicodeAttribute(hash_key=True)  # "email#<address>"
    owner_id = UnicodeAttribute()  # the support user's id
    # The table's indexes, declared as on every item of the table; this item has neither key, so is in neither.
    by_email = EmailIndex()
    by_role = RoleIndex()


_BINDINGS += [
    (FundingRateProposalItem, "funding_rates_table"),
    (PendingFundingRateProposalItem, "funding_rates_table"),
    (SupportUserEmailItem, "users_table"),
]
ALL_ITEMS = tuple(model for model, _ in _BINDINGS)
__all__ += ["FundingRateProposalItem", "PendingFundingRateProposalItem", "SupportUserEmailItem"]


# -- The console's directory of organisations added to the service (ADR 0024) ----------------------------------
class _DirectoryIndex(GlobalSecondaryIndex["DirectoryItem"]):
    class Meta:
        projection = AllProjection()


class DirectoryNameIndex(_DirectoryIndex):
    """Every added organisation by folded name (`listing` is always "organisation")."""

    class Meta(_DirectoryIndex.Meta):
        index_name = "name-index"

    listing = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class DirectoryKindIndex(_DirectoryIndex):
    class Meta(_DirectoryIndex.Meta):
        index_name = "kind-index"

    kind = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class DirectoryRegionIndex(_DirectoryIndex):
    """Schools by funding region (providers have none, so are not in it)."""

    class Meta(_DirectoryIndex.Meta):
        index_name = "region-index"

    region = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class DirectoryUkprnIndex(_DirectoryIndex):
    class Meta(_DirectoryIndex.Meta):
        index_name = "ukprn-index"

    ukprn = UnicodeAttribute(hash_key=True)


class DirectoryPostcodeIndex(_DirectoryIndex):
    """By outward code ("SW1A"), then the whole postcode without spaces: a full or an outward postcode."""

    class Meta(_DirectoryIndex.Meta):
        index_name = "postcode-index"

    outward_code = UnicodeAttribute(hash_key=True)
    postcode_key = UnicodeAttribute(range_key=True)


class DirectoryItem(Model):
    """One organisation added to the service, as the console's Organisations list shows and finds it: written only
    if absent, in the transaction that marks the school or provider added (so an organisation is added once)."""

    class Meta(_Meta):
        pass

    organisation_key = UnicodeAttribute(hash_key=True)  # "school#<urn>" or "provider#<code>"
    listing = UnicodeAttribute(default="organisation")
    sort_key = UnicodeAttribute()  # "<name folded>#<organisation_key>": by name, ties apart
    kind = UnicodeAttribute()  # school, accredited_provider, other_provider
    organisation_id = UnicodeAttribute()  # the URN or the provider code
    name = UnicodeAttribute()
    region = UnicodeAttribute(null=True)
    ukprn = UnicodeAttribute(null=True)
    urn = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(default="")
    outward_code = UnicodeAttribute(null=True)
    postcode_key = UnicodeAttribute(null=True)
    added_at = UTCDateTimeAttribute()
    added_by = UnicodeAttribute()
    by_name = DirectoryNameIndex()
    by_kind = DirectoryKindIndex()
    by_region = DirectoryRegionIndex()
    by_ukprn = DirectoryUkprnIndex()
    by_postcode = DirectoryPostcodeIndex()


_BINDINGS.append((DirectoryItem, "directory_table"))
ALL_ITEMS = tuple(model for model, _ in _BINDINGS)
__all__ += ["DirectoryItem"]


# -- The Overview's counters (ADR 0028) ---------------------------------------------------------------------------
class CountersItem(Model):
    """One shard of an academic year's counters (`counter_id` = "<academic year>#<shard>"). Besides its key it
    holds only numbers named by `shared.claims.counters.key` (`n#status#paid`, `p#region#Inner London`, ...),
    added to in the same transaction as each claim change, and each counted provider's name
    (`name#provider#<code>`). Those attributes are dynamic, so they are read and written by name, not declared."""

    class Meta(_Meta):
        pass

    counter_id = UnicodeAttribute(hash_key=True)


_BINDINGS.append((CountersItem, "counters_table"))
ALL_ITEMS = tuple(model for model, _ in _BINDINGS)
__all__ += ["CountersItem"]


def map_as_dict(value: Any) -> dict[str, Any]:
    """A MapAttribute's value as a plain dict (PynamoDB gives a MapAttribute or a dict; None when unset)."""
    if value is None:
        return {}
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


__all__ += ["map_as_dict"]
