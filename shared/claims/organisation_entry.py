"""Organisations in the support console: the kinds the list shows, what a search box's text asks for, and the
rules for an organisation typed in by hand (a school or accredited provider the service does not hold).

Pure: each check takes the typed text and returns the tidied value or the GOV.UK error message.
"""

from __future__ import annotations

import re
from enum import StrEnum

from shared.claims.claim_search import name_key
from shared.claims.domain import Domain
from shared.claims.regions import Region


class OrganisationKind(StrEnum):
    SCHOOL = "school"
    ACCREDITED_PROVIDER = "accredited_provider"
    OTHER_PROVIDER = "other_provider"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    OrganisationKind.SCHOOL: "School",
    OrganisationKind.ACCREDITED_PROVIDER: "Accredited provider",
    OrganisationKind.OTHER_PROVIDER: "Other provider",
}

SCHOOLS_PATH = "/support/organisations/schools"
PROVIDERS_PATH = "/support/organisations/providers"


class DirectoryEntry(Domain):
    """An organisation added to the service, as the console's list shows it."""

    kind: OrganisationKind
    organisation_id: str  # the URN of a school, the code of a provider
    name: str
    urn: str | None = None
    ukprn: str | None = None
    postcode: str = ""
    region: Region | None = None

    @property
    def path(self) -> str:
        base = SCHOOLS_PATH if self.kind is OrganisationKind.SCHOOL else PROVIDERS_PATH
        return f"{base}/{self.organisation_id}"

    @property
    def identifier(self) -> str:
        """The list's "URN or UKPRN" column: a school's URN, a provider's UKPRN."""
        if self.kind is OrganisationKind.SCHOOL:
            return f"URN {self.urn}" if self.urn else ""
        return f"UKPRN {self.ukprn}" if self.ukprn else ""

    @property
    def sort_key(self) -> str:
        return f"{name_key(self.name)}#{self.kind.value}#{self.organisation_id}"


# -- what a search asks for ---------------------------------------------------------------------------------------
_URN = re.compile(r"^\d{6}$")
_UKPRN = re.compile(r"^1\d{7}$")
# A UK postcode (the GOV.UK pattern, spaces optional): outward code, then a digit and two letters.
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


class SearchKind(StrEnum):
    NONE = "none"
    URN = "urn"
    UKPRN = "ukprn"
    POSTCODE = "postcode"  # a whole postcode, or an outward code ("SW1A")
    NAME = "name"  # the start of a name


class Search(Domain):
    kind: SearchKind
    text: str = ""  # the URN, the UKPRN, the folded name
    outward_code: str = ""  # a postcode search: its outward code
    postcode_key: str = ""  # and the whole postcode without spaces, when typed whole


def classify_search(text: str) -> Search:
    """What the search box's text asks for: 6 digits a URN, 8 starting with 1 a UKPRN, a postcode (or its
    outward code), otherwise the start of a name."""
    compact = "".join(text.split())
    if not compact:
        return Search(kind=SearchKind.NONE)
    if _URN.match(compact):
        return Search(kind=SearchKind.URN, text=compact)
    if _UKPRN.match(compact):
        return Search(kind=SearchKind.UKPRN, text=compact)
    postcode = normalise_postcode(text)
    if postcode:
        outward, _ = postcode.split(" ")
        return Search(kind=SearchKind.POSTCODE, outward_code=outward, postcode_key=postcode.replace(" ", ""))
    if _OUTWARD.match(compact.upper()) and any(c.isdigit() for c in compact):
        return Search(kind=SearchKind.POSTCODE, outward_code=compact.upper())
    return Search(kind=SearchKind.NAME, text=name_key(text))


def normalise_postcode(text: str) -> str | None:
    """A UK postcode in capitals with one space ("sw1a1aa" → "SW1A 1AA"), or None if it is not one."""
    match = _POSTCODE.match(" ".join(text.upper().split()))
    return f"{match.group(1)} {match.group(2)}" if match else None


def postcode_parts(postcode: str) -> tuple[str | None, str | None]:
    """The outward code and the whole postcode without spaces, for the postcode index (None, None if not one)."""
    normal = normalise_postcode(postcode)
    if normal is None:
        return None, None
    return normal.split(" ")[0], normal.replace(" ", "")


# -- organisations typed in by hand -------------------------------------------------------------------------------
NAME_MAX = 100
LINE_MAX = 100
TOWN_MAX = 60
VENDOR_NUMBER_MAX = 20

_DISTRICT = re.compile(r"^[ENSW]\d{8}$")
_PROVIDER_CODE = re.compile(r"^[A-Z0-9]{3}$")
_VENDOR_NUMBER = re.compile(r"^[A-Za-z0-9]{1,20}$")

# Field names, also the form's input names and ids.
NAME = "name"
URN = "urn"
ADDRESS1 = "address1"
TOWN = "town"
POSTCODE = "postcode"
LOCAL_AUTHORITY = "local_authority_name"
ESTABLISHMENT_TYPE = "type_of_establishment"
GROUP = "group"
PHASE = "phase"
DISTRICT = "district_admin_code"
UKPRN = "ukprn"
CODE = "code"
VENDOR_NUMBER = "vendor_number"

