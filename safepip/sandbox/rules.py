"""The build cage's rules: what a build was seen trying (safepip.sandbox.cage emits them).

Each is evidence, not a guess: the build really made the attempt inside the cage. They are high
by default so that, under the default fail level, the built wheel is not installed.
"""

from __future__ import annotations

from safepip.findings import Severity
from safepip.rules import RuleInfo

_BUILT_BY_CAGE = ("The build ran in safepip's cage (no network, a throwaway home with decoy "
                  "secrets, the target environment overlaid), where the attempt failed.")
_DO_NOT = ("Do not install this sdist; prefer a wheel from a trusted source, and report the "
           "package to the index's security contact.")

RULES: dict[str, RuleInfo] = {
    rule.id: rule
    for rule in (
        RuleInfo(
            "dynamic/network", Severity.HIGH,
            "Build tried to reach the network",
            "Building the sdist tried a connection or a DNS lookup. A build needs no network "
            "once its build requirements are vetted; fetching at build time is how a package "
            "loads a payload nobody vetted or sends data out. " + _BUILT_BY_CAGE,
            _DO_NOT,
        ),
        RuleInfo(
            "dynamic/secret-read", Severity.HIGH,
            "Build read where credentials are kept",
            "Building the sdist read a file where credentials live (SSH keys, cloud and "
            "registry tokens, shell history): a decoy placed in the cage's home. "
            + _BUILT_BY_CAGE,
            _DO_NOT,
        ),
        RuleInfo(
            "dynamic/persistence", Severity.HIGH,
            "Build wrote where code runs from later",
            "Building the sdist wrote outside its build: shell start-up files, user site or "
            "bin folders, autostart entries, or the target environment (a `.pth`, a launcher). "
            "A build writes only its wheel. " + _BUILT_BY_CAGE,
            _DO_NOT,
        ),
        RuleInfo(
            "dynamic/process", Severity.HIGH,
            "Build left a process running",
            "A process started by the build was still running after the build ended (the cage "
            "killed it). A build has no reason to leave anything behind. " + _BUILT_BY_CAGE,
            _DO_NOT,
        ),
    )
}
