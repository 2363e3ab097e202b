"""The AWS cost of a year of 20,000 claims, from the request counts the deadline-day run measured (ADR 45).

Nothing here is guessed per request: what one school's claim costs (pages, DynamoDB calls, emails), what one support
review costs and what one claim costs in a payment run are counted in the local stack by `tests.bench.deadline_day`
(botocore hooks on every client of the stack's process, handler durations timed around each function). This module
turns those counts into billable quantities and a year's bill:

- Lambda: one request per invocation; GB-seconds = each invocation's measured duration × its function's
  `MemorySize` in `template.yaml` (the `Globals` value unless the function sets its own);
- DynamoDB on-demand: read request units (4 KB steps, an eventually consistent read half a unit, a transactional
  one two) and write request units (1 KB steps, transactional ×2, and one more write for each global secondary
  index an item lands in), from the sizes of the items each call sent or got back (`item_size`: DynamoDB's own
  sizing rules) and the indexes `template.yaml` gives each table;
- Step Functions Standard: state transitions, counted from the run's execution history;
- S3 PUT/GET, SQS requests, API Gateway requests;
- a few fixed monthly items (the WAF, the secret), stated as such.

The prices are constants below with their date and where they come from; no pricing page can be read from this
machine, so they are list prices as assumed (ADR 45 says which and why) and `make bench` prints them beside the bill.
Local durations are this machine's under moto (each DynamoDB call answered by Python in the same process): they are
an upper bound for Lambda's, which is said with the figures.

The arithmetic is pure (unit-tested in `tests/unit/test_cost_model.py`); `run` measures and prints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.bench import Benchmark, Options

__all__ = [
    "ASSUMPTIONS",
    "BENCHMARK",
    "PRICES",
    "Assumptions",
    "CostUnits",
    "IndexSpec",
    "LineItem",
    "Price",
    "TableSpec",
    "Usage",
    "attribute_size",
    "dynamodb_units",
    "format_bill",
    "function_memory",
    "index_write_units",
    "item_size",
    "lambda_gb_seconds",
    "read_units",
    "table_specs",
    "usage_of",
    "write_units",
    "yearly_bill",
]

READ_STEP = 4096  # bytes per read request unit
WRITE_STEP = 1024  # bytes per write request unit


# -- prices -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Price:
    """One list price: dollars for `per` units of `unit`, as of `as_of`, from `source`."""

    item: str
    dollars: Decimal
    per: int
    unit: str
    source: str
    as_of: str = "2026-12-03"

    def cost(self, quantity: float) -> Decimal:
        return self.dollars * Decimal(str(quantity)) / self.per

    def label(self) -> str:
        per = f"{self.per:,} " if self.per != 1 else ""
        return f"${self.dollars} per {per}{self.unit}"


_ASSUMED = "assumed list price, eu-west-2 (London), not read from the page here (ADR 45)"
PRICES: dict[str, Price] = {
    "lambda_requests": Price(
        "Lambda requests", Decimal("0.20"), 1_000_000, "requests", f"aws.amazon.com/lambda/pricing: {_ASSUMED}"
    ),
    "lambda_gb_seconds": Price(
        "Lambda duration (arm64)", Decimal("0.0000133334"), 1, "GB-second", f"aws.amazon.com/lambda/pricing: {_ASSUMED}"
    ),
    "dynamodb_reads": Price(
        "DynamoDB read request units",
        Decimal("0.1485"),
        1_000_000,
        "RRU",
        f"aws.amazon.com/dynamodb/pricing/on-demand: {_ASSUMED}; London's $0.297 halved by the November 2024 cut",
    ),
    "dynamodb_writes": Price(
        "DynamoDB write request units",
        Decimal("0.7423"),
        1_000_000,
        "WRU",
        f"aws.amazon.com/dynamodb/pricing/on-demand: {_ASSUMED}; London's $1.4846 halved by the November 2024 cut",
    ),
    "dynamodb_storage": Price(
        "DynamoDB storage", Decimal("0.29"), 1, "GB-month", f"aws.amazon.com/dynamodb/pricing/on-demand: {_ASSUMED}"
    ),
    "sfn_transitions": Price(
        "Step Functions Standard transitions",
        Decimal("0.025"),
        1_000,
        "transitions",
        f"aws.amazon.com/step-functions/pricing: {_ASSUMED}",
    ),
    "s3_put": Price("S3 PUT/POST/LIST", Decimal("0.0053"), 1_000, "requests", f"aws.amazon.com/s3/pricing: {_ASSUMED}"),
    "s3_get": Price("S3 GET", Decimal("0.00042"), 1_000, "requests", f"aws.amazon.com/s3/pricing: {_ASSUMED}"),
    "sqs_requests": Price(
        "SQS standard requests", Decimal("0.40"), 1_000_000, "requests", f"aws.amazon.com/sqs/pricing: {_ASSUMED}"
    ),
    "api_requests": Price(
        "API Gateway REST requests",
        Decimal("3.70"),
        1_000_000,
        "requests",
        f"aws.amazon.com/api-gateway/pricing: {_ASSUMED}",
    ),
    "waf_acl": Price("WAF web ACL", Decimal("5.00"), 1, "ACL-month", f"aws.amazon.com/waf/pricing: {_ASSUMED}"),
    "waf_rules": Price("WAF rules", Decimal("1.00"), 1, "rule-month", f"aws.amazon.com/waf/pricing: {_ASSUMED}"),
    "waf_requests": Price(
        "WAF requests", Decimal("0.60"), 1_000_000, "requests", f"aws.amazon.com/waf/pricing: {_ASSUMED}"
    ),
    "secret": Price(
        "Secrets Manager secret",
        Decimal("0.40"),
        1,
        "secret-month",
        f"aws.amazon.com/secrets-manager/pricing: {_ASSUMED}",
    ),
}


# -- DynamoDB sizing ---------------------------------------------------------------------------------------------
def _number_size(text: str) -> int:
    """DynamoDB's size of a number: about one byte per two significant digits, plus one."""
    digits = text.lstrip("-").replace(".", "").lstrip("0") or "0"
    digits = digits.rstrip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def attribute_size(value: Mapping[str, Any]) -> int:
    """The size of one attribute value in DynamoDB's wire format (`{"S": "abc"}`), by DynamoDB's rules: strings and
    binaries their UTF-8 bytes, numbers `_number_size`, booleans and nulls one byte, lists and maps 3 bytes plus a
    byte per element plus their contents (a map's keys count too), sets the sum of their elements."""
    kind, data = next(iter(value.items()))
    if kind == "S":
        return len(str(data).encode())
    if kind == "N":
        return _number_size(str(data))
    if kind == "B":
        return len(data) if isinstance(data, (bytes, bytearray)) else math.ceil(len(str(data)) * 3 / 4)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(v).encode()) for v in data)
    if kind == "NS":
        return sum(_number_size(str(v)) for v in data)
    if kind == "BS":
        return sum(math.ceil(len(str(v)) * 3 / 4) for v in data)
    if kind == "L":
        return 3 + sum(1 + attribute_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + attribute_size(v) for k, v in data.items())
    return 0


