"""Candidate search for the typosquat check: which popular names is a name a mutation of?

Every mutation family gets a hash index over the popular names, so a query costs a few dozen
dictionary look-ups instead of a comparison with each of 15,000 names:
- separators (`-`, `_`, `.`, none) and confusable glyphs: exact look-up of a folded key;
- `py`/`python`/`python3` prefixes and suffixes, reordered words, version-like suffixes: the same;
- a popular name with a word tacked on, unless popular projects already extend that name;
- typing errors: rapidfuzz's optimal-string-alignment distance (Damerau-Levenshtein with
  adjacent swaps) over the popular names within one character of the query's length, scanned
  bit-parallel for the first queries of a length, then a single-deletion neighbourhood
  (SymSpell) hash index of those names, built once that length is asked often (`_NearIndex`);
- two typing errors: the same scan over the long top names within two characters.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

_GLYPHS = str.maketrans({"1": "l", "i": "l", "0": "o"})
_AFFIX = re.compile(r"^(?:python3|python|py)-?|-(?:python3|python|py)$|(?<=[a-z]{4})-?python3?$")
_VERSION_SUFFIX = re.compile(r"^(.+?)-?v?\d{1,3}$")
K = TypeVar("K")
TWO_SLIP_TARGET = 8
"""Shortest target (separators removed) two slips are weighed against as slips: two changes in
a seven-letter name leave too little of it (`dbcode` / `dbt-core`)."""
AFFIXED_CORE = 6
"""Shortest word (affix removed) searched for an affix plus a slip: a short core is one slip
from many others (`let` / `pyglet`)."""
LONG_NAME = 7
"""Targets at least this long (separators removed) are also searched at two edits: two
edits in a shorter name make a different word as often as a squat."""


def stripped(name: str) -> str:
    """A PEP 503 normalised name without separators (`python-dateutil` -> `pythondateutil`)."""
    return name.replace("-", "")


def skeleton(name: str) -> str:
    """Confusable glyphs folded together: l/1/I, 0/o, rn/m, vv/w (normalised input)."""
    return stripped(name).replace("rn", "m").replace("vv", "w").translate(_GLYPHS)


def core(name: str) -> str:
    """The name without `py`/`python`/`python3` prefixes or suffixes, separators removed."""
    return stripped(_AFFIX.sub("", name))


def words(name: str) -> tuple[str, ...]:
    return tuple(sorted(name.split("-")))


@dataclass(frozen=True)
class Candidate:
    """A popular name that the query may imitate."""

    target: str
    """The popular project's normalised name."""
    kind: str
    """The mutation, e.g. `omitted letter`, `confusable glyphs`, `python prefix/suffix`."""
    edits: int
    """Edits between the two names with separators removed (0 for the folding families)."""


