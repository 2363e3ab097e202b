"""Users and their memberships of organisations: who they are, adding one, removing one.

Listing an organisation's members is one Query on the memberships `organisation-index` and one BatchGet of
the users (no Scan). Adding writes the user (when new) and the membership in one transaction; removing
deletes the membership only if it is there. Both report a lost race as `False` instead of writing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.update import Action

from shared.claims.email_delivery import EmailFailure
from shared.claims.organisations import OrganisationRef, OrganisationType
from shared.claims.people import Membership, Role, User
from shared.claims.support_users import EmailTaken
from shared.data.items import MembershipItem, SupportUserEmailItem, UserItem
from shared.data.transactions import conditional, write_transaction

EMAIL_KEY = "email#"  # the users-table item that takes an address: `email#<address>`, owner_id the user's id


def email_key(email: str) -> str:
    return EMAIL_KEY + email.strip().lower()


def _user(item: UserItem) -> User:
    failure = (
        EmailFailure(reason=item.email_failure, failed_at=item.email_failed_at)
        if item.email_failure and item.email_failed_at
        else None
    )
    return User(
        user_id=item.user_id,
        first_name=item.first_name,
        last_name=item.last_name,
        email=item.email,
        role=Role(item.role),
        email_failure=failure,
    )


class Users:
    def get(self, user_id: str) -> User | None:
        try:
            return _user(UserItem.get(user_id))
        except DoesNotExist:
            return None

    def by_email(self, email: str) -> User | None:
        for item in UserItem.by_email.query(email.strip().lower(), limit=1):
            return _user(item)
        return None

    def put(self, user: User) -> None:
        """Write the user and the item that takes its email address (demo data and fixtures: no check)."""
        UserItem(
            user_id=user.user_id,
            email=user.email.strip().lower(),
            first_name=user.first_name,
            last_name=user.last_name,
            role=user.role.value,
        ).save()
        SupportUserEmailItem(user_id=email_key(user.email), owner_id=user.user_id).save()

    def email_owner(self, email: str) -> User | None:
        """The user whose address this is, read from the item that takes it (strongly consistent, unlike the
        email index, which may not yet have a user added a moment ago)."""
        try:
            owner = SupportUserEmailItem.get(email_key(email), consistent_read=True).owner_id
        except DoesNotExist:
            return None
        return self.get(owner)

    def add_membership(self, membership: Membership) -> None:
        MembershipItem(
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            organisation_type=membership.organisation_type.value,
            organisation_name=membership.organisation_name,
        ).save()

    def organisations_of(self, user_id: str) -> list[OrganisationRef]:
        """The user's organisations, by name: one Query on the user's memberships."""
        refs = [
            OrganisationRef(
                organisation_id=item.organisation_id,
                organisation_type=OrganisationType(item.organisation_type),
                name=item.organisation_name,
            )
            for item in MembershipItem.query(user_id)
        ]
        return sorted(refs, key=lambda ref: ref.name)

    def is_member(self, user_id: str, organisation_id: str) -> bool:
        try:
            MembershipItem.get(user_id, organisation_id)
        except DoesNotExist:
            return False
        return True

    def list_all(self, user_ids: Iterable[str]) -> list[User]:
        keys = list(dict.fromkeys(user_ids))
        return [_user(item) for item in UserItem.batch_get(keys)] if keys else []

    def with_role(self, role: Role) -> list[User]:
        """Every user with a role, by name: one Query on the role index (support users: a few dozen)."""
        return sorted((_user(item) for item in UserItem.by_role.query(role.value)), key=_sort_key)

    def record_email_status(self, email: str, status: str, at: dt.datetime, failure: str | None) -> list[str]:
        """GOV.UK Notify's word on an address (ADR 0038), on every user with it: one Query on the email index and
        one conditional UpdateItem each. `failure` (why the address cannot be delivered to) marks the user; a
        `delivered` status clears the mark; any other status only records itself. A status older than the one
        recorded changes nothing (receipts may arrive out of order, or twice). The ids of the users changed."""
        changed = []
        for item in UserItem.by_email.query(email.strip().lower()):
            actions: list[Action] = [UserItem.email_status.set(status), UserItem.email_status_at.set(at)]
            if failure is not None:
                actions += [UserItem.email_failure.set(failure), UserItem.email_failed_at.set(at)]
            elif status == "delivered":
                actions += [UserItem.email_failure.remove(), UserItem.email_failed_at.remove()]
            newer = UserItem.user_id.exists() & (
                UserItem.email_status_at.does_not_exist() | (UserItem.email_status_at <= at)
            )
            if conditional(partial(item.update, actions, condition=newer)):
                changed.append(item.user_id)
        return changed


def _user_item(user: User) -> UserItem:
    return UserItem(
        user_id=user.user_id,
        email=user.email.strip().lower(),
        first_name=user.first_name,
        last_name=user.last_name,
        role=user.role.value,
    )


def _sort_key(user: User) -> tuple[str, str, str]:
    return (user.first_name.casefold(), user.last_name.casefold(), user.email)


class Members:
    """Users of one organisation, through their memberships."""

    def of(self, organisation_id: str) -> list[User]:
        """Every member, by first name then last name."""
        user_ids = [item.user_id for item in MembershipItem.by_organisation.query(organisation_id)]
        if not user_ids:
            return []
        users = [_user(item) for item in UserItem.batch_get(user_ids)]
        return sorted(users, key=_sort_key)

    def get(self, organisation_id: str, user_id: str) -> User | None:
        """The user, if they are a member of the organisation."""
        try:
            MembershipItem.get(user_id, organisation_id)
            return _user(UserItem.get(user_id))
        except DoesNotExist:
            return None

    def add(self, user: User, membership: Membership, *, new_user: bool) -> bool:
        """Create the user (when `new_user`) and the membership together; False if already a member.

        A new user is written only if no user has that id. An existing user must still have the same
        role when the membership is written, or nothing is written.
        """
        membership_item = MembershipItem(
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            organisation_type=membership.organisation_type.value,
            organisation_name=membership.organisation_name,
        )
        transaction = write_transaction()
        try:
            with transaction:
                if new_user:
                    transaction.save(_user_item(user), condition=UserItem.user_id.does_not_exist(), label="user")
                    # The address is the service's one key for a person: taken here, in the same transaction, so
                    # two adds of one new address (or a support user's) cannot both make a user
                    transaction.save(
                        SupportUserEmailItem(user_id=email_key(user.email), owner_id=user.user_id),
                        condition=SupportUserEmailItem.user_id.does_not_exist(),
                        label="email",
                    )
                else:
                    transaction.condition_check(
                        UserItem, user.user_id, condition=UserItem.role == user.role.value, label="user"
                    )
                transaction.save(membership_item, condition=MembershipItem.user_id.does_not_exist(), label="membership")
        except TransactWriteError as error:
            failed = transaction.failed_labels(error)
            if "email" in failed:
                raise EmailTaken(user.email) from error
            if "membership" in failed:  # the membership exists already
                return False
            raise
        return True

    def remove(self, organisation_id: str, user_id: str) -> bool:
        """Delete the membership; False if it had already gone."""
        return conditional(
            lambda: MembershipItem(user_id=user_id, organisation_id=organisation_id).delete(
                condition=MembershipItem.user_id.exists()
            )
        )


def member_emails(organisation_id: str) -> list[str]:
    """Email addresses of every user of an organisation: one Query and one BatchGet."""
    user_ids = [m.user_id for m in MembershipItem.by_organisation.query(organisation_id)]
    return sorted(item.email for item in UserItem.batch_get(user_ids)) if user_ids else []