def item_size(item: Mapping[str, Mapping[str, Any]] | None) -> int:
    """An item's size: each attribute's name (UTF-8) plus its value."""
    return sum(len(name.encode()) + attribute_size(value) for name, value in (item or {}).items())


def read_units(size: int, *, consistent: bool = False, transactional: bool = False) -> float:
    """Read request units for reading `size` bytes in one go: 4 KB steps (at least one), half for eventually
    consistent, twice for transactional."""
    steps = max(1, math.ceil(size / READ_STEP))
    if transactional:
        return 2.0 * steps
    return float(steps) if consistent else steps / 2


def write_units(size: int, *, transactional: bool = False) -> int:
    """Write request units for writing an item of `size` bytes: 1 KB steps (at least one), transactional ×2."""
    steps = max(1, math.ceil(size / WRITE_STEP))
    return 2 * steps if transactional else steps


@dataclass(frozen=True)
class IndexSpec:
    """A global secondary index: its key attributes and what it projects (ALL, KEYS_ONLY or INCLUDE)."""

    name: str
    keys: tuple[str, ...]
    projection: str = "ALL"
    included: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """A table's key attributes and its global secondary indexes."""

    keys: tuple[str, ...]
    indexes: tuple[IndexSpec, ...] = ()


def table_specs(definitions: Iterable[Mapping[str, Any]]) -> dict[str, TableSpec]:
    """By table name, from `create_table` arguments (`infrastructure.local.template.table_definitions`)."""
    specs = {}
    for table in definitions:
        indexes = tuple(
            IndexSpec(
                name=str(index["IndexName"]),
                keys=tuple(str(k["AttributeName"]) for k in index["KeySchema"]),
                projection=str(index.get("Projection", {}).get("ProjectionType", "ALL")),
                included=tuple(str(a) for a in index.get("Projection", {}).get("NonKeyAttributes", ())),
            )
            for index in table.get("GlobalSecondaryIndexes") or ()
        )
        keys = tuple(str(k["AttributeName"]) for k in table["KeySchema"])
        specs[str(table["TableName"])] = TableSpec(keys, indexes)
    return specs


