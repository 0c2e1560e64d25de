"""Property tests of thread keys: the same page always normalises to the same URI."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from palabre.domain.errors import InvalidInput
from palabre.domain.uris import normalise_uri

SEGMENT = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"],
                                         blacklist_characters="/?#%\\"), min_size=1,
                  max_size=8)
PATHS = st.lists(SEGMENT, min_size=0, max_size=5).map(lambda parts: "/" + "/".join(parts)).filter(
    lambda path: path == path.strip())
PRINTABLE = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=10)
ANY = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
NORMAL = re.compile(r"^/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$")


def normal_or_refused(raw: str) -> str | None:
    try:
        return normalise_uri(raw)
    except InvalidInput:
        return None


@settings(max_examples=300, database=None)
@given(ANY)
def test_normalising_is_idempotent_and_yields_a_clean_path(raw: str) -> None:
    uri = normal_or_refused(raw)
    assume(uri is not None)
    assert uri is not None
    assert NORMAL.match(uri), uri
    assert normalise_uri(uri) == uri
    assert "#" not in uri and "?" not in uri
    assert not uri.startswith("//")


@settings(max_examples=200, database=None)
@given(PATHS, PRINTABLE, PRINTABLE)
def test_fragment_query_scheme_and_host_do_not_matter(path: str, fragment: str, query: str) -> None:
    uri = normalise_uri(path)
    assert normalise_uri(f"{path}#{fragment}") == uri
    assert normalise_uri(f"{path}?{query}") == uri
    assert normalise_uri(f"https://www.example.org{path}") == uri
    assert normalise_uri(f"http://example.org:8080{path}?{query}#{fragment}") == uri


@settings(max_examples=200, database=None)
@given(PATHS)
def test_percent_encoding_does_not_matter(path: str) -> None:
    uri = normalise_uri(path)
    assert normalise_uri(quote(path)) == uri
    assert normalise_uri(quote(path, safe="/:@!$&'()*+,;=")) == uri
    lower_hex = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(path))
    assert normalise_uri(lower_hex) == uri
    encoded_all = "".join(f"%{b:02x}" if ch != "/" else "/"
                          for ch in path for b in ch.encode())
    assert normalise_uri(encoded_all) == uri


@settings(max_examples=200, database=None)
@given(PATHS, SEGMENT)
def test_dot_segments_are_resolved(path: str, segment: str) -> None:
    assume(segment not in {".", ".."})
    base = path.rstrip("/")
    assert normalise_uri(f"{base}/./{segment}/..") == normalise_uri(base or "/")
    assert normalise_uri(f"{base}/{segment}/../") == normalise_uri(base + "/")


@pytest.mark.parametrize("raw", ["", "   ", "/a\x00", "/a\nb", "x" * 2001, "/%ff", "/%c3"])
def test_invalid_uris_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_uri(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("/a/b", "/a/b"), ("/a/b#comments", "/a/b"), ("https://example.org/a/b", "/a/b"),
    ("/a/%62", "/a/b"), ("/caf%c3%a9", "/caf%C3%A9"), ("/café", "/caf%C3%A9"),
    ("/a b", "/a%20b"), ("/a+b", "/a+b"), ("a/b", "/a/b"), ("/a//b", "/a/b"), ("/a/b/", "/a/b/"),
    ("//host/a", "/a"), ("/", "/"), ("?q=1", "/"), ("#top", "/"),
])
def test_examples(raw: str, expected: str) -> None:
    assert normalise_uri(raw) == expected
