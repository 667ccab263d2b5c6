"""The check itself (accessibility.py): it fails on serious and critical violations with a readable
list, lets moderate ones pass, checks every document before the test goes on, and names a
document the test left without the page seeing it. Pages of its own (data: URLs): no server."""

from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.accessibility import AccessibilityViolations, CheckedPage, Checker

CLEAN = '<html lang="en"><head><title>Clean</title></head><body><main><h1>Fine</h1></main></body></html>'
# An input without any label: axe's "label" rule, critical.
UNLABELLED = (
    '<html lang="en"><head><title>Form</title></head><body><main><h1>Form</h1>'
    '<input type="text" id="nameless"></main></body></html>'
)
# Content outside any landmark: axe's "region" rule, moderate only.
MODERATE = '<html lang="en"><head><title>Loose</title></head><body><h1>Loose</h1><p>No landmark.</p></body></html>'


def data_url(html: str) -> str:
    return "data:text/html," + quote(html)


def test_a_critical_violation_fails_with_the_rule_the_element_and_the_help(page):
    page.goto(data_url(UNLABELLED))
    with pytest.raises(AccessibilityViolations) as failure:
        page.title()  # any use of the page after the navigation checks the new document first
    text = str(failure.value)
    assert "- label (critical): Form elements must have labels" in text
    assert "#nameless" in text and "https://dequeuniversity.com/rules/axe/" in text


def test_a_clean_page_and_a_moderate_finding_pass(page):
    page.goto(data_url(CLEAN))
    assert page.title() == "Clean"
    page.goto(data_url(MODERATE))
    assert page.title() == "Loose"
    found = {v["id"]: v["impact"] for v in Axe().run(page).response["violations"]}
    assert found.get("region") == "moderate", found  # axe did find something: it is only not serious


def test_every_document_is_checked_not_only_the_last(page):
    page.goto(data_url(UNLABELLED))
    with pytest.raises(AccessibilityViolations):
        page.goto(data_url(CLEAN))  # leaving a page checks it first


def test_a_document_the_page_never_saw_is_named_at_the_end(browser):
    context = browser.new_context()
    checker = Checker()
    page = CheckedPage(context.new_page(), checker)
    page.goto(data_url(CLEAN))
    kept = page.main_frame  # taken from the page before the next document loads: it bypasses the check
    kept.goto(data_url(MODERATE))
    kept.goto(data_url(CLEAN.replace("Clean", "Again")))
    try:
        with pytest.raises(AccessibilityViolations, match="never checked") as failure:
            checker.finish()
        assert data_url(MODERATE) in str(failure.value) and data_url(CLEAN) in str(failure.value)
    finally:
        context.close()
