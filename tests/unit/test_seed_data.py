"""Tests for the local demo data set (infrastructure/local/seed_data.py)."""

import collections
import dataclasses
import datetime
import hashlib
import itertools
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from infrastructure.local import seed_data
from infrastructure.local.seed_data import (
    DEMO_TEACHERS,
    FRINGE_CODES,
    INNER_LONDON_CODES,
    NOT_ELIGIBLE_SCHOOL_URN,
    OUTER_LONDON_CODES,
    SeedData,
    SeedSchool,
    academic_year_for,
    build_seed_data,
    personas,
    region_for_district,
)

TODAY = datetime.date(2026, 10, 1)
REPO_ROOT = Path(__file__).resolve().parents[2]

POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}$")
REGIONS = ("Inner London", "Outer London", "Fringe", "Rest of England")

INNER_LONDON_LA_NAMES = {
    "Barking and Dagenham",
    "Brent",
    "Camden",
    "City of London",
    "Ealing",
    "Greenwich",
    "Hackney",
    "Hammersmith and Fulham",
    "Haringey",
    "Islington",
    "Kensington and Chelsea",
    "Lambeth",
    "Lewisham",
    "Merton",
    "Newham",
    "Southwark",
    "Tower Hamlets",
    "Wandsworth",
    "Westminster",
}
OUTER_LONDON_LA_NAMES = {
    "Barnet",
    "Bexley",
    "Bromley",
    "Croydon",
    "Enfield",
    "Harrow",
    "Havering",
    "Hillingdon",
    "Hounslow",
    "Kingston upon Thames",
    "Redbridge",
    "Richmond upon Thames",
    "Sutton",
    "Waltham Forest",
}
FRINGE_LA_NAMES = {
    "Bracknell Forest",
    "Slough",
    "Windsor and Maidenhead",
    "Buckinghamshire",
    "Essex",
    "Thurrock",
    "Hertfordshire",
    "Kent",
    "West Sussex",
    "Surrey",
}


@pytest.fixture(scope="module")
def data() -> SeedData:
    return build_seed_data(TODAY)


def region_of(school: SeedSchool) -> str:
    return region_for_district(school.district_admin_code)


def schools_by_urn(data: SeedData) -> dict[str, SeedSchool]:
    return {school.urn: school for school in data.schools}


# --- Funding region lists -------------------------------------------------------------------------


def test_region_code_lists_have_the_reference_counts_and_no_duplicates() -> None:
    # Given the three code lists copied from DfE's itt-mentor-services `regional_areas.rb`
    lists = (INNER_LONDON_CODES, OUTER_LONDON_CODES, FRINGE_CODES)
    # When they are counted
    counts = tuple(len(codes) for codes in lists)
    all_codes = [code for codes in lists for code in codes]
    # Then they hold 19, 14 and 33 codes, 66 in all, none repeated
    assert counts == (19, 14, 33)
    assert len(set(all_codes)) == 66
    assert all(re.fullmatch(r"E0[6-9]\d{6}", code) for code in all_codes)


def test_inner_and_outer_london_together_cover_every_london_borough() -> None:
    # Given every London ONS code E09000001..E09000033
    london = {f"E09{n:06d}" for n in range(1, 34)}
    # When the Inner and Outer London lists are combined
    combined = set(INNER_LONDON_CODES) | set(OUTER_LONDON_CODES)
    # Then they are exactly the London codes, with the DfE pay-area oddities in Inner London
    assert combined == london
    for code in ("E09000002", "E09000005", "E09000009", "E09000024"):  # Barking, Brent, Ealing, Merton
        assert code in INNER_LONDON_CODES


