"""Writing: posting, replying past the maximum depth, editing, deleting, voting, moderation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import Host, Reader, Server, wait_for_thread

pytestmark = pytest.mark.browser


def open_thread(page: Page, url: str) -> Locator:
    page.goto(url)
    wait_for_thread(page)
    return page.locator("#palabre-thread")


def main_form(page: Page) -> Locator:
    return page.get_by_role("form", name="Leave a comment")


def test_post_a_comment_with_preview(server: Server, host: Host, reader: Reader) -> None:
    page = reader.page
    url = host.page('<span data-palabre-count="/write/post"></span>', uri="/write/post",
                    title="Trams")
    thread = open_thread(page, url)
    form = main_form(page)
    form.get_by_label("Comment").fill("Hello **world**, see https://example.org")
    form.get_by_role("button", name="Preview").click()
    expect(form.locator(".palabre-preview strong")).to_have_text("world")
    expect(form.locator(".palabre-preview a")).to_have_attribute("href", "https://example.org")
    form.get_by_label("Name (optional)").fill("Jeanne")
    form.get_by_label("Email (optional, never shown)").fill("jeanne@example.org")
    form.get_by_label("Website (optional)").fill("https://jeanne.example.org")
    form.get_by_role("button", name="Post comment").click()

    mine = thread.locator(".palabre-list > .palabre-comment")
    expect(mine).to_have_count(1)
    expect(mine.locator(".palabre-body strong")).to_have_text("world")
    expect(mine.locator("a.palabre-author")).to_have_text("Jeanne")
    expect(mine).to_be_focused()
    expect(page.locator(".palabre-heading")).to_have_text("1 comment on ‘Trams’")
    expect(page.locator("span[data-palabre-count]")).to_have_text("1 comment")
    expect(page.locator(".palabre-live")).to_have_text("Your comment was published.")
    expect(form.get_by_label("Comment")).to_have_value("")
    expect(form.locator(".palabre-preview")).to_be_hidden()
    stored = server.comments("/write/post")
    assert stored["thread"]["title"] == "Trams"
    assert stored["comments"][0]["author"] == "Jeanne"

    # The name, email and website are remembered; the comment stays editable after a reload.
    page.reload()
    wait_for_thread(page)
    expect(main_form(page).get_by_label("Name (optional)")).to_have_value("Jeanne")
    expect(main_form(page).get_by_label("Website (optional)")).to_have_value(
        "https://jeanne.example.org")
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()


def test_reply_past_the_maximum_depth(server: Server, host: Host, reader: Reader) -> None:
    site = server.create_site("shallow", max_depth=2)
    uri = "/write/deep"
    top = server.post(uri, "Top level", site=site, author="Jeanne")["comment"]
    deep = server.post(uri, "At the deepest level", site=site, author="Paul",
                       parent=top["id"])["comment"]
    page = reader.page
    open_thread(page, host.page(uri=uri, script=f'data-palabre-site="{site}"'))
    page.locator(f"#comment-{deep['id']}").get_by_role("button", name="Reply").click()
    form = page.get_by_role("form", name="Reply to Paul")
    expect(form.get_by_label("Comment")).to_be_focused()
    page.keyboard.type("I answer Paul")
    form.get_by_role("button", name="Post reply").click()

    reply = page.locator(f"#comment-{top['id']} > .palabre-replies > .palabre-comment").nth(1)
    expect(reply.locator(".palabre-body")).to_have_text("I answer Paul")
    link = reply.get_by_role("link", name="in reply to Paul")
    expect(link).to_have_attribute("href", f"#comment-{deep['id']}")
    expect(form).to_have_count(0)
    link.click()
    expect(page.locator(f"#comment-{deep['id']}")).to_have_class(
        "palabre-comment palabre-target")
    expect(page.locator(".palabre-heading")).to_have_text(
        "3 comments on ‘An article’")


def test_edit_then_delete_own_comment(server: Server, host: Host, reader: Reader) -> None:
    page = reader.page
    thread = open_thread(page, host.page(uri="/write/edit"))
    main_form(page).get_by_label("Comment").fill("First *draft*")
    main_form(page).get_by_role("button", name="Post comment").click()
    mine = thread.locator(".palabre-list > .palabre-comment")
    expect(mine.locator(".palabre-body em")).to_have_text("draft")

    mine.get_by_role("button", name="Edit").click()
    editor = page.get_by_role("form", name="Edit your comment")
    expect(editor.get_by_label("Comment")).to_have_value("First *draft*")
    editor.get_by_label("Comment").fill("Second **version**")
    editor.get_by_role("button", name="Save").click()
    expect(mine.locator(".palabre-body strong")).to_have_text("version")
    expect(mine.locator(".palabre-edited")).to_have_text("edited")
    assert "version" in server.comments("/write/edit")["comments"][0]["html"]

    mine.get_by_role("button", name="Delete").click()
    mine.get_by_role("button", name="Cancel").click()
    expect(mine.get_by_role("button", name="Delete")).to_be_focused()
    mine.get_by_role("button", name="Delete").click()
    expect(mine.locator(".palabre-actions")).to_contain_text("Delete this comment?")
    mine.get_by_role("button", name="Delete").click()
    expect(mine).to_have_count(0)
    expect(page.locator(".palabre-heading")).to_have_text(
        "0 comments on ‘An article’")
    expect(page.locator(".palabre-empty")).to_be_visible()
    assert server.comments("/write/edit")["comments"] == []


def test_deleting_a_replied_comment_leaves_a_placeholder(server: Server, host: Host,
                                                         reader: Reader) -> None:
    page = reader.page
    uri = "/write/placeholder"
    thread = open_thread(page, host.page(uri=uri))
    main_form(page).get_by_label("Comment").fill("Soon gone")
    main_form(page).get_by_role("button", name="Post comment").click()
    mine = thread.locator(".palabre-list > .palabre-comment")
    expect(mine).to_have_count(1)
    mine_id = int((mine.get_attribute("id") or "").removeprefix("comment-"))
    server.post(uri, "A reply from someone else", parent=mine_id)
    page.reload()
    wait_for_thread(page)
    mine.get_by_role("button", name="Delete").first.click()
    mine.locator("> .palabre-actions").get_by_role("button", name="Delete").click()
    expect(mine.locator("> .palabre-meta")).to_have_text("This comment was deleted.now")
    expect(mine.locator("> .palabre-replies .palabre-body")).to_have_text(
        "A reply from someone else")
    expect(page.locator(".palabre-heading")).to_have_text(
        "1 comment on ‘An article’")


def test_votes(server: Server, host: Host, reader: Reader) -> None:
    uri = "/write/votes"
    theirs = server.post(uri, "Vote on me", author="Someone else")["comment"]
    page = reader.page
    thread = open_thread(page, host.page(uri=uri))
    comment = thread.locator(f"#comment-{theirs['id']}")
    like = comment.get_by_role("button", name="Like", exact=False).first
    dislike = comment.locator("[data-act=dislike]")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_have_text("▲Like 1")
    expect(like).to_be_focused()
    dislike.click()
    expect(dislike).to_have_attribute("aria-pressed", "true")
    expect(dislike).to_have_text("▼Dislike 1")
    expect(like).to_have_text("▲Like 0")
    dislike.click()
    expect(dislike).to_have_attribute("aria-pressed", "false")
    expect(dislike).to_have_text("▼Dislike 0")
    comment_json = server.comments(uri)["comments"][0]
    assert (comment_json["likes"], comment_json["dislikes"]) == (0, 0)
    like.click()
    expect(like).to_have_text("▲Like 1")

    # One's own comment cannot be voted on.
    main_form(page).get_by_label("Comment").fill("My own")
    main_form(page).get_by_role("button", name="Post comment").click()
    mine = thread.locator(".palabre-list > .palabre-comment").nth(1)
    expect(mine.locator("[data-act=like]")).to_be_disabled()
    expect(mine.locator("[data-act=dislike]")).to_be_disabled()


def test_pending_comment_awaits_moderation(server: Server, host: Host, reader: Reader,
                                           other_reader: Reader) -> None:
    site = server.create_site("moderated", moderation="all")
    url = host.page(uri="/write/pending", script=f'data-palabre-site="{site}"')
    page = reader.page
    thread = open_thread(page, url)
    main_form(page).get_by_label("Comment").fill("Please approve me")
    main_form(page).get_by_role("button", name="Post comment").click()
    mine = thread.locator(".palabre-list > .palabre-comment")
    expect(mine.locator(".palabre-pending")).to_have_text("Your comment is awaiting moderation.")
    expect(page.locator(".palabre-live")).to_have_text("Your comment is awaiting moderation.")
    expect(page.locator(".palabre-heading")).to_have_text(
        "0 comments on ‘An article’")
    expect(mine.locator("[data-act=reply]")).to_have_count(0)
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()

    others = other_reader.page
    open_thread(others, url)
    expect(others.locator(".palabre-comment")).to_have_count(0)
    expect(others.locator(".palabre-empty")).to_have_text("No comments yet.")


def test_keyboard_only(server: Server, host: Host, reader: Reader) -> None:
    uri = "/write/keyboard"
    theirs = server.post(uri, "Someone else's comment", author="Marie")["comment"]
    page = reader.page
    thread = open_thread(page, host.page(uri=uri))

    def tab_to(locator: Locator, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("el => el === document.activeElement"):
                outline = locator.evaluate("el => getComputedStyle(el).outlineStyle")
                assert outline != "none", "focus must be visible"
                return
        raise AssertionError(f"Tab never reached {locator}")

    tab_to(main_form(page).get_by_label("Comment"))
    page.keyboard.type("Typed with the keyboard")
    tab_to(main_form(page).get_by_role("button", name="Post comment"))
    page.keyboard.press("Enter")
    mine = thread.locator(".palabre-list > .palabre-comment").nth(1)
    expect(mine).to_be_focused()

    other = thread.locator(f"#comment-{theirs['id']}")
    other.focus()
    tab_to(other.locator("[data-act=like]"))
    page.keyboard.press("Enter")
    expect(other.locator("[data-act=like]")).to_have_attribute("aria-pressed", "true")
    tab_to(other.locator("[data-act=reply]"))
    page.keyboard.press("Enter")
    reply_form = page.get_by_role("form", name="Reply to Marie")
    expect(reply_form.get_by_label("Comment")).to_be_focused()
    page.keyboard.type("A keyboard reply")
    tab_to(reply_form.get_by_role("button", name="Post reply"))
    page.keyboard.press("Space")
    reply = other.locator("> .palabre-replies > .palabre-comment")
    expect(reply).to_be_focused()

    tab_to(reply.get_by_role("button", name="Edit"))
    page.keyboard.press("Enter")
    editor = page.get_by_role("form", name="Edit your comment")
    expect(editor.get_by_label("Comment")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(", edited")
    tab_to(editor.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(reply.locator("> .palabre-body")).to_have_text("A keyboard reply, edited")
