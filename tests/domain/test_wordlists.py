"""The word lists' matcher: whole words, case and accents ignored, common disguises caught."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from palabre.domain.wordlists import compile_words


def finds(entries: tuple[str, ...], text: str) -> tuple[str, ...]:
    return compile_words(entries).find(text)


@pytest.mark.parametrize("text", [
    "Le conseil municipal a voté.", "Il a raconté un conte.", "Ça déconne !", "Second rang",
    "Les cons", "icon", ""])
def test_a_word_inside_another_is_no_match(text: str) -> None:
    assert finds(("con",), text) == ()


@pytest.mark.parametrize("text", [
    "Quel con !", "QUEL CON", "t'es con.", "a con", "(con)", "c0n", "c.o.n", "C-O-N", "c o n",
    "Il y a c o n dedans", "l’con", "sale_con"])
def test_a_word_alone_matches(text: str) -> None:
    assert finds(("con",), text) == ("con",)


@pytest.mark.parametrize("text", [
    "c0nnard", "C.O.N.N.A.R.D", "connnnard", "cooonnard", "Connard", "CONNARD", "cônnard",
    "c o n n a r d", "c-o-n-n-a-r-d", "conn@rd", "cOnNaRd !", "c\u0332o\u0332nnard",
    "ｃｏｎｎａｒｄ", "co\u0301nnard", "c_o_n_n_a_r_d", "x y c o n n a r d z",
    "con\u200bnard", "con\u00adnard", "c\u200do\u200dnnard"])
def test_a_disguised_word_matches(text: str) -> None:
    assert finds(("connard",), text) == ("connard",)


@pytest.mark.parametrize("text", ["conard", "con nard", "connardise", "co.nn.ard", "c0nnards"])
def test_what_is_not_the_word_does_not_match(text: str) -> None:
    assert finds(("connard",), text) == ()


@pytest.mark.parametrize(("text", "expected"), [
    ("You ass!", ("ass",)), ("@ss", ("ass",)), ("a$$", ("ass",)), ("4SS", ("ass",)),
    ("As I said, pass the class.", ()), ("Room 455.", ()), ("$455", ())])
def test_english_and_numbers(text: str, expected: tuple[str, ...]) -> None:
    assert finds(("ass",), text) == expected


def test_an_entry_without_letters_matches_numbers() -> None:
    assert finds(("455", "ass"), "Room 455.") == ("455",)
    assert finds(("0612345678",), "Appelez le 0612345678 !") == ("0612345678",)
    assert finds(("455",), "You ass") == ("455",)  # written with look-alikes, read as letters


def test_spelled_letters_are_found_in_a_long_run_of_single_letters() -> None:
    text = "x " * 50 + "c . o . n" + " y" * 50
    assert finds(("con", "idiot"), text) == ("con",)
    assert finds(("con",), text.replace("c . o . n", "c..o..n")) == ("con",)
    assert finds(("con",), text.replace("c . o . n", "c .. o .. n")) == ()  # four: too far
    assert finds(("con",), text.replace("c . o . n", "c\no\nn")) == ()  # line ends


def test_accents_are_ignored_both_ways() -> None:
    assert finds(("télé",), "la tele, la TÉLÉ, la télé") == ("télé",)
    assert finds(("tele",), "La Télé !") == ("tele",)
    assert finds(("crétin",), "CRETIN") == ("crétin",)
    assert finds(("bœuf",), "un boeuf") == ("bœuf",)
    assert finds(("télé",), "téléphone") == ()
    assert finds(("télé*",), "Le TELEPHONE") == ("télé*",)


def test_a_one_stands_for_i_or_l() -> None:
    assert finds(("bull",), "bu11") == ("bull",)
    assert finds(("fille",), "fi11e") == ("fille",)
    assert finds(("idiot",), "1d10t") == ("idiot",)


def test_a_trailing_star_matches_any_ending() -> None:
    entries = ("idiot*",)
    for text in ("idiot", "idiots", "Idiote !", "IDIOTES", "1d10ts", "i.d.i.o.t.s"):
        assert finds(entries, text) == entries, text
    for text in ("idio", "imbécile", "un semi-idio"):
        assert finds(entries, text) == (), text
    assert finds(("con*",), "Il déconne") == ()


def test_entries_of_several_words_match_the_words_in_order() -> None:
    entries = ("fake news",)
    for text in ("This is fake news.", "FAKE-NEWS", "fake,\nnews", "f4ke n3ws"):
        assert finds(entries, text) == entries, text
    for text in ("fakenews", "news fake", "fake newsletter", "fake", "news"):
        assert finds(entries, text) == (), text
    assert finds(("fake new*",), "fake newsletter") == ("fake new*",)


def test_an_empty_list_is_false_and_finds_nothing() -> None:
    for entries in ((), ("",), (" ", "\t"), ("*",), ("…",)):
        words = compile_words(entries)
        assert not words
        assert words.find("con connard idiot") == ()
    assert compile_words(("", "con"))


def test_entries_come_back_as_written_in_list_order_once() -> None:
    entries = ("Idiot*", "c0n", "", "ass", "con", " CON ", "con")
    text = "Quel CON, ces idiots ! Quel con."
    assert finds(entries, text) == ("Idiot*", "c0n", "con", " CON ")


def test_an_entry_is_normalised_like_the_text() -> None:
    assert finds(("C.O.N",), "quel con") == ("C.O.N",)
    assert finds(("c0nn4rd",), "connard") == ("c0nn4rd",)
    assert finds(("c00nnard",), "connard") == ()  # a double letter stays required


def test_compiling_is_cached_on_the_entries() -> None:
    assert compile_words(["con", "idiot*"]) is compile_words(("con", "idiot*"))


def test_words_split_by_spaces_are_two_words() -> None:
    assert finds(("conseil",), "Le con seil") == ()
    assert finds(("con",), "Le con seil") == ("con",)


def test_accepted_false_positives_are_the_documented_ones() -> None:
    assert finds(("con",), "c o n t e") == ("con",)  # letters spelled out: any part of a run
    assert finds(("cote",), "côté") == ("cote",)  # accents do not count


def test_long_runs_of_look_alikes_do_not_make_it_slow() -> None:
    words = compile_words(("ill", "il*", "lil"))
    start = time.perf_counter()
    for text in ("1" * 10_000 + "x", "i1" * 5_000 + "x", "c " * 5_000, "a." * 5_000):
        words.find(text)
    assert time.perf_counter() - start < 2


# Property: compared with a plain reading of the rules on words of a small alphabet, where
# clashes are frequent: a word matches an entry when it has the same letters in the same order,
# each repeated at least as often (an entry ending in * compares only its own letters).
ENTRY_WORD = st.text(alphabet="abc", min_size=2, max_size=4)
TEXT_WORD = st.text(alphabet="abcAB", min_size=2, max_size=6)
GAP = st.sampled_from([" ", ", ", " ! ", "\n", " « ", "-"])


def runs(word: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for char in word.lower():
        if out and out[-1][0] == char:
            out[-1] = (char, out[-1][1] + 1)
        else:
            out.append((char, 1))
    return out


def word_matches(word: str, entry: str) -> bool:
    wanted, written = runs(entry.rstrip("*")), runs(word)
    if not entry.endswith("*"):
        written = written if len(written) == len(wanted) else []
    return len(written) >= len(wanted) and all(
        letter == other and count >= least
        for (letter, count), (other, least) in zip(written, wanted, strict=False))


@settings(max_examples=200, database=None, deadline=None)
@given(st.lists(st.tuples(ENTRY_WORD, st.booleans()), min_size=1, max_size=5),
       st.lists(st.tuples(TEXT_WORD, GAP), max_size=8))
def test_words_match_exactly_the_entries_they_spell(
        raw: list[tuple[str, bool]], pieces: list[tuple[str, str]]) -> None:
    entries = tuple(dict.fromkeys(word + ("*" if wild else "") for word, wild in raw))
    text = "".join(word + gap for word, gap in pieces)
    expected = tuple(entry for entry in entries
                     if any(word_matches(word, entry) for word, _ in pieces))
    assert finds(entries, text) == expected


# Property: an entry disguised in every documented way, among words it cannot match, is found.
LETTERS = "abcdeilmnorstu"
FILLER = st.text(alphabet="fghjkpqvwxyz", min_size=2, max_size=7)
DISGUISES = {"a": "4@àâ", "e": "3€éèê", "i": "1îï", "l": "1", "o": "0ôö", "s": "5$", "t": "7",
             "u": "ùû", "c": "ç"}


@st.composite
def disguised(draw: st.DrawFn, word: str) -> str:
    glyphs = [word[0].upper() if draw(st.booleans()) else word[0]]  # a letter: not a number
    for char in word[1:]:
        shown = draw(st.sampled_from([char, char.upper(), *DISGUISES.get(char, "")]))
        glyphs.extend([shown] * draw(st.integers(1, 3)))
    return draw(st.sampled_from(["", "", "", ".", " ", "-", " . "])).join(glyphs)


@settings(max_examples=200, database=None, deadline=None)
@given(st.data(), st.text(alphabet=LETTERS, min_size=2, max_size=8),
       st.lists(FILLER, max_size=4), st.lists(FILLER, max_size=4))
def test_a_disguised_entry_among_other_words_is_found(
        data: st.DataObject, entry: str, before: list[str], after: list[str]) -> None:
    words = compile_words((entry,))
    assert words.find(" ".join(before + after)) == ()
    shown = data.draw(disguised(entry))
    assert words.find(" ".join([*before, shown, *after]) + ".") == (entry,)


# Property: any text at all (any script, signs, invisible characters) is read without error,
# and what it contains is still found once more text follows on another line.
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60)
SOME_ENTRIES = st.lists(st.sampled_from(["con", "idiot*", "fake news", "télé", "c.o.n", "ass",
                                         "455", "ﬁlle", "ß"]), max_size=4)


@settings(max_examples=150, database=None, deadline=None)
@given(SOME_ENTRIES, ANY_TEXT, ANY_TEXT)
def test_any_text_is_read_and_more_text_loses_nothing(
        entries: list[str], text: str, more: str) -> None:
    words = compile_words(entries)
    found = words.find(text)
    assert list(found) == [entry for entry in dict.fromkeys(entries) if entry in found]
    assert set(found) <= set(words.find(text + "\n" + more))