def test_fringe_list_matches_the_reference_order_at_its_ends() -> None:
    # Given the Fringe list
    # When its first and last codes and the Buckinghamshire codes are read
    # Then they match the source order of `regional_areas.rb`
    assert FRINGE_CODES[0] == "E06000036"  # Bracknell Forest
    assert FRINGE_CODES[-1] == "E07000212"  # Runnymede
    assert FRINGE_CODES[3:6] == ("E06000060", "E07000006", "E07000005")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("E09000007", "Inner London"),  # Camden
        ("E09000002", "Inner London"),  # Barking and Dagenham
        ("E09000008", "Outer London"),  # Croydon
        ("E09000031", "Outer London"),  # Waltham Forest
        ("E06000060", "Fringe"),  # Buckinghamshire
        ("E07000005", "Fringe"),  # Chiltern (inactive)
        ("E07000212", "Fringe"),  # Runnymede
        ("E08000025", "Rest of England"),  # Birmingham
        ("E07000243", "Rest of England"),  # Stevenage: Hertfordshire but not Fringe
        ("E07000004", "Rest of England"),  # Aylesbury Vale legacy code: not listed
        ("", "Rest of England"),
        (None, "Rest of England"),
    ],
)
def test_region_for_district(code: str | None, expected: str) -> None:
    # Given a district code  # When it is looked up  # Then the region is as listed
    assert region_for_district(code) == expected


def test_region_for_district_maps_every_listed_code_to_its_own_list() -> None:
    # Given every listed code
    # When each is looked up
    # Then it gets the region of the list it is in
    assert {region_for_district(code) for code in INNER_LONDON_CODES} == {"Inner London"}
    assert {region_for_district(code) for code in OUTER_LONDON_CODES} == {"Outer London"}
    assert {region_for_district(code) for code in FRINGE_CODES} == {"Fringe"}


# --- Schools --------------------------------------------------------------------------------------


def test_there_are_at_least_220_schools_with_at_least_10_in_each_region(data: SeedData) -> None:
    # Given the seed data
    # When schools are counted per region
    per_region = collections.Counter(region_of(school) for school in data.schools)
    # Then there are 220 or more, and 10 or more in each of the four regions
    assert len(data.schools) >= 220
    for region in REGIONS:
        assert per_region[region] >= 10, region


def test_london_and_fringe_schools_use_listed_codes_and_real_local_authorities(data: SeedData) -> None:
    # Given the schools outside Rest of England
    for school in data.schools:
        region = region_of(school)
        # When their district and LA are read
        # Then the code is in the list for the region and the LA name is a real one for it
        if region == "Inner London":
            assert school.district_admin_code in INNER_LONDON_CODES
            assert school.local_authority_name in INNER_LONDON_LA_NAMES
            assert school.district_admin_name == school.local_authority_name
        elif region == "Outer London":
            assert school.district_admin_code in OUTER_LONDON_CODES
            assert school.local_authority_name in OUTER_LONDON_LA_NAMES
            assert school.district_admin_name == school.local_authority_name
        elif region == "Fringe":
            assert school.district_admin_code in FRINGE_CODES
            assert school.local_authority_name in FRINGE_LA_NAMES


def test_schools_use_many_districts_in_each_listed_region(data: SeedData) -> None:
    # Given the schools
    # When the distinct district codes are collected per region
    districts: dict[str, set[str]] = collections.defaultdict(set)
    for school in data.schools:
        districts[region_of(school)].add(school.district_admin_code)
    # Then every London district has a school, most Fringe districts do, and Rest of England is varied
    assert districts["Inner London"] == set(INNER_LONDON_CODES)
    assert districts["Outer London"] == set(OUTER_LONDON_CODES)
    assert len(districts["Fringe"]) >= 20
    assert len(districts["Rest of England"]) >= 20


def test_rest_of_england_schools_have_real_looking_unlisted_district_codes(data: SeedData) -> None:
    # Given the Rest of England schools
    listed = set(INNER_LONDON_CODES) | set(OUTER_LONDON_CODES) | set(FRINGE_CODES)
    rest = [school for school in data.schools if region_of(school) == "Rest of England"]
    # When their district codes are checked
    # Then each is an ONS district code (not a county code) that is in none of the lists
    for school in rest:
        assert re.fullmatch(r"E0[6-8]\d{6}", school.district_admin_code), school
        assert school.district_admin_code not in listed
        assert school.district_admin_name
    codes = {school.district_admin_code for school in rest}
    assert {"E08000025", "E08000003", "E06000023", "E08000035"} <= codes