def index_write_units(table: TableSpec | None, item: Mapping[str, Mapping[str, Any]] | None) -> int:
    """The extra write units a write costs in the table's global secondary indexes: one write, in 1 KB steps of
    what the index projects, for each index whose key attributes the item has after the write (an index is sparse:
    an item without its keys is not in it). DynamoDB bills a write that moves an item within an index (a changed
    key) as a delete and a put; that is counted as one."""
    if table is None or not item:
        return 0
    total = 0
    for index in table.indexes:
        if not all(key in item for key in index.keys):
            continue
        if index.projection == "ALL":
            size = item_size(item)
        else:
            names = (
                set(table.keys) | set(index.keys) | (set(index.included) if index.projection == "INCLUDE" else set())
            )
            size = item_size({name: value for name, value in item.items() if name in names})
        total += write_units(size)
    return total


def dynamodb_units(
    operation: str,
    request: Mapping[str, Any],
    response: Mapping[str, Any],
    tables: Mapping[str, TableSpec] | None = None,
) -> tuple[float, float]:
    """(RRU, WRU) one DynamoDB call consumes, from its request and parsed response (wire format).

    Sizes are those of the items sent or returned. An UpdateItem is sized by the item it returned (the service asks
    for ALL_NEW; a write is billed on the larger of before and after, so this can be low when an update shrinks an
    item), or by its key and values when nothing came back; a DeleteItem and a ConditionCheck are one step each.
    A Query or Scan reads the items it returned, summed then rounded (what it read and filtered out is not seen).
    With `tables`, a write whose whole item is known (a put, an update that returned it) also pays for the global
    secondary indexes it lands in (`index_write_units`, standard writes, also in a transaction); a delete's and a
    transaction's update's index writes are not seen.
    """
    known = tables or {}

    def indexed(table_name: Any, item: Any) -> int:
        return index_write_units(known.get(str(table_name)), item)

    consistent = bool(request.get("ConsistentRead"))
    if operation == "GetItem":
        return read_units(item_size(response.get("Item")), consistent=consistent), 0.0
    if operation in ("Query", "Scan"):
        size = sum(item_size(item) for item in response.get("Items") or ())
        return read_units(size, consistent=consistent), 0.0
    if operation == "BatchGetItem":
        found = [item for items in (response.get("Responses") or {}).values() for item in items]
        return sum(read_units(item_size(item), consistent=consistent) for item in found), 0.0
    if operation == "TransactGetItems":
        return sum(
            read_units(item_size(r.get("Item")), transactional=True) for r in response.get("Responses") or ()
        ), 0.0
    table = request.get("TableName")
    if operation == "PutItem":
        item = request.get("Item")
        return 0.0, float(write_units(item_size(item)) + indexed(table, item))
    if operation == "UpdateItem":
        returned = response.get("Attributes")
        size = item_size(returned) if returned else item_size(request.get("Key")) + _values_size(request)
        return 0.0, float(write_units(size) + indexed(table, returned))
    if operation == "DeleteItem":
        return 0.0, float(write_units(0))
    if operation == "BatchWriteItem":
        total = 0
        for name, entries in (request.get("RequestItems") or {}).items():
            for entry in entries:
                item = entry.get("PutRequest", {}).get("Item")
                total += write_units(item_size(item)) + indexed(name, item)
        return 0.0, float(total)
    if operation == "TransactWriteItems":
        total = 0
        for entry in request.get("TransactItems") or ():
            if "Put" in entry:
                put = entry["Put"]
                total += write_units(item_size(put.get("Item")), transactional=True)
                total += indexed(put.get("TableName"), put.get("Item"))
            elif "Update" in entry:
                update = entry["Update"]
                total += write_units(item_size(update.get("Key")) + _values_size(update), transactional=True)
            else:  # Delete, ConditionCheck
                total += write_units(0, transactional=True)
        return 0.0, float(total)
    return 0.0, 0.0


