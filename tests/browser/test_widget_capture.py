"""Full-page captures (what archiving tools take) show every comment of a long thread, not the
blank boxes `content-visibility: auto` leaves where the browser skipped painting."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import Page

from .conftest import Host, Reader, Server, wait_for_thread

pytestmark = pytest.mark.browser

# Decodes a PNG in the browser and counts the pixels, inside a box, that differ from the box's
# first pixel: text and borders make hundreds, a blank box none.
INKED = """async ([png, box]) => {
    const blob = await (await fetch('data:image/png;base64,' + png)).blob();
    const image = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(box.x, box.y, box.width, box.height);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1])
            + Math.abs(data[i + 2] - data[2]) > 60) inked++;
    }
    return inked;
}"""


def inked_pixels(page: Page, scratch: Page, selector: str) -> int:
    """Pixels of the element drawn in a full-page screenshot of `page`."""
    box = page.locator(selector).evaluate("""el => {
        const r = el.getBoundingClientRect();
        return { x: Math.floor(r.x + scrollX), y: Math.floor(r.y + scrollY),
                 width: Math.ceil(r.width), height: Math.ceil(r.height) };
    }""")
    png = base64.b64encode(page.screenshot(full_page=True)).decode()
    return int(scratch.evaluate(INKED, [png, box]))


def test_a_full_page_capture_shows_every_comment(server: Server, host: Host,
                                                 reader: Reader) -> None:
    uri = "/capture/long"
    last = {}
    for n in range(40):
        last = server.post(uri, f"Comment number {n}, with enough words to make a line "
                                "of text that a capture must show.", author=f"Reader {n}")
    page = reader.page
    page.goto(host.page(uri=uri))
    wait_for_thread(page)
    far = f"#comment-{last['comment']['id']}"
    # Once the thread has settled, nothing of it is left unrendered...
    page.wait_for_function(
        "sel => document.querySelector(sel).checkVisibility({ contentVisibilityAuto: true })",
        arg=f"{far} .palabre-body")
    # ...and the full-page picture shows the last comment's text far below the viewport.
    assert page.locator(far).evaluate("el => el.getBoundingClientRect().top") > 2000
    assert inked_pixels(page, reader.new_page(), f"{far} .palabre-body") > 200
