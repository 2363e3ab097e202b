"""The invitation and removal emails a school user gets: pure content builders."""

from __future__ import annotations

from shared.claims import user_emails
from shared.claims.emails import SUPPORT_EMAIL
from shared.claims.people import Role, User

USER = User(
    user_id="user-0f3c2a",
    first_name="Grace",
    last_name="O'Neill",
    email="grace.oneill@example.org",
    role=Role.SCHOOL,
)
SCHOOL = "Riverside Bridge Primary Academy"


def test_invitation_says_where_to_sign_in_and_with_which_account() -> None:
    # When Grace is invited to a school
    message = user_emails.invitation(USER, SCHOOL, "https://claim.example.gov.uk/")
    # Then the email goes to her, with the exact subject, and is filed under her user id
    assert message.kind == "user_invited"
    assert message.to == "grace.oneill@example.org"
    assert message.subject == "Invitation to join Claim funding for mentor training"
    assert message.reference == "user-0f3c2a"
    # And the body says which school, what the service is for, where to sign in and how to get help
    assert "Dear Grace O'Neill," in message.body
    assert f"You have been added to Claim funding for mentor training for {SCHOOL}." in message.body
    assert "claim funding for the time your general mentors spend" in message.body
    assert "\nhttps://claim.example.gov.uk/sign-in\n" in message.body
    assert "DfE Sign-in account that uses this email address (grace.oneill@example.org)" in message.body
    assert SUPPORT_EMAIL in message.body


def test_removal_says_which_school_and_who_to_contact() -> None:
    # When Grace is removed from a school
    message = user_emails.removal(USER, SCHOOL)
    # Then she is told, with the exact subject, filed under her user id
    assert message.kind == "user_removed"
    assert message.to == "grace.oneill@example.org"
    assert message.subject == "You have been removed from Claim funding for mentor training"
    assert message.reference == "user-0f3c2a"
    assert f"You have been removed from Claim funding for mentor training for {SCHOOL}." in message.body
    assert f"If you think this is a mistake, email {SUPPORT_EMAIL}" in message.body


def test_no_name_is_ever_the_reference() -> None:
    # Given any user
    for message in (user_emails.invitation(USER, SCHOOL, "https://x.example"), user_emails.removal(USER, SCHOOL)):
        # Then the reference (which is logged) carries neither their first nor their last name
        assert "Grace" not in message.reference
        assert "Neill" not in message.reference


def test_typed_names_cannot_add_formatting_or_links_to_the_email() -> None:
    # Given a colleague typed a name with Notify markdown in it
    user = USER.model_copy(update={"first_name": "[Click here](https://evil.example)", "last_name": "**Bold** #1"})
    # When the emails are built
    for message in (user_emails.invitation(user, SCHOOL, "https://x.example"), user_emails.removal(user, SCHOOL)):
        greeting = message.body.splitlines()[0]
        # Then the greeting keeps the words but none of the formatting
        assert greeting == "Dear Click herehttps://evil.example Bold 1,"
        assert not any(character in greeting for character in "[]()*#")


def test_the_sign_in_link_does_not_double_a_slash() -> None:
    assert user_emails.sign_in_url("https://claim.example.gov.uk") == "https://claim.example.gov.uk/sign-in"
    assert user_emails.sign_in_url("https://claim.example.gov.uk/") == "https://claim.example.gov.uk/sign-in"


def test_the_invitation_reads_exactly_as_written() -> None:
    # When Grace is invited to a school
    message = user_emails.invitation(USER, SCHOOL, "https://claim.example.gov.uk/")
    # Then the whole body is the agreed content, line for line (Notify markdown: # is a heading)
    assert message.body.splitlines() == [
        "Dear Grace O'Neill,",
        "",
        f"You have been added to Claim funding for mentor training for {SCHOOL}.",
        "",
        "# What the service is for",
        "",
        "Use this service to claim funding for the time your general mentors spend in initial teacher training (ITT) "
        "mentor training with an accredited ITT provider.",
        "",
        "# Sign in",
        "",
        "You need a DfE Sign-in account that uses this email address (grace.oneill@example.org). If you do not have "
        "one, you can create one when you sign in.",
        "",
        "Sign in to Claim funding for mentor training:",
        "https://claim.example.gov.uk/sign-in",
        "",
        "# Get help",
        "",
        f"If you were not expecting this email, or you need help, email {SUPPORT_EMAIL}",
    ]


def test_the_removal_reads_exactly_as_written() -> None:
    # When Grace is removed from a school
    message = user_emails.removal(USER, SCHOOL)
    # Then the whole body is the agreed content, line for line
    assert message.body.splitlines() == [
        "Dear Grace O'Neill,",
        "",
        f"You have been removed from Claim funding for mentor training for {SCHOOL}.",
        "",
        f"You can no longer claim funding for mentor training for {SCHOOL}.",
        "",
        f"If you think this is a mistake, email {SUPPORT_EMAIL}",
    ]


def test_the_sign_in_link_keeps_the_service_url_s_own_path() -> None:
    # Given a service served under a path (ending in a capital X, as a path may) / Then only the slash goes
    assert user_emails.sign_in_url("https://example.gov.uk/claim-X/") == "https://example.gov.uk/claim-X/sign-in"
