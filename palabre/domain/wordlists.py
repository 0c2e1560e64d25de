"""The sites' word lists (``blocked_words``, ``watched_words``): one compiled matcher per list.

``compile_words(settings.blocked_words).find(text)`` returns the entries, as written in the
settings, that the text contains: in list order, each once. An empty list is falsy, so a caller
skips the work. Compiling is cached on the tuple of entries.

Rules (the text and the entries are read the same way):

- Whole words. Letters and digits of any script make words; everything else separates them.
  ``con`` matches "Quel con !" but not "conseil", "conte" or "déconne".
- Case and accents do not count, either way: "CONNARD" and "cônnard" match ``connard``; ``télé``
  matches "tele". Compatibility forms are unfolded (ligatures, full-width letters), as are œ, æ,
  ø, đ, ł and ß. Invisible characters (soft hyphen, zero-width space or joiner, direction
  marks) are dropped: a zero-width space inside "connard" does not hide it.
- A trailing ``*`` matches any word ending: ``idiot*`` matches "idiot", "idiots", "idiote". A
  ``*`` anywhere else is a sign like any other: ``f*ck`` is the two words "f" and "ck".
- Digits and signs for letters: 0 o, 1 i or l, 3 e, 4 a, 5 s, 7 t, @ a, $ s, € e; a sign is part
  of the word it touches ("conn@rd", "$alope"). A word made only of digits and signs is a
  number, never a disguise: "455" does not match ``ass`` (but does match an entry ``455``).
- A letter may be repeated: "connnnard" and "cooonnard" match ``connard``. A double letter of
  the entry stays required: ``ass`` does not match "as", ``connard`` not "conard".
- Letters spelled out one by one, with one to three signs or spaces between them, match:
  "c.o.n.n.a.r.d", "C-O-N", "c o n n a r d".
- An entry of several words matches those words in order, with any signs or spaces between
  them: ``fake news`` matches "Fake-news" and "fake, news" (not "fakenews").
- Entries are normalised like the text (``c0n`` is ``con``); empty entries are ignored.

What it cannot catch: a sign inside a word that is not in the table above ("c*nnard",
"c#nnard"); letters split unevenly ("co.nn.ard", "con nard"); letters spelled out with more
than three signs or a line end between them; look-alike letters of other scripts (Cyrillic о
for o); a word glued to another ("sale_con" is caught, "salecon" is not); a sign glued to the
word ("@con" reads "acon", "con$" reads "cons"); more than 50 extra repeats of i or l next to
a 1; spelled-out entries of several words. Combining marks outside the accent blocks (those of
Devanagari or Arabic, say) separate words, in the text and in the entries alike.

False positives accepted: spelled-out letters are matched anywhere in a run of single letters,
so "c o n t e" and "C.O.N.N.A.R.D" also match ``con``, as may a run of one-letter words; words
differing only by accents, case, repeated letters or i and l around a 1 are the same word
("côté" is "cote", "coon" is "con"); ``fake news`` also matches "fake. News".

Speed: a text is cut in words once and their skeletons (look-alikes read, i and l merged,
repeats dropped) are looked up in sets; only the entries found that way are checked exactly,
by their regular expression. A 10,000-character comment against 500 entries takes about half
a millisecond; texts built to be slow (thousands of single letters in a row, hundreds of
entries at once) take a few milliseconds.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import compress
from operator import not_

__all__ = ["WordList", "compile_words", "fold"]

# Each letter and the digits and signs that stand for it; "1" is read as i or l.
_LOOKALIKES = {"a": "a4@", "e": "e3€", "i": "i1", "l": "l1", "o": "o0", "s": "s5$", "t": "t7",
               "1": "il1"}
_READ_AS = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
# The skeleton of a word, for a first quick look: look-alikes read as letters, i and l merged.
_SKELETON = str.maketrans({**_READ_AS, "1": "i", "l": "i"})
_UNFOLDED = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})
# Accents (once decomposed) and invisible characters (soft hyphen, zero-width spaces and
# joiners, direction marks, variation selectors), dropped.
_DROPPED = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
                      "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff"
                      "\U000e0000-\U000e007f]+")
# Extra repeats allowed where a letter's run could eat the next letter (i and l around a 1):
# bounded, so that no text makes the matcher backtrack for long.
MAX_EXTRA = 50

_SIGN = "[@$€]"  # signs read as letters: part of the word they touch
_WORD_CHAR = rf"(?:[^\W_]|{_SIGN})"
_AFTER = rf"(?!{_WORD_CHAR})"
_WORD_GAP = r"(?:[^\w@$€]|_)++"  # between the words of an entry
_LETTER_GAP = r"(?:[^\w\n@$€]|_){1,3}+"  # between letters spelled out one by one
_ENDING = rf"{_WORD_CHAR}*+"  # what a trailing * stands for
_ENTRY_WORD = re.compile(rf"{_WORD_CHAR}+")
_TOKEN = re.compile(r"[\w@$€\uff04\uff20\ufe69\ufe6b]+")  # words, signs kept in (no "_")
_SPELLED = re.compile(r" \S(?: \S)+(?!\S)")  # one-letter tokens in a row, tokens joined
_REPEATS = re.compile(r"(.)\1+")
_LETTER = re.compile(r"[^\W\d_]")
_SKELETON_WORD = re.compile(r"[^\W_]+")
_REMEMBERED = 40  # tokens this long or shorter have their skeleton cached
_NUMBER = "(?#number)"  # ends the pattern of an entry without letters: it matches numbers

Run = tuple[str, int]  # a letter (or "1") and how many times it is written in a row
Words = tuple[tuple[Run, ...], ...]


def fold(text: str) -> str:
    """Lower case, without accents, compatibility forms unfolded: how words are compared."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _DROPPED.sub("", decomposed).translate(_UNFOLDED)


