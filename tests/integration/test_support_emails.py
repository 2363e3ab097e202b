"""Settings → Emails (ADR 0039): support sees every email in the catalogue and previews each with example data;
nobody else may."""

from __future__ import annotations

import pytest

from shared.claims.email_catalogue import CATALOGUE
from tests.support import Client

EMAILS = "/support/settings/emails"


@pytest.fixture
def colin(client: Client) -> Client:
    client.sign_in("Colin Chapman")
    return client


def test_settings_links_to_the_emails_which_list_every_catalogue_entry(colin: Client) -> None:
    settings = colin.get("/support/settings")
    assert EMAILS in {a["href"] for a in settings.soup.find_all("a")}
    page = colin.get(EMAILS)
    assert (page.status, page.h1) == (200, "Emails")
    rows = page.soup.select("#emails tbody tr")
    assert len(rows) == len(CATALOGUE)
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("#emails a")}
    assert links["Claim withdrawn"] == f"{EMAILS}/claim-withdrawn"
    assert "Each user of the school" in rows[0].get_text()


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda entry: entry.kind)
def test_each_email_is_previewed_as_its_recipient_reads_it(colin: Client, entry) -> None:  # type: ignore[no-untyped-def]
    page = colin.get(f"{EMAILS}/{entry.slug}")
    assert (page.status, page.h1) == (200, entry.name)
    message = entry.example()
    assert message.subject in page.text()
    body = page.soup.select_one("#email-body")
    assert body is not None
    assert body.select("p")  # paragraphs, not the markdown as one line
    assert "](" not in body.get_text()  # links are links
    for link in body.select("a"):
        assert link["href"].startswith("https://")


def test_an_unknown_email_is_not_found(colin: Client) -> None:
    assert colin.get(f"{EMAILS}/no-such-email").status == 404


def test_only_support_may_see_the_emails(client: Client) -> None:
    client.sign_in("Anne Wilson")
    assert client.get(EMAILS).status == 403
    assert client.get(f"{EMAILS}/claim-submitted").status == 403
