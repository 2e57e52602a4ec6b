"""The gate every archive member passes before a byte of it is written.

Format-neutral: `unpack` turns tar and zip entries into `Member`s; `MemberGate.admit` decides
where (if anywhere) a member may be written and `MemberGate.count` enforces the byte bounds while
it is copied. A refused member is recorded and skipped; a crossed global bound stops extraction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from safepip.artifacts.unpack import UnpackLimits

_DRIVE = re.compile(r"^[A-Za-z]:")
_SMALL = 1 << 20
"""Members smaller than this are exempt from the per-member compression-ratio check."""


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


class StopExtraction(Exception):
    """A bound for the whole archive was crossed; nothing more is extracted."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.refusal = refusal


@dataclass
class MemberGate:
    """Checks names and counts bytes for one extraction into `root`."""

    root: Path
    limits: UnpackLimits
    archive_size: int
    select: Callable[[str], bool] | None = None
    """When given, only files whose cleaned name it accepts are written (all are checked)."""
    refusals: list[Refusal] = field(default_factory=list)
    _seen: dict[str, bool] = field(default_factory=dict)
    _members: int = 0
    _total: int = 0
    _current: int = 0

    def admit(self, member: Member) -> Path | None:
        """The path a file member may be written to, or None (a folder, or refused).

        Parent folders are not created here: the caller makes them when it writes the file."""
        self._members += 1
        if self._members > self.limits.max_members:
            self._stop(member, f"the archive has more than {self.limits.max_members} members")
        parts = self._safe_parts(member)
        if parts is None:
            return None
        reason = self._kind_or_size_problem(member)
        key = "/".join(parts)
        if reason is None and key in self._seen and (member.is_file or self._seen[key]):
            reason = "the name appears more than once (a later copy could replace what was checked)"
        if reason is not None:
            self._refuse(member, reason)
            return None
        target = self._place(member, parts)
        if target is None or self.select is None or self.select(key):
            return target
        self._account(member, member.size)  # not written, but a bomb all the same
        return None

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
        if self._total > limits.ratio_floor_bytes and (
            self._total > limits.max_ratio * max(self.archive_size, 1)
        ):
            self._stop(
                member,
                "the archive expands more than "
                f"{limits.max_ratio:g} times its size (a decompression bomb)",
            )

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
        return parts or None

    def _kind_or_size_problem(self, member: Member) -> str | None:
        limits = self.limits
        if not (member.is_file or member.is_dir):
            return f"it is a {member.kind}, which is never extracted"
        if member.size > limits.max_member_bytes:
            return f"it declares {member.size} bytes, over the {limits.max_member_bytes} limit"
        if self._total + member.size > limits.max_total_bytes:
            self._stop(member, f"the archive unpacks to more than {limits.max_total_bytes} bytes")
        packed = member.compressed_size
        if (
            packed is not None
            and member.size > _SMALL
            and member.size > limits.max_ratio * max(packed, 1)
        ):
            return f"it expands more than {limits.max_ratio:g} times (a decompression bomb)"
        return None

    def _place(self, member: Member, parts: list[str]) -> Path | None:
        prefixes = ["/".join(parts[:depth]) for depth in range(1, len(parts))]
        if any(self._seen.get(prefix) for prefix in prefixes):
            self._refuse(member, "its folder is already a file in the archive")
            return None
        self._seen.update((prefix, False) for prefix in prefixes)
        self._seen["/".join(parts)] = member.is_file
        if member.is_dir:
            return None  # folders are made on demand, only for files that are written
        self._current = 0
        return self.root.joinpath(*parts)

    def _refuse(self, member: Member, reason: str) -> None:
        self.refusals.append(Refusal(member=member.name, reason=reason))

    def _stop(self, member: Member, reason: str) -> None:
        raise StopExtraction(Refusal(member=member.name, reason=f"{reason}; extraction stopped"))
