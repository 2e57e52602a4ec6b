"""The versioned JSON report (schema 1, documented in README)."""

from __future__ import annotations

import json
from typing import Any

from safepip.findings import sort_findings
from safepip.redact import redact_url
from safepip.report.interface import Report
from safepip.resolution.models import ResolvedPackage

SCHEMA_VERSION = 1


def package_to_json(package: ResolvedPackage) -> dict[str, Any]:
    artifact = package.artifact
    return {
        "name": package.name,
        "version": str(package.version),
        "requested": package.requested,
        "build_dependency": package.build_dependency,
        "artifact": {
            "filename": artifact.filename,
            "url": redact_url(artifact.url),
            "sha256": artifact.sha256,
            "kind": artifact.kind,
        },
        "metadata_source": package.metadata_source,
        "dependencies": list(package.dependencies),
    }


class JsonFormatter:
    def format(self, report: Report) -> str:
        document = {
            "schema": SCHEMA_VERSION,
            "verdict": report.verdict.value,
            "packages": [package_to_json(p) for p in report.packages],
            "findings": [f.to_json() for f in sort_findings(list(report.findings))],
        }
        return json.dumps(document, indent=2) + "\n"
