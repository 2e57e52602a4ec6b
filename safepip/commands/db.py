"""`safepip db update|info`: the known-malicious advisory snapshot."""

from __future__ import annotations

import argparse
import json


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "db", help="refresh or describe the advisory snapshot",
        description="Manage the known-malicious release database.",
    )
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    update = actions.add_parser(
        "update", help="download the newest OSV malicious-package records",
        description="Download the OSV PyPI export, keep its MAL- records, and replace the user "
        "copy atomically (the snapshot inside safepip stays the fallback).",
    )
    update.add_argument("--url", help="OSV PyPI export zip to read instead of the default")
    update.set_defaults(run=run_update)
    info = actions.add_parser("info", help="show the snapshot's source, date and counts")
    info.add_argument("--format", choices=("text", "json"), default="text")
    info.set_defaults(run=run_info)


def run_update(args: argparse.Namespace) -> int:
    from safepip.checks.advisories import user_data_path
    from safepip.checks.osv_update import DEFAULT_URL, update

    snapshot = update(args.url or DEFAULT_URL)
    active = sum(1 for a in snapshot.advisories if a.withdrawn is None)
    _print(f"Updated the advisory snapshot: {active:,} active malicious-package reports "
           f"({len(snapshot.advisories):,} records) written to {user_data_path()}.")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from safepip.checks.advisories import load_snapshot, user_data_path
    from safepip.checks.popularity import load_popularity

    info = load_snapshot().info()
    popularity = load_popularity()
    info["user_copy"] = str(user_data_path())
    info["popular_projects"] = {"source": popularity.source, "count": len(popularity.ranks),
                                "snapshot_date": popularity.snapshot_date}
    if args.format == "json":
        print(json.dumps(info, indent=2))
        return 0
    _print("\n".join([
        f"advisories:   {info['origin']} snapshot of {info['snapshot_date']}",
        f"  source:     {info['source']}",
        f"  records:    {info['records']:,} ({info['withdrawn']:,} withdrawn), "
        f"{info['projects']:,} projects, {info['all_versions']:,} affecting every version",
        f"  user copy:  {info['user_copy']} (written by `safepip db update`)",
        f"popularity:   {popularity.source}",
        f"  projects:   {len(popularity.ranks):,} (snapshot {popularity.snapshot_date})",
    ]))
    return 0


def _print(text: str) -> None:
    # rich only here: every safepip command imports this module to register its parser.
    from rich.console import Console
    from rich.markup import escape

    Console(highlight=False, soft_wrap=True).print(escape(text))
