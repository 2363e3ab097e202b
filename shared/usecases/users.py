"""A school's users: list them, add one (with an invitation email), remove one (with a removal email).
The same for a provider's users, added and removed by support (`*_member`, for any organisation).

There is no admin/user split: every member of a school can add and remove the others, but not
themselves. An email address identifies a person across schools: adding an email that already
belongs to a school user makes that same user a member here too.
"""

from __future__ import annotations

import uuid

from shared.claims import user_emails
from shared.claims.emails import EMAIL_PATTERN, EmailMessage
from shared.claims.errors import DomainError, NotFound
from shared.claims.organisations import OrganisationRef, OrganisationType, School
from shared.claims.people import Membership, Role, User
from shared.claims.support_users import (
    FIRST_NAME_TOO_LONG,
    LAST_NAME_TOO_LONG,
    MAX_NAME_LENGTH,
    EmailTaken,
)
from shared.data.emails import enqueue
from shared.data.users import Members, Users
from shared.journeys.add_user import EMAIL, FIRST_NAME, LAST_NAME, NewUserAnswers, UserForm
from shared.journeys.add_user import read_form as read_user_form
from shared.journeys.add_user import typed as typed_user
from shared.journeys.forms import Form
from shared.observability import logger, metrics

ENTER_FIRST_NAME = "Enter a first name"
ENTER_LAST_NAME = "Enter a last name"
ENTER_EMAIL = "Enter an email address"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
EMAIL_IN_USE = "Email address already in use"
EMAIL_OTHER_ACCOUNT = "Enter an email address that is not used by a support or accredited provider account"
EMAIL_OTHER_ACCOUNT_PROVIDER = "Enter an email address that is not used by a support or school account"
ROLES = {OrganisationType.SCHOOL: Role.SCHOOL, OrganisationType.PROVIDER: Role.PROVIDER}
MAX_EMAIL_LENGTH = 254


class CannotRemoveYourself(DomainError):
    """A user may remove colleagues from a school, never themselves."""


class EmailBelongsToAnotherKindOfAccount(DomainError):
    """The email address is a support or provider user's: they cannot be made a school member (or a support
    or school user's, for a provider)."""


def _ref(school: School) -> OrganisationRef:
    return OrganisationRef(
        organisation_id=school.organisation_id, organisation_type=OrganisationType.SCHOOL, name=school.name
    )


def users_of(school: School) -> list[User]:
    """The school's users, by first name then last name."""
    return Members().of(school.organisation_id)


__all__ = [
    "EMAIL",
    "FIRST_NAME",
    "LAST_NAME",
    "CannotRemoveYourself",
    "EmailBelongsToAnotherKindOfAccount",
    "NewUserAnswers",
    "UserForm",
    "add_member",
    "add_user",
    "check_new_member",
    "check_new_user",
    "member_to_remove",
    "new_user_id",
    "problems",
    "read_form",
    "remove_member",
    "remove_user",
    "user_to_remove",
    "users_of",
]


def read_form(form: Form, school: School, new_user: str | None = None) -> UserForm:
    """The add user details as posted, with every problem adding them to this school would have."""
    return read_member_form(form, _ref(school), new_user)


def read_member_form(form: Form, organisation: OrganisationRef, new_user: str | None = None) -> UserForm:
    """The add user details as posted, with every problem adding them to this organisation would have."""
    found = check_new_member(organisation, NewUserAnswers(**typed_user(form)))
    return read_user_form(form, found, new_user or new_user_id())


