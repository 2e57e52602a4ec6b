"""`safepip scan`: static install-hook scan of local sdists, wheels or directories, or of
artifact URLs (downloaded into a private temporary directory first). Nothing is executed."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from safepip.commands.common import add_fail_on, add_output, emit
from safepip.errors import UsageError
from safepip.findings import Finding
from safepip.policy.verdict import decide
from safepip.report.interface import Report


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="scan sdists, wheels or unpacked directories for install-time code",
        description="Statically scan artifacts for install-time behaviour; nothing is executed. "
        "Give local .tar.gz/.zip sdists, .whl wheels, unpacked project directories, or "
        "https:// URLs of such files.",
    )
    add_fail_on(parser)
    add_output(parser)
    parser.add_argument("paths", nargs="+", metavar="PATH|URL")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from safepip.checks.scan_pool import scan_paths

    findings: list[Finding] = []
    locals_, urls = _split(args.paths)
    for found in scan_paths(locals_):
        findings.extend(found)
    if urls:
        findings.extend(_scan_urls(urls))
    verdict = decide(findings, args.fail_on)
    emit(Report(verdict=verdict, findings=tuple(findings)), args.format, args.output)
    return int(verdict.exit_code)


def _split(arguments: list[str]) -> tuple[list[Path], list[str]]:
    paths: list[Path] = []
    urls: list[str] = []
    for argument in arguments:
        if "://" in argument:
            urls.append(argument)
            continue
        path = Path(argument)
        if not path.exists():
            raise UsageError(
                f"{argument} does not exist.",
                hint="Pass an sdist, a wheel, a project directory or a URL.",
            )
        paths.append(path)
    return paths, urls


def _scan_urls(urls: list[str]) -> list[Finding]:
    """Download each URL (TLS verified, size-capped, `#sha256=` checked) and scan it."""
    from safepip.artifacts.download import download
    from safepip.checks.install_hooks import scan_path
    from safepip.index.http import make_session
    from safepip.index.models import DistributionFile

    findings: list[Finding] = []
    with make_session() as session, tempfile.TemporaryDirectory(prefix="safepip-scan-") as tmp:
        for url in urls:
            parts = urlsplit(url)
            filename = unquote(parts.path.rsplit("/", 1)[-1])
            if not filename:
                raise UsageError(
                    f"{url} does not name a file.", hint="Give the URL of an sdist or a wheel."
                )
            algo, _, digest = parts.fragment.partition("=")
            hashes = {algo: digest.lower()} if algo and digest else {}
            file = DistributionFile(filename=filename, url=url.split("#", 1)[0], hashes=hashes)
            downloaded = download(session, file, Path(tmp))
            findings.extend(scan_path(downloaded.path))
    return findings