def test_school_identifiers_and_names_are_unique_and_well_formed(data: SeedData) -> None:
    # Given the schools
    urns = [school.urn for school in data.schools]
    names = [school.name for school in data.schools]
    # When their fields are checked
    # Then URNs and names are unique and every GIAS field is in a plausible format
    assert len(set(urns)) == len(urns)
    assert len(set(names)) == len(names)
    for school in data.schools:
        assert re.fullmatch(r"1\d{5}", school.urn), school.urn
        assert re.fullmatch(r"\d{3}", school.local_authority_code), school
        assert POSTCODE.fullmatch(school.postcode), school.postcode
        assert re.fullmatch(r"0\d{2,4} \d{3,4} ?\d{3,4}", school.telephone), school.telephone
        assert school.website.startswith("https://www.")
        assert school.name.strip() == school.name
        assert school.town
        assert school.address1
        assert school.urban_or_rural.startswith("(England/Wales) ")
        assert school.vendor_number == f"V{school.urn}"  # every demo school can be paid


def test_about_half_of_schools_have_a_ukprn(data: SeedData) -> None:
    # Given the schools
    ukprns = [school.ukprn for school in data.schools if school.ukprn is not None]
    # When their UKPRNs are checked
    share = len(ukprns) / len(data.schools)
    # Then roughly half have one, each 8 digits starting with 1, and none repeats
    assert 0.35 <= share <= 0.65
    assert all(re.fullmatch(r"1\d{7}", ukprn) for ukprn in ukprns)
    assert len(set(ukprns)) == len(ukprns)


def test_schools_mix_establishment_types_groups_phases_and_settings(data: SeedData) -> None:
    # Given the schools
    types = {school.type_of_establishment for school in data.schools}
    groups = {school.group for school in data.schools}
    phases = {school.phase for school in data.schools}
    settings = {school.urban_or_rural for school in data.schools}
    # When the distinct values are collected
    # Then each classification is mixed, covering the common GIAS values
    assert {
        "Community school",
        "Academy converter",
        "Voluntary aided school",
        "Free schools",
        "Foundation school",
        "Academy sponsor led",
    } <= types
    assert {
        "Local authority maintained schools",
        "Academies",
        "Free Schools",
        "Independent schools",
    } <= groups
    assert {"Primary", "Secondary", "All-through", "16 plus", "Nursery", "Middle deemed secondary"} <= phases
    assert {
        "(England/Wales) Urban major conurbation",
        "(England/Wales) Urban city and town",
        "(England/Wales) Rural town and fringe",
        "(England/Wales) Rural village",
    } <= settings


def test_at_least_three_trusts_have_two_or_more_schools(data: SeedData) -> None:
    # Given the schools in trusts
    in_trusts = [school for school in data.schools if school.trust_uid is not None]
    # When they are grouped by trust
    sizes = collections.Counter(school.trust_uid for school in in_trusts)
    names: dict[str | None, set[str | None]] = collections.defaultdict(set)
    for school in in_trusts:
        names[school.trust_uid].add(school.trust_name)
    # Then three or more trusts have 2+ schools, and each trust uid has exactly one name
    assert sum(1 for size in sizes.values() if size >= 2) >= 3
    assert all(len(trust_names) == 1 and None not in trust_names for trust_names in names.values())


def test_academies_and_free_schools_are_in_trusts_and_maintained_schools_are_not(data: SeedData) -> None:
    # Given the schools
    for school in data.schools:
        # When their group is read
        # Then academies and free schools have a trust; LA maintained schools do not
        if school.group in ("Academies", "Free Schools"):
            assert school.trust_uid is not None, school
            assert school.trust_name, school
        if school.group == "Local authority maintained schools":
            assert school.trust_uid is None, school
            assert school.trust_name is None, school


# --- Providers ------------------------------------------------------------------------------------


