"""The screenshots in docs/viewer.md: a generated dataset (tests/viewer/data.py) and two
provisional evaluation reports, served by the viewer and shot in the system Chromium.

    python -m tests.viewer.screenshots docs/images
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.scripted import read_jsonl

from .conftest import running
from .data import make_dataset
from .evaluation_reports import write_reports
from .test_browser import ARGS, CHROMIUM

VIEWPORT = {"width": 1100, "height": 680}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tracefabric-shots-") as tmp:
        dataset = make_dataset(Path(tmp) / "run", samples=24)
        records = read_jsonl(dataset)
        faulted = next(n for n, r in enumerate(records, 1) if r["metadata"]["injected_faults"])
        first, second = write_reports(Path(tmp), records[faulted - 1])
        with running([dataset, first, second]) as viewer, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
            page.goto(f"{viewer.base}/?token={viewer.token}")

            def shot(path: str, name: str, wait: str, action: object = None) -> None:
                page.goto(f"{viewer.base}{path}")
                page.locator(wait).first.wait_for()
                if callable(action):
                    action()
                page.screenshot(path=str(out / name))
                page.set_viewport_size(VIEWPORT)
                print(out / name)

            shot("/s/agent", "viewer-overview.png", "section.card")
            shot("/s/agent/records?error=RateLimited", "viewer-records.png", "table.records tbody tr")

            def replay() -> None:
                page.locator("#replay").click()
                page.locator("ul.filetree li.added").wait_for()
                page.set_viewport_size({"width": 1100, "height": 1000})  # down to the injected fault

            shot(f"/s/agent/records/{faulted}?error=RateLimited", "viewer-record.png", ".event.step", replay)
            shot("/s/agent/failures/2", "viewer-failure.png", ".event.answer")
            shot("/e/baseline.report?compare=candidate.report", "viewer-evaluation.png", "table.metrics")
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