def _values_size(request: Mapping[str, Any]) -> int:
    return sum(attribute_size(v) for v in (request.get("ExpressionAttributeValues") or {}).values())


def lambda_gb_seconds(seconds: float, memory_mb: int) -> float:
    """GB-seconds of one invocation: its duration, rounded up to the millisecond, × its memory in GB."""
    return math.ceil(seconds * 1000) / 1000 * memory_mb / 1024


# -- usage and the year --------------------------------------------------------------------------------------------
@dataclass
class Usage:
    """Billable quantities of one thing (a claim's journey, a review, a claim in a run), or of a year."""

    lambda_requests: float = 0.0
    lambda_gb_seconds: float = 0.0
    rru: float = 0.0
    wru: float = 0.0
    sfn_transitions: float = 0.0
    s3_put: float = 0.0
    s3_get: float = 0.0
    sqs_requests: float = 0.0
    api_requests: float = 0.0

    def scaled(self, factor: float) -> Usage:
        return Usage(**{name: value * factor for name, value in vars(self).items()})

    def __add__(self, other: Usage) -> Usage:
        return Usage(**{name: value + getattr(other, name) for name, value in vars(self).items()})


@dataclass(frozen=True)
class Assumptions:
    """What the year is made of, beyond what was measured. Each is printed with the bill."""

    claims_per_year: int = 20_000
    schools: int = 8_000  # schools claiming in a year: 2.5 claims each
    support_users: int = 10
    page_view_factor: float = 1.5  # real users revisit pages, go back, see errors: × the measured journey's requests
    mentors_per_school: float = 3.0  # mentors each school adds in the year
    sign_ins_per_school: float = 5.0  # sign-ins of each school's users in the year
    reviewed_share: float = 0.10  # claims flagged and reviewed by support
    support_page_views_per_day: int = 200  # the whole support team, beyond reviews
    working_days: int = 250
    payment_runs_per_year: int = 2  # the window's run and one re-run for claims approved late
    dynamodb_storage_gb: float = 2.0  # claims, events, sessions and the rest, kept for the year
    queue_pollers: int = 4  # SQS event source mappings: each long-polls (20 s) all year
    waf_rules: int = 4
    secrets: int = 1

    def lines(self) -> list[str]:
        return [
            f"claims in the year: {self.claims_per_year:,}, from {self.schools:,} schools "
            f"({self.claims_per_year / self.schools:.1f} claims each)",
            f"school pages: one claim's journey per claim, {self.mentors_per_school:g} mentors added and "
            f"{self.sign_ins_per_school:g} sign-ins per school, all x {self.page_view_factor:g} "
            "(revisits, back, errors)",
            f"claims flagged and reviewed by support: {self.reviewed_share:.0%}; other support pages: "
            f"{self.support_page_views_per_day} a day x {self.working_days} working days ({self.support_users} users)",
            f"payment runs: each claim in one run; {self.payment_runs_per_year} runs a year (fixed transitions each), "
            f"one validation page per {VALIDATION_PAGE_CLAIMS} claims, one review iteration per flagged claim",
            f"SQS: {self.queue_pollers} event source mappings long-polling every 20 s all year, "
            "plus the requests measured",
            f"DynamoDB storage: {self.dynamodb_storage_gb:g} GB all year; emails: GOV.UK Notify (free to the service)",
            f"WAF: one web ACL with {self.waf_rules} rules; Secrets Manager: {self.secrets} secret",
            "not counted: CloudWatch logs and metrics, X-Ray traces, audits and clawbacks (a few % of claims), "
            "data transfer, the free tier",
        ]


