"""The search page in a real browser: what a researcher does, with and without JavaScript,
by mouse and by keyboard, checked for accessibility by axe-core."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.functional.test_pages import shared_person

HITS = "ol.hits > li"


def settle(tab: Page, **param: str) -> None:
    """Wait until the page's own fetch-and-swap has put ``param`` in the URL (it changes
    the URL after the swap) and is done (it sets aria-busy meanwhile). No script is
    evaluated for it: the page's Content-Security-Policy allows none but its own."""
    for name, value in param.items():
        expect(tab).to_have_url(re.compile(re.escape(urlencode({name: value}))))
    tab.locator("body:not([aria-busy])").wait_for(state="attached")


def query(page: Page) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query)


def hit_ids(page: Page) -> list[str]:
    from urllib.parse import unquote

    return [unquote(urlsplit(href).path.removeprefix("/read/"))
            for href in page.locator(f"{HITS} h2 a").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))")]


def test_search_then_tick_a_facet_value_and_the_results_narrow(page, exported):
    name, expected = shared_person(exported)
    page.goto("/")
    page.get_by_role("searchbox", name="Search the archive").fill("Armenia")
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("articles for Armenia")
    assert query(page) == [("q", "Armenia")]
    armenia = set(hit_ids(page))
    page.locator("#facet-person").get_by_role("checkbox", name=name).click()
    settle(page, person=name)
    assert set(hit_ids(page)) == expected & armenia
    expect(page.locator("ul.chips")).to_contain_text(f"person: {name}")
    # The page changed without a reload, so Back returns to the search before the filter.
    page.go_back()
    expect(page.locator("ul.chips")).to_have_count(0)
    expect(page.locator(HITS)).to_have_count(len(armenia))


def test_removing_a_chip_removes_its_filter(page, exported):
    name, expected = shared_person(exported)
    page.goto(f"/?person={name}&sort=oldest")
    assert set(hit_ids(page)) == expected
    page.locator("ul.chips").get_by_role("link", name=f"Remove the filter person: {name}").click()
    expect(page.locator("ul.chips")).to_have_count(0)
    expect(page.locator(HITS)).to_have_count(len(exported))
    assert query(page) == [("sort", "oldest")]
    expect(page.locator("ul.chips")).to_have_count(0)


def test_paging_through_the_results(page, exported):
    page.goto("/?page_size=2&sort=oldest")
    first = hit_ids(page)
    page.get_by_role("navigation", name="Pages of results").get_by_role(
        "link", name="Next").click()
    settle(page, page="2")
    second = hit_ids(page)
    assert len(second) == 2 and not set(first) & set(second)
    expect(page.locator("[aria-current=page]")).to_have_text("2")


def test_opening_an_article_shows_its_text_with_the_query_marked(page, exported):
    page.goto("/?q=ceasefire")
    title = page.locator(f"{HITS} h2 a").first
    title.click()
    page.wait_for_url("**/read/**")
    expect(page.locator("article.article h1")).to_be_visible()
    expect(page.locator(".text mark").first).to_have_text(re.compile("^cease", re.I))
    article_id = urlsplit(page.url).path.removeprefix("/read/")
    from urllib.parse import unquote

    record = exported[unquote(article_id)]
    expect(page.locator(".text")).to_contain_text(record["body"].split("\n\n")[0][:60])
    page.get_by_role("link", name=re.compile("Search for")).click()
    expect(page.locator("#results-heading")).to_contain_text("ceasefire")


def test_exporting_the_results_downloads_every_match(page, exported):
    page.goto("/?q=Armenia&sort=newest")
    total = int(page.locator("#results-heading").inner_text().split()[0])
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text(encoding="utf-8"))))
    assert len(rows) == total and [r["id"] for r in rows][:len(hit_ids(page))] == hit_ids(page)
    assert info.value.suggested_filename == "newsdesk-armenia.csv"
    with page.expect_download() as info:
        page.get_by_role("link", name="JSONL").click()
    lines = info.value.path().read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in rows]


def test_entity_autocomplete_suggests_values_from_the_index(page, exported):
    name, _ = shared_person(exported)
    page.goto("/")
    box = page.locator("#add-person")
    box.fill(name[:3])
    options = page.locator("#list-person option")
    expect(options.first).to_be_attached()
    values = options.evaluate_all("os => os.map(o => o.value)")
    assert name in values or any(v.lower().startswith(name[:3].lower()) for v in values)
    # The listed values narrow to those containing what was typed.
    hidden = page.locator("#facet-person .options li[hidden]").count()
    shown = page.locator("#facet-person .options li:not([hidden])").all_inner_texts()
    assert all(name[:3].lower() in text.lower() for text in shown)
    assert hidden + len(shown) == page.locator("#facet-person .options li").count()
    # A whole name typed (or picked from the suggestions) and Enter: the filter is on.
    box.fill(name)
    box.press("Enter")
    settle(page, person=name)


def tab_to(page: Page, selector: str, most: int = 200) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_search_filter_and_read(page, exported):
    name, _ = shared_person(exported)
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the results"
    tab_to(page, "#q")
    page.keyboard.type("Armenia")
    page.keyboard.press("Enter")
    settle(page, q="Armenia")
    # The focused control shows it: a visible outline.
    tab_to(page, f"#facet-person input[type=checkbox][value={json.dumps(name)}]")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Space")
    settle(page, person=name)
    # After the swap the same box still has the focus, ticked.
    assert page.evaluate("document.activeElement.checked && document.activeElement.value") == name
    tab_to(page, "ol.hits h2 a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/read/**")
    expect(page.locator("article.article h1")).to_be_visible()


def test_the_page_works_without_javascript(page_without_js, exported):
    page = page_without_js
    name, expected = shared_person(exported)
    page.goto("/")
    page.get_by_role("searchbox", name="Search the archive").fill("Armenia")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=Armenia**")
    armenia = set(hit_ids(page))
    assert armenia
    page.locator("#facet-person").get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**person=**")
    assert set(hit_ids(page)) == expected & armenia
    assert {("q", "Armenia"), ("person", name)} <= set(query(page))
    page.locator("ul.chips").get_by_role("link", name=f"Remove the filter person: {name}").click()
    page.wait_for_url(lambda url: "person=" not in url)
    assert set(hit_ids(page)) == armenia
    # "Show more" is a details element: it opens without a script.
    more = page.locator("#facet-place details.more")
    if more.count():
        more.locator("summary").click()
        expect(more.locator("li").first).to_be_visible()


@pytest.mark.parametrize("path", [
    "/", "/?q=Armenia&sort=newest", "/?q=Azerbajan", "/?page=0",
    "/?q=ceasefire&page_size=2", "/read/no-such-article",
])
def test_no_serious_accessibility_violations(page, path, exported):
    from axe_playwright_python.sync_playwright import Axe

    name, _ = shared_person(exported)
    page.goto(path if path != "/?q=Armenia&sort=newest" else f"{path}&person={name}")
    if page.locator("details.help").count():
        page.locator("details.help summary").click()  # its table is checked open
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, bad


def test_an_article_page_has_no_serious_accessibility_violations(page, exported):
    from axe_playwright_python.sync_playwright import Axe

    article_id = sorted(exported)[0]
    page.goto(f"/read/{article_id}?q=Armenia")
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], v["help"]) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad
