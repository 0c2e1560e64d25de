"""axe-core finds no serious or critical problem in the widget, in either theme."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from playwright.sync_api import Page, expect

from .conftest import Host, Reader, Server, wait_for_thread

pytestmark = pytest.mark.browser


def serious_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("""async () => {
        const { violations } = await axe.run(document, { resultTypes: ['violations'] });
        return violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary),
        }));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(server: Server, host: Host, reader: Reader,
                                             axe_source: str,
                                             scheme: Literal["light", "dark"]) -> None:
    uri = f"/a11y/{scheme}"
    top = server.post(uri, "A *first* comment with [a link](https://example.org)",
                      author="Jeanne", website="https://example.org")["comment"]
    reply = server.post(uri, "> quoted\n\nA reply", author="Paul", parent=top["id"])["comment"]
    server.post(uri, "`code` and more", parent=reply["id"])
    page = reader.page
    page.emulate_media(color_scheme=scheme)
    page.goto(host.page('<p><span data-palabre-count="' + uri + '"></span></p>', uri=uri))
    wait_for_thread(page)

    # Every state a reader can bring about: an own comment, an open reply form with a
    # preview, an error, a vote, a highlighted permalink.
    form = page.get_by_role("form", name="Leave a comment")
    form.get_by_label("Comment").fill("Mine")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".palabre-live")).to_have_text("Your comment was published.")
    page.locator(f"#comment-{top['id']}").get_by_role("button", name="Reply").first.click()
    reply_form = page.get_by_role("form", name="Reply to Jeanne")
    reply_form.get_by_label("Comment").fill("**bold** draft")
    reply_form.get_by_role("button", name="Preview").click()
    form.get_by_role("button", name="Post comment").click()
    expect(form.get_by_role("alert")).to_have_text("The comment is empty.")
    page.locator(f"#comment-{top['id']} [data-act=like]").first.click()
    page.evaluate(f"location.hash = '#comment-{reply['id']}'")
    expect(page.locator(f"#comment-{reply['id']}")).to_have_class(
        "palabre-comment palabre-target")

    violations = serious_violations(page, axe_source)
    assert violations == [], violations


def test_closed_thread_in_french_is_accessible(server: Server, host: Host, reader: Reader,
                                               axe_source: str) -> None:
    uri = "/a11y/closed"
    server.post(uri, "Un commentaire")
    server.cli("thread", "close", "--uri", uri)
    page = reader.page
    page.goto(host.page(uri=uri, lang="fr"))
    wait_for_thread(page)
    assert serious_violations(page, axe_source) == []
