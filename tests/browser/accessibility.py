"""The accessibility check every browser test runs: axe-core (axe-playwright-python) on every page.

The `page` fixture (conftest.py) hands tests a `CheckedPage`: the Playwright page itself, with one
addition. Before any use of the page (a method, `page.keyboard`, `page.locator(...)`...) it waits for
the current document to finish loading and, if axe has not seen that document yet, runs axe on it;
the fixture checks the last document when the test ends. So a test cannot forget the check: every
document it reaches is checked before the test does anything else with it, whether it got there by
`goto`, a click, a key press or a redirect.

Only serious and critical violations fail (issue 21: "no serious or critical violations"); the
failure names the page, and for each rule its id, impact, help URL and the selectors of the elements.

What it does not see, and says so at teardown: a document left through an object taken from the page
earlier (`link = page.locator(...)`, then `link.click()` twice) never passes through the page; the
fixture records every document the browser loaded (`load` events) and fails with the addresses axe
never saw. Pages opened with `page.context.new_page()` are checked the same way (the context is
wrapped too).

A document is checked once per test by (address, title): staff reloading a page to watch a state
change (`reload_until`) see the same page again, and Django's admin titles a form that came back with
errors "Error: ...", so a rejected form is checked as a page of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from axe_playwright_python.sync_playwright import Axe

FAILING_IMPACTS = ("serious", "critical")
# Set on the window once axe has seen the document: a new document (navigation, reload) starts without it.
MARK = "__axeChecked"
# Reading these does not touch the document (or is how the fixture itself looks at the page).
PASSTHROUGH = frozenset({"url", "is_closed", "on", "once", "remove_listener", "context", "main_frame"})
# A document may be replaced while axe looks at it (a navigation the test started is only now committing).
NAVIGATED = ("Execution context was destroyed", "navigation", "Target page, context or browser has been closed")

_axe = Axe()


class AccessibilityViolations(AssertionError):
    pass


def report(url: str, violations: list[dict]) -> str:
    """A readable list: one block per rule, with the elements' selectors."""
    lines = [f"{len(violations)} serious or critical accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}  -- {summary}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def serious_violations(page) -> list[dict]:
    """axe-core's violations of `page`'s current document whose impact is serious or critical."""
    results = _axe.run(page, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS]


@dataclass
class Checker:
    """What one test's pages have shown axe: the documents checked and the documents loaded."""

    seen: set = field(default_factory=set)  # (url, title) axe ran on
    checked_urls: set = field(default_factory=set)
    loaded_urls: list = field(default_factory=list)
    pages_checked: int = 0
    pages: list = field(default_factory=list)  # every Playwright page of the test
    collected: list | None = None  # when a list, failures go there instead of being raised (the crawl)

    def watch(self, page) -> None:
        # A listener only records (no Playwright call from inside an event handler).
        page.on("load", lambda loaded: self.loaded_urls.append(loaded.url))

    def check(self, page) -> None:
        """Run axe on `page`'s current document unless this test has already seen it."""
        from playwright.sync_api import Error

        for attempt in range(3):
            try:
                return self._check(page)
            except Error as error:
                if attempt == 2 or not any(text in str(error) for text in NAVIGATED):
                    raise

    def _check(self, page) -> None:
        if page.is_closed() or page.url == "about:blank":  # a new page before its first goto
            return
        page.wait_for_load_state("load")
        if page.evaluate(f"window.{MARK} === true"):
            return
        key = (page.url, page.title())
        failing = []
        if key not in self.seen:
            failing = serious_violations(page)
            self.pages_checked += 1
        # Marked before failing: a test that collects the failures (the crawl) goes on to the next page.
        self.seen.add(key)
        self.checked_urls.add(page.url)
        page.evaluate(f"window.{MARK} = true")
        if failing and self.collected is not None:
            self.collected.append(report(page.url, failing))
        elif failing:
            raise AccessibilityViolations(report(page.url, failing))

    def finish(self) -> None:
        """At the end of the test: check the pages still open, then fail on any document axe missed."""
        self.collected = None  # a crawl has read its list already: what is found now must fail
        for page in self.pages:
            self.check(page)
        missed = self.unchecked()
        if missed:
            raise AccessibilityViolations(
                "Pages loaded but never checked for accessibility (left through an object taken from the page "
                f"before they loaded; use the page itself, or call page.check_accessibility()): {missed}"
            )

    def unchecked(self) -> list[str]:
        """Documents the browser loaded that axe never saw (left through an object kept from earlier)."""
        return sorted({url for url in self.loaded_urls if url not in self.checked_urls and url != "about:blank"})


class CheckedPage:
    """A Playwright page that checks each document with axe before the test uses it (module docstring)."""

    def __init__(self, page, checker: Checker):
        object.__setattr__(self, "_page", page)
        object.__setattr__(self, "_checker", checker)
        checker.watch(page)
        checker.pages.append(page)

    def __getattr__(self, name):
        page = self._page
        if name == "context":
            return CheckedContext(page.context, self._checker)
        if name not in PASSTHROUGH and not name.startswith("_") and not page.is_closed():
            self._checker.check(page)
        return getattr(page, name)

    def __setattr__(self, name, value):
        setattr(self._page, name, value)

    def collect_violations(self) -> list[str]:
        """From now on failures are appended to the list returned, not raised (for a crawl's one report)."""
        self._checker.collected = []
        return self._checker.collected

    def check_accessibility(self) -> None:
        """Check now (a test that wants the check at a precise moment, e.g. after an htmx swap)."""
        self._checker.check(self._page)


class CheckedContext:
    """The page's browser context, whose new pages are checked pages too."""

    def __init__(self, context, checker: Checker):
        self._context = context
        self._checker = checker

    def new_page(self, *args, **kwargs) -> CheckedPage:
        return CheckedPage(self._context.new_page(*args, **kwargs), self._checker)

    def __getattr__(self, name):
        return getattr(self._context, name)
