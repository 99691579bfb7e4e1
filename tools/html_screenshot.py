"""Screenshot an HTML report in headless Chromium (for docs/html-report.png).

    pytest suites --azurestack-target emulator -n 2 --azurestack-profile 2020-09-01-hybrid \
        --azurestack-profile 2019-03-01-hybrid --azurestack-profile latest --azurestack-report-html r.html
    python tools/html_screenshot.py r.html docs/html-report.png

Needs ``pip install -e '.[browser]'`` and Debian's Chromium (``apt-get install chromium``); the page
is opened offline, as the report must need nothing but itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright import sync_api


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--max-height", type=int, default=3000, help="crop below this (the timings table)")
    args = parser.parse_args()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        try:
            page = browser.new_context(viewport={"width": args.width, "height": 900}, offline=True).new_page()
            page.goto(args.report.resolve().as_uri())
            height = min(args.max_height, page.evaluate("document.documentElement.scrollHeight"))
            clip = {"x": 0, "y": 0, "width": args.width, "height": height}
            page.screenshot(path=str(args.png), full_page=True, clip=clip)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