def _composed(text: str) -> str:
    """Lower case, accents composed (or dropped when they cannot be), invisible characters
    dropped: ready to cut in words."""
    lowered = text.casefold()
    if lowered.isascii():
        return lowered
    return _DROPPED.sub("", unicodedata.normalize("NFC", lowered))


def _runs(word: str) -> tuple[Run, ...]:
    runs: list[Run] = []
    for char in word:
        letter = _READ_AS.get(char, char)
        if runs and runs[-1][0] == letter:
            runs[-1] = (letter, runs[-1][1] + 1)
        else:
            runs.append((letter, 1))
    return tuple(runs)


def _parse(entry: str) -> tuple[Words, bool, bool] | None:
    """An entry's words as runs of letters; whether it ends with a wildcard, has no letter."""
    folded = fold(entry).strip()
    wildcard = folded.endswith("*")
    words = _ENTRY_WORD.findall(folded.rstrip("*"))
    if len(words) > 1 and all(len(word) == 1 for word in words):
        words = ["".join(words)]  # an entry spelled out, "c.o.n", is the word "con"
    if not words:
        return None
    return tuple(_runs(word) for word in words), wildcard, _LETTER.search(folded) is None


def _class(letter: str) -> str:
    """A letter and what stands for it, as a regular expression of one character."""
    chars = _LOOKALIKES.get(letter, letter)
    if len(chars) == 1:
        return re.escape(chars)
    return "[" + "".join(re.escape(char) for char in chars) + "]"


def _overlaps(letter: str, following: str) -> bool:
    return bool(set(_LOOKALIKES.get(letter, letter)) & set(_LOOKALIKES.get(following, following)))


def _repeat(unit: str, least: int, bounded: bool) -> str:
    if bounded:  # greedy, to give a 1 back to the next letter, within bounds
        return f"(?:{unit}){{{least},{least + MAX_EXTRA}}}"
    return f"(?:{unit}){{{least},}}+"  # possessive: nothing to give back, nothing to retry


def _word_rest(runs: tuple[Run, ...], gap: str) -> str:
    """A word after its first letter; ``gap`` goes before each letter (spelled out)."""
    parts = []
    for index, (letter, count) in enumerate(runs):
        following = runs[index + 1][0] if index + 1 < len(runs) else None
        bounded = following is not None and _overlaps(letter, following)
        unit = gap + _class(letter)
        parts.append(("" if index == 0 else unit) + _repeat(unit, count - 1, bounded))
    return "".join(parts)


