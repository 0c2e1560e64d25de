"""The demo page (`palabre serve --demo`) with the widget, in both themes, as pictures.

They are written to bench/.work/screenshots/ (a CI artifact), or to the folder named by
PALABRE_SCREENSHOTS: `PALABRE_SCREENSHOTS=docs/screenshots` refreshes the committed ones.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, Reader, Server, wait_for_thread

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_demo_page_screenshot(server: Server, reader: Reader,
                              scheme: Literal["light", "dark"]) -> None:
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


def test_a_newcomer_replies_on_the_demo_page(server: Server, reader: Reader) -> None:
    """After the pictures (it adds to the demo discussion): `make serve`, read, reply."""
    page = reader.page
    page.goto(f"{server.base}/")
    wait_for_thread(page)
    count = page.locator(".palabre-heading").inner_text().split()[0]
    last = page.locator(".palabre-list > .palabre-comment").last
    last.locator("> .palabre-actions").get_by_role("button", name="Répondre").click()
    form = last.get_by_role("form")
    form.get_by_label("Commentaire").fill("Je découvre Palabre : bravo !")
    form.get_by_label("Nom (facultatif)").fill("Nouvelle lectrice")
    form.get_by_role("button", name="Répondre").click()
    mine = last.locator("> .palabre-replies > .palabre-comment").last
    expect(mine.locator(".palabre-body")).to_have_text("Je découvre Palabre : bravo !")
    expect(page.locator(".palabre-heading")).to_contain_text(f"{int(count) + 1} commentaires")
    assert reader.console == []


def test_a_newcomer_replies_on_the_demo_page_in_english(server: Server, reader: Reader) -> None:
    """The same visit with `?lang=en`: the discussion speaks English around French comments."""
    page = reader.page
    page.goto(f"{server.base}/?lang=en")
    wait_for_thread(page)
    heading = page.locator(".palabre-heading")
    expect(heading).to_contain_text(" comments on ‘")
    count = heading.inner_text().split()[0]
    first = page.locator(".palabre-list > .palabre-comment").first
    first.locator("> .palabre-actions").get_by_role("button", name="Reply").click()
    form = first.get_by_role("form")
    form.get_by_label("Comment").fill("Reading this from abroad: *great* thread.")
    form.get_by_label("Name (optional)").fill("Visiting reader")
    form.get_by_role("button", name="Post reply").click()
    mine = first.locator("> .palabre-replies > .palabre-comment").last
    expect(mine.locator("> .palabre-body")).to_have_text("Reading this from abroad: great thread.")
    expect(mine.locator("> .palabre-body em")).to_have_text("great")
    expect(heading).to_contain_text(f"{int(count) + 1} comments")
    expect(page.locator("span[data-palabre-count]")).to_contain_text("comments")
    assert reader.console == []
