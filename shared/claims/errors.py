"""Typed domain errors. They are mapped to pages and HTTP statuses in one place (`shared.web.errors`)."""

from __future__ import annotations


class DomainError(Exception):
    """Base class for every rule the domain refuses."""


class NotFound(DomainError):
    """The thing does not exist, or the user may not know that it does."""


class NotAuthorised(DomainError):
    """The signed-in user may not do this."""


class ClaimNotFound(NotFound):
    pass


class OrganisationNotFound(NotFound):
    pass


class WindowClosed(DomainError):
    pass


class AllowanceExceeded(DomainError):
    pass


class InvalidTransition(DomainError):
    def __init__(self, from_status: str, to_status: str) -> None:
        super().__init__(f"{from_status} -> {to_status}")
        self.from_status = from_status
        self.to_status = to_status


class ConcurrentUpdate(DomainError):
    """A conditional write lost a race: someone else changed the item first."""


class DuplicateReference(DomainError):
    """A new claim's random reference is already taken (try another)."""


class JourneyFinished(DomainError):
    """The journey has already produced its result (e.g. a second click on "Accept and submit")."""


class WindowClosedDuringSubmission(WindowClosed):
    """The claim window closed between the school's last page and the submission's write."""


class MentorListChanged(AllowanceExceeded):
    """A mentor left the school's list between reading it and writing the claim (read it again)."""


class VendorNumberMissing(DomainError):
    """The claim's school has no vendor number, so the payer cannot pay it: it cannot be approved for payment."""

    def __init__(self, school_id: str, school_name: str) -> None:
        super().__init__(f"school {school_id} has no vendor number")
        self.school_id = school_id
        self.school_name = school_name


class TooMuchToKeep(DomainError):
    """What a page would keep between requests (a journey's answers, a session) is more than one DynamoDB item may
    hold (400 KB): nothing is written, and the page says so rather than failing."""


# What a journey's answers or a session's data may take, as JSON: a DynamoDB item holds 400 KB with its names and
# keys; this leaves room for them and for a few bytes more per value than JSON counts.
MAX_KEPT_BYTES = 300 * 1024
