"""The viewer in a real browser: Playwright drives the Chromium that .ci/run installs from
Debian (launched by its path; Playwright's own browser download is not used)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.scripted import read_jsonl

from .conftest import Running
from .evaluation_reports import write_reports

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.errors = errors
    yield page
    context.close()
    assert not errors, errors  # no script error on any page


def enter(page: Any, viewer: Running, path: str = "/") -> None:
    """Open the URL the command prints (with the token): the page lands without it."""
    page.goto(f"{viewer.base}{path}?token={viewer.token}")
    assert "token=" not in page.url


def faulted_lines(dataset: Path) -> list[str]:
    return [
        str(n) for n, r in enumerate(read_jsonl(dataset), 1) if "RateLimited" in r["metadata"]["errors_seen"]
    ]


def test_overview_then_filter_by_error_type(page: Any, viewer: Running, dataset: Path) -> None:
    enter(page, viewer, "/s/agent")
    errors = page.locator("section.card", has=page.locator("h2", has_text="Errors by type"))
    errors.get_by_role("link", name="RateLimited").click()
    page.wait_for_url(re.compile(r"/s/agent/records\?error=RateLimited$"))
    rows = page.locator("table.records tbody tr")
    rows.first.wait_for()
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.key)") == faulted_lines(dataset)
    assert page.locator(".chip").inner_text().startswith("error: RateLimited")
    select = page.locator("select[name=error]")
    assert select.input_value() == "RateLimited"
    select.select_option("FileNotFound")
    page.wait_for_url(re.compile(r"error=FileNotFound"))
    expect(page.locator("table.records tbody tr")).to_have_count(len(read_jsonl(dataset)))


def test_a_record_timeline_in_order_with_the_fault_badge(page: Any, viewer: Running, dataset: Path) -> None:
    enter(page, viewer, "/s/agent/records")
    page.goto(f"{viewer.base}/s/agent/records?fault=RateLimited")
    page.locator("table.records tbody tr.selected").wait_for()
    page.keyboard.press("Enter")  # the first row is selected: open it
    first = faulted_lines(dataset)[0]
    page.wait_for_url(re.compile(rf"/s/agent/records/{first}\?fault=RateLimited$"))
    steps = page.locator("ol.timeline .event.step")
    steps.first.wait_for()
    assert steps.locator(".who").all_inner_texts() == ["STEP 1", "STEP 2", "STEP 3", "STEP 4"]
    kinds = page.locator("ol.timeline > li > *").evaluate_all("nodes => nodes.map(n => n.className)")
    assert kinds == ["event system", "event user", *["event step"] * 4, "event answer"]
    names = page.locator(".call .tool-name").all_inner_texts()
    assert names == ["list_files", "read_file", "read_file", "get_weather", "write_file"]
    weather = page.locator(".call", has=page.locator(".tool-name", has_text="get_weather"))
    assert "injected: RateLimited" in weather.locator(".badge.fault").inner_text()
    assert "Error (RateLimited)" in weather.locator("pre.error-text").inner_text()
    missing = page.locator(".call.failed", has=page.locator(".badge.bad", has_text="FileNotFound"))
    assert missing.count() == 1
    assert page.locator(".event.answer").inner_text().startswith("FINAL ANSWER")
    assert "agree" in page.locator("section.card", has=page.locator("h2", has_text="Checks")).inner_text()
    faulted = faulted_lines(dataset)
    if len(faulted) > 1:
        page.keyboard.press("j")  # the next record in the filtered list
        page.wait_for_url(re.compile(rf"/s/agent/records/{faulted[1]}\?fault=RateLimited$"))
        page.locator("h1", has_text=f"Record {faulted[1]} ").wait_for()
    page.keyboard.press("u")
    page.wait_for_url(re.compile(r"/s/agent/records\?fault=RateLimited$"))


def test_replay_shows_the_file_tree_diff(page: Any, viewer: Running) -> None:
    enter(page, viewer, "/s/agent/records/1")
    page.locator("#replay").click()
    added = page.locator("ul.filetree li.added")
    added.wait_for()
    assert added.inner_text().startswith("+ notes.md")
    assert "+debug is on" in page.locator("pre.diff").first.inner_text()


def test_deep_links_and_search(page: Any, browser: Any, viewer: Running, dataset: Path) -> None:
    enter(page, viewer)
    link = f"{viewer.base}/s/agent/records/{faulted_lines(dataset)[0]}?fault=RateLimited"
    page.goto(link)  # a link someone shared: no token in it, the cookie is enough
    page.locator(".call .badge.fault").first.wait_for()
    assert page.locator("h1").first.inner_text().startswith("Record ")
    stranger = browser.new_context().new_page()  # never opened the token URL: refused
    stranger.goto(link)
    assert "Unauthorized" in stranger.content()
    stranger.context.close()
    page.keyboard.press("/")
    page.keyboard.type("settings.json")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/s/agent/records\?q=settings\.json$"))
    expect(page.locator("table.records tbody tr")).to_have_count(len(read_jsonl(dataset)))


def test_a_failures_file(page: Any, dataset: Path, serve: Any) -> None:
    failures = dataset.with_name("agent.failures.jsonl")
    with serve([failures]) as viewer:
        enter(page, viewer, "/s/agent.failures/failures")
        rows = page.locator("table.failures tbody tr")
        rows.first.wait_for()
        assert rows.count() == len(failures.read_text().splitlines())
        assert page.locator("table.failures tbody .badge.bad").first.inner_text() == "min_tool_calls"
        rows.first.click()
        page.wait_for_url(re.compile(r"/failures/1$"))
        expect(page.locator("h1")).to_contain_text("min_tool_calls")
        page.locator(".event.answer").wait_for()  # the rejected record's own timeline


def test_an_evaluation_report(page: Any, dataset: Path, tmp_path: Path, serve: Any) -> None:
    first, second = write_reports(tmp_path, read_jsonl(dataset)[0])
    with serve([first, second]) as viewer:
        enter(page, viewer, "/e/baseline.report")
        assert page.locator("p.notice").inner_text().startswith("Provisional")
        metrics = page.locator("table.metrics tbody tr")
        metrics.first.wait_for()
        assert metrics.locator("th").all_inner_texts() == [
            "task_success",
            "tool_error_recovery",
            "mean_steps",
        ]
        assert page.locator(".ci-range").count() == 2
        page.get_by_label("compare with").select_option("candidate.report")
        page.wait_for_url(re.compile(r"compare=candidate\.report"))
        page.locator("td.up").first.wait_for()
        assert page.locator("td.up").first.inner_text() == "+0.150"
        page.get_by_role("link", name="t-1").first.click()
        page.wait_for_url(re.compile(r"/e/baseline\.report/tasks/t-1$"))
        page.locator(".event.answer").wait_for()


def test_a_split_folder_filters_by_split(page: Any, dataset: Path, serve: Any) -> None:
    from tracefabric.split.assign import split_dataset

    report = split_dataset(dataset, dataset.parent / "agent.splits", validation=0.2, test=0.2, by=["sample"])
    with serve([report.out]) as viewer:
        enter(page, viewer, "/s/agent.splits/records")
        page.locator("select[name=split]").select_option("test")
        page.wait_for_url(re.compile(r"split=test$"))
        expect(page.locator("table.records tbody tr")).to_have_count(report.sizes["test"])
        keys = page.locator("table.records tbody tr").evaluate_all("rows => rows.map(r => r.dataset.key)")
        assert all(key.startswith("test:") for key in keys)
        page.locator("table.records tbody tr").first.click()
        page.locator(".event.answer").wait_for()
        assert re.search(r"/s/agent\.splits/records/test(:|%3A)\d+\?split=test$", page.url)