def _pattern(words: Words, wildcard: bool) -> str:
    """The regular expression of an entry, on folded text: exact, unlike skeletons."""
    plain = _word_rest(words[0], "") + "".join(
        _WORD_GAP + _class(word[0][0]) + _word_rest(word, "") for word in words[1:])
    choices = [plain]
    if len(words) == 1 and sum(count for _, count in words[0]) > 1:
        choices.append(_word_rest(words[0], _LETTER_GAP))
    # The first letter comes first, so that a search skips quickly to where it is.
    return (_class(words[0][0][0]) + rf"(?<!{_WORD_CHAR}.)(?:" + "|".join(choices) + ")"
            + (_ENDING if wildcard else "") + _AFTER)


def _skeletons(words: Words) -> tuple[str, ...]:
    letters = ("".join(letter for letter, _ in runs).translate(_SKELETON) for runs in words)
    return tuple(_REPEATS.sub(r"\1", word) for word in letters)


def _has_prefix(ordered: list[str], prefix: str) -> bool:
    index = bisect_left(ordered, prefix)
    return index < len(ordered) and ordered[index].startswith(prefix)


def _skeleton_of(token: str) -> tuple[str, ...]:
    """A token's words, folded, look-alikes read, i and l merged, repeated letters once."""
    words = _SKELETON_WORD.findall(fold(token).translate(_SKELETON))
    return tuple(_REPEATS.sub(r"\1", word) for word in words)


@functools.lru_cache(maxsize=65536)
def _short_skeleton(token: str) -> tuple[str, ...]:
    """The same, remembered: for words, which recur; not for long tokens, which would fill
    the memory."""
    return _skeleton_of(token)


def _skeleton(token: str) -> tuple[str, ...]:
    return _short_skeleton(token) if len(token) <= _REMEMBERED else _skeleton_of(token)


@functools.lru_cache(maxsize=65536)
def _short_fold(token: str) -> str:
    return fold(token)


def _fold_token(token: str) -> str:
    return _short_fold(token) if len(token) <= _REMEMBERED else fold(token)


def _skeletons_of(tokens: set[str]) -> dict[str, tuple[str, ...]]:
    """Each token's skeleton."""
    short = max(map(len, tokens), default=0) <= _REMEMBERED
    return dict(zip(tokens, map(_short_skeleton if short else _skeleton, tokens), strict=True))


