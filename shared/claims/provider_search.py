"""Finding an accredited provider by name, UKPRN, URN or postcode (the autocomplete and the no-JS
results page use the same search)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.claims.organisations import Provider

RESULTS_LIMIT = 15


def _compact(text: str) -> str:
    return "".join(text.split()).lower()


def search(providers: Iterable[Provider], query: str, limit: int = RESULTS_LIMIT) -> list[Provider]:
    """Accredited providers matching every word of the query, best first."""
    words = query.lower().split()
    compact = _compact(query)
    if not words:
        return []
    ranked: list[tuple[int, str, Provider]] = []
    for provider in providers:
        if not provider.accredited:
            continue
        name = provider.name.lower()
        identifiers = {provider.ukprn, provider.urn or "", _compact(provider.postcode), provider.code.lower()}
        if compact in identifiers:
            rank = 0
        elif name.startswith(query.lower().strip()):
            rank = 1
        elif all(word in name for word in words):
            rank = 2
        elif len(compact) >= 3 and _compact(provider.postcode).startswith(compact):
            rank = 3
        else:
            continue
        ranked.append((rank, provider.name, provider))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    return [provider for _, _, provider in ranked[:limit]]


def describe(provider: Provider) -> str:
    """How an option reads: the name, then the UKPRN (and URN when there is one)."""
    details = f"UKPRN {provider.ukprn}" + (f", URN {provider.urn}" if provider.urn else "")
    return f"{provider.name} ({details})"