def test_there_are_enough_accredited_and_non_accredited_providers(data: SeedData) -> None:
    # Given the providers
    accredited = [provider for provider in data.providers if provider.accredited]
    not_accredited = [provider for provider in data.providers if not provider.accredited]
    # When they are counted  # Then there are 35+ accredited and 5+ non-accredited
    assert len(accredited) >= 35
    assert len(not_accredited) >= 5


def test_provider_identifiers_are_unique_and_well_formed(data: SeedData) -> None:
    # Given the providers
    providers = data.providers
    # When their fields are checked
    # Then codes, UKPRNs, names and emails are unique and in the Publish formats
    for field in ("code", "ukprn", "name", "email"):
        values = [getattr(provider, field) for provider in providers]
        assert len(set(values)) == len(values), field
    for provider in providers:
        assert re.fullmatch(r"[A-Z0-9]{3}", provider.code), provider.code
        assert re.fullmatch(r"1\d{7}", provider.ukprn), provider.ukprn
        assert provider.urn is None or re.fullmatch(r"1\d{5}", provider.urn)
        assert provider.provider_type in ("university", "scitt", "lead_school")
        assert POSTCODE.fullmatch(provider.postcode), provider.postcode
        assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9-]+\.(ac|org)\.uk", provider.email), provider.email
        assert provider.city
    # And provider UKPRNs never collide with school UKPRNs
    school_ukprns = {school.ukprn for school in data.schools}
    assert not school_ukprns & {provider.ukprn for provider in providers}


def test_named_providers_exist_and_some_names_share_words(data: SeedData) -> None:
    # Given the providers by name
    by_name = {provider.name: provider for provider in data.providers}
    # When the named ones are looked up
    # Then they exist and are accredited, and several names share the word "Leeds"
    assert by_name["Best Practice Network"].accredited
    assert by_name["National Institute of Teaching"].accredited
    assert sum(1 for name in by_name if "Leeds" in name.split()) >= 2
    assert any(provider.provider_type == "university" and provider.urn is None for provider in data.providers)
    hubs = [provider for provider in data.providers if provider.provider_type == "lead_school"]
    assert hubs
    assert not any(provider.accredited for provider in hubs)


# --- Teachers -------------------------------------------------------------------------------------


def test_demo_teachers_are_exactly_the_three_documented_records(data: SeedData) -> None:
    # Given the demo teacher constants
    # When they are read
    by_trn = {teacher.trn: teacher.date_of_birth for teacher in DEMO_TEACHERS}
    # Then they are the three TRNs and dates of birth the demo relies on, with names
    assert by_trn == {
        "1000001": datetime.date(1980, 1, 1),
        "1000002": datetime.date(1981, 2, 2),
        "1000003": datetime.date(1982, 3, 3),
    }
    assert all(teacher.first_name and teacher.last_name for teacher in DEMO_TEACHERS)
    # And each is in the data set exactly once
    for teacher in DEMO_TEACHERS:
        assert data.teachers.count(teacher) == 1


def test_there_are_at_least_320_teachers_with_unique_seven_digit_trns(data: SeedData) -> None:
    # Given the teachers
    trns = [teacher.trn for teacher in data.teachers]
    # When their TRNs are checked
    # Then there are 320+, each unique and 7 digits, and only the demo teachers use 1000001-1000003
    assert len(data.teachers) >= 320
    assert len(set(trns)) == len(trns)
    assert all(re.fullmatch(r"\d{7}", trn) for trn in trns)
    demo_trns = {"1000001", "1000002", "1000003"}
    assert [trn for trn in trns if trn in demo_trns] == ["1000001", "1000002", "1000003"]


def test_other_teachers_have_realistic_names_and_dates_of_birth(data: SeedData) -> None:
    # Given the teachers other than the demo ones
    others = [teacher for teacher in data.teachers if teacher not in DEMO_TEACHERS]
    # When their names and dates of birth are checked
    # Then dates fall in 1960-2000 and the names are varied
    for teacher in others:
        assert datetime.date(1960, 1, 1) <= teacher.date_of_birth <= datetime.date(2000, 12, 31)
        assert teacher.first_name.strip()
        assert teacher.last_name.strip()
    assert len({teacher.first_name for teacher in others}) >= 50
    assert len({teacher.last_name for teacher in others}) >= 50