class SquatIndex:
    """Hash indexes over the popular names; built once, then read-only."""

    def __init__(self, names: list[str], edit_targets: int, two_edit_targets: int) -> None:
        """`names` in rank order; the first `edit_targets` are targets, the first
        `two_edit_targets` (when long) are also searched for two typing errors."""
        # Imported here: a run whose names are all popular never builds the index (start-up).
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        self._distance = OSA.distance
        self._extract = process.extract
        names = names[:edit_targets]
        self.by_stripped = _first_wins((stripped(n), n) for n in names)
        self.by_skeleton = _first_wins((skeleton(n), n) for n in names)
        cores = ((core(n), n) for n in names)
        self.by_core = _first_wins((c, n) for c, n in cores if len(c) >= 4)
        self.by_words = _first_wins((words(n), n) for n in names if "-" in n)
        self.popular = set(names)
        self._names = names
        self._by_length: dict[int, list[tuple[str, str]]] = {}
        """Stripped length -> (normalised, stripped) targets of that length."""
        for name in names:
            plain = stripped(name)
            self._by_length.setdefault(len(plain), []).append((name, plain))
        for bare, name in self.by_core.items():
            # The words of affixed targets (`twitter` of `python-twitter`) share the one-edit
            # search: one neighbourhood per query serves both (see `_edited`).
            if bare != stripped(name) and len(bare) >= AFFIXED_CORE:
                self._by_length.setdefault(len(bare), []).append((name, bare))
        self._long_by_length: dict[int, list[tuple[str, str]]] = {}
        for name in names[:two_edit_targets]:
            plain = stripped(name)
            if len(plain) >= LONG_NAME:
                self._long_by_length.setdefault(len(plain), []).append((name, plain))
        self._lock = threading.Lock()
        self._one = _NearIndex(self._by_length, 1, _deletions, self._lock)
        # Always scanned: a two-deletion neighbourhood costs more to enumerate in Python than
        # the bit-parallel scan of the few hundred long top names of nearby lengths.
        self._two = _NearIndex(self._long_by_length, 2, _deletions, self._lock,
                               scan_queries=sys.maxsize)

    @functools.cached_property
    def namespaces(self) -> set[str]:
        """Popular names that other popular names extend (`flask` in `flask-login`): a word
        tacked onto them is an established naming pattern, not evidence of a squat."""
        return {part for n in self._names for part in _ends(n)}

    def candidates(self, name: str) -> Iterator[Candidate]:
        """Every popular name `name` plausibly imitates (it may repeat a target)."""
        plain = stripped(name)
        yield from self._folded(name, plain)
        if plain[-1:].isdigit():
            yield from self._suffixed(plain)
        yield from self._edited(name, plain)
        if "py" in name:
            yield from self._affixed(name, plain)
        if "-" in name:
            yield from self._tacked_on(name)

    def _tacked_on(self, name: str) -> Iterator[Candidate]:
        for part in _ends(name):
            if (part in self.popular and part not in self.namespaces
                    and len(stripped(part)) >= 4):
                yield Candidate(part, "tacked-on word", 0)

    def _folded(self, name: str, plain: str) -> Iterator[Candidate]:
        found: set[str] = set()
        for key, index, kind in (
            (plain, self.by_stripped, "separator change"),
            (skeleton(name), self.by_skeleton, "confusable glyphs"),
            (core(name) if "py" in name else "", self.by_core, "python prefix/suffix"),
        ):
            target = index.get(key)
            if target is not None and target != name and target not in found:
                found.add(target)  # the first (plainest) family that explains a target names it
                yield Candidate(target, kind, 0)
        target = self.by_words.get(words(name)) if "-" in name else None
        if target is not None and target != name and target not in found:
            yield Candidate(target, "reordered words", 0)

    def _suffixed(self, plain: str) -> Iterator[Candidate]:
        match = _VERSION_SUFFIX.match(plain)
        while match is not None:
            base = match.group(1)
            target = self.by_stripped.get(base)
            if target is not None:
                yield Candidate(target, "version-like suffix", 0)
            match = _VERSION_SUFFIX.match(base) if base[-1:].isdigit() else None

    def _edited(self, name: str, plain: str) -> Iterator[Candidate]:
        for target, other in self._one.near(plain, self._distance, self._extract):
            if other == stripped(target):
                yield Candidate(target, edit_kind(plain, other, 1), 1)
            elif target != name and _inner_slip(plain, other):  # the word of an affixed target
                yield Candidate(target, AFFIX_SLIP, 1)
        if len(plain) >= LONG_NAME - 2:
            for target, other in self._two.near(plain, self._distance, self._extract):
                yield Candidate(target, two_edit_kind(plain, other), 2)

    def _affixed(self, name: str, plain: str) -> Iterator[Candidate]:
        """A python prefix/suffix added or dropped *and* a typing slip (`pydislib` for
        `distlib`, `twittter` for `python-twitter`): each alone is common, both together are a
        squat's habit. Only slips count, not a free letter: that is just another word."""
        bare = core(name)
        if bare == plain or len(bare) < AFFIXED_CORE:
            return
        for target, other in self._one.near(bare, self._distance, self._extract):
            if other == stripped(target) and _inner_slip(bare, other):
                yield Candidate(target, AFFIX_SLIP, 1)


