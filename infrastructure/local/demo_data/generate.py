"""Build the demo data from the tables and the named people. The same `today` always gives the same data.

One `random.Random(SEED)` makes every choice, in a fixed order (schools, providers, teachers, eligibility,
users), so changing what one step draws changes everything after it: add new draws at the end. Funding
regions and academic years are the service's own (`shared.claims.regions`, `shared.claims.academic_years`).
"""

from __future__ import annotations

import datetime
import random
import re
import unicodedata
from collections.abc import Sequence
from typing import Final

from infrastructure.local.demo_data.personas import (
    ALWAYS_ELIGIBLE_URNS,
    DEMO_TEACHERS,
    EXTRA_PROVIDER_USERS,
    EXTRA_SCHOOL_USERS,
    MARY_LAWSON_TRUST_UID,
    NAMED_SCHOOLS,
    NOT_ELIGIBLE_SCHOOL_URN,
    PERSONAS,
    Person,
)
from infrastructure.local.demo_data.records import (
    COLLEGES,
    CONURBATION,
    INDEPENDENT,
    LA_MAINTAINED,
    SPECIAL,
    SeedClaimWindow,
    SeedData,
    SeedProvider,
    SeedSchool,
    SeedTeacher,
    SeedUser,
)
from infrastructure.local.demo_data.table_files import (
    COFE_SAINTS,
    FIRST_NAMES,
    KINDS,
    LAST_NAMES,
    PLACE_NAMES,
    PROVIDERS,
    RC_SAINTS,
    STREETS,
    TRUSTS,
    URBAN_RURAL_MIXES,
    District,
    SchoolKind,
    districts_with_schools,
)
from shared.claims.academic_years import AcademicYear
from shared.claims.regions import Region, region_for_district
from shared.claims.window_rules import next_window_id

SEED: Final[int] = 20260901

# How many schools each region gets in all, the named schools included.
SCHOOLS_PER_REGION: Final[dict[Region, int]] = {
    Region.INNER_LONDON: 40,
    Region.OUTER_LONDON: 34,
    Region.FRINGE: 46,
    Region.REST_OF_ENGLAND: 120,
}
TEACHER_COUNT: Final[int] = 320
ELIGIBLE_SHARE: Final[float] = 0.9

_POSTCODE_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"
_PROVIDER_CODE_LETTERS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ"
_PROVIDER_CODE_PATTERNS: Final = ("dll", "ldd", "ldl", "dld")  # d a digit, l a letter
_TRUST_SHARE: Final = 0.75  # of academies in a trust's district that join it (the rest are single-academy trusts)
_SCITT_URN_SHARE: Final = 0.6
_UKPRNS: Final = (10000000, 10099999)
_TRNS: Final = (1100000, 3999999)  # 1000001-1000003 are the demo teachers'
_PROVIDER_URNS: Final = (136000, 149999)
_BORN_FROM: Final = datetime.date(1960, 1, 1)
_BORN_TO: Final = datetime.date(2000, 12, 31)


