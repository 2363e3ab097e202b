"""Notify markdown as the email previews show it (shared.web.notify_markdown)."""

from __future__ import annotations

from shared.web.notify_markdown import render


def test_blocks_become_govuk_html() -> None:
    html = str(render("# What to do next\n\nFirst line\nsecond line\n\n* one\n* two\n\n^ Note this"))
    assert '<h2 class="govuk-heading-m">What to do next</h2>' in html
    assert '<p class="govuk-body">First line<br>second line</p>' in html
    assert '<ul class="govuk-list govuk-list--bullet"><li>one</li><li>two</li></ul>' in html
    assert '<div class="govuk-inset-text">Note this</div>' in html


def test_links_are_linked_and_everything_else_is_escaped() -> None:
    html = str(render("[View the claim](https://example.gov.uk/c/1) <script>x</script> & https://example.gov.uk/d"))
    assert '<a class="govuk-link" href="https://example.gov.uk/c/1">View the claim</a>' in html
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "&amp;" in html
    assert '<a class="govuk-link" href="https://example.gov.uk/d">https://example.gov.uk/d</a>' in html


def test_only_web_links_are_linked() -> None:
    html = str(render('[click](javascript:alert(1)) [x](https://a.example/" onclick="y)'))
    assert 'href="javascript' not in html
    assert 'onclick="y' not in html