class _NearIndex:
    """Targets exactly `edits` edits (optimal string alignment) from a query.

    The first queries of each length are answered by a bit-parallel scan of the targets of
    nearby lengths (no set-up: `check-name` on a few names stays fast); once a length has been
    asked `scan_queries` times, a deletion-neighbourhood hash index (SymSpell) over those
    targets answers in a few dozen look-ups (throughput over long requirement lists)."""

    def __init__(self, by_length: dict[int, list[tuple[str, str]]], edits: int,
                 neighbourhood: Callable[[str], Iterable[str]], lock: threading.Lock,
                 scan_queries: int = 24) -> None:
        """`neighbourhood`: a word's deletion keys (`edits` deep); `scan_queries`: how many
        queries of one length are scanned before that length is indexed."""
        self._by_length, self._edits, self._keys = by_length, edits, neighbourhood
        self._lock, self._scan_queries = lock, scan_queries
        self._asked: dict[int, int] = {}
        self._windows: dict[int, tuple[list[str], list[tuple[str, str]]]] = {}
        self._index: dict[str, list[tuple[str, str]]] = {}
        self._built: set[int] = set()
        self._ready: set[int] = set()

    def near(self, plain: str, distance: Callable[..., int],
             extract: Callable[..., list[tuple[str, float, int]]]) -> list[tuple[str, str]]:
        """(normalised, stripped-or-word) targets exactly `edits` from `plain`, each once."""
        length = len(plain)
        if length in self._ready:
            return self._from_index(plain, distance)
        with self._lock:
            asked = self._asked[length] = self._asked.get(length, 0) + 1
            if asked > self._scan_queries:
                self._build(length)
                ready = True
            else:
                window = self._window(length)
                ready = False
        if ready:
            return self._from_index(plain, distance)
        choices, targets = window
        return [targets[i] for _, score, i in extract(
            plain, choices, scorer=distance, score_cutoff=self._edits, limit=None)
            if score == self._edits]

    def _sizes(self, length: int) -> range:
        return range(length - self._edits, length + self._edits + 1)

    def _window(self, length: int) -> tuple[list[str], list[tuple[str, str]]]:
        """Targets within `edits` characters of `length` (caller holds the lock)."""
        window = self._windows.get(length)
        if window is None:
            targets = [t for size in self._sizes(length) for t in self._by_length.get(size, ())]
            window = self._windows[length] = ([plain for _, plain in targets], targets)
        return window

    def _build(self, length: int) -> None:
        """Extend the hash index to every target length `length` needs (caller holds the
        lock: a half-built length read by another thread would miss candidates)."""
        for size in self._sizes(length):
            if size not in self._built:
                for target in self._by_length.get(size, ()):
                    for key in self._keys(target[1]):
                        self._index.setdefault(key, []).append(target)
                self._built.add(size)
        self._ready.add(length)

    def _from_index(self, plain: str, distance: Callable[..., int]) -> list[tuple[str, str]]:
        index, seen, found = self._index, set(), []
        for key in self._keys(plain):
            for target in index.get(key, ()):
                if target not in seen:  # a target may sit under its name and its word
                    seen.add(target)
                    if distance(plain, target[1]) == self._edits:
                        found.append(target)
        return found


_KEY_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_CONFUSABLE = ({"l", "1", "i"}, {"0", "o"})


def _keyboard() -> dict[str, frozenset[str]]:
    """QWERTY neighbours of each key (same row and the two touching keys above and below)."""
    near: dict[str, set[str]] = {}
    for r, row in enumerate(_KEY_ROWS):
        for c, key in enumerate(row):
            found = near.setdefault(key, set())
            found.update(row[max(c - 1, 0):c] + row[c + 1:c + 2])
            for other, cols in ((r - 1, (c, c + 1)), (r + 1, (c - 1, c))):
                if 0 <= other < len(_KEY_ROWS):
                    found.update(_KEY_ROWS[other][k] for k in cols
                                 if 0 <= k < len(_KEY_ROWS[other]))
    return {key: frozenset(keys) for key, keys in near.items()}


KEYBOARD = _keyboard()


def edit_kind(query: str, target: str, edits: int) -> str:
    """Name the typing error that turns `target` into `query` (separators removed)."""
    if edits > 1:
        return "two edits"
    at = next((i for i, (a, b) in enumerate(zip(query, target, strict=False)) if a != b),
              min(len(query), len(target)))
    if len(query) == len(target):
        if sorted(query) == sorted(target):
            return "swapped letters"
        new, old = query[at], target[at]
        if any({new, old} <= group for group in _CONFUSABLE):
            return "confusable glyphs"
        if new.isdigit() and old.isdigit():  # pyttsx3 -> pyttsx4 reads as a version, not a slip
            return "substituted letter"
        return "keyboard-adjacent letter" if new in KEYBOARD.get(old, ()) else "substituted letter"
    if len(query) < len(target):
        return "omitted letter"
    char, around = query[at], query[max(at - 1, 0):at] + query[at + 1:at + 2]
    if char in around:
        return "doubled letter"
    if any(char in KEYBOARD.get(c, ()) for c in around):
        return "keyboard-adjacent letter"
    return "inserted letter"


SLIPS = frozenset({"swapped letters", "doubled letter", "keyboard-adjacent letter",
                   "confusable glyphs", "omitted letter"})
"""Single edits that are typing errors or look-alikes rather than a different word."""