def ascii_slug(text: str, separator: str = "") -> str:
    """Lower-case ASCII letters and digits of `text`, words joined by `separator`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", plain.replace("'", ""))
    return separator.join(words)


def _postcode(rng: random.Random, outward: str) -> str:
    letters = "".join(rng.choice(_POSTCODE_LETTERS) for _ in range(2))
    return f"{outward} {rng.randint(1, 9)}{letters}"


def _unique_number(rng: random.Random, low: int, high: int, used: set[str], width: int) -> str:
    while True:
        candidate = f"{rng.randint(low, high):0{width}d}"
        if candidate not in used:
            used.add(candidate)
            return candidate


# -- schools ----------------------------------------------------------------------------------------


def _pick_kind(rng: random.Random, region: Region) -> SchoolKind:
    kinds = [kind for kind in KINDS if kind.in_london or region in (Region.FRINGE, Region.REST_OF_ENGLAND)]
    return rng.choices(kinds, weights=[kind.weight for kind in kinds])[0]


def _school_name(rng: random.Random, kind: SchoolKind, used_names: set[str]) -> str:
    while True:
        template = rng.choice(kind.templates)
        name = template.format(place=rng.choice(PLACE_NAMES), cofe=rng.choice(COFE_SAINTS), rc=rng.choice(RC_SAINTS))
        if name not in used_names:
            used_names.add(name)
            return name


def _website(name: str, kind: SchoolKind, district: District) -> str:
    slug = ascii_slug(name.replace("Church of England", "CE").removesuffix(" School"))
    if kind.group in (LA_MAINTAINED, SPECIAL):
        return f"https://www.{slug}.{ascii_slug(district.la_name.split(',')[0])}.sch.uk"
    if kind.group == INDEPENDENT:
        return f"https://www.{slug}.co.uk"
    if kind.group == COLLEGES:
        return f"https://www.{slug}.ac.uk"
    return f"https://www.{slug}.org.uk"


def _trust_for(rng: random.Random, name: str, district: District, used_uids: set[str]) -> tuple[str, str]:
    for trust in TRUSTS:
        if district.code in trust.district_codes and rng.random() < _TRUST_SHARE:
            return trust.uid, trust.name
    # A single-academy trust named after its school.
    return _unique_number(rng, 10000, 19999, used_uids, 5), f"{name} Trust"


def _generated_school(
    rng: random.Random,
    region: Region,
    district: District,
    kind: SchoolKind,
    used_names: set[str],
    used_urns: set[str],
    used_ukprns: set[str],
    used_trust_uids: set[str],
) -> SeedSchool:
    name = _school_name(rng, kind, used_names)
    urn = _unique_number(rng, kind.urn_range[0], kind.urn_range[1], used_urns, 6)
    town, outward = rng.choice(district.towns)
    ukprn = _unique_number(rng, *_UKPRNS, used_ukprns, 8) if rng.random() < kind.ukprn_share else None
    trust_uid: str | None = None
    trust_name: str | None = None
    if kind.academy:
        trust_uid, trust_name = _trust_for(rng, name, district, used_trust_uids)
    in_london = region in (Region.INNER_LONDON, Region.OUTER_LONDON)
    urban_or_rural = CONURBATION if in_london else rng.choice(URBAN_RURAL_MIXES[district.setting])
    return SeedSchool(
        urn=urn,
        name=name,
        local_authority_name=district.la_name,
        local_authority_code=district.la_code,
        district_admin_code=district.code,
        district_admin_name=district.name,
        type_of_establishment=kind.type_of_establishment,
        group=kind.group,
        phase=kind.phase,
        urban_or_rural=urban_or_rural,
        town=town,
        postcode=_postcode(rng, outward),
        address1=rng.choice(STREETS),
        telephone=f"{district.phone_prefix}{rng.randint(0, 999):03d}",
        website=_website(name, kind, district),
        ukprn=ukprn,
        trust_uid=trust_uid,
        trust_name=trust_name,
        vendor_number=f"V{urn}",  # the payer's id: every demo school has one (no claim is paid without)
    )


def _build_schools(rng: random.Random) -> tuple[SeedSchool, ...]:
    used_names = {school.name for school in NAMED_SCHOOLS}
    used_urns = {school.urn for school in NAMED_SCHOOLS}
    used_ukprns = {school.ukprn for school in NAMED_SCHOOLS if school.ukprn is not None}
    used_trust_uids = {MARY_LAWSON_TRUST_UID} | {trust.uid for trust in TRUSTS}
    schools: list[SeedSchool] = list(NAMED_SCHOOLS)
    for region in Region:
        districts = districts_with_schools(region)
        named = sum(1 for school in NAMED_SCHOOLS if region_for_district(school.district_admin_code) is region)
        # Rest of England starts with one school of every kind, so every kind appears at least once.
        mandatory = list(KINDS) if region is Region.REST_OF_ENGLAND else []
        for index in range(SCHOOLS_PER_REGION[region] - named):
            district = districts[index % len(districts)]  # round the districts, so each gets schools
            kind = mandatory[index] if index < len(mandatory) else _pick_kind(rng, region)
            schools.append(
                _generated_school(rng, region, district, kind, used_names, used_urns, used_ukprns, used_trust_uids)
            )
    return tuple(schools)


# -- providers and teachers -------------------------------------------------------------------------


def _provider_code(rng: random.Random, used: set[str]) -> str:
    while True:
        pattern = rng.choice(_PROVIDER_CODE_PATTERNS)
        code = "".join(rng.choice("0123456789" if part == "d" else _PROVIDER_CODE_LETTERS) for part in pattern)
        if code not in used:
            used.add(code)
            return code


def _build_providers(rng: random.Random, used_urns: set[str], used_ukprns: set[str]) -> tuple[SeedProvider, ...]:
    used_codes: set[str] = set()
    providers: list[SeedProvider] = []
    for row in PROVIDERS:
        code = _provider_code(rng, used_codes)
        ukprn = _unique_number(rng, *_UKPRNS, used_ukprns, 8)
        has_urn = row.provider_type == "lead_school" or (
            row.provider_type == "scitt" and rng.random() < _SCITT_URN_SHARE
        )
        urn = _unique_number(rng, *_PROVIDER_URNS, used_urns, 6) if has_urn else None
        providers.append(
            SeedProvider(
                code=code,
                name=row.name,
                provider_type=row.provider_type,
                accredited=row.accredited,
                ukprn=ukprn,
                urn=urn,
                postcode=_postcode(rng, row.outward_code),
                email=f"itt@{row.email_domain}",
                city=row.city,
            )
        )
    return tuple(providers)


def _build_teachers(rng: random.Random) -> tuple[SeedTeacher, ...]:
    used_trns = {teacher.trn for teacher in DEMO_TEACHERS}
    teachers = list(DEMO_TEACHERS)
    while len(teachers) < TEACHER_COUNT:
        teachers.append(
            SeedTeacher(
                trn=_unique_number(rng, *_TRNS, used_trns, 7),
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                date_of_birth=datetime.date.fromordinal(rng.randint(_BORN_FROM.toordinal(), _BORN_TO.toordinal())),
            )
        )
    return tuple(teachers)


# -- eligibility, users and windows -----------------------------------------------------------------


def _eligible_urns(rng: random.Random, schools: Sequence[SeedSchool]) -> tuple[str, ...]:
    eligible: list[str] = []
    for school in schools:
        draw = rng.random()  # drawn for every school, so one school's rule never moves another's draw
        if school.urn == NOT_ELIGIBLE_SCHOOL_URN:
            continue
        if school.urn in ALWAYS_ELIGIBLE_URNS or draw < ELIGIBLE_SHARE:
            eligible.append(school.urn)
    return tuple(eligible)


def _school_email_domain(school: SeedSchool) -> str:
    return school.website.removeprefix("https://").removeprefix("www.")


def _user(
    person: Person,
    school_urns: tuple[str, ...],
    schools_by_urn: dict[str, SeedSchool],
    providers_by_name: dict[str, SeedProvider],
) -> SeedUser:
    domain = person.email_domain
    organisation_ids = school_urns
    if person.provider_name is not None:
        provider = providers_by_name[person.provider_name]
        organisation_ids = (provider.code,)
        domain = domain or provider.email.split("@")[1]
    elif school_urns:
        domain = domain or _school_email_domain(schools_by_urn[school_urns[0]])
    if domain is None:
        raise ValueError(f"{person.first_name} {person.last_name} needs an email domain or an organisation")
    return SeedUser(
        user_id=f"user-{ascii_slug(f'{person.first_name} {person.last_name}', '-')}",
        first_name=person.first_name,
        last_name=person.last_name,
        email=f"{ascii_slug(person.first_name, '-')}.{ascii_slug(person.last_name, '-')}@{domain}",
        role=person.role,
        organisation_ids=organisation_ids,
    )


def _build_users(
    rng: random.Random,
    schools: Sequence[SeedSchool],
    providers: Sequence[SeedProvider],
    eligible_urns: Sequence[str],
) -> tuple[SeedUser, ...]:
    schools_by_urn = {school.urn: school for school in schools}
    providers_by_name = {provider.name: provider for provider in providers}
    users = [_user(person, person.school_urns, schools_by_urn, providers_by_name) for person in PERSONAS]
    named_urns = {school.urn for school in NAMED_SCHOOLS}
    candidates = [urn for urn in eligible_urns if urn not in named_urns]
    picked = rng.sample(candidates, k=sum(1 for person in EXTRA_SCHOOL_USERS if not person.school_urns))
    # Two of the extra users share a school, so a generated school has colleagues too.
    picked[3] = picked[2]
    picks = iter(picked)
    for person in EXTRA_SCHOOL_USERS:
        urns = person.school_urns or (next(picks),)
        users.append(_user(person, urns, schools_by_urn, providers_by_name))
    users += [_user(person, (), schools_by_urn, providers_by_name) for person in EXTRA_PROVIDER_USERS]
    return tuple(users)


def _build_claim_windows(today: datetime.date) -> tuple[SeedClaimWindow, ...]:
    """Last academic year's window (1 May to 30 June, closed) and this year's, open around `today`."""
    current = AcademicYear.for_date(today)
    previous = AcademicYear(current.start_year - 1)
    return (
        SeedClaimWindow(
            window_id=next_window_id(previous, ()),
            academic_year=previous.name,
            opens_on=datetime.date(current.start_year, 5, 1),
            closes_on=datetime.date(current.start_year, 6, 30),
        ),
        SeedClaimWindow(
            window_id=next_window_id(current, ()),
            academic_year=current.name,
            opens_on=today - datetime.timedelta(days=20),
            closes_on=today + datetime.timedelta(days=45),
        ),
    )


def build_seed_data(today: datetime.date) -> SeedData:
    """Build the demo data set. The same `today` always gives the same data."""
    rng = random.Random(SEED)  # noqa: S311 - demo data must be reproducible, not secret
    schools = _build_schools(rng)
    used_urns = {school.urn for school in schools}
    used_ukprns = {school.ukprn for school in schools if school.ukprn is not None}
    providers = _build_providers(rng, used_urns, used_ukprns)
    teachers = _build_teachers(rng)
    eligible = _eligible_urns(rng, schools)
    users = _build_users(rng, schools, providers, eligible)
    return SeedData(
        schools=schools,
        providers=providers,
        teachers=teachers,
        users=users,
        claim_windows=_build_claim_windows(today),
        eligible_school_urns=eligible,
    )
