"""The demo page (`palabre serve --demo`) with the widget, in both themes, as pictures.

They are written to bench/.work/screenshots/ (a CI artifact), or to the folder named by
PALABRE_SCREENSHOTS: `PALABRE_SCREENSHOTS=docs/screenshots` refreshes the committed ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, Reader, Server, wait_for_thread

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_demo_page_screenshot(server: Server, reader: Reader, scheme: str) -> None:
    folder = Path(os.environ.get("PALABRE_SCREENSHOTS") or ROOT / "bench" / ".work" / "screenshots")
    folder = folder if folder.is_absolute() else ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    page = reader.page
    page.set_viewport_size({"width": 900, "height": 1200})
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{server.base}/")
    wait_for_thread(page)
    # The widget replaced the server-rendered fragment and speaks the page's language.
    expect(page.locator("#palabre-thread .palabre-static")).to_have_count(0)
    expect(page.locator(".palabre-heading")).to_contain_text("commentaires sur « ")
    expect(page.locator("span[data-palabre-count]")).to_contain_text("commentaires")
    page.locator("#palabre-thread").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('palabre-thread').scrollIntoView()")
    page.screenshot(path=folder / f"demo-{scheme}.png")
    assert reader.console == []