# --- Users and personas ---------------------------------------------------------------------------


def test_personas_come_in_a_fixed_order_with_stable_ids(data: SeedData) -> None:
    # Given the seed data
    # When the personas are asked for
    result = personas(data)
    # Then they are Anne, Mary, Colin, Sam and Patricia, in that order, with stable ids and roles
    assert [(user.first_name, user.last_name, user.role) for user in result] == [
        ("Anne", "Wilson", "school"),
        ("Mary", "Lawson", "school"),
        ("Colin", "Chapman", "support"),
        ("Sam", "Brooks", "support"),
        ("Patricia", "Adeyemi", "provider"),
    ]
    assert [user.user_id for user in result] == [
        "user-anne-wilson",
        "user-mary-lawson",
        "user-colin-chapman",
        "user-sam-brooks",
        "user-patricia-adeyemi",
    ]


def test_anne_wilson_has_one_eligible_rest_of_england_school(data: SeedData) -> None:
    # Given Anne Wilson
    anne = personas(data)[0]
    # When her school is looked up
    (urn,) = anne.organisation_ids
    school = schools_by_urn(data)[urn]
    # Then it is eligible and in Rest of England
    assert urn in data.eligible_school_urns
    assert region_of(school) == "Rest of England"
    assert urn == seed_data.ANNE_WILSON_SCHOOL_URN


def test_mary_lawson_has_two_eligible_schools_of_one_trust_in_different_regions(data: SeedData) -> None:
    # Given Mary Lawson
    mary = personas(data)[1]
    # When her schools are looked up
    schools = [schools_by_urn(data)[urn] for urn in mary.organisation_ids]
    # Then there are exactly two, both eligible, in one trust, one Inner London and one elsewhere
    assert len(schools) == 2
    assert all(school.urn in data.eligible_school_urns for school in schools)
    assert schools[0].trust_uid is not None
    assert schools[0].trust_uid == schools[1].trust_uid
    regions = [region_of(school) for school in schools]
    assert regions[0] == "Inner London"
    assert regions[1] in ("Outer London", "Fringe")


def test_support_personas_have_education_emails_and_no_organisations(data: SeedData) -> None:
    # Given Colin Chapman and Sam Brooks
    colin, sam = personas(data)[2:4]
    # When their details are read
    # Then they have the documented emails and belong to no organisation
    assert colin.email == "colin.chapman@education.gov.uk"
    assert sam.email == "sam.brooks@education.gov.uk"
    assert colin.organisation_ids == ()
    assert sam.organisation_ids == ()


def test_patricia_adeyemi_belongs_to_one_accredited_provider(data: SeedData) -> None:
    # Given Patricia Adeyemi
    patricia = personas(data)[4]
    providers = {provider.code: provider for provider in data.providers}
    # When her provider is looked up
    (code,) = patricia.organisation_ids
    # Then it is an accredited provider in the data set
    assert providers[code].accredited
    assert providers[code].name == seed_data.PATRICIA_ADEYEMI_PROVIDER_NAME


def test_users_are_consistent_and_schools_have_colleagues(data: SeedData) -> None:
    # Given all users
    users = data.users
    urns = {school.urn for school in data.schools}
    codes = {provider.code for provider in data.providers}
    persona_ids = {user.user_id for user in personas(data)}
    # When their ids, emails and organisations are checked
    # Then ids and emails are unique, and every organisation exists for the user's role
    assert len({user.user_id for user in users}) == len(users)
    assert len({user.email.lower() for user in users}) == len(users)
    for user in users:
        assert re.fullmatch(r"user-[a-z]+(-[a-z]+)+", user.user_id), user.user_id
        assert re.fullmatch(r"[a-z0-9.-]+@[a-z0-9.-]+\.[a-z]+", user.email), user.email
        if user.role == "school":
            assert user.organisation_ids
            assert set(user.organisation_ids) <= urns
        elif user.role == "provider":
            assert user.organisation_ids
            assert set(user.organisation_ids) <= codes
        else:
            assert user.role == "support"
    # And there are extra school users, some sharing a school, including a persona's school
    extras = [user for user in users if user.role == "school" and user.user_id not in persona_ids]
    assert len(extras) >= 3
    members = collections.Counter(urn for user in users if user.role == "school" for urn in user.organisation_ids)
    assert members[seed_data.ANNE_WILSON_SCHOOL_URN] >= 2
    assert sum(1 for count in members.values() if count >= 2) >= 2


