"""What every email has in common: its shape on the queue and the environment in its subject."""

from __future__ import annotations

import pytest

from shared.claims.emails import EmailMessage, subject_with_environment


@pytest.mark.parametrize("environment", ["production", "test"])
def test_production_and_test_emails_have_the_subject_as_written(environment: str) -> None:
    # Given an email from production or the test suite / Then its subject has no environment in it
    assert subject_with_environment("Claim submitted", environment) == "Claim submitted"


@pytest.mark.parametrize(
    ("environment", "subject"), [("qa", "[QA] Claim submitted"), ("local", "[LOCAL] Claim submitted")]
)
def test_other_environments_put_their_name_in_capitals_before_the_subject(environment: str, subject: str) -> None:
    # Given an email from QA or a developer's machine / Then the subject says where it came from, as the live one does
    assert subject_with_environment("Claim submitted", environment) == subject


def test_an_email_address_is_trimmed_and_must_look_like_one() -> None:
    # Given an address typed with spaces around it / Then it is kept without them
    message = EmailMessage(kind="k", to="  anne@example.org ", subject="s", body="b", reference="r")
    assert message.to == "anne@example.org"
    # And something that is not an address is refused
    with pytest.raises(ValueError, match="not an email address"):
        EmailMessage(kind="k", to="anne at example.org", subject="s", body="b", reference="r")
