"""Organisations typed in by hand, what a search asks for, and the add organisation journey's steps (ADR 0024)."""

from __future__ import annotations

import pytest

from shared.claims.organisation_entry import (
    PROVIDER_FIELDS,
    SCHOOL_FIELDS,
    DirectoryEntry,
    OrganisationKind,
    SearchKind,
    check_district,
    check_postcode,
    check_provider,
    check_school,
    check_ukprn,
    check_urn,
    check_vendor_number,
    classify_search,
    normalise_postcode,
    postcode_parts,
)
from shared.journeys.add_organisation import (
    CHECK_ANSWERS,
    DETAILS,
    FIND,
    FLOW,
    TYPE,
    VENDOR_NUMBER,
    OrganisationAnswers,
    back_from,
    cannot_find,
    chosen,
    read_choice,
    read_type,
    with_type,
)

SCHOOL = {
    "name": "  Plover   Street School ",
    "urn": "990 950",
    "address1": "2 Plover Street",
    "town": "London",
    "postcode": "nw12db",
    "local_authority_name": "Camden",
    "type_of_establishment": "Community school",
    "group": "Local authority maintained schools",
    "phase": "Primary",
    "district_admin_code": "e09000007",
}


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("", SearchKind.NONE),
        ("108125", SearchKind.URN),
        (" 10012345 ", SearchKind.UKPRN),
        ("20012345", SearchKind.NAME),  # 8 digits not starting with 1: not a UKPRN
        ("sw1a 1aa", SearchKind.POSTCODE),
        ("SW1A1AA", SearchKind.POSTCODE),
        ("LS1", SearchKind.POSTCODE),
        ("The Meadowbank", SearchKind.NAME),
        ("leeds", SearchKind.NAME),
    ],
)
def test_a_search_is_read_as_a_urn_ukprn_postcode_or_name(typed: str, kind: SearchKind) -> None:
    assert classify_search(typed).kind is kind


def test_a_postcode_search_keeps_its_outward_code_and_whole_postcode() -> None:
    whole = classify_search("ls1 4ap")
    assert (whole.outward_code, whole.postcode_key) == ("LS1", "LS14AP")
    outward = classify_search("ls1")
    assert (outward.outward_code, outward.postcode_key) == ("LS1", "")
    assert classify_search("The Meadowbank").text == "meadowbank"  # folded as the name index is


def test_postcodes_are_normalised_or_refused() -> None:
    assert normalise_postcode(" sw1a   1aa ") == "SW1A 1AA"
    assert normalise_postcode("NOT A POSTCODE") is None
    assert postcode_parts("e1 6an") == ("E1", "E16AN")
    assert postcode_parts("") == (None, None)


@pytest.mark.parametrize(
    ("check", "typed", "expected"),
    [
        (check_urn, "", "Enter a URN"),
        (check_urn, "12345", "Enter a URN with 6 digits, like 100000"),
        (check_urn, "1234567", "Enter a URN with 6 digits, like 100000"),
        (check_urn, "12345a", "Enter a URN with 6 digits, like 100000"),
        (check_ukprn, "", "Enter a UKPRN"),
        (check_ukprn, "20012345", "Enter a UKPRN with 8 digits starting with 1, like 10012345"),
        (check_ukprn, "1001234", "Enter a UKPRN with 8 digits starting with 1, like 10012345"),
        (check_postcode, " ", "Enter a postcode"),
        (check_postcode, "12345", "Enter a real postcode, like SW1A 1AA"),
        (check_district, "", "Enter a district code"),
        (check_district, "E0900000", "Enter a district code in the correct format, like E09000002"),
        (check_district, "X09000002", "Enter a district code in the correct format, like E09000002"),
        (check_vendor_number, "", "Enter a vendor number"),
        (check_vendor_number, "abc-1", "Enter a vendor number of up to 20 letters or numbers"),
        (check_vendor_number, "1" * 21, "Enter a vendor number of up to 20 letters or numbers"),
    ],
)
def test_each_field_says_what_is_wrong(check: object, typed: str, expected: str) -> None:
    assert callable(check)
    assert check(typed)[1] == expected


@pytest.mark.parametrize(
    ("check", "typed", "tidy"),
    [
        (check_urn, " 100 000 ", "100000"),
        (check_ukprn, "10012345", "10012345"),
        (check_postcode, "sw1a1aa", "SW1A 1AA"),
        (check_district, "e09000002", "E09000002"),
        (check_vendor_number, " AB12cd ", "AB12cd"),
        (check_vendor_number, "1" * 20, "1" * 20),
    ],
)
def test_good_values_are_tidied(check: object, typed: str, tidy: str) -> None:
    assert callable(check)
    assert check(typed) == (tidy, None)


