"""Message catalogues and plurals.

One JSON file per language, shared with the widget (``locales/en.json``), plus the catalogues
of parts the widget never shows, one folder each (``locales/admin/en.json``): the server
reads them all as one catalogue per language.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
CATALOGUES = Path(__file__).with_name("locales")


@cache
def catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for part in (CATALOGUES / f"{lang}.json", *sorted(CATALOGUES.glob(f"*/{lang}.json"))):
        data.update(json.loads(part.read_text("utf-8")))
    return data


def negotiate(explicit: str | None, accept_language: str | None) -> str:
    """The language to answer in: an explicit ``lang=`` first, then Accept-Language."""
    if explicit:
        base = explicit.strip().lower()[:2]
        if base in LANGUAGES:
            return base
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        base = tag.strip().lower()[:2]
        if base in LANGUAGES and quality > 0:
            ranked.append((-quality, index, base))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def plural_form(lang: str, count: int) -> str:
    """CLDR plural category for the languages Palabre speaks."""
    if lang == "fr":
        return "one" if count in (0, 1) else "other"
    return "one" if count == 1 else "other"


def translate(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang``; a ``count`` parameter picks the plural form."""
    messages = catalogue(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    count = params.get("count")
    if isinstance(count, int) and f"{key}.other" in catalogue(DEFAULT_LANGUAGE):
        key = f"{key}.{plural_form(lang, count)}"
    template = messages.get(key) or catalogue(DEFAULT_LANGUAGE).get(key, key)
    return template.format_map(_Params(params))


class _Params(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
