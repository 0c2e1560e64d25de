"""The mails beyond the single reply: a digest of replies, a moderator's alert, a
statement of reasons and the admin's test mail, each in English or French, as a text
part and an HTML part (one template, ``templates/mail/letter.html``, lays out the
sections; user text reaches the HTML only as the comment's stored, sanitised HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from palabre.domain.mail.compose import Draft, _environment, _one_line, comment_url
from palabre.domain.models import Comment, Site, Thread
from palabre.i18n import translate


@dataclass(frozen=True)
class Section:
    """One block of a letter: a heading, a quoted comment, lines, links."""

    heading: str = ""
    text: str = ""  # the comment's Markdown source, for the text part
    html: str = ""  # its sanitised HTML, for the HTML part
    lines: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Letter:
    lang: str
    subject: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    footer: tuple[str, ...] = ()
    footer_link: tuple[str, str] | None = None  # (label, url): the unsubscribe link
    headers: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        blocks = ["\n".join(self.intro)] if self.intro else []
        for s in self.sections:
            lines = [s.heading] if s.heading else []
            lines += [s.text] if s.text else []
            lines += [*s.lines, *(f"{label}: {url}" if self.lang == "en"
                                  else f"{label} : {url}" for label, url in s.links)]
            blocks.append("\n".join(lines))
        if self.footer:
            tail = list(self.footer)
            if self.footer_link:
                tail[-1] += " " + self.footer_link[1]
            blocks.append("-- \n" + "\n".join(tail))
        return "\n\n".join(blocks) + "\n"

    def html(self) -> str:
        def t(key: str, **params: object) -> str:
            return translate(self.lang, key, **params)

        sections = [{"heading": s.heading, "lines": s.lines, "links": s.links,
                     "html": Markup(s.html) if s.html else ""}  # noqa: S704 (sanitised)
                    for s in self.sections]
        return _environment().get_template("letter.html").render(
            lang=self.lang, t=t, subject=self.subject, intro=self.intro, sections=sections,
            footer=self.footer, footer_link=self.footer_link)

    def draft(self, message_id: str, unsubscribe: str = "") -> Draft:
        return Draft(_one_line(self.subject), self.text(), self.html(), message_id,
                     unsubscribe)


def _author(lang: str, comment: Comment) -> str:
    return comment.author or translate(lang, "mail.reply.anonymous")


def _title(thread: Thread) -> str:
    return thread.title or thread.uri


def digest(lang: str, site: Site, replies: list[tuple[Thread, Comment]],
           unsubscribe_url: str) -> Letter:
    """Several replies in one mail, oldest first."""
    count = len(replies)
    sections = tuple(
        Section(heading=translate(lang, "mail.digest.entry", author=_author(lang, c),
                                  title=_title(t)),
                text=c.text, html=c.html,
                links=((translate(lang, "mail.reply.read_link"), comment_url(site, t, c)),))
        for t, c in replies)
    return Letter(lang, translate(lang, "mail.digest.subject", count=count, site=site.name),
                  (translate(lang, "mail.digest.intro", count=count, site=site.name),),
                  sections,
                  (translate(lang, "mail.reply.why", site=site.name),
                   translate(lang, "mail.reply.unsubscribe")),
                  (translate(lang, "mail.reply.unsubscribe_link"), unsubscribe_url))


@dataclass(frozen=True)
class AlertEntry:
    thread: Thread
    comment: Comment
    note: str  # held, reported
    approve_url: str
    reject_url: str


def alert(lang: str, site: Site, entries: list[AlertEntry], desk_url: str) -> Letter:
    """Held or reported comments for a moderator, each with its single-use links."""
    count = len(entries)
    sections = tuple(
        Section(heading=translate(lang, f"mail.alert.{e.note}", author=_author(lang, e.comment),
                                  title=_title(e.thread)),
                text=e.comment.text, html=e.comment.html,
                links=((translate(lang, "mail.alert.approve"), e.approve_url),
                       (translate(lang, "mail.alert.reject"), e.reject_url)))
        for e in entries)
    if count == 1:
        first = entries[0]
        subject = translate(lang, f"mail.alert.subject.{first.note}",
                            title=_title(first.thread), site=site.name)
    else:
        subject = translate(lang, "mail.alert.subject.many", count=count, site=site.name)
    return Letter(lang, subject, (translate(lang, "mail.alert.intro", count=count,
                                            site=site.name),), sections,
                  (translate(lang, "mail.alert.links"),
                   translate(lang, "mail.alert.desk") + " " + desk_url,
                   translate(lang, "mail.alert.why", site=site.name)))


def reasons(lang: str, site: Site, thread: Thread, comment: Comment, reason: str,
            automated: bool, redress: str) -> Letter:
    """A statement of reasons (EU Digital Services Act, art. 17) for a rejected comment."""
    code = reason or "none"
    lines = (translate(lang, "mail.reasons.reason", code=code,
                       meaning=translate(lang, f"mail.reasons.code.{code}")),
             translate(lang, "mail.reasons.automated" if automated else "mail.reasons.human"),
             translate(lang, "mail.reasons.redress", contact=redress) if redress
             else translate(lang, "mail.reasons.no_redress"))
    return Letter(lang, translate(lang, "mail.reasons.subject", title=_title(thread),
                                  site=site.name),
                  (translate(lang, "mail.reasons.intro", title=_title(thread), site=site.name),),
                  (Section(text=comment.text, html=comment.html),
                   Section(lines=lines)),
                  (translate(lang, "mail.reasons.why", site=site.name),))


def trial(lang: str, public_url: str) -> Letter:
    """The admin's test mail."""
    return Letter(lang, translate(lang, "mail.test.subject"),
                  (translate(lang, "mail.test.body", url=public_url),), ())