ASSUMPTIONS = Assumptions()
LONG_POLLS_PER_YEAR = 365 * 24 * 3600 / 20  # one long poll per 20 s


@dataclass(frozen=True)
class LineItem:
    item: str
    quantity: float
    price: Price

    @property
    def cost(self) -> Decimal:
        return self.price.cost(self.quantity)


# One claim's pages (k = its mentors) and a school's once-only pages, as `tests.bench.deadline_day` names them.
_SCHOOL = "/schools/{urn}"
_JOURNEY = f"{_SCHOOL}/claims/new/{{journey}}"
CLAIM_PAGES: tuple[tuple[str, bool], ...] = (  # (page, once per mentor)
    (f"GET {_SCHOOL}/claims", False),
    (f"POST {_SCHOOL}/claims/new", False),
    (f"GET {_JOURNEY}/provider", False),
    (f"POST {_JOURNEY}/provider", False),
    (f"GET {_JOURNEY}/mentors", False),
    (f"POST {_JOURNEY}/mentors", False),
    (f"GET {_JOURNEY}/hours/{{trn}}", True),
    (f"POST {_JOURNEY}/hours/{{trn}}", True),
    (f"GET {_JOURNEY}/confirm", False),
    (f"POST {_JOURNEY}/confirm", False),
    (f"GET {_JOURNEY}/check", False),
    (f"POST {_JOURNEY}/submit", False),
    (f"GET {_SCHOOL}/claims/{{reference}}/submitted", False),
)
MENTOR_PAGES: tuple[str, ...] = (
    f"GET {_SCHOOL}/mentors/new",
    f"POST {_SCHOOL}/mentors/new",
    f"GET {_SCHOOL}/mentors/check/{{lookup}}",
    f"POST {_SCHOOL}/mentors/check/{{lookup}}",
    f"GET {_SCHOOL}/mentors",
)
# A school's sign-ins in the year, each costed as two landing pages (DfE Sign-in's callback was not measured: a
# session is written as it would write one), plus its grant conditions, once.
SIGN_IN_PAGES: tuple[str, ...] = (f"GET {_SCHOOL}/claims", f"GET {_SCHOOL}/claims")


@dataclass
class CostUnits:
    """What was measured, per unit: a page's request, a claim's queued work (emails), a review, a support page, a
    claim's share of a payment run's work, and a run's transitions (fixed, per validation page, per review)."""

    pages: Mapping[str, Usage]
    queued_per_claim: Usage
    review: Usage
    support_page: Usage
    run_per_claim: Usage
    run_fixed_transitions: float
    validation_page_transitions: float
    review_transitions: float
    mentors_per_claim: float
    notes: list[str]

    def page(self, route: str) -> Usage:
        """A page's unit, or the mean of the pages measured if the load never reached it."""
        if route in self.pages:
            return self.pages[route]
        measured = list(self.pages.values())
        total = Usage()
        for usage in measured:
            total = total + usage
        return total.scaled(1 / len(measured)) if measured else Usage()

    def claim_journey(self) -> Usage:
        """One claim's pages, its mentors' hours pages once each."""
        total = Usage()
        for route, per_mentor in CLAIM_PAGES:
            total = total + self.page(route).scaled(self.mentors_per_claim if per_mentor else 1.0)
        return total

    def mentor_added(self) -> Usage:
        total = Usage()
        for route in MENTOR_PAGES:
            total = total + self.page(route)
        return total

    def sign_in(self) -> Usage:
        total = Usage()
        for route in SIGN_IN_PAGES:
            total = total + self.page(route)
        return total


VALIDATION_PAGE_CLAIMS = 100  # claims per ValidateClaims page (shared/usecases/payment_run_tasks.py PAGE_SIZE)