def problems(answers: NewUserAnswers) -> dict[str, str]:
    """What is wrong with the answers on their own: field name → error message, in page order."""
    found: dict[str, str] = {}
    if not answers.first_name:
        found[FIRST_NAME] = ENTER_FIRST_NAME
    elif len(answers.first_name) > MAX_NAME_LENGTH:
        found[FIRST_NAME] = FIRST_NAME_TOO_LONG
    if not answers.last_name:
        found[LAST_NAME] = ENTER_LAST_NAME
    elif len(answers.last_name) > MAX_NAME_LENGTH:
        found[LAST_NAME] = LAST_NAME_TOO_LONG
    if not answers.email:
        found[EMAIL] = ENTER_EMAIL
    elif len(answers.email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(answers.email):
        found[EMAIL] = EMAIL_FORMAT
    return found


def _owner(email: str, role: Role = Role.SCHOOL) -> User | None:
    """The user with this email address, if any; refuses one who cannot be a member (another role's)."""
    owner = Users().by_email(email)
    if owner is not None and owner.role is not role:
        raise EmailBelongsToAnotherKindOfAccount
    return owner


def check_new_user(school: School, answers: NewUserAnswers) -> dict[str, str]:
    """Every problem with adding these answers to this school: the form's and the email's owner's."""
    return check_new_member(_ref(school), answers)


def check_new_member(organisation: OrganisationRef, answers: NewUserAnswers) -> dict[str, str]:
    """Every problem with adding these answers to this organisation: the form's and the email's owner's."""
    found = problems(answers)
    if EMAIL in found:
        return found
    try:
        owner = _owner(answers.email, ROLES[organisation.organisation_type])
    except EmailBelongsToAnotherKindOfAccount:
        school = organisation.organisation_type is OrganisationType.SCHOOL
        found[EMAIL] = EMAIL_OTHER_ACCOUNT if school else EMAIL_OTHER_ACCOUNT_PROVIDER
        return found
    if owner is not None and Users().is_member(owner.user_id, organisation.organisation_id):
        found[EMAIL] = EMAIL_IN_USE
    return found


def _send(message: EmailMessage) -> None:
    """Queue an email. The membership change stands if queueing fails: that is logged and counted."""
    try:
        enqueue([message])
    except Exception:  # noqa: BLE001 - the change is made; a lost email is reported, not the change undone
        logger.exception("email not queued", extra={"kind": message.kind, "user_id": message.reference})
        metrics.add_metric(name="EmailNotQueued", unit="Count", value=1)


def new_user_id() -> str:
    return f"user-{uuid.uuid4().hex}"


def add_user(school: School, answers: NewUserAnswers, new_user_id: str, added_by: User, service_url: str) -> User:
    """Make the person a member of the school and send them an invitation (`add_member`)."""
    return add_member(_ref(school), answers, new_user_id, added_by, service_url)


def add_member(
    organisation: OrganisationRef, answers: NewUserAnswers, new_user_id: str, added_by: User, service_url: str
) -> User:
    """Make the person a member of the school and send them an invitation: once, however often it is asked.

    A new email address gets a new school user with `new_user_id` (chosen once per add user journey, so
    two clicks on "Add user" cannot create two users); one that belongs to a school user elsewhere reuses that
    user (their name stays as it is); `EmailBelongsToAnotherKindOfAccount` if it is now a support or
    provider user's. If the person is already a member (a second click on "Add user", or a colleague
    who added them first), nothing is written or sent and the member is returned: they are added.
    """
    role = ROLES[organisation.organisation_type]
    existing = _owner(answers.email, role)
    user = existing or User(
        user_id=new_user_id,
        first_name=answers.first_name,
        last_name=answers.last_name,
        email=answers.email,
        role=role,
    )
    membership = Membership(
        user_id=user.user_id,
        organisation_id=organisation.organisation_id,
        organisation_type=organisation.organisation_type,
        organisation_name=organisation.name,
    )
    try:
        added = Members().add(user, membership, new_user=existing is None)
    except EmailTaken:
        # Someone made a user of this address since it was looked up (the email index lags the write): that
        # user is the person, if they can be a member here
        existing = Users().email_owner(answers.email)
        if existing is None or existing.role is not role:
            raise EmailBelongsToAnotherKindOfAccount from None
        user = existing
        membership = membership.model_copy(update={"user_id": existing.user_id})
        added = Members().add(user, membership, new_user=False)
    if not added:
        logger.info(
            "user already added", extra={"organisation_id": organisation.organisation_id, "user_id": user.user_id}
        )
        return user
    metrics.add_metric(name="UserAdded", unit="Count", value=1)
    _send(user_emails.invitation(user, organisation.name, service_url))
    logger.info(
        "user added",
        extra={
            "organisation_id": organisation.organisation_id,
            "user_id": user.user_id,
            "added_by": added_by.user_id,
            "new_user": existing is None,
        },
    )
    return user


def user_to_remove(school: School, actor: User, user_id: str) -> User:
    """The member the actor may remove: `NotFound` if not a member here, `CannotRemoveYourself`."""
    return member_to_remove(_ref(school), actor, user_id)


def member_to_remove(organisation: OrganisationRef, actor: User, user_id: str) -> User:
    """The member the actor may remove: `NotFound` if not a member here, `CannotRemoveYourself`."""
    if user_id == actor.user_id:
        raise CannotRemoveYourself
    user = Members().get(organisation.organisation_id, user_id)
    if user is None:
        raise NotFound
    return user


def remove_user(school: School, actor: User, user: User) -> None:
    """Remove the membership and tell the user; a repeated request removes and emails nothing more."""
    remove_member(_ref(school), actor, user)


def remove_member(organisation: OrganisationRef, actor: User, user: User) -> bool:
    """Remove the membership and tell the user; False (nothing removed or emailed) if it had gone already."""
    if user.user_id == actor.user_id:
        raise CannotRemoveYourself
    organisation_id = organisation.organisation_id
    if not Members().remove(organisation_id, user.user_id):
        logger.info("user already removed", extra={"organisation_id": organisation_id, "user_id": user.user_id})
        return False
    metrics.add_metric(name="UserRemoved", unit="Count", value=1)
    _send(user_emails.removal(user, organisation.name))
    logger.info(
        "user removed",
        extra={"organisation_id": organisation_id, "user_id": user.user_id, "removed_by": actor.user_id},
    )
    return True
