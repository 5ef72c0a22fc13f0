"""Screenshots of the booking page for the README, from the real app in headless Chromium.

Regenerate with::

    .venv/bin/python -m tests.e2e.screenshots

It serves the demo owner (``examples/boundaries.toml``) on loopback with the clock fixed
at Monday 2027-01-04 09:00 in Paris, opens the page as an English-speaking client in
New York, and writes ``docs/booking-page-phone.png`` (360×780) and
``docs/booking-page-desktop.png`` (1280×900).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.e2e.conftest import CHROMIUM_ARGS, ROOT, LiveApp, chromium_path

SHOTS = {
    "booking-page-phone.png": {"width": 360, "height": 780},
    "booking-page-desktop.png": {"width": 1280, "height": 900},
}


def main() -> int:
    path = chromium_path()
    if path is None:
        print("no Chromium found: apt-get install -y chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        live = LiveApp(Path(directory))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
                for name, viewport in SHOTS.items():
                    context = browser.new_context(
                        viewport=viewport, locale="en-US", timezone_id="America/New_York"
                    )
                    page = context.new_page()
                    page.goto(f"{live.url}/camille?tz=America/New_York")
                    page.wait_for_selector(".day-tabs")
                    page.screenshot(path=str(out / name))
                    context.close()
                    print(f"wrote docs/{name}")
                browser.close()
        finally:
            live.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