def yearly_bill(
    units: CostUnits, assumptions: Assumptions = ASSUMPTIONS, prices: Mapping[str, Price] = PRICES
) -> tuple[Usage, list[LineItem]]:
    """The year's usage from the measured units and the assumptions, and its line items."""
    a = assumptions
    claims = a.claims_per_year
    reviewed = claims * a.reviewed_share
    school_pages = (
        units.claim_journey().scaled(claims)
        + units.mentor_added().scaled(a.schools * a.mentors_per_school)
        + units.sign_in().scaled(a.schools * a.sign_ins_per_school)
    ).scaled(a.page_view_factor)
    year = (
        school_pages
        + units.queued_per_claim.scaled(claims)
        + units.review.scaled(reviewed)
        + units.support_page.scaled(a.support_page_views_per_day * a.working_days)
        + units.run_per_claim.scaled(claims)
    )
    year.sfn_transitions = (
        a.payment_runs_per_year * units.run_fixed_transitions
        + math.ceil(claims / VALIDATION_PAGE_CLAIMS) * units.validation_page_transitions
        + reviewed * units.review_transitions
    )
    year.sqs_requests += a.queue_pollers * LONG_POLLS_PER_YEAR
    p = prices
    items = [
        LineItem("Lambda requests", year.lambda_requests, p["lambda_requests"]),
        LineItem("Lambda GB-seconds", year.lambda_gb_seconds, p["lambda_gb_seconds"]),
        LineItem("DynamoDB read request units", year.rru, p["dynamodb_reads"]),
        LineItem("DynamoDB write request units", year.wru, p["dynamodb_writes"]),
        LineItem("DynamoDB storage (GB-months)", a.dynamodb_storage_gb * 12, p["dynamodb_storage"]),
        LineItem("Step Functions transitions", year.sfn_transitions, p["sfn_transitions"]),
        LineItem("S3 PUT requests", year.s3_put, p["s3_put"]),
        LineItem("S3 GET requests", year.s3_get, p["s3_get"]),
        LineItem("SQS requests", year.sqs_requests, p["sqs_requests"]),
        LineItem("API Gateway requests", year.api_requests, p["api_requests"]),
        LineItem("WAF web ACL (months)", 12, p["waf_acl"]),
        LineItem("WAF rules (rule-months)", 12 * a.waf_rules, p["waf_rules"]),
        LineItem("WAF requests", year.api_requests, p["waf_requests"]),
        LineItem("Secrets Manager (secret-months)", 12 * a.secrets, p["secret"]),
    ]
    return year, items


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def format_bill(items: Sequence[LineItem]) -> list[str]:
    """line item, quantity, unit price, cost per year; and the total."""
    rows = [(i.item, _quantity(i.quantity), i.price.label(), f"${i.cost:,.2f}") for i in items]
    total = sum((i.cost for i in items), Decimal(0))
    headers = ("line item", "quantity a year", "unit price", "cost a year")
    widths = [max(len(h), *(len(r[n]) for r in rows)) for n, h in enumerate(headers)]
    line = "  ".join(
        f"{h:<{w}}" if n in (0, 2) else f"{h:>{w}}" for n, (h, w) in enumerate(zip(headers, widths, strict=True))
    )
    out = [line, "-" * len(line)]
    for row in rows:
        out.append(
            "  ".join(
                f"{c:<{w}}" if n in (0, 2) else f"{c:>{w}}" for n, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    out.append("-" * len(line))
    out.append(f"{'total':<{widths[0]}}  {'':>{widths[1]}}  {'':<{widths[2]}}  {f'${total:,.2f}':>{widths[3]}}")
    return out


def usage_of(
    calls: Iterable[tuple[str, str, int, float, float]],
    invocations: Iterable[tuple[str, int, float]],
    memory_mb: Mapping[str, int],
    default_memory_mb: int,
) -> Usage:
    """Usage from measured counts: `calls` as (service, operation, count, RRU, WRU), `invocations` as (function,
    count, seconds in all). SQS ReceiveMessage is left out (the local pollers' rate is not Lambda's; the year adds
    the event source mappings' long polls instead); API Gateway requests are the web and support functions' calls."""
    usage = Usage()
    for service, operation, count, rru, wru in calls:
        if service == "dynamodb":
            usage.rru += rru
            usage.wru += wru
        elif service == "s3" and operation in ("PutObject", "CopyObject", "ListObjectsV2", "CreateMultipartUpload"):
            usage.s3_put += count
        elif service == "s3" and operation in ("GetObject", "HeadObject"):
            usage.s3_get += count
        elif service == "sqs" and operation != "ReceiveMessage":
            usage.sqs_requests += count
    for function, count, seconds in invocations:
        memory = memory_mb.get(function, default_memory_mb)
        usage.lambda_requests += count
        usage.lambda_gb_seconds += (seconds * memory / 1024) if count else 0.0
        if function in ("WebFunction", "SupportFunction", "DownloadFunction"):
            usage.api_requests += count
    return usage


def function_memory(template: Mapping[str, Any]) -> tuple[dict[str, int], int]:
    """Each function's MemorySize from template.yaml, and the Globals default."""
    default = int(template.get("Globals", {}).get("Function", {}).get("MemorySize", 128))
    sizes = {
        logical_id: int(resource.get("Properties", {}).get("MemorySize", default))
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }
    return sizes, default


# -- the benchmark -----------------------------------------------------------------------------------------------
def run(options: Options) -> None:
    from tests.bench import deadline_day

    try:
        result = deadline_day.shared_result(options)
    except Exception as error:  # noqa: BLE001 - a benchmark reports what stopped it and exits 0
        options.print(f"NOT MEASURED: {type(error).__name__}: {error}")
        return
    print_cost(options, result)


def _usage_line(usage: Usage) -> str:
    return (
        f"{usage.lambda_requests:.2f} Lambda requests, {usage.lambda_gb_seconds:.3f} GB-s, {usage.rru:.1f} RRU, "
        f"{usage.wru:.1f} WRU, S3 {usage.s3_put:.2f} PUT / {usage.s3_get:.2f} GET, {usage.sqs_requests:.2f} SQS"
    )


def print_cost(options: Options, result: Any) -> None:
    """The units measured, the assumptions, the prices and the year's bill."""
    from infrastructure.local.template import load_template
    from tests.bench.deadline_day import TEMPLATE

    memory, default = function_memory(load_template(TEMPLATE))
    units: CostUnits | None = result.cost_units(memory, default)
    if units is None:
        options.print("NOT MEASURED: the deadline-day run did not get far enough (claims submitted and paid)")
        for line in result.problems:
            options.print(f"  {line}")
        return
    sizes = sorted(set(memory.values()) | {default})
    options.print(
        f"Measured in the local stack (durations this machine's under moto: an upper bound for Lambda's); "
        f"memory from template.yaml: {', '.join(f'{m} MB' for m in sizes)}"
    )
    for note in units.notes:
        options.print(f"  {note}")
    options.print(
        f"  one claim's pages ({units.mentors_per_claim:.2f} mentors a claim): {_usage_line(units.claim_journey())}"
    )
    options.print(f"  one mentor added: {_usage_line(units.mentor_added())}")
    options.print(f"  one claim's emails and queued work: {_usage_line(units.queued_per_claim)}")
    options.print(f"  one support review: {_usage_line(units.review)}")
    options.print(f"  one support page: {_usage_line(units.support_page)}")
    options.print(f"  one claim's share of a payment run: {_usage_line(units.run_per_claim)}")
    options.print(
        f"  transitions: {units.run_fixed_transitions:.0f} a run, {units.validation_page_transitions:.1f} a validation "
        f"page, {units.review_transitions:.1f} a review"
    )
    options.print()
    options.print("Assumptions:")
    for line in ASSUMPTIONS.lines():
        options.print(f"  {line}")
    options.print()
    options.print("Prices (USD, eu-west-2):")
    for price in PRICES.values():
        options.print(f"  {price.item}: {price.label()} ({price.source}, {price.as_of})")
    options.print()
    _, items = yearly_bill(units)
    for line in format_bill(items):
        options.print(line)


BENCHMARK = Benchmark(
    name="cost",
    summary="the AWS cost of a year of 20,000 claims from the deadline-day run's measured requests (prices printed)",
    run=run,
)
