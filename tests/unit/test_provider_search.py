"""Finding an accredited provider by name, UKPRN, URN, code or postcode, best match first."""

from __future__ import annotations

from shared.claims.organisations import Provider
from shared.claims.provider_search import RESULTS_LIMIT, describe, search


def _provider(code: str, name: str, *, ukprn: str = "", urn: str | None = None, postcode: str = "") -> Provider:
    return Provider(
        code=code,
        name=name,
        provider_type="university",
        accredited=True,
        ukprn=ukprn or f"1{code:0>7}",
        urn=urn,
        postcode=postcode,
    )


HALLAM = _provider("N97", "Sheffield Hallam University", ukprn="10064688", urn="133795", postcode="S1 1WB")
TRINITY = _provider("L24", "Leeds Trinity University", ukprn="10003863", postcode="LS18 5HD")
NOT_ACCREDITED = Provider(
    code="X01", name="Sheffield Teaching Hub", provider_type="lead_school", accredited=False, ukprn="10099999"
)
NAMES = [HALLAM, TRINITY]


def _names(found: list[Provider]) -> list[str]:
    return [provider.name for provider in found]


def test_a_provider_is_found_by_each_of_its_identifiers() -> None:
    # Given two providers / When each identifier of Sheffield Hallam is searched for, in any case
    for query in ("10064688", "133795", "N97", "n97", "S1 1WB", "s1 1wb"):
        # Then it alone is found
        assert search(NAMES, query) == [HALLAM], query


def test_a_postcode_is_found_however_it_is_spaced() -> None:
    # Given a query with the postcode's space left out, or doubled / Then the provider is found
    for query in ("S11WB", "s1  1wb", " S1 1WB "):
        assert search(NAMES, query) == [HALLAM], query


def test_a_provider_is_found_by_the_start_of_its_name_or_every_word_in_it() -> None:
    # Given queries in any case, from the start of a name or words from anywhere in it, in any order
    assert search(NAMES, "SHEFFIELD hal") == [HALLAM]
    assert search(NAMES, "university trinity") == [TRINITY]
    # And a word that is in both names finds both, by name
    assert search(NAMES, "University") == [TRINITY, HALLAM]
    # But not when one of the words is in neither
    assert search(NAMES, "Trinity College") == []


def test_three_characters_of_a_postcode_find_providers_there_and_two_do_not() -> None:
    # Given the start of Leeds Trinity's postcode (LS18 5HD) / Then three characters find it
    assert search(NAMES, "LS1") == [TRINITY]
    assert search(NAMES, "ls18 5") == [TRINITY]
    # And two are too few to search postcodes with
    assert search(NAMES, "LS") == []


def test_an_exact_identifier_comes_first_then_the_start_of_a_name_then_words_then_a_postcode() -> None:
    # Given providers that match "LS1" in each of the four ways, listed in the reverse of that order and named
    # so that alphabetical order would also be the reverse
    postcode_start = _provider("A01", "Alpha Teaching Partnership", postcode="LS1 4AB")
    word_in_name = _provider("C01", "Consortium for LS1 Schools")
    name_start = _provider("L01", "LS1 Teacher Training")
    exact = _provider("Z01", "Zulu College", postcode="LS1")
    # When "LS1" is searched for
    found = search([postcode_start, word_in_name, name_start, exact], "LS1")
    # Then they come back best first
    assert found == [exact, name_start, word_in_name, postcode_start]


def test_providers_that_match_equally_well_are_listed_by_name_and_same_names_both_stay() -> None:
    # Given three providers whose names all start with "Bath", two of them with the same name
    spa = _provider("B02", "Bath Spa University")
    first = _provider("B01", "Bath Teaching Partnership")
    second = _provider("B03", "Bath Teaching Partnership")
    # When "bath" is searched for
    found = search([second, spa, first], "bath")
    # Then they are in name order, and the two of the same name both appear, in the order given
    assert found == [spa, second, first]


def test_only_accredited_providers_are_found_and_the_ones_after_them_still_are() -> None:
    # Given a provider that is not accredited, listed before two that are and one that does not match
    providers = [NOT_ACCREDITED, _provider("M01", "Manchester Metropolitan University"), HALLAM, TRINITY]
    # When "Sheffield" is searched for / Then only the accredited Sheffield provider is found
    assert search(providers, "Sheffield") == [HALLAM]
    # And a provider that does not match does not stop the search for the ones after it
    assert search(providers, "Leeds") == [TRINITY]


def test_an_empty_query_finds_nothing() -> None:
    # Given a query of nothing but spaces / Then nothing is found
    assert search(NAMES, "") == []
    assert search(NAMES, "   ") == []


def test_a_query_that_is_no_provider_s_identifier_finds_none_of_them() -> None:
    # Given providers without a URN or a postcode
    bare = [_provider("P01", "Plymouth Marjon University", ukprn="10005404")]
    # When things that are not their identifiers are searched for / Then nothing is found
    for query in ("999", "none", "urn", "university of nowhere"):
        assert search(bare, query) == [], query


def test_at_most_the_limit_is_returned() -> None:
    # Given more matching providers than the limit
    many = [_provider(f"U{n:02d}", f"University {n:02d}") for n in range(RESULTS_LIMIT + 5)]
    # Then the first 15 by name are returned, or fewer when asked
    assert _names(search(many, "university")) == [f"University {n:02d}" for n in range(RESULTS_LIMIT)]
    assert len(search(many, "university", limit=3)) == 3


def test_an_option_reads_name_then_ukprn_and_urn_when_there_is_one() -> None:
    # Given a provider with a URN and one without / Then each option reads as GOV.UK's autocomplete shows it
    assert describe(HALLAM) == "Sheffield Hallam University (UKPRN 10064688, URN 133795)"
    assert describe(TRINITY) == "Leeds Trinity University (UKPRN 10003863)"