def test_a_school_typed_in_is_tidied_when_every_field_is_right() -> None:
    tidy, problems, entry = check_school(SCHOOL)
    assert problems == {}
    assert entry is not None
    assert (entry.name, entry.urn, entry.postcode, entry.district_admin_code) == (
        "Plover Street School",
        "990950",
        "NW1 2DB",
        "E09000007",
    )
    assert list(tidy) == list(SCHOOL_FIELDS)


def test_every_missing_or_too_long_school_field_is_named_in_page_order() -> None:
    _, problems, entry = check_school({})
    assert entry is None
    assert list(problems) == list(SCHOOL_FIELDS)
    _, long, _ = check_school({**SCHOOL, "name": "x" * 101, "town": "y" * 61, "phase": "z" * 61})
    assert long == {
        "name": "School name must be 100 characters or fewer",
        "town": "Town or city must be 60 characters or fewer",
        "phase": "Phase must be 60 characters or fewer",
    }


def test_a_provider_typed_in_is_checked() -> None:
    _, problems, entry = check_provider({})
    assert entry is None
    assert list(problems) == list(PROVIDER_FIELDS)
    tidy, problems, entry = check_provider({"name": "Heron", "ukprn": "10099902", "code": "9hx", "postcode": "ls14ap"})
    assert problems == {}
    assert entry is not None
    assert (entry.code, entry.postcode) == ("9HX", "LS1 4AP")
    assert check_provider({"name": "H", "ukprn": "10099902", "code": "9HXX", "postcode": "LS1 4AP"})[1] == {
        "code": "Enter a provider code of 3 letters or numbers, like 1TZ"
    }
    assert tidy["name"] == "Heron"


def test_a_directory_entry_knows_its_page_and_identifier() -> None:
    school = DirectoryEntry(kind=OrganisationKind.SCHOOL, organisation_id="108125", name="The Oak School", urn="108125")
    provider = DirectoryEntry(
        kind=OrganisationKind.ACCREDITED_PROVIDER, organisation_id="1TZ", name="Oak SCITT", ukprn="10012345"
    )
    assert (school.path, school.identifier) == ("/support/organisations/schools/108125", "URN 108125")
    assert (provider.path, provider.identifier) == ("/support/organisations/providers/1TZ", "UKPRN 10012345")
    assert school.sort_key.startswith("oak school#")  # by folded name: "The" does not count


# -- the journey ---------------------------------------------------------------------------------------------------
def test_a_type_must_be_chosen_and_a_new_type_starts_again() -> None:
    assert read_type({})[0] is None
    assert read_type({"organisation_type": ["nonsense"]})[1].summary == [
        {"text": "Select the type of organisation", "href": "#organisation_type"}
    ]
    answers = chosen(OrganisationAnswers(organisation_type="school", search="x"), "108125", "Oak")
    assert with_type(answers, "school") is answers
    assert with_type(answers, "provider") == OrganisationAnswers(organisation_type="provider")


def test_a_held_school_goes_from_find_to_the_vendor_number_and_back_passes_typing_in() -> None:
    answers = chosen(OrganisationAnswers(organisation_type="school", search="oak"), "108125", "Oak")
    assert FLOW.next_after(answers) == VENDOR_NUMBER
    assert back_from(answers, VENDOR_NUMBER) == FIND  # not the typing-in step: it does not apply
    done = answers.model_copy(update={"vendor_number": "V1"})
    assert FLOW.next_after(done) == CHECK_ANSWERS
    assert back_from(done, FIND) == TYPE


def test_a_provider_has_no_vendor_number_and_one_typed_in_goes_through_the_details() -> None:
    provider = chosen(OrganisationAnswers(organisation_type="provider", search="1TZ"), "1TZ", "Oak SCITT")
    assert FLOW.next_after(provider) == CHECK_ANSWERS
    assert back_from(provider, CHECK_ANSWERS) == FIND
    typing = cannot_find(provider)
    assert (typing.chosen_id, typing.manual) == ("", True)
    assert FLOW.next_after(typing) == DETAILS
    typed = typing.model_copy(update={"typed": {"name": "Heron"}})
    assert FLOW.next_after(typed) == CHECK_ANSWERS
    assert back_from(typed, CHECK_ANSWERS) == DETAILS


def test_only_an_offered_organisation_can_be_chosen() -> None:
    assert read_choice({"organisation": ["108125"]}, {"108125": "Oak"})[0] == "108125"
    missing, errors = read_choice({"organisation": ["999999"]}, {"108125": "Oak"})
    assert missing is None
    assert errors.summary == [{"text": "Select an organisation", "href": "#organisation"}]
