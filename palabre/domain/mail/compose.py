"""What a mail says: the confirmation and the reply notification, in the subscriber's
language, as a text part and an HTML part (templates/mail/), with its links.

The HTML parts are templates; the text parts are the same sentences, put together here.
A mail is rendered when it is queued and kept (JSON) until it is sent; the recipient and
the sender are added at sending time (``delivery.py``), so an erased or unsubscribed
address is never written into a message that waits."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from email.utils import make_msgid
from functools import cache
from urllib.parse import quote, urlsplit

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from palabre.domain.models import Comment, Site, Thread
from palabre.i18n import translate


@dataclass(frozen=True)
class Draft:
    subject: str
    text: str
    html: str
    message_id: str
    unsubscribe: str = ""  # the one-click URL (List-Unsubscribe), for notifications

    def dumps(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def loads(cls, raw: str) -> Draft:
        return cls(**orjson.loads(raw))


@dataclass(frozen=True)
class Links:
    """Absolute links, from the server's ``public_url`` (never from a request's Host)."""

    public_url: str

    def confirm(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/mail/confirm?token={quote(token)}"

    def unsubscribe(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/mail/unsubscribe?token={quote(token)}"

    def moderate(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/mail/moderate?token={quote(token)}"

    def message_id(self, kind: str) -> str:
        return make_msgid(idstring=f"palabre.{kind}", domain=urlsplit(self.public_url).hostname
                          or "palabre.invalid")


def comment_url(site: Site, thread: Thread, comment: Comment) -> str:
    """Where readers see the comment: the site's ``site_url``, the page, its anchor."""
    return f"{site.settings.site_url.rstrip('/')}{thread.uri}#comment-{comment.id}"


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("palabre", "templates/mail"),
                       autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


def _render(name: str, lang: str, **values: object) -> str:
    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    return _environment().get_template(name).render(lang=lang, t=t, **values)


def _one_line(text: str) -> str:
    """A header's text: line breaks (which would end the header) become spaces."""
    return " ".join(text.split())


def _lines(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


def confirmation(lang: str, site: Site, confirm_url: str, message_id: str) -> Draft:
    subject = _one_line(translate(lang, "mail.confirm.subject", site=site.name))
    text = _lines(translate(lang, "mail.confirm.hello"),
                  translate(lang, "mail.confirm.body", site=site.name), confirm_url,
                  translate(lang, "mail.confirm.expires") + "\n"
                  + translate(lang, "mail.confirm.ignore"))
    values = {"site": site.name, "confirm_url": confirm_url, "subject": subject}
    return Draft(subject, text, _render("confirm.html", lang, **values), message_id)


def reply(lang: str, site: Site, thread: Thread, answer: Comment, unsubscribe_url: str,
          message_id: str) -> Draft:
    """The notification of ``answer``; its HTML is the comment's stored, sanitised HTML."""
    author = answer.author or translate(lang, "mail.reply.anonymous")
    title = thread.title or thread.uri
    subject = _one_line(translate(lang, "mail.reply.subject", author=author, title=title))
    values = {"site": site.name, "author": author, "title": title, "subject": subject,
              "text": answer.text, "html": Markup(answer.html),  # noqa: S704 (sanitised)
              "comment_url": comment_url(site, thread, answer),
              "unsubscribe_url": unsubscribe_url}
    text = _lines(translate(lang, "mail.reply.intro", author=author, title=title), answer.text,
                  translate(lang, "mail.reply.read") + " " + str(values["comment_url"]),
                  "-- \n" + translate(lang, "mail.reply.why", site=site.name) + "\n"
                  + translate(lang, "mail.reply.unsubscribe") + " " + unsubscribe_url)
    return Draft(subject, text, _render("reply.html", lang, **values), message_id,
                 unsubscribe_url)
