"""Finding schools by the start of their name (the support console's school questions): one Query on the
organisations' name-key index for the ids, then one BatchGet for the schools, never a Scan."""

from __future__ import annotations

from shared.claims.claim_search import name_key
from shared.claims.organisations import OrganisationType, School
from shared.data.items import OrganisationItem
from shared.data.organisations import Organisations

RESULTS_LIMIT = 15


def schools_named(text: str, limit: int = RESULTS_LIMIT) -> list[School]:
    """Schools whose folded name starts with `text` ("meadow" finds "The Meadowbank School"), by name."""
    key = name_key(text)
    if not key:
        return []
    found = OrganisationItem.by_name_key.query(
        OrganisationType.SCHOOL.value,
        range_key_condition=OrganisationItem.name_key.startswith(key),
        limit=limit,
        page_size=limit,
        attributes_to_get=["organisation_id"],
    )
    ids = [item.organisation_id for item in found]
    schools = Organisations().schools(ids)
    return sorted((schools[i] for i in ids if i in schools), key=lambda school: (school.name, school.organisation_id))