def _slip(query: str, target: str, tag: str, at: int, src: int) -> bool:
    """Is one Levenshtein edit (target -> query) a typing slip? `at`/`src`: positions in
    query/target."""
    if tag == "replace":
        new, old = query[at], target[src]
        return (any({new, old} <= group for group in _CONFUSABLE)
                or (not (new.isdigit() and old.isdigit()) and new in KEYBOARD.get(old, ())))
    if tag == "insert":
        char, around = query[at], query[max(at - 1, 0):at] + query[at + 1:at + 2]
        return char in around or any(char in KEYBOARD.get(c, ()) for c in around)
    return True  # an omitted letter (a doubled one undoubled included)


AFFIX_SLIP = "python prefix/suffix and a slip"


def _inner_slip(query: str, word: str) -> bool:
    """One slip (see `SLIPS`) inside `word`, its first and last letters kept: a changed end
    letter beside an affix is how legitimate names derive from others (`throttle`)."""
    return (len(word) >= AFFIXED_CORE and query[0] == word[0] and query[-1] == word[-1]
            and edit_kind(query, word, 1) in SLIPS)


def two_edit_kind(query: str, target: str) -> str:
    """`two typing slips` when both edits turning `target` into `query` (separators removed)
    are slips -- omitted, doubled, swapped, neighbouring-key or look-alike letters --, else
    `two edits`: a free letter changed or added as well reads as another word as often."""
    if len(target) < TWO_SLIP_TARGET or _trimmed(query, target):
        return "two edits"
    ops = _alignment(target, query)
    if len(ops) != 2 or _reworded(target, ops):
        return "two edits"
    slips = sum(tag == "swap" or _slip(query, target, tag, j, i) for tag, i, j in ops)
    return "two typing slips" if slips == 2 else "two edits"


def _reworded(target: str, ops: list[tuple[str, int, int]]) -> bool:
    """Two edits side by side rewrite a syllable (`datasetops`, `fastzip`), and two dropped
    vowels abbreviate (`mrkdwnify`): naming habits, not slips."""
    (tag1, at1, _), (tag2, at2, _) = ops
    if abs(at1 - at2) <= 1 and not tag1 == tag2 == "swap":
        return True
    return tag1 == tag2 == "delete" and {target[at1], target[at2]} <= set("aeiou")


def _trimmed(query: str, target: str) -> bool:
    """The names differ at an end (`graphi`/`graphviz`, `pytest-cover`/`pytest-cov`), other
    than by two end letters swapped: how legitimate names derive from others, not a slip."""
    return ((query[0] != target[0] and query[1::-1] != target[:2])
            or (query[-1] != target[-1] and query[-2:] != target[:-3:-1]))


def _alignment(a: str, b: str) -> list[tuple[str, int, int]]:
    """The edits (tag, index in `a`, index in `b`) of one cheapest optimal-string-alignment
    path from `a` to `b`; tags `replace`, `insert`, `delete`, `swap` (neighbours exchanged).
    Only run on the few two-edit candidates, so a plain table is cheap enough."""
    d = [[i + j if not (i and j) else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    ops, i, j = [], len(a), len(b)
    while i or j:
        if i and j and a[i - 1] == b[j - 1] and d[i][j] == d[i - 1][j - 1]:
            i, j = i - 1, j - 1
            continue
        if (i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]
                and d[i][j] == d[i - 2][j - 2] + 1):
            ops.append(("swap", i - 2, j - 2))
            i, j = i - 2, j - 2
        elif i and j and d[i][j] == d[i - 1][j - 1] + 1:
            ops.append(("replace", i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and d[i][j] == d[i - 1][j] + 1:
            ops.append(("delete", i - 1, j))
            i -= 1
        else:
            ops.append(("insert", i, j - 1))
            j -= 1
    return ops


def first_letter_changed(query: str, target: str) -> bool:
    """Typing errors rarely hit the first letter; different words often differ there."""
    return query[:1] != target[:1]


def end_changed(query: str, target: str) -> bool:
    """A letter added or dropped at the end: legitimate names often extend or trim another
    (`throttle`/`throttler`, `sqlmodelx`), so it says less than the same slip inside."""
    return query == target[:-1] or query[:-1] == target


def _ends(name: str) -> list[str]:
    """Every leading and trailing run of words (`a-b-c` -> `a`, `a-b`, `b-c`, `c`)."""
    parts = name.split("-")
    return [end for i in range(1, len(parts))
            for end in ("-".join(parts[:i]), "-".join(parts[i:]))]


def _deletions(word: str) -> set[str]:
    """The word and every word one deletion away."""
    return {word, *[word[:i] + word[i + 1:] for i in range(len(word))]}


def _first_wins(pairs: Iterable[tuple[K, str]]) -> dict[K, str]:
    """Keep the first (most popular, since names come in rank order) value per key."""
    return dict(reversed(list(pairs)))
