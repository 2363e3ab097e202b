"""Who may be a support user: an address exactly on one of the configured DfE domains; and their emails."""

from __future__ import annotations

import pytest

from shared.claims.people import Role, User
from shared.claims.support_users import (
    CannotRemoveYourself,
    added,
    check_removal,
    domains_of,
    on_domains,
    problems,
    removed,
)

DFE = domains_of("education.gov.uk, Digital.Education.gov.uk ,")
TESS = User(
    user_id="user-tess", first_name="Tess *", last_name="Tester", email="tess@education.gov.uk", role=Role.SUPPORT
)


def test_the_domains_setting_is_a_comma_separated_list() -> None:
    assert frozenset({"education.gov.uk", "digital.education.gov.uk"}) == DFE


@pytest.mark.parametrize(
    ("email", "ok"),
    [
        ("tess@education.gov.uk", True),
        ("Tess@EDUCATION.GOV.UK", True),
        ("tess@digital.education.gov.uk", True),
        ("tess@other.education.gov.uk", False),
        ("tess@education.gov.uk.example.com", False),
        ("tess@noteducation.gov.uk", False),
        ("education.gov.uk", False),
    ],
)
def test_an_address_must_be_exactly_on_a_dfe_domain(email: str, ok: bool) -> None:
    assert on_domains(email, DFE) is ok


def test_problems_come_in_page_order_one_per_field() -> None:
    assert problems({}, DFE) == {
        "first_name": "Enter a first name",
        "last_name": "Enter a last name",
        "email": "Enter an email address",
    }
    assert problems({"first_name": "T", "last_name": "T", "email": "tess@gmail.com"}, DFE) == {
        "email": "Enter an email address on a DfE domain, like name@education.gov.uk"
    }
    assert problems({"first_name": "T", "last_name": "T", "email": "tess@"}, DFE) == {
        "email": "Enter an email address in the correct format, like name@education.gov.uk"
    }


def test_nobody_removes_themselves() -> None:
    with pytest.raises(CannotRemoveYourself):
        check_removal(TESS, TESS)
    check_removal(TESS.model_copy(update={"user_id": "user-sam"}), TESS)


def test_the_emails_name_the_person_without_markdown() -> None:
    welcome = added(TESS, "https://claim.example/")
    assert (welcome.to, welcome.subject, welcome.reference) == (
        TESS.email,
        "You have been added as a support user",
        TESS.user_id,
    )
    assert "Dear Tess Tester," in welcome.body
    assert "https://claim.example/sign-in" in welcome.body
    assert removed(TESS).subject == "You have been removed as a support user"
