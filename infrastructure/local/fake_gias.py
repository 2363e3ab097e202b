"""A fake of GIAS's public downloads on loopback: `GET /edubasealldata<YYYYMMDD>.csv` (ADR 0035).

It serves a generated extract with GIAS's real header row (all 140 columns, in GIAS's order), ISO-8859-1, streamed
as it is written (no Content-Length, as a large download may come), so the nightly task's real client
(`shared.integrations.gias`) and the importer behind it are what run. A day the extract has not been published for
is 404, as GIAS answers.

The local stack serves the demo's schools as GIAS lists them (`demo_extract`): every seeded school open and
unchanged, plus a few schools new to the service, a closed one, a British school overseas and a malformed row, so
firing the nightly schedule shows an import that adds, skips and leaves the demo as it is. Tests and `make bench`
give it their own rows (`generated_rows`: tens of thousands, mostly open schools in England, with closed, overseas,
Welsh and malformed rows mixed in).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, cast
from urllib.parse import urlsplit

from infrastructure.local.demo_data.records import SeedSchool

ENCODING: Final = "iso-8859-1"
GIAS_HEADER: Final[tuple[str, ...]] = (
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)",
    "CloseDate",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Boarders (code)",
    "Boarders (name)",
    "NurseryProvision (name)",
    "OfficialSixthForm (code)",
    "OfficialSixthForm (name)",
    "Gender (code)",
    "Gender (name)",
    "ReligiousCharacter (code)",
    "ReligiousCharacter (name)",
    "ReligiousEthos (name)",
    "Diocese (code)",
    "Diocese (name)",
    "AdmissionsPolicy (code)",
    "AdmissionsPolicy (name)",
    "SchoolCapacity",
    "SpecialClasses (code)",
    "SpecialClasses (name)",
    "CensusDate",
    "NumberOfPupils",
    "NumberOfBoys",
    "NumberOfGirls",
    "PercentageFSM",
    "TrustSchoolFlag (code)",
    "TrustSchoolFlag (name)",
    "Trusts (code)",
    "Trusts (name)",
    "SchoolSponsorFlag (name)",
    "SchoolSponsors (name)",
    "FederationFlag (name)",
    "Federations (code)",
    "Federations (name)",
    "UKPRN",
    "FEHEIdentifier",
    "FurtherEducationType (name)",
    "OfstedLastInsp",
    "OfstedSpecialMeasures (code)",
    "OfstedSpecialMeasures (name)",
    "LastChangedDate",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    "Postcode",
    "SchoolWebsite",
    "TelephoneNum",
    "HeadTitle (name)",
    "HeadFirstName",
    "HeadLastName",
    "HeadPreferredJobTitle",
    "BSOInspectorateName (name)",
    "InspectorateReport",
    "DateOfLastInspectionVisit",
    "NextInspectionVisit",
    "TeenMoth (name)",
    "TeenMothPlaces",
    "CCF (name)",
    "SENPRU (name)",
    "EBD (name)",
    "PlacesPRU",
    "FTProv (name)",
    "EdByOther (name)",
    "Section41Approved (name)",
    "SEN1 (name)",
    "SEN2 (name)",
    "SEN3 (name)",
    "SEN4 (name)",
    "SEN5 (name)",
    "SEN6 (name)",
    "SEN7 (name)",
    "SEN8 (name)",
    "SEN9 (name)",
    "SEN10 (name)",
    "SEN11 (name)",
    "SEN12 (name)",
    "SEN13 (name)",
    "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll",
    "ResourcedProvisionCapacity",
    "SenUnitOnRoll",
    "SenUnitCapacity",
    "GOR (code)",
    "GOR (name)",
    "DistrictAdministrative (code)",
    "DistrictAdministrative (name)",
    "AdministrativeWard (code)",
    "AdministrativeWard (name)",
    "ParliamentaryConstituency (code)",
    "ParliamentaryConstituency (name)",
    "UrbanRural (code)",
    "UrbanRural (name)",
    "GSSLACode (name)",
    "Easting",
    "Northing",
    "MSOA (name)",
    "LSOA (name)",
    "InspectorateName (name)",
    "SENStat",
    "SENNoStat",
    "BoardingEstablishment (name)",
    "PropsName",
    "PreviousLA (code)",
    "PreviousLA (name)",
    "PreviousEstablishmentNumber",
    "OfstedRating (name)",
    "RSCRegion (name)",
    "Country (name)",
    "UPRN",
    "SiteName",
    "QABName (code)",
    "QABName (name)",
    "EstablishmentAccredited (code)",
    "EstablishmentAccredited (name)",
    "QABReport",
    "CHNumber",
    "MSOA (code)",
    "LSOA (code)",
    "FSM",
    "AccreditationExpiryDate",
)

_NAME = re.compile(r"edubasealldata(\d{8})\.csv")

# GIAS's status codes beside its status names
_STATUS_CODES: Final = {"Open": "1", "Closed": "2", "Open, but proposed to close": "3", "Proposed to open": "4"}

Row = Sequence[str]
# The extract a day is served with (rows after the header), or None: not published (404).
Extract = Callable[[dt.date], Iterable[Row] | None]


def row(values: Mapping[str, str]) -> list[str]:
    """A row in the header's order: the named columns set, the rest blank (as most of GIAS's 140 are for a school)."""
    unknown = set(values) - set(GIAS_HEADER)
    if unknown:
        raise ValueError(f"not GIAS columns: {sorted(unknown)}")
    return [values.get(name, "") for name in GIAS_HEADER]


def establishment(
    urn: str,
    name: str,
    *,
    status: str = "Open",
    close_date: str = "",
    la_code: str = "383",
    la_name: str = "Leeds",
    type_code: str = "1",
    type_name: str = "Community school",
    group: str = "Local authority maintained schools",
    phase: str = "Primary",
    district_code: str = "E08000035",
    district_name: str = "Leeds",
    urban_rural: str = "(England/Wales) Urban major conurbation",
    street: str = "",
    town: str = "",
    postcode: str = "",
    ukprn: str = "",
    telephone: str = "",
    website: str = "",
    trust_uid: str = "",
    trust_name: str = "",
    country: str = "United Kingdom",
) -> dict[str, str]:
    """The columns GIAS fills for a school (by GIAS's names), for `row`."""
    return {
        "URN": urn,
        "LA (code)": la_code,
        "LA (name)": la_name,
        "EstablishmentName": name,
        "TypeOfEstablishment (code)": type_code,
        "TypeOfEstablishment (name)": type_name,
        "EstablishmentTypeGroup (name)": group,
        "EstablishmentStatus (code)": _STATUS_CODES.get(status, ""),
        "EstablishmentStatus (name)": status,
        "CloseDate": close_date,
        "PhaseOfEducation (name)": phase,
        "TrustSchoolFlag (code)": "1" if trust_uid else "0",
        "Trusts (code)": trust_uid,
        "Trusts (name)": trust_name,
        "UKPRN": ukprn,
        "Street": street,
        "Town": town,
        "Postcode": postcode,
        "SchoolWebsite": website,
        "TelephoneNum": telephone,
        "DistrictAdministrative (code)": district_code,
        "DistrictAdministrative (name)": district_name,
        "UrbanRural (name)": urban_rural,
        "Country (name)": country,
    }


def school_row(school: SeedSchool, *, status: str = "Open", close_date: str = "") -> list[str]:
    """A seeded school as GIAS lists it (what the import would store it as)."""
    return row(
        establishment(
            school.urn,
            school.name,
            status=status,
            close_date=close_date,
            la_code=school.local_authority_code,
            la_name=school.local_authority_name,
            type_name=school.type_of_establishment,
            group=school.group,
            phase=school.phase,
            district_code=school.district_admin_code,
            district_name=school.district_admin_name,
            urban_rural=school.urban_or_rural,
            street=school.address1,
            town=school.town,
            postcode=school.postcode,
            ukprn=school.ukprn or "",
            telephone=school.telephone,
            website=school.website,
            trust_uid=school.trust_uid or "",
            trust_name=school.trust_name or "",
        )
    )


_DISTRICTS: Final = (  # (LA code, LA name, district code, district name): a region of each kind
    ("383", "Leeds", "E08000035", "Leeds"),
    ("202", "Camden", "E09000007", "Camden"),
    ("306", "Croydon", "E09000008", "Croydon"),
    ("919", "Hertfordshire", "E07000103", "Watford"),
    ("878", "Devon", "E07000045", "Teignbridge"),
)
_KINDS: Final = (  # (type code, type name, group name, phase)
    ("1", "Community school", "Local authority maintained schools", "Primary"),
    ("28", "Academy sponsor led", "Academies", "Secondary"),
    ("3", "Voluntary controlled school", "Local authority maintained schools", "Primary"),
    ("35", "Free schools", "Free Schools", "All-through"),
)


def generated_rows(count: int, first_urn: int = 600_000, seed: int = 35) -> Iterator[list[str]]:
    """`count` rows, one at a time: open schools in England 9 times in 10; else closed, a British school overseas,
    a Welsh establishment, or (1 in 500) a malformed row of three cells. Names carry Latin-1 letters."""
    rng = random.Random(seed)  # noqa: S311 - generated rows, not secrets
    for index in range(count):
        urn = first_urn + index
        la_code, la_name, district, district_name = rng.choice(_DISTRICTS)
        type_code, type_name, group, phase = rng.choice(_KINDS)
        values = establishment(
            str(urn),
            f"École St Mary's Primary School {urn}",
            la_code=la_code,
            la_name=la_name,
            type_code=type_code,
            type_name=type_name,
            group=group,
            phase=phase,
            district_code=district,
            district_name=district_name,
            street=f"{rng.randint(1, 200)} School Lane",
            town=district_name,
            postcode=f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}AB",
            ukprn=f"1{urn:07d}",
            telephone=f"0113{urn:07d}"[:11],
            website=f"www.school{urn}.example.sch.uk",
        )
        roll = rng.random()
        if roll < 0.06:
            values.update({"EstablishmentStatus (code)": "2", "EstablishmentStatus (name)": "Closed"})
            values["CloseDate"] = f"31-08-{rng.randint(1995, 2025)}"
        elif roll < 0.07:
            values.update(
                {
                    "TypeOfEstablishment (code)": "37",
                    "TypeOfEstablishment (name)": "British schools overseas",
                    "LA (code)": "0",
                    "LA (name)": "Does not apply",
                    "Country (name)": "Spain",
                }
            )
        elif roll < 0.075:
            values.update(
                {
                    "TypeOfEstablishment (code)": "30",
                    "TypeOfEstablishment (name)": "Welsh establishment",
                    "LA (code)": "673",
                    "LA (name)": "Cardiff",
                    "Country (name)": "Wales",
                }
            )
        cells = row(values)
        yield cells[:3] if rng.random() < 0.002 else cells


