"""What resolution itself notices: unknown dependencies, projects served by several indexes."""

from __future__ import annotations

from collections.abc import Sequence

from safepip.findings import Finding, Severity
from safepip.redact import redact_url
from safepip.resolution.catalog import Catalog
from safepip.resolution.models import ResolvedPackage


def dynamic_metadata_findings(
    catalog: Catalog, packages: Sequence[ResolvedPackage]
) -> list[Finding]:
    """An sdist whose dependencies cannot be read without running its build code."""
    findings = []
    for package in packages:
        if package.metadata_source != "unknown":
            continue
        detail = catalog.fetcher.get(package.artifact).detail
        findings.append(Finding(
            rule="resolve/dynamic-metadata", severity=Severity.MEDIUM, package=package.name,
            version=str(package.version),
            message=f"{package.artifact.filename} declares its dependencies only in build code "
            f"({detail}); safepip will not run it, so whatever it would pull in is neither "
            "resolved nor vetted. Prefer a release with a wheel, or pin its dependencies yourself.",
            evidence=detail,
        ))
    return findings


def multiple_index_findings(
    catalog: Catalog, packages: Sequence[ResolvedPackage], index_urls: Sequence[str]
) -> list[Finding]:
    """Dependency confusion: pip merges every index's files, so a public upload can win."""
    configured = [url.rstrip("/") for url in index_urls]
    findings = []
    for package in packages:
        serving = _indexes_serving(catalog, package, configured)
        if len(serving) < 2:
            continue
        winner = package.artifact.index_url.rstrip("/")
        served = {
            url: frozenset((f.filename, f.sha256) for f in catalog.files(package.name)
                           if f.index_url.rstrip("/") == url)
            for url in serving
        }
        if _one_index_serves_all(served):
            continue  # a (partial) mirror adds no bytes the other index lacks: no confusion
        versions = {url: frozenset(name for name, _ in files) for url, files in served.items()}
        differ = len(set(versions.values())) > 1
        # Outranked: the chosen bytes are not what the first index itself offers. A mirror
        # serving the identical file (same sha256) is not a confusion attack.
        first = {f.sha256 for f in catalog.files(package.name)
                 if f.index_url.rstrip("/") == serving[0] and f.sha256}
        outranked = winner != serving[0] and package.artifact.sha256 not in first
        severity = Severity.HIGH if differ and outranked else Severity.MEDIUM
        names = ", ".join(redact_url(url) for url in serving)
        findings.append(Finding(
            rule="resolve/multiple-indexes", severity=severity, package=package.name,
            version=str(package.version),
            message=f"{package.name} is served by several indexes ({names}); pip takes the best "
            f"version from any of them and chose {package.artifact.filename} from "
            f"{redact_url(winner)}. If this is a private package, make sure no public index "
            "serves the name (dependency confusion).",
            evidence=names,
        ))
    return findings


def _one_index_serves_all(served: dict[str, frozenset[tuple[str, str | None]]]) -> bool:
    """Whether one index serves, byte for byte (same name, same sha256), every file any of the
    others serves: then whatever pip picks could have come from that index alone. A file
    without a sha256 matches nothing, so an index that hides its hashes is never a mirror."""
    everything = frozenset().union(*served.values())
    return any(files >= everything and all(sha for _, sha in everything)
               for files in served.values())


def _indexes_serving(
    catalog: Catalog, package: ResolvedPackage, configured: list[str]
) -> list[str]:
    """Configured indexes that list files for the package, in pip's priority order."""
    sources = {f.index_url.rstrip("/") for f in catalog.files(package.name)}
    return [url for url in configured if url in sources]