class WordList:
    """A compiled word list: ``find(text)`` gives the entries the text contains.

    The text is cut in words once and their skeletons are looked up in sets, which names the
    few entries it may contain; only those are then checked exactly, by their regular
    expression on the folded text.
    """

    def __init__(self, words: Sequence[str]) -> None:
        self._entries: list[tuple[str, str]] = []  # (entry as written, its pattern)
        self._words: dict[str, set[str]] = {}  # a one-word entry's skeleton -> patterns
        self._prefixes: dict[str, set[str]] = {}  # the same, for entries ending in *
        self._spelled: dict[str, set[str]] = {}  # every one-word entry
        self._phrases: list[tuple[tuple[str, ...], bool, str]] = []  # entries of several words
        self._compiled: dict[str, re.Pattern[str]] = {}
        for entry in dict.fromkeys(words):
            parsed = _parse(entry)
            if parsed is not None:
                self._entries.append((entry, self._index(*parsed)))
        self._lengths = set(map(len, self._spelled))  # of their skeletons

    def _index(self, words: Words, wildcard: bool, number: bool) -> str:
        pattern = _pattern(words, wildcard) + (_NUMBER if number else "")
        skeletons = _skeletons(words)
        if len(skeletons) > 1:
            self._phrases.append((skeletons, wildcard, pattern))
            return pattern
        table = self._prefixes if wildcard else self._words
        table.setdefault(skeletons[0], set()).add(pattern)
        self._spelled.setdefault(skeletons[0], set()).add(pattern)
        return pattern

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __repr__(self) -> str:
        return f"WordList({[entry for entry, _ in self._entries]!r})"

    def find(self, text: str) -> tuple[str, ...]:
        """The entries ``text`` contains, as written in the list, in list order, each once."""
        if not self._entries:
            return ()
        tokens = _TOKEN.findall(_composed(text).replace("_", " "))
        skeletons = _skeletons_of(set(tokens))
        words = set[str]().union(*skeletons.values())
        ordered = sorted(words) if self._prefixes or self._phrases else []
        found = self._check_words(self._one_word(words, ordered), skeletons)
        phrases = self._phrases_in(words, ordered)
        if phrases:  # the words of the text in order, whatever was between them
            folded = " ".join(map(_fold_token, tokens))
            found |= {pattern for pattern in phrases if self._matches(pattern, folded)}
        spelled = self._spelled_out(tokens)
        if spelled:  # the text itself, for what is between the letters
            folded = fold(text)
            found |= {pattern for pattern in spelled if self._matches(pattern, folded)}
        return tuple(entry for entry, pattern in self._entries if pattern in found)

    def _one_word(self, words: set[str], ordered: list[str]) -> dict[str, set[str]]:
        """The skeletons among ``words`` that one-word entries may match, with their patterns."""
        hits = {word: self._words[word] for word in self._words.keys() & words}
        for prefix, patterns in self._prefixes.items():
            index = bisect_left(ordered, prefix)
            while index < len(ordered) and ordered[index].startswith(prefix):
                hits[ordered[index]] = hits.get(ordered[index], set()) | patterns
                index += 1
        return hits

    def _check_words(self, hits: dict[str, set[str]],
                     skeletons: dict[str, tuple[str, ...]]) -> set[str]:
        """The patterns of ``hits`` that match, checked on the tokens that made the hits."""
        if not hits:
            return set()
        made_hits = map(not_, map(hits.keys().isdisjoint, skeletons.values()))
        folded = " ".join(map(_fold_token, compress(skeletons, made_hits)))
        patterns = set[str]().union(*hits.values())
        return {pattern for pattern in patterns if self._matches(pattern, folded)}

    def _phrases_in(self, words: set[str], ordered: list[str]) -> set[str]:
        """The patterns of the entries of several words whose words are all in ``words``."""
        hits: set[str] = set()
        for skeletons, wildcard, pattern in self._phrases:
            *first, last = skeletons
            if all(word in words for word in first) and (
                    last in words or (wildcard and _has_prefix(ordered, last))):
                hits.add(pattern)
        return hits

    def _spelled_out(self, tokens: Iterable[str]) -> set[str]:
        """The patterns of one-word entries found in runs of single letters ("c o n")."""
        hits: set[str] = set()
        for run in _SPELLED.findall(" " + " ".join(tokens)) if self._spelled else ():
            letters = "".join(_skeleton_of(run.replace(" ", "")))
            for skeleton in self._parts_of(letters):
                hits |= self._spelled[skeleton]
        return hits

    def _parts_of(self, letters: str) -> Iterable[str]:
        """The skeletons of one-word entries that are part of ``letters``."""
        if len(letters) > 64:  # a long run: one substring search per entry is quicker
            return [skeleton for skeleton in self._spelled if skeleton in letters]
        return self._spelled.keys() & {letters[start:start + size] for size in self._lengths
                                       for start in range(len(letters) - size + 1)}

    def _matches(self, pattern: str, folded: str) -> bool:
        compiled = self._compiled.get(pattern)
        if compiled is None:
            compiled = self._compiled[pattern] = re.compile(pattern)
        # A match made of digits and signs only is a number ("455"), not a word ("ass"),
        # unless the entry is a number too.
        number = pattern.endswith(_NUMBER)
        return any(number or _LETTER.search(match[0]) for match in compiled.finditer(folded))


def compile_words(words: Sequence[str]) -> WordList:
    """The matcher of a word list (a site setting); built once per distinct list."""
    return _compile(tuple(words))


@functools.lru_cache(maxsize=256)
def _compile(words: tuple[str, ...]) -> WordList:
    return WordList(words)
