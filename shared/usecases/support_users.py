"""Support → Users: list the support users, add one (on a DfE domain, with an email), remove one (not yourself).

An email address belongs to one user: the details are checked against the users table's `email-index`, and
the add itself takes the address with a conditional write in the same transaction as the user
(`shared.data.support_users`), so two adds of one address at once cannot both succeed. A removed user's
sessions stop working at their next request: the session's user is read by id and no longer exists.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from shared.claims import support_users as rules
from shared.claims.activity import ActivityEntry, ActivityKind
from shared.claims.emails import EmailMessage
from shared.claims.errors import NotFound
from shared.claims.people import Role, User
from shared.claims.support_users import CannotRemoveYourself, EmailTaken
from shared.config import settings
from shared.data.emails import enqueue
from shared.data.support_users import SupportUsers
from shared.data.users import Users
from shared.journeys.add_user import NewUserAnswers, UserForm, typed
from shared.journeys.add_user import read_form as read_user_form
from shared.journeys.forms import Form
from shared.observability import logger, metrics

BASE = "/support/users"
USER_ID = re.compile(r"user-[a-z0-9-]{1,100}")

__all__ = [
    "BASE",
    "CannotRemoveYourself",
    "EmailTaken",
    "NewUserAnswers",
    "UserForm",
    "add",
    "all_support_users",
    "read_form",
    "remove",
    "to_remove",
]


def all_support_users() -> list[User]:
    """Every support user, by first name then last name."""
    return SupportUsers().all()


def _problems(answers: dict[str, str]) -> dict[str, str]:
    found = rules.problems(answers, rules.domains_of(settings().support_email_domains))
    if rules.EMAIL not in found and Users().by_email(answers[rules.EMAIL]) is not None:
        found[rules.EMAIL] = rules.EMAIL_TAKEN
    return found


def read_form(form: Form, new_user_id: str | None = None) -> UserForm:
    """The details as posted, with every problem adding them would have (the address on a DfE domain, unused)."""
    return read_user_form(form, _problems(typed(form)), new_user_id or f"user-{uuid.uuid4().hex}")


def _send(message: EmailMessage) -> None:
    """Queue an email. The change stands if queueing fails: that is logged and counted."""
    try:
        enqueue([message])
    except Exception:  # noqa: BLE001 - the change is made; a lost email is reported, not the change undone
        logger.exception("email not queued", extra={"kind": message.kind, "user_id": message.reference})
        metrics.add_metric(name="EmailNotQueued", unit="Count", value=1)


def _entry(kind: ActivityKind, actor: User, user: User, now: dt.datetime) -> ActivityEntry:
    return ActivityEntry(
        activity_id=f"{kind.value}-{uuid.uuid4().hex}",
        kind=kind,
        at=now,
        actor_id=actor.user_id,
        actor_name=actor.full_name,
        summary=f"{user.full_name} ({user.email})",
        link=BASE,
    )


def add(actor: User, answers: NewUserAnswers, now: dt.datetime) -> User:
    """Add the support user and email them, once however often it is asked (the user id is the journey's);
    EmailTaken if the address belongs to someone else by now."""
    user = User(
        user_id=answers.new_user_id,
        first_name=answers.first_name,
        last_name=answers.last_name,
        email=answers.email,
        role=Role.SUPPORT,
    )
    existing = Users().by_email(user.email)
    if existing is not None and existing.user_id != user.user_id:
        raise EmailTaken
    if not SupportUsers().add(user, _entry(ActivityKind.SUPPORT_USER_ADDED, actor, user, now)):
        logger.info("support user already added", extra={"user_id": user.user_id})
        return user
    metrics.add_metric(name="SupportUserAdded", unit="Count", value=1)
    _send(rules.added(user, settings().service_url))
    logger.info("support user added", extra={"user_id": user.user_id, "added_by": actor.user_id})
    return user


def to_remove(actor: User, user_id: str) -> User:
    """The support user the actor may remove: NotFound for anyone else, CannotRemoveYourself."""
    if not USER_ID.fullmatch(user_id):  # never a key DynamoDB would refuse (a 5xx)
        raise NotFound
    user = Users().get(user_id)
    if user is None or user.role is not Role.SUPPORT:
        raise NotFound
    rules.check_removal(actor, user)
    return user


def remove(actor: User, user: User, now: dt.datetime) -> bool:
    """Remove the support user (their sessions stop working) and tell them; False if they had gone already."""
    rules.check_removal(actor, user)
    if not SupportUsers().remove(user, _entry(ActivityKind.SUPPORT_USER_REMOVED, actor, user, now)):
        logger.info("support user already removed", extra={"user_id": user.user_id})
        return False
    metrics.add_metric(name="SupportUserRemoved", unit="Count", value=1)
    _send(rules.removed(user))
    logger.info("support user removed", extra={"user_id": user.user_id, "removed_by": actor.user_id})
    return True
