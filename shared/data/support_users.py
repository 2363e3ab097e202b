"""Support users: listed from the users table's `role-index`, added and removed each in one transaction.

Adding writes the user (only if no user has its id), the `email#<address>` item that takes its email address
(only if absent, so two adds of one address cannot both succeed) and the activity entry. Removing deletes the
user (only while it is a support user), its email item and writes the activity entry; every session reads its
user by id on each request (`shared.usecases.sessions`), so a removed user is signed out at their next click.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from shared.claims.activity import ActivityEntry
from shared.claims.people import Role, User
from shared.claims.support_users import EmailTaken
from shared.data.activity import activity_item
from shared.data.items import SupportUserEmailItem, UserItem
from shared.data.transactions import write_transaction
from shared.data.users import Users
from shared.data.users import email_key as _email_key


class SupportUsers:
    def all(self) -> list[User]:
        """Every support user, by name: one Query on the role index (a few dozen)."""
        return Users().with_role(Role.SUPPORT)

    def add(self, user: User, entry: ActivityEntry) -> bool:
        """Add the user with its activity entry; False if this user was added already (a second click);
        EmailTaken if another add took the address first."""
        item = UserItem(
            user_id=user.user_id,
            email=user.email.strip().lower(),
            first_name=user.first_name,
            last_name=user.last_name,
            role=Role.SUPPORT.value,
        )
        transaction = write_transaction()
        try:
            with transaction:
                transaction.save(item, condition=UserItem.user_id.does_not_exist(), label="user")
                transaction.save(
                    SupportUserEmailItem(user_id=_email_key(user.email), owner_id=user.user_id),
                    condition=SupportUserEmailItem.user_id.does_not_exist(),
                    label="email",
                )
                transaction.save(activity_item(entry), label="activity")
        except TransactWriteError as error:
            failed = transaction.failed_labels(error)
            if "user" in failed:
                return False
            if "email" in failed:
                raise EmailTaken from error
            raise
        return True

    def remove(self, user: User, entry: ActivityEntry) -> bool:
        """Remove the support user, its email address and record it; False if they had gone already."""
        transaction = write_transaction()
        try:
            with transaction:
                transaction.delete(
                    UserItem(user_id=user.user_id), condition=UserItem.role == Role.SUPPORT.value, label="user"
                )
                transaction.delete(SupportUserEmailItem(user_id=_email_key(user.email)), label="email")
                transaction.save(activity_item(entry), label="activity")
        except TransactWriteError as error:
            if "user" in transaction.failed_labels(error):
                return False
            raise
        return True