# --- Claim windows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 9, 1), "2026 to 2027"),
        (datetime.date(2026, 12, 31), "2026 to 2027"),
        (datetime.date(2027, 1, 1), "2026 to 2027"),
        (datetime.date(2027, 8, 31), "2026 to 2027"),
        (datetime.date(2026, 8, 31), "2025 to 2026"),
        (datetime.date(2027, 9, 1), "2027 to 2028"),
    ],
)
def test_academic_year_for(day: datetime.date, expected: str) -> None:
    # Given a day  # When its academic year is asked for  # Then it runs 1 September to 31 August
    assert academic_year_for(day) == expected


def test_current_window_is_open_today_for_the_current_academic_year(data: SeedData) -> None:
    # Given the windows built for TODAY
    current = [window for window in data.claim_windows if window.academic_year == academic_year_for(TODAY)]
    # When the current one is read
    (window,) = current
    # Then it opened 20 days ago, closes in 45 days (30 or more) and has a deterministic id
    assert window.opens_on == TODAY - datetime.timedelta(days=20)
    assert window.closes_on == TODAY + datetime.timedelta(days=45)
    assert window.opens_on <= TODAY <= window.closes_on
    assert (window.closes_on - TODAY).days >= 30
    assert window.window_id == "window-2026-to-2027-1"


def test_there_is_a_closed_window_for_the_previous_academic_year(data: SeedData) -> None:
    # Given the windows built for TODAY
    previous = [window for window in data.claim_windows if window.academic_year == "2025 to 2026"]
    # When the previous year's one is read
    (window,) = previous
    # Then it is closed, lies inside that academic year and has a deterministic id
    assert window.closes_on < TODAY
    assert window.opens_on <= window.closes_on
    assert academic_year_for(window.opens_on) == academic_year_for(window.closes_on) == "2025 to 2026"
    assert window.window_id == "window-2025-to-2026-1"
    assert len(data.claim_windows) == 2


@pytest.mark.parametrize("today", [datetime.date(2026, 9, 1), datetime.date(2027, 3, 15), datetime.date(2027, 8, 31)])
def test_windows_never_overlap_whatever_today_is(today: datetime.date) -> None:
    # Given windows built on days across an academic year
    windows = sorted(build_seed_data(today).claim_windows, key=lambda window: window.opens_on)
    # When consecutive windows are compared
    # Then each closes before the next opens, and the current one is open today
    for earlier, later in itertools.pairwise(windows):
        assert earlier.closes_on < later.opens_on
    assert windows[-1].opens_on <= today <= windows[-1].closes_on
    assert windows[-1].academic_year == academic_year_for(today)


# --- Eligibility ----------------------------------------------------------------------------------


def test_most_schools_are_eligible_including_all_persona_schools(data: SeedData) -> None:
    # Given the eligible URNs
    eligible = set(data.eligible_school_urns)
    urns = {school.urn for school in data.schools}
    persona_urns = {urn for user in personas(data) if user.role == "school" for urn in user.organisation_ids}
    # When they are compared with the schools
    share = len(eligible) / len(urns)
    # Then about 90% are eligible, all of them real schools, including every persona school
    assert len(eligible) == len(data.eligible_school_urns)
    assert eligible <= urns
    assert 0.85 <= share < 1.0
    assert persona_urns <= eligible
    # And every school user's school is eligible, so every seeded school user can claim
    for user in data.users:
        if user.role == "school":
            assert set(user.organisation_ids) <= eligible


