"""Fetch the pinned calibration corpus (bench/corpus.txt) into bench/.cache, politely.

One Simple-API page (PEP 691 JSON) and one file download per pinned sdist, sha256-checked;
files already in the cache are not fetched again. Nothing is built or run: pip is not used,
because `pip download` of an sdist may run its setup.py to learn its metadata.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import requests
from packaging.utils import canonicalize_name, parse_sdist_filename

INDEX = "https://pypi.org/simple"
ACCEPT = "application/vnd.pypi.simple.v1+json"
BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache" / "sdists"


def read_corpus(path: Path = BENCH / "corpus.txt") -> list[tuple[str, str]]:
    pins = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins.append((name.strip(), version.strip()))
    return pins


def _sdist_entry(session: requests.Session, name: str, version: str) -> dict[str, object]:
    page = session.get(
        f"{INDEX}/{canonicalize_name(name)}/", headers={"Accept": ACCEPT}, timeout=30
    )
    page.raise_for_status()
    for entry in page.json()["files"]:
        filename = entry["filename"]
        if not filename.endswith((".tar.gz", ".zip")):
            continue
        try:
            _, found = parse_sdist_filename(filename)
        except ValueError:
            continue
        if str(found) == version:
            return dict(entry)
    raise LookupError(f"no sdist of {name}=={version} on the index")


def fetch(name: str, version: str, session: requests.Session) -> Path:
    """Return the cached sdist of name==version, downloading it once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = [
        p
        for p in CACHE.iterdir()
        if p.name.startswith(f"{name}-{version}.")
        or p.name.startswith(f"{canonicalize_name(name).replace('-', '_')}-{version}.")
    ]
    if cached:
        return cached[0]
    entry = _sdist_entry(session, name, version)
    target = CACHE / str(entry["filename"])
    digest = hashlib.sha256()
    with session.get(str(entry["url"]), stream=True, timeout=120) as response:
        response.raise_for_status()
        partial = target.with_suffix(".part")
        with partial.open("wb") as out:
            for chunk in response.iter_content(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    expected = dict(entry["hashes"]).get("sha256")  # type: ignore[call-overload]
    if digest.hexdigest() != expected:
        partial.unlink()
        raise ValueError(f"sha256 mismatch for {target.name}")
    partial.rename(target)
    return target


def fetch_all() -> list[Path]:
    with requests.Session() as session:
        return [fetch(name, version, session) for name, version in read_corpus()]


if __name__ == "__main__":
    for path in fetch_all():
        print(f"{path.stat().st_size:>10}  {path.name}")
