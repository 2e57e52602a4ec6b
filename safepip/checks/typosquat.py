"""Typosquat check: is a name a plausible mutation of a much more popular project?

Evidence is scored, not matched against a list of exceptions. Confidence is the product of three
factors drawn from data: how deliberate the mutation looks (a confusable glyph or a separator
game is rarely an accident of naming; one substituted letter often is), how popular the target
is (squatters aim where the typing traffic is), and how long the target is (short names sit
close to many others). Severity follows confidence. A name that is itself in the popularity list
is judged against targets ranked ten times better only, and at medium at most; a top-5,000
project is never flagged.

During install and audit the index pages add evidence the name cannot give (`NameEvidence`): a
young project with one or two releases that imitates a popular name is high, an old one with a
long history is at most low, and an imitation whose target is requested too is one step lower.
`check-name` judges the name alone. Weights were tuned on malicious reports published up to
2023-06-30 and are measured on the later ones (`bench/names.py`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from safepip.checks.popularity import load_popularity
from safepip.checks.squat_index import (
    Candidate,
    SquatIndex,
    end_changed,
    first_letter_changed,
    stripped,
)
from safepip.findings import Finding, Severity
from safepip.index.models import ProjectHistory

RULE = "name/typosquat"
PROTECTED_RANK = 5000
"""Projects ranked here or better are never flagged: their own popularity is the evidence."""
POPULAR_GAP = 10
"""A ranked name is only compared with targets ranked this many times better."""
POPULAR_DAMPING = 0.85
"""A ranked (but not top-5,000) name's popularity weighs against a squat verdict."""
EDIT_TARGETS = 15000
"""Every popular name is a target; popularity weighs how far a mutation of it goes."""
TWO_EDIT_TARGETS = 1000
"""Names among this many top names (7 letters or more) are also searched at two edits."""

KIND_WEIGHT = {
    "separator change": 0.95, "confusable glyphs": 0.95, "python prefix/suffix": 0.84,
    "swapped letters": 0.9, "doubled letter": 0.9, "keyboard-adjacent letter": 0.88,
    "omitted letter": 0.85, "version-like suffix": 0.75, "reordered words": 0.75,
    "inserted letter": 0.8, "substituted letter": 0.75, "two edits": 0.74,
    "two typing slips": 0.9, "python prefix/suffix and a slip": 0.8, "tacked-on word": 0.55,
}
"""How deliberate each mutation looks. Typing errors (a neighbouring key, a doubled or
dropped letter, two letters swapped) and look-alike glyphs are what squatters register; a free
letter changed or added is as often just another word."""
FIRST_LETTER = 0.85
"""A changed first letter: typing errors rarely land there, different words often do."""
END_LETTER = 0.9
"""A letter added or dropped at the very end (see `squat_index.end_changed`)."""
SEVERITY_FLOOR = ((0.80, Severity.HIGH), (0.68, Severity.MEDIUM), (0.45, Severity.LOW))


@dataclass(frozen=True)
class Match:
    """The strongest imitation found for one name."""

    name: str
    """The checked name (normalised)."""
    candidate: Candidate
    """Target and mutation."""
    target_rank: int
    """Download rank of the target."""
    confidence: float
    """0..1; see the module docstring."""

    ranked: bool = False
    """The checked name is itself in the popularity list (ranked below the protected top)."""

    @property
    def severity(self) -> Severity | None:
        shown = round(self.confidence, 2)  # decide on the figure the user sees
        severity = next((s for floor, s in SEVERITY_FLOOR if shown >= floor), None)
        # A name with real download traffic of its own is never called a squat outright.
        return min(severity, Severity.MEDIUM) if severity and self.ranked else severity


def popularity_weight(rank: int, edits: int = 0) -> float:
    """Squatters aim where the typing traffic is; two edits only pay off on the very top."""
    table = ((100, 1.0), (300, 0.9)) if edits > 1 else ((100, 1.0), (1000, 0.97), (5000, 0.9))
    for limit, weight in table:
        if rank <= limit:
            return weight
    return 0.8


KEEPS_LETTERS = frozenset({"swapped letters", "doubled letter"})
"""Slips that keep every letter of the target in order or swapped: few ordinary names are a
short popular name with two letters exchanged or one doubled (`nupmy`, `nummpy`; 9 in 40,000
long-tail names, 15 in the 6,419 malicious names reported up to 2023-06-30), so they weigh as
a target one letter longer."""
LONG_DROPPED_FIRST = 9
"""A first letter dropped from a target this long (separators removed) is a slip, not another
word (`ython-dateutil`): 6 of the 6,419 malicious names, 4 in 40,000 long-tail names."""


def length_weight(target: str, edits: int, keeps_letters: bool = False) -> float:
    """Short targets sit close to many other names; two edits need a longer one still; a slip
    that keeps every letter (`KEEPS_LETTERS`) weighs as a target one letter longer."""
    length = len(stripped(target)) - (2 if edits > 1 else 0) + (1 if keeps_letters else 0)
    for minimum, weight in ((7, 1.0), (6, 0.95), (5, 0.88), (4, 0.78)):
        if length >= minimum:
            return weight
    return 0.6