def demo_extract(schools: Sequence[SeedSchool]) -> list[list[str]]:
    """What the local stack serves: the demo's schools as they are, and five rows that show what an import does."""
    return [
        *(school_row(school) for school in schools),
        row(establishment("149001", "Harbour View Primary School", town="Leeds", postcode="LS9 8AB")),
        row(establishment("149002", "Kestrel Academy", type_code="28", type_name="Academy sponsor led")),
        row(establishment("149003", "Old Mill Infant School", status="Closed", close_date="31-08-2024")),
        row(
            establishment(
                "149004",
                "British School of Málaga",
                type_code="37",
                type_name="British schools overseas",
                la_code="0",
                la_name="Does not apply",
                country="Spain",
            )
        ),
        ["149005", "383", "Leeds"],  # cut short: a malformed row
    ]


def every_day(rows: Callable[[], Iterable[Row]], today: Callable[[], dt.date]) -> Extract:
    """An extract published for every day up to today (later days are 404, as GIAS's are)."""

    def extract(day: dt.date) -> Iterable[Row] | None:
        return rows() if day <= today() else None

    return extract


def write_extract(out: io.TextIOBase | Any, rows: Iterable[Row], header: Sequence[str] = GIAS_HEADER) -> None:
    """The header row and the rows, as GIAS writes them (CRLF line ends) to a text stream."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)


def gias_server(
    extract: Extract, host: str = "127.0.0.1", port: int = 0, header: Sequence[str] = GIAS_HEADER
) -> ThreadingHTTPServer:
    """`GET /edubasealldata<YYYYMMDD>.csv`: 200 with the day's extract (ISO-8859-1, streamed, no charset in its
    Content-Type, as GIAS sends it), or 404. `header` is GIAS's unless a test wants a file that is not GIAS's."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # the body ends when the connection closes: streamed, no length

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            found = _NAME.fullmatch(urlsplit(self.path).path.rsplit("/", 1)[-1])
            day = _day(found.group(1)) if found else None
            rows = extract(day) if day else None
            if rows is None:
                body = b"The resource you are looking for has been removed or is temporarily unavailable."
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            text = io.TextIOWrapper(
                cast(Any, self.wfile), encoding=ENCODING, errors="replace", newline="", write_through=False
            )
            try:
                write_extract(text, rows, header)
                text.flush()
            finally:
                text.detach()

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="fake-gias", daemon=True).start()
    return server


def _day(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
