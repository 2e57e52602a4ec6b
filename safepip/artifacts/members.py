"""The gate every archive member passes before a byte of it is written.

Format-neutral: `unpack` turns tar and zip entries into `Member`s; `MemberGate.admit` decides
where (if anywhere) a member may be written and `MemberGate.count` enforces the byte bounds while
it is copied. A refused member is recorded and skipped; a crossed global bound stops extraction.

The rules follow PEP 706's `data` filter, which is what pip applies when it unpacks an sdist: a
link is acceptable when it is relative and stays inside the archive (it is never created here;
`links` tells the caller which member's content to put in its place, so the scan reads what the
build would read), absolute names and names that climb out are refused, devices and FIFOs are
refused. A name that appears twice is acceptable only when both copies are byte-identical (the
caller compares them: `duplicate_of`). Sizes are judged from the headers first, so a bomb is
refused before it is decompressed; a compression ratio matters only with a large absolute size.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from safepip.artifacts.unpack import UnpackLimits

_DRIVE = re.compile(r"^[A-Za-z]:")
_MAX_LINK_HOPS = 40
"""As the kernel's ELOOP bound: a longer chain of links is never followed."""


@dataclass(frozen=True)
class Refusal:
    """One member that was not extracted (or the bound that stopped extraction)."""

    member: str
    """The member name exactly as the archive spells it."""
    reason: str
    """A sentence saying why it was refused."""


@dataclass(frozen=True)
class Member:
    """The facts about one archive entry that the gate needs."""

    name: str
    """Name as stored in the archive (untrusted)."""
    size: int
    """Declared uncompressed size (untrusted: counted again while copying)."""
    is_file: bool
    """A regular file."""
    is_dir: bool
    """A directory."""
    kind: str = "special member"
    """What it is when neither file nor directory (for messages)."""
    compressed_size: int | None = None
    """Zip only: the stored size, for the per-member compression ratio."""
    link_target: str | None = None
    """Tar links only: the symbolic link's target, or the hard link's member name."""
    hard_link: bool = False
    """A tar hard link (its target is a member name, not a path relative to the link)."""