def confidence_of(name: str, candidate: Candidate, rank: int) -> float:
    """Kind x target popularity x target length (see the module docstring)."""
    edits, plain, target = candidate.edits, stripped(name), stripped(candidate.target)
    confidence = (KIND_WEIGHT[candidate.kind] * popularity_weight(rank, edits)
                  * length_weight(candidate.target, edits, candidate.kind in KEEPS_LETTERS))
    # Typing errors land anywhere; an added/dropped affix moves the first and last letters.
    slip = candidate.kind in ("swapped letters", "doubled letter",
                              "python prefix/suffix and a slip")
    dropped_first = (candidate.kind == "omitted letter" and len(target) >= LONG_DROPPED_FIRST
                     and plain == target[1:])
    if edits and not slip and not dropped_first and first_letter_changed(plain, target):
        confidence *= FIRST_LETTER
    if edits == 1 and not slip and end_changed(plain, target):
        confidence *= END_LETTER
    return confidence


@functools.cache
def squat_index() -> SquatIndex:
    """Indexes over the popular names, most popular first (built once per process)."""
    ranks = load_popularity().ranks
    return SquatIndex(sorted(ranks, key=ranks.__getitem__), EDIT_TARGETS, TWO_EDIT_TARGETS)


def best_match(name: str) -> Match | None:
    """The most convincing imitation `name` (normalised) is, or None."""
    ranks = load_popularity().ranks
    own = ranks.get(name)
    if own is not None and own <= PROTECTED_RANK:
        return None
    best: Match | None = None
    for candidate in squat_index().candidates(name):
        rank = ranks[candidate.target]
        if own is not None and rank * POPULAR_GAP > own:
            continue
        confidence = confidence_of(name, candidate, rank)
        if own is not None:
            confidence *= POPULAR_DAMPING
        if best is None or (confidence, -rank) > (best.confidence, -best.target_rank):
            best = Match(name, candidate, rank, confidence, ranked=own is not None)
    return best


YOUNG = dt.timedelta(days=180)
"""A project whose every file is younger than this, with `FEW_RELEASES` or fewer releases, is
what a squat looks like on the index: registered, uploaded once or twice, removed."""
FEW_RELEASES = 2
ESTABLISHED = dt.timedelta(days=2 * 365)
"""A project whose first upload is older than this, with `MANY_RELEASES` or more releases, has a
history a squat does not live long enough to build (reported malware is removed quickly)."""
MANY_RELEASES = 10


@dataclass(frozen=True)
class NameEvidence:
    """What install and audit know beyond the name: the index pages' history of the project
    (None when unknown, as in `check-name`), and the names the user asked for."""

    history: ProjectHistory | None
    requested: frozenset[str] = frozenset()
    now: dt.datetime | None = None
    """The moment ages are measured from (None: the current time)."""

    def weigh(self, match: Match) -> tuple[Severity | None, str]:
        """The severity with this evidence, and a note saying why it moved."""
        severity, history = match.severity, self.history
        if history is None or match.ranked:
            return severity, ""
        now = self.now or dt.datetime.now(dt.UTC)
        age = now - history.first_upload if history.first_upload else None
        facts = f"releases={history.releases} first-upload=" + (
            history.first_upload.date().isoformat() if history.first_upload else "unknown")
        target_asked = match.candidate.target in self.requested
        if (history.releases <= FEW_RELEASES and history.fully_dated and age is not None
                and age < YOUNG and severity is not None):
            return Severity.HIGH, f"{facts} (a young project with few releases)"
        if (history.releases >= MANY_RELEASES and age is not None and age >= ESTABLISHED
                and severity is not None):
            return min(severity, Severity.LOW), f"{facts} (a long history: at most low)"
        if target_asked and severity is not None and severity > Severity.LOW:
            # Both asked for by name: the imitation was chosen on purpose, not mistyped.
            return Severity(severity - 1), f"{facts} (its target is requested too)"
        return severity, facts


class TyposquatCheck:
    """`name/typosquat` findings (see the module docstring for the scoring)."""

    def check_name(self, name: NormalizedName, version: Version | None,
                   evidence: NameEvidence | None = None) -> list[Finding]:
        """Findings on the name alone, or weighed with what the index showed (`evidence`)."""
        match = best_match(canonicalize_name(name))
        if match is None:
            return []
        severity, note = (match.severity, "") if evidence is None else evidence.weigh(match)
        if severity is None:
            return []
        target, kind = match.candidate.target, match.candidate.kind
        return [Finding(
            rule=RULE, severity=severity, package=name,
            version=str(version) if version is not None else None,
            message=(f"'{name}' looks like a typosquat of '{target}' (download rank "
                     f"{match.target_rank}): {kind}. Check the spelling; if you meant "
                     f"{target}, install that instead."),
            evidence=(f"target={target} rank={match.target_rank} mutation={kind} "
                      f"confidence={match.confidence:.2f}" + (f" {note}" if note else "")),
        )]


def suggest_similar(name: str, limit: int = 3) -> list[str]:
    """Closest popular names for a "did you mean" hint, most convincing first."""
    from rapidfuzz import fuzz, process

    normalized = canonicalize_name(name)
    ranks = load_popularity().ranks
    scored = {c.target: KIND_WEIGHT[c.kind] * popularity_weight(ranks[c.target])
              for c in squat_index().candidates(normalized)}
    found = sorted(scored, key=lambda t: (-scored[t], ranks[t]))
    if len(found) < limit:
        extra = process.extract(normalized, list(ranks), scorer=fuzz.ratio, score_cutoff=75,
                                limit=limit * 4)
        extra.sort(key=lambda hit: (-round(hit[1] / 5), ranks[hit[0]]))
        found += [hit[0] for hit in extra if hit[0] not in scored and hit[0] != normalized]
    return found[:limit]


def not_found_message(name: str) -> str:
    """The sentence for a requested name the index does not have (`name/not-found`)."""
    suggestions = suggest_similar(name)
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    return (f"No project named '{name}' exists on the index.{hint} A mistyped or invented "
            "name is exactly what squatters register next: check the spelling before retrying.")
