"""Rebuild the name-check data shipped in the wheel from the shared snapshots.

    python scripts/build_data.py [--top TSV] [--osv JSON] [--out DIR]

Writes `data/top_packages.json` (normalised name -> download rank) and
`data/known_malicious.json` (OSV `MAL-` records: id, normalised name, affected versions,
summary, withdrawn date), each with its source and snapshot date inside. Both files are compact
JSON so that `safepip check-name` starts fast.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
TOP_SOURCE = "PyPI download rankings (top-pypi-packages), list of 2026-11"
TOP_DATE = "2026-11"


def normalize(name: str) -> str:
    """PEP 503 normalised form."""
    return re.sub(r"[-_.]+", "-", name).lower()


def build_top(tsv: Path) -> dict[str, Any]:
    ranks: dict[str, int] = {}
    for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
        rank, name = line.split("\t")
        ranks.setdefault(normalize(name), int(rank))
    return {"source": TOP_SOURCE, "snapshot_date": TOP_DATE, "count": len(ranks), "ranks": ranks}


def compact_record(record: dict[str, Any]) -> dict[str, Any]:
    """Keys with their default value are left out (see `safepip.checks.advisories.Advisory`)."""
    compact: dict[str, Any] = {
        "id": record["id"],
        "name": normalize(record["normalized"] or record["name"]),
        "versions": record["versions"],
    }
    if record["summary"] != f"Malicious code in {record['name']} (PyPI)":
        compact["summary"] = record["summary"]
    if record["withdrawn"]:
        compact["withdrawn"] = record["withdrawn"]
    return compact


def build_malicious(osv: Path) -> dict[str, Any]:
    raw = json.loads(osv.read_text(encoding="utf-8"))
    records = [compact_record(r) for r in raw["records"]]
    return {
        "source": f"{raw['source']}; snapshot {raw['snapshot_repo']}@{raw['snapshot_commit']}",
        "snapshot_date": raw["snapshot_date"],
        "published_before": raw.get("published_before"),
        "count": len(records),
        "records": records,
    }


def write(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size:,} bytes, {document['count']:,} entries)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=Path, default=SHARED / "top-pypi-packages.tsv")
    parser.add_argument("--osv", type=Path, default=SHARED / "osv-malicious-pypi.json")
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "top_packages.json", build_top(args.top))
    write(args.out / "known_malicious.json", build_malicious(args.osv))


if __name__ == "__main__":
    main()