class StopExtraction(Exception):
    """A bound for the whole archive was crossed; nothing more is extracted."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


@dataclass
class MemberGate:
    """Checks names and counts bytes for one extraction."""

    limits: UnpackLimits
    archive_size: int
    select: Callable[[str], bool] | None = None
    """When given, only files whose cleaned name it accepts are written (all are checked)."""
    refusals: list[Refusal] = field(default_factory=list)
    stopped: Refusal | None = None
    """The bound that stopped extraction, once one has."""
    links: dict[str, str] = field(default_factory=dict)
    """Cleaned link name -> cleaned name it points at (inside the archive; not yet resolved)."""
    _seen: dict[str, bool] = field(default_factory=dict)
    _written: set[str] = field(default_factory=set)
    _members: int = 0
    _total: int = 0
    _declared: int = 0
    _current: int = 0
    _comparing: bool = False

    def admit(self, member: Member) -> str | None:
        """The cleaned name (`a/b.py`) a file member may be written as, or None (a folder, a
        link, or refused).

        When the name was already written by an earlier member of the same name, the caller
        must compare the contents instead of writing (`duplicate_of`). Parent folders are not
        created here: the caller makes them when it writes the file."""
        self._members += 1
        if self._members > self.limits.max_members:
            self._stop(member, f"the archive has more than {self.limits.max_members} members")
        parts = self._safe_parts(member)
        if parts is None:
            return None
        key = "/".join(parts)
        if member.link_target is not None:
            self._link(member, parts)
            return None
        reason = self._kind_or_size_problem(member)
        if reason is None and (key in self._seen or key in self.links):
            reason = self._duplicate_problem(member, key)
            if reason is None:
                return self._duplicate(member, key)
        if reason is not None:
            self._refuse(member, reason)
            return None
        if not self._place(member, parts):
            return None
        if self.select is None or self.select(key):
            self._written.add(key)
            return key
        self._account(member, member.size)  # not written, but a bomb all the same
        return None

    def duplicate_of(self, key: str) -> bool:
        """Whether `key` (just returned by `admit`) holds an earlier copy to compare with."""
        return self._comparing

    def differs(self, member: Member) -> None:
        """The caller found a duplicate whose bytes differ from the copy it checked."""
        self._refuse(
            member,
            "the name appears more than once with different contents "
            "(a later copy could replace what was checked)",
        )

    def was_written(self, key: str) -> bool:
        """Whether the member named `key` was admitted as a file to write."""
        return key in self._written

    def written_under(self, prefix: str) -> list[str]:
        """The written members whose names start with `prefix` (a folder and a slash)."""
        return sorted(key for key in self._written if key.startswith(prefix))

    def unkept_link_targets(self, resolve: Callable[[str], str | None]) -> set[str]:
        """Files that selected links point at but that were not selected themselves (a
        `setup.py` linked to `build/setup.txt`): a second pass reads them, so the scan sees
        what the build would read through the link."""
        if self.select is None:
            return set()
        files = [key for key, is_file in self._seen.items() if is_file]
        missing: set[str] = set()
        for link in self.links:
            resolved = resolve(link)
            if resolved is None:
                continue
            if self._seen.get(resolved):
                pairs = [(resolved, link)]
            else:
                pairs = [(key, link + key[len(resolved):]) for key in files
                         if key.startswith(resolved + "/")]
            missing.update(key for key, name in pairs
                           if key not in self._written and self.select(name))
        return missing

    def adopt(self, other: MemberGate) -> None:
        """Take the files a second pass (`other`) wrote as written by this gate."""
        self._written |= other._written

    def copied(self, key: str, size: int) -> bool:
        """Count a copy made in place of a link like a member (bounds included); False when
        the name is already taken."""
        if key in self._written:
            return False
        self._members += 1
        member = Member(name=key, size=size, is_file=True, is_dir=False)
        if self._members > self.limits.max_members:
            self._stop(member, f"the archive has more than {self.limits.max_members} members")
        self._account(member, size)
        self._written.add(key)
        return True

    def count(self, member: Member, size: int) -> None:
        """Account for `size` more bytes of `member`; stop when a bound is crossed."""
        self._current += size
        if self._current > min(member.size, self.limits.max_member_bytes):
            self._stop(member, "the member holds more bytes than its header declares")
        self._account(member, size)

    def _account(self, member: Member, size: int) -> None:
        self._total += size
        limits = self.limits
        if self._total > limits.max_total_bytes:
            self._stop(member, f"the archive unpacks to more than {limits.max_total_bytes} bytes")
        if self._is_bomb(self._total, self.archive_size):
            self._stop(member, self._bomb_reason())

    def _is_bomb(self, size: int, packed: int) -> bool:
        """A ratio matters only once the absolute size is large (small files compress well)."""
        limits = self.limits
        return size > limits.ratio_floor_bytes and size > limits.max_ratio * max(packed, 1)

    def _bomb_reason(self) -> str:
        return (f"the archive expands more than {self.limits.max_ratio:g} times its size "
                "(a decompression bomb)")

    def _safe_parts(self, member: Member) -> list[str] | None:
        name = member.name.replace("\\", "/")
        if "\x00" in name:
            self._refuse(member, "the name contains a NUL byte")
            return None
        if name.startswith("/") or _DRIVE.match(name):
            self._refuse(member, "the name is an absolute path")
            return None
        raw = name.split("/")
        if ".." in raw:
            self._refuse(member, "the name climbs out of the archive with '..'")
            return None
        parts = [p for p in raw if p not in ("", ".")]
        if not parts and not member.is_dir:
            self._refuse(member, "the member has an empty name")
        return parts or None

    def _link(self, member: Member, parts: list[str]) -> None:
        """PEP 706 `data` filter: relative links that stay inside the archive are fine."""
        target = (member.link_target or "").replace("\\", "/")
        if not target or "\x00" in target:
            self._refuse(member, f"it is a {member.kind} with an empty or invalid target")
            return
        if target.startswith("/") or _DRIVE.match(target):
            self._refuse(member, f"it is a {member.kind} to an absolute path")
            return
        base = "" if member.hard_link else posixpath.dirname("/".join(parts))
        joined = posixpath.normpath(posixpath.join(base, target))
        if joined == ".." or joined.startswith("../"):
            self._refuse(member, f"it is a {member.kind} that points outside the archive")
            return
        key = "/".join(parts)
        if key in self._seen or key in self.links:
            self._refuse(member, "the name appears more than once (a link would replace "
                                 "what was checked)")
            return
        self.links[key] = joined

    def _duplicate_problem(self, member: Member, key: str) -> str | None:
        if key in self.links:
            return "the name appears more than once (a link and a member)"
        if member.is_file and self._seen[key]:
            return None  # a second copy of a file: acceptable only if identical (compared)
        if member.is_dir and not self._seen[key]:
            return None  # a folder named again (tar writes parents explicitly)
        return "the name appears more than once (a later copy could replace what was checked)"

    def _duplicate(self, member: Member, key: str) -> str | None:
        if member.is_dir or key not in self._written:
            # Never written means never scanned: which copy wins changes nothing we checked.
            self._account(member, member.size)
            return None
        self._current, self._comparing = 0, True
        return key

    def _kind_or_size_problem(self, member: Member) -> str | None:
        limits = self.limits
        if not (member.is_file or member.is_dir):
            return f"it is a {member.kind}, which is never extracted"
        if member.size > limits.max_member_bytes:
            self._stop(member, f"it declares {member.size} bytes, over the "
                               f"{limits.max_member_bytes} limit")
        self._declared += member.size
        if self._declared > limits.max_total_bytes:
            self._stop(member, f"the archive unpacks to more than {limits.max_total_bytes} bytes")
        if self._is_bomb(self._declared, self.archive_size):
            self._stop(member, self._bomb_reason())
        packed = member.compressed_size
        if packed is not None and self._is_bomb(member.size, packed):
            self._stop(member, f"it expands more than {limits.max_ratio:g} times "
                               "(a decompression bomb)")
        return None

    def _place(self, member: Member, parts: list[str]) -> bool:
        """Record the name; True for a file that may be written."""
        if len(parts) > 1 and self._seen.get("/".join(parts[:-1]), True) is not False:
            # A folder recorded as one has had all its own folders checked and recorded
            # (here), and stays a folder (a file or link of its name is refused): only a new
            # folder needs the walk up.
            prefixes = ["/".join(parts[:depth]) for depth in range(1, len(parts))]
            if any(self._seen.get(prefix) or prefix in self.links for prefix in prefixes):
                self._refuse(member, "its folder is already a file or a link in the archive")
                return False
            self._seen.update((prefix, False) for prefix in prefixes)
        self._seen["/".join(parts)] = member.is_file
        if member.is_dir:
            return False  # folders are made on demand, only for files that are written
        self._current, self._comparing = 0, False
        return True

    def _refuse(self, member: Member, reason: str) -> None:
        self.refusals.append(Refusal(member=member.name, reason=reason))

    def _stop(self, member: Member, reason: str) -> None:
        raise StopExtraction(Refusal(member=member.name, reason=f"{reason}; extraction stopped"))