SCHOOL_FIELDS = (NAME, URN, ADDRESS1, TOWN, POSTCODE, LOCAL_AUTHORITY, ESTABLISHMENT_TYPE, GROUP, PHASE, DISTRICT)
PROVIDER_FIELDS = (NAME, UKPRN, CODE, POSTCODE)


class SchoolEntry(Domain):
    """A school typed in by hand, checked."""

    name: str
    urn: str
    address1: str
    town: str
    postcode: str
    local_authority_name: str
    type_of_establishment: str
    group: str
    phase: str
    district_admin_code: str


class ProviderEntry(Domain):
    """An accredited provider typed in by hand, checked."""

    name: str
    ukprn: str
    code: str
    postcode: str


def _required(text: str, empty: str, longest: int, too_long: str) -> tuple[str, str | None]:
    tidy = " ".join(text.split())
    if not tidy:
        return tidy, empty
    if len(tidy) > longest:
        return tidy, too_long
    return tidy, None


def check_urn(text: str) -> tuple[str, str | None]:
    tidy = "".join(text.split())
    if not tidy:
        return tidy, "Enter a URN"
    if not _URN.match(tidy):
        return tidy, "Enter a URN with 6 digits, like 100000"
    return tidy, None


def check_ukprn(text: str) -> tuple[str, str | None]:
    tidy = "".join(text.split())
    if not tidy:
        return tidy, "Enter a UKPRN"
    if not _UKPRN.match(tidy):
        return tidy, "Enter a UKPRN with 8 digits starting with 1, like 10012345"
    return tidy, None


def check_postcode(text: str) -> tuple[str, str | None]:
    if not text.strip():
        return "", "Enter a postcode"
    normal = normalise_postcode(text)
    if normal is None:
        return text.strip(), "Enter a real postcode, like SW1A 1AA"
    return normal, None


def check_district(text: str) -> tuple[str, str | None]:
    tidy = "".join(text.split()).upper()
    if not tidy:
        return tidy, "Enter a district code"
    if not _DISTRICT.match(tidy):
        return tidy, "Enter a district code in the correct format, like E09000002"
    return tidy, None


def check_provider_code(text: str) -> tuple[str, str | None]:
    tidy = "".join(text.split()).upper()
    if not tidy:
        return tidy, "Enter a provider code"
    if not _PROVIDER_CODE.match(tidy):
        return tidy, "Enter a provider code of 3 letters or numbers, like 1TZ"
    return tidy, None


def check_vendor_number(text: str) -> tuple[str, str | None]:
    tidy = "".join(text.split())
    if not tidy:
        return tidy, "Enter a vendor number"
    if not _VENDOR_NUMBER.match(tidy):
        return tidy, f"Enter a vendor number of up to {VENDOR_NUMBER_MAX} letters or numbers"
    return tidy, None


def _text(label: str, what: str, longest: int) -> tuple[str, int, str]:
    return f"Enter {what}", longest, f"{label} must be {longest} characters or fewer"


_SCHOOL_TEXT = {
    NAME: _text("School name", "the school's name", NAME_MAX),
    ADDRESS1: _text("Address line 1", "address line 1", LINE_MAX),
    TOWN: _text("Town or city", "the town or city", TOWN_MAX),
    LOCAL_AUTHORITY: _text("Local authority", "the local authority", NAME_MAX),
    ESTABLISHMENT_TYPE: _text("Establishment type", "the establishment type", NAME_MAX),
    GROUP: _text("Establishment group", "the establishment group", NAME_MAX),
    PHASE: _text("Phase", "the phase of education", TOWN_MAX),
}


def check_school(typed: dict[str, str]) -> tuple[dict[str, str], dict[str, str], SchoolEntry | None]:
    """The typed school tidied, the problems by field (page order), and the school when there are none."""
    tidy: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name in SCHOOL_FIELDS:
        text = typed.get(name, "")
        if name in _SCHOOL_TEXT:
            empty, longest, too_long = _SCHOOL_TEXT[name]
            value, problem = _required(text, empty, longest, too_long)
        elif name == URN:
            value, problem = check_urn(text)
        elif name == POSTCODE:
            value, problem = check_postcode(text)
        else:
            value, problem = check_district(text)
        tidy[name] = value
        if problem:
            problems[name] = problem
    return tidy, problems, None if problems else SchoolEntry(**tidy)


def check_provider(typed: dict[str, str]) -> tuple[dict[str, str], dict[str, str], ProviderEntry | None]:
    """The typed provider tidied, the problems by field (page order), and the provider when there are none."""
    checks = {
        NAME: lambda text: _required(
            text, "Enter the provider's name", NAME_MAX, f"Provider name must be {NAME_MAX} characters or fewer"
        ),
        UKPRN: check_ukprn,
        CODE: check_provider_code,
        POSTCODE: check_postcode,
    }
    tidy: dict[str, str] = {}
    problems: dict[str, str] = {}
    for name in PROVIDER_FIELDS:
        value, problem = checks[name](typed.get(name, ""))
        tidy[name] = value
        if problem:
            problems[name] = problem
    return tidy, problems, None if problems else ProviderEntry(**tidy)