def test_the_named_not_eligible_school_exists_and_is_not_eligible(data: SeedData) -> None:
    # Given the named non-eligible school
    school = schools_by_urn(data)[NOT_ELIGIBLE_SCHOOL_URN]
    # When eligibility is checked
    # Then it is a real school in the data, but not eligible
    assert school.name
    assert NOT_ELIGIBLE_SCHOOL_URN not in data.eligible_school_urns


# --- Determinism ----------------------------------------------------------------------------------


def test_the_same_today_gives_identical_data() -> None:
    # Given the same day
    # When the data is built twice
    first = build_seed_data(TODAY)
    second = build_seed_data(TODAY)
    # Then the two are equal
    assert first == second


def test_a_different_today_only_changes_the_window_dates() -> None:
    # Given two days in the same academic year and one in the next
    first = build_seed_data(datetime.date(2026, 10, 1))
    second = build_seed_data(datetime.date(2027, 2, 10))
    next_year = build_seed_data(datetime.date(2027, 10, 1))
    # When everything but the windows is compared
    # Then it is identical
    assert dataclasses.replace(first, claim_windows=()) == dataclasses.replace(second, claim_windows=())
    assert dataclasses.replace(first, claim_windows=()) == dataclasses.replace(next_year, claim_windows=())
    # And within one academic year only the current window's dates differ
    assert [w.window_id for w in first.claim_windows] == [w.window_id for w in second.claim_windows]
    assert [w.academic_year for w in first.claim_windows] == [w.academic_year for w in second.claim_windows]
    assert first.claim_windows != second.claim_windows


def test_building_does_not_touch_the_global_random_generator() -> None:
    # Given the global random generator in a known state
    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    # When the data is built
    build_seed_data(TODAY)
    # Then the global generator has not moved
    assert random.random() == expected


def test_the_data_is_the_same_in_processes_with_different_hash_seeds() -> None:
    # Given two fresh interpreters with different string hash seeds
    script = (
        "import datetime, hashlib\n"
        "from infrastructure.local.seed_data import build_seed_data\n"
        "print(hashlib.sha256(repr(build_seed_data(datetime.date(2026, 10, 1))).encode()).hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        # When each builds the data
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPO_ROOT,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip())
    # Then both produce exactly the same data as this process
    local = hashlib.sha256(repr(build_seed_data(TODAY)).encode()).hexdigest()
    assert digests == {local}


# --- Documentation --------------------------------------------------------------------------------


def test_module_docstring_documents_the_data_set_in_10_to_20_lines() -> None:
    # Given the module docstring
    doc = seed_data.__doc__ or ""
    # When its lines are counted
    lines = doc.strip().splitlines()
    # Then it has 10 to 20 lines and names the personas and demo TRNs
    assert 10 <= len(lines) <= 20
    names = ("Anne Wilson", "Mary Lawson", "Colin Chapman", "Sam Brooks", "Patricia Adeyemi")
    for needle in (*names, "1000001", "1000002", "1000003"):
        assert needle in doc


def test_module_docstring_counts_match_the_data(data: SeedData) -> None:
    # Given the counts the docstring states
    doc = seed_data.__doc__ or ""
    per_region = collections.Counter(region_of(school) for school in data.schools)
    accredited = sum(1 for provider in data.providers if provider.accredited)
    extra_users = len(data.users) - len(personas(data))
    # When they are compared with the built data
    # Then they agree, so the README copy stays true
    assert (
        f"{len(data.schools)} GIAS-style schools: {per_region['Inner London']} Inner London, "
        f"{per_region['Outer London']} Outer London, {per_region['Fringe']} Fringe, "
        f"{per_region['Rest of England']} Rest of England"
    ) in doc
    assert f"{len(data.providers)} Publish providers: {accredited} accredited" in doc
    assert f"and {len(data.providers) - accredited} non-accredited" in doc
    assert f"{len(data.teachers)} Teaching Record System teachers" in doc
    assert extra_users == 11  # ten more school users and one more provider user
