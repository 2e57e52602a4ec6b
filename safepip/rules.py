"""The one rule record (`RuleInfo`) and the rules of the areas without a room of their own.

Every rule safepip has is a `RuleInfo` (the hook scanner's `HookRule` is one, with what the scanner
needs besides). The rooms that emit findings own their rules (`checks/hooks/rules.py`,
`sandbox/rules.py`); this foundation module cannot see them (arrows run down), so the whole
catalogue is put together above them all, in `safepip.catalog`. A rule id nobody describes still
gets honest generic metadata (`rule_info`), so a report never fails because a check emitted a new
id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from safepip.findings import Severity

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuleInfo:
    """Static description of one rule id."""

    id: str
    """`area/slug`, as in `Finding.rule`."""
    default_severity: Severity
    """Severity the rule usually reports (a finding may raise or lower it)."""
    short: str
    """One-line title (SARIF `shortDescription`)."""
    full: str
    """One paragraph: what the rule looks for and why it matters (SARIF `fullDescription`)."""
    help: str
    """What to do when it fires (SARIF `help`)."""


RULES: dict[str, RuleInfo] = {
    r.id: r
    for r in (
        RuleInfo(
            "name/typosquat", Severity.HIGH,
            "Name imitates a popular project",
            "The project name is a plausible mutation (typo, swapped or doubled letters, "
            "confusable glyphs, separator or prefix games) of a much more popular project. "
            "Typosquats are the most common way malware reaches PyPI users.",
            "Check the spelling. If you meant the popular project, fix the requirement; if this "
            "project is really what you want, add an `ignore` entry for it.",
        ),
        RuleInfo(
            "name/known-malicious", Severity.CRITICAL,
            "Release reported as malicious",
            "The project (and version) matches a malicious-package report in the OSV database "
            "(`MAL-` records from ossf/malicious-packages).",
            "Do not install it. Remove the requirement, and if it was ever installed, treat the "
            "machine and its credentials as compromised.",
        ),
        RuleInfo(
            "name/not-found", Severity.MEDIUM,
            "Requested project does not exist on the index",
            "A requested name is not on the index. Mistyped or invented names are exactly the "
            "names a squatter registers next.",
            "Check the spelling against the suggestions in the message.",
        ),
        RuleInfo(
            "resolve/dynamic-metadata", Severity.MEDIUM,
            "Dependencies cannot be read without running package code",
            "No static source (PEP 658 metadata, wheel METADATA, PKG-INFO 2.2+, pyproject "
            "[project], setup.cfg, literal setup.py) gave the dependency list, so the tree "
            "below this package is unknown.",
            "Prefer a version that ships a wheel, or vet this package's dependencies by hand.",
        ),
        RuleInfo(
            "resolve/multiple-indexes", Severity.MEDIUM,
            "Project offered by more than one index",
            "The same project name is served by several configured indexes. With pip's "
            "--extra-index-url the highest version wins wherever it lives (dependency confusion).",
            "Pin the project to one index, or drop the extra index.",
        ),
        RuleInfo(
            "resolve/unvettable-source", Severity.HIGH,
            "Requirement does not come from an index",
            "A URL, local path, editable or VCS requirement: safepip vets releases served by an "
            "index, so it cannot vouch for this one. It is always refused, whatever the fail "
            "level or an `ignore` entry says.",
            "Install it from an index, or review it with `safepip scan PATH` and install it with "
            "pip yourself.",
        ),
        RuleInfo(
            "resolve/yanked", Severity.LOW,
            "Pinned release is yanked",
            "The selected file is yanked on the index (PEP 592), usually because it is broken "
            "or unsafe.",
            "Read the yank reason and move to another version.",
        ),
        RuleInfo(
            "lock/hash-mismatch", Severity.CRITICAL,
            "Locked hash differs from the index",
            "A lock file promises a sha256 for a file that the index lists with a different "
            "hash, or does not list at all.",
            "Regenerate the lock file from a trusted index and review the difference.",
        ),
        RuleInfo(
            "lock/file-not-on-index", Severity.HIGH,
            "Locked file is not on the index",
            "A lock file names a file that the index does not list for the project, so what "
            "the lock would install cannot be vetted.",
            "Regenerate the lock file against the index you install from.",
        ),
        RuleInfo(
            "lock/unpinned-file", Severity.MEDIUM,
            "Locked file has no sha256",
            "The lock file records no sha256 for a file (e.g. only md5 or no hash), so it does "
            "not pin the bytes; safepip pins the index's hash instead.",
            "Regenerate the lock file with sha256 hashes.",
        ),
        RuleInfo(
            "lock/inconsistent-file", Severity.HIGH,
            "Locked file belongs to another project or version",
            "The file a lock entry pins is named for a different project or version than the "
            "entry, so the audit would describe one release while another is installed.",
            "Regenerate the lock file and review the diff of the entry.",
        ),
        RuleInfo(
            "lock/no-installable-file", Severity.HIGH,
            "No locked file can be vetted and installed here",
            "None of the files a lock entry pins is on the index with the pinned hash and "
            "installable in this environment (Python version, platform, ABI), so nothing of "
            "that entry could be vetted.",
            "Regenerate the lock file against the index you install from, for this environment.",
        ),
        RuleInfo(
            "lock/unvetted-source", Severity.MEDIUM,
            "Locked package does not come from an index",
            "A lock entry comes from a VCS repository, a URL or a local path. safepip vets "
            "index releases; such sources are reported, not vetted.",
            "Review that source yourself, or depend on a released version from an index.",
        ),
        RuleInfo(
            "installed/modified-file", Severity.HIGH,
            "Installed file differs from its RECORD",
            "`safepip audit` without inputs hashes every file an installed distribution's "
            "RECORD lists. A file whose bytes no longer match was changed after it was "
            "installed; code that changed (modules, .pth files, scripts, libraries) is high.",
            "Find out who changed it; reinstall the package (`pip install --force-reinstall "
            "--no-deps NAME==VERSION`) and treat the machine as suspect if nobody did.",
        ),
        RuleInfo(
            "installed/missing-file", Severity.MEDIUM,
            "Installed file named by RECORD is gone",
            "A file the distribution's RECORD lists is missing from disk (or is no longer a "
            "regular file): the installation was changed after pip wrote it.",
            "Reinstall the package, or find out what removed the file.",
        ),
        RuleInfo(
            "installed/unowned-start-file", Severity.LOW,
            "Start-up file no installed distribution records",
            "A `.pth` file (or sitecustomize/usercustomize module) in site-packages that no "
            "installed distribution's RECORD lists. Python reads it at every start; malware "
            "drops such files, and so do some tools (virtualenv's `_virtualenv.pth`). Its "
            "content is scanned like a wheel's `.pth`.",
            "Find out which tool wrote it; delete it if none did.",
        ),
        RuleInfo(
            "installed/no-record", Severity.INFO,
            "Installed distribution has no RECORD",
            "The distribution was installed without a RECORD (an old installer, a distro "
            "package or an egg), so its installed files could not be checked; the index's "
            "files of the same version were vetted instead where the index has them.",
            "Reinstall it with pip to get a RECORD, or review its files yourself.",
        ),
        RuleInfo(
            "archive/unsafe-member", Severity.HIGH,
            "Archive member refused",
            "An archive member would escape the extraction directory, is a link or device, or "
            "breaks size or count limits. Honest build tools never produce such members.",
            "Do not install the artifact; report it to the project's maintainers.",
        ),
    )
}


def rule_info(rule_id: str, rules: Mapping[str, RuleInfo]) -> RuleInfo:
    """The description of `rule_id` in `rules`, or generic metadata when none describes it."""
    if rule_id in rules:
        return rules[rule_id]
    logger.debug("no description for rule %s; using generic metadata", rule_id)
    area = rule_id.split("/", 1)[0]
    return RuleInfo(
        rule_id, Severity.MEDIUM,
        f"safepip {area} rule {rule_id}",
        f"Finding reported by safepip's {area} checks under the id {rule_id}.",
        "Read the finding's message and evidence, then decide whether to allow the package.",
    )
