"""First render of a 1,000-comment page by the widget, in headless Chromium.

The host page, widget.js and the API answer are served by Playwright's request routing, so
the figures are the widget's own work, free of network and server time. The widget shows a
big page in slices of a few milliseconds: the first screen at once, the rest without blocking.
Figures per run, from the moment the comments answer has been parsed (the widget's
`palabre-render` mark):
- first_build: until the thread and its first slice are in the document (`palabre:ready`);
- first_paint: until the frame after that has been rendered (style, layout, paint);
- all_shown: until all the comments are in the document and painted (`palabre-done` mark);
- from_navigation: first_paint counted from navigation start (script parsing included).

Usage: .venv/bin/python bench/widget_render.py [--runs 15] [--comments 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path
from typing import Any

from playwright.sync_api import Route, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
WIDGET = ROOT / "palabre" / "static" / "widget.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HOST = "http://host.test"
API = "http://api.test"
CORS = {"Access-Control-Allow-Origin": HOST, "Content-Type": "application/json"}

HOST_PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>A busy article</title></head><body><main><h1>A busy article</h1>
<section id="palabre-thread" data-palabre-uri="/busy"></section></main>
<script src="{API}/widget.js" async></script></body></html>"""

MEASURE = """
const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
const mark = (name) => performance.getEntriesByName(name)[0]?.startTime;
const painted = new Promise((resolve) => new PerformanceObserver((list) => {
  resolve(list.getEntries()[0].renderTime);
}).observe({ type: 'element', buffered: true }));
window.__render = new Promise((resolve) => {
  document.addEventListener('palabre:ready', async () => {
    const built = performance.now();
    // Element Timing gives the time the first comment's text was actually presented.
    document.querySelector('.palabre-comment p').setAttribute('elementtiming', 'first');
    const first = await painted;
    while (!mark('palabre-done')) await frame();
    const start = mark('palabre-render');
    resolve({
      first_build: built - start,
      first_paint: first - start,
      all_shown: performance.now() - start,
      from_navigation: first,
    });
  });
});
"""

TEXT = (
    "<p>I read the whole article and I am still not sure the figures add up. "
    "<em>Who</em> pays for the new lanes, and when? "
    '<a href="https://example.org/report" rel="nofollow ugc noopener">The report</a> '
    "says otherwise.</p><p>Second paragraph with <code>inline code</code>.</p>"
)


def comments(total: int, per_thread: int = 20) -> list[dict[str, Any]]:
    """`total` comments, depth-first: threads of `per_thread` with replies up to depth 4."""
    items: list[dict[str, Any]] = []
    stack: list[int] = []
    for n in range(1, total + 1):
        position = (n - 1) % per_thread
        depth = 0 if position == 0 else min(len(stack), 1 + (n * 7) % 4)
        stack = stack[:depth]
        parent = stack[-1] if stack else None
        items.append({
            "id": n, "parent": parent, "reply_to": parent, "depth": depth,
            "author": f"Reader {n % 97}", "website": "https://example.org" if n % 5 == 0 else "",
            "avatar": f"{(n * 2654435761) % (1 << 64):016x}", "html": TEXT,
            "created": f"2026-11-{1 + n % 24:02d}T{n % 24:02d}:00:00Z",
            "edited": None, "likes": n % 7, "dislikes": n % 3, "status": "approved",
        })
        stack.append(n)
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--comments", type=int, default=1000)
    args = parser.parse_args()
    answer = json.dumps({
        "thread": {"site": "default", "uri": "/busy", "title": "A busy article", "closed": False,
                   "count": args.comments, "created": "2026-11-01T00:00:00Z"},
        "comments": comments(args.comments), "next_cursor": None,
    })

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith(HOST):
            route.fulfill(body=HOST_PAGE, content_type="text/html; charset=utf-8")
        elif url.startswith(f"{API}/widget.js"):
            route.fulfill(path=WIDGET, content_type="text/javascript; charset=utf-8")
        elif url.startswith(f"{API}/api/v1/comments"):
            route.fulfill(body=answer, headers=CORS)
        else:
            route.fulfill(body='{"counts": {}}', headers=CORS)

    runs = []
    load = os.getloadavg()[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(args.runs):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", route)
            page.add_init_script(MEASURE)
            page.goto(f"{HOST}/busy")
            runs.append(page.evaluate("window.__render"))
            shown = page.locator(".palabre-comment").count()
            assert shown == args.comments, f"rendered {shown} comments"
            page.close()
        version = browser.version
        browser.close()

    print(f"Chromium {version}, {args.comments} comments, {args.runs} fresh pages"
          f" (load average before: {load:.2f})")
    for key in ("first_build", "first_paint", "all_shown", "from_navigation"):
        values = [run[key] for run in runs]
        print(
            f"{key:>15}: median {statistics.median(values):6.1f} ms, min {min(values):6.1f} ms,"
            f" max {max(values):6.1f} ms, first page {values[0]:6.1f} ms"
        )


if __name__ == "__main__":
    main()
