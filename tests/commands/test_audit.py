"""`safepip audit` through the CLI: every input format, every exit code, every output format."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from safepip.cli import main
from tests.kit.archives import make_sdist, make_wheel
from tests.kit.index_server import IndexServer

Factory = Callable[..., IndexServer]
DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def served(tmp_path: Path, index_server: Factory) -> tuple[IndexServer, dict[str, str]]:
    """An index with a small benign tree; filename -> sha256 of each file."""
    dist = tmp_path / "dist"
    files = [make_wheel(dist, "orchard", "1.0", requires_dist=["pear-lib"]),
             make_wheel(dist, "pear-lib", "0.3")]
    hashes = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    return index_server(files), hashes


def _lock(fmt: str, server: IndexServer, hashes: dict[str, str], *, tamper: bool = False) -> str:
    rows = []
    for filename, digest in sorted(hashes.items()):
        name, version = filename.split("-")[:2]
        name = name.replace("_", "-")
        digest = "0" * 64 if tamper and name == "orchard" else digest
        url = server.file_url(filename)
        if fmt == "pylock.toml":
            rows.append(f'[[packages]]\nname = "{name}"\nversion = "{version}"\n'
                        f'wheels = [{{ name = "{filename}", url = "{url}", '
                        f'hashes = {{ sha256 = "{digest}" }} }}]\n')
        elif fmt == "uv.lock":
            rows.append(f'[[package]]\nname = "{name}"\nversion = "{version}"\n'
                        f'source = {{ registry = "{server.index_url}" }}\n'
                        f'wheels = [{{ url = "{url}", hash = "sha256:{digest}" }}]\n')
        else:
            rows.append(f'[[package]]\nname = "{name}"\nversion = "{version}"\ndescription = ""\n'
                        f'optional = false\npython-versions = "*"\n'
                        f'files = [{{ file = "{filename}", hash = "sha256:{digest}" }}]\n')
    header = {"pylock.toml": 'lock-version = "1.0"\ncreated-by = "tests"\n\n',
              "uv.lock": 'version = 1\nrequires-python = ">=3.8"\n\n', "poetry.lock": ""}[fmt]
    footer = ('\n[metadata]\nlock-version = "2.1"\npython-versions = "*"\ncontent-hash = "x"\n'
              if fmt == "poetry.lock" else "")
    return header + "\n".join(rows) + footer


def _audit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("fmt", ["pylock.toml", "uv.lock", "poetry.lock"])
def test_lock_files_are_vetted_as_locked(
    fmt: str, tmp_path: Path, served: tuple[IndexServer, dict[str, str]],
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, hashes = served
    monkeypatch.chdir(tmp_path)
    Path(fmt).write_text(_lock(fmt, server, hashes))
    code, out, err = _audit(capsys, fmt, "--index-url", server.index_url, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert {(p["name"], p["version"], p["metadata_source"]) for p in report["packages"]} == {
        ("orchard", "1.0", "lock"), ("pear-lib", "0.3", "lock")}
    # Nothing was resolved: no metadata was fetched, only pages and the locked files.
    assert not [r for r in server.requests if r.path.endswith(".metadata")]


def test_a_lock_whose_hash_the_index_refutes_blocks(
    tmp_path: Path, served: tuple[IndexServer, dict[str, str]],
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, hashes = served
    monkeypatch.chdir(tmp_path)
    Path("uv.lock").write_text(_lock("uv.lock", server, hashes, tamper=True))
    code, out, _ = _audit(capsys, "uv.lock", "--index-url", server.index_url, "--format", "json")
    assert code == 1
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert "lock/hash-mismatch" in rules


def test_pyproject_dependencies_and_groups_are_resolved(
    tmp_path: Path, served: tuple[IndexServer, dict[str, str]],
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _ = served
    monkeypatch.chdir(tmp_path)
    Path("pyproject.toml").write_text(
        '[project]\nname = "mine"\nversion = "0"\ndependencies = []\n'
        '[dependency-groups]\ndev = ["orchard"]\n')
    code, out, err = _audit(capsys, "pyproject.toml", "--group", "dev", "--index-url",
                            server.index_url, "--format", "json")
    assert code == 0, err
    assert {p["name"] for p in json.loads(out)["packages"]} == {"orchard", "pear-lib"}


def test_hash_pinned_requirements_are_vetted_without_resolving(
    tmp_path: Path, served: tuple[IndexServer, dict[str, str]],
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, hashes = served
    monkeypatch.chdir(tmp_path)
    lines = [f"{f.split('-')[0].replace('_', '-')}=={f.split('-')[1]} --hash=sha256:{h}"
             for f, h in hashes.items()]
    Path("requirements.txt").write_text("\n".join(lines) + "\n")
    code, out, err = _audit(capsys, "-r", "requirements.txt", "--index-url", server.index_url,
                            "--format", "json")
    assert code == 0, err
    assert {p["metadata_source"] for p in json.loads(out)["packages"]} == {"lock"}


def test_sarif_output_is_schema_valid_and_points_at_the_requirement_line(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = index_server([make_sdist(
        tmp_path / "dist", "opaque-deps", "1.0",
        setup_py="from setuptools import setup\nsetup(install_requires=open('r').read())\n"),
        make_wheel(tmp_path / "dist", "setuptools", "70.0")])
    monkeypatch.chdir(tmp_path)
    Path("requirements.txt").write_text("# deps\nopaque-deps\n")
    code, out, err = _audit(capsys, "-r", "requirements.txt", "--index-url", server.index_url,
                            "--format", "sarif", "--fail-on", "critical")
    assert code == 0, err
    document = json.loads(out)
    jsonschema.validate(document, json.loads((DATA / "sarif-schema-2.1.0.json").read_text()))
    (result,) = [r for r in document["runs"][0]["results"]
                 if r["ruleId"] == "resolve/dynamic-metadata"]
    region = result["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"].endswith("requirements.txt")
    assert region["region"]["startLine"] == 2


def test_github_annotations(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "reqeusts", "2.31.0")])
    monkeypatch.chdir(tmp_path)
    Path("requirements.txt").write_text("reqeusts\n")
    code, out, _ = _audit(capsys, "-r", "requirements.txt", "--index-url", server.index_url,
                          "--format", "github")
    assert code == 1
    assert out.startswith("::error file=requirements.txt,line=1")
    assert "name/typosquat" in out


def test_exit_2_for_an_unreadable_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("uv.lock").write_text("this is [not toml\n")
    code, _, err = _audit(capsys, "uv.lock")
    assert code == 2
    assert "uv.lock" in err


def test_exit_2_with_nothing_to_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No inputs: the environment's installed packages are audited; an empty venv has none.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "empty")],
                   check=True)
    code, _, err = _audit(capsys, "--python", str(tmp_path / "empty"))
    assert code == 2
    assert "Nothing to audit" in err


def test_exit_3_when_the_index_fails(
    tmp_path: Path, index_server: Factory, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = index_server([make_wheel(tmp_path / "dist", "orchard", "1.0")])
    server.add_fault("/simple/*", status=500)
    monkeypatch.chdir(tmp_path)
    code, out, err = _audit(capsys, "orchard", "--index-url", server.index_url, "--retries", "0")
    assert code == 3, out + err
    assert out == ""  # no report, and certainly no "allow"


def test_a_repeat_audit_takes_files_from_the_store_and_a_tampered_entry_fails_closed(
    tmp_path: Path, served: tuple[IndexServer, dict[str, str]], isolated_home: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _ = served
    monkeypatch.chdir(tmp_path)
    args = ("orchard", "--index-url", server.index_url, "--format", "json")
    assert _audit(capsys, *args)[0] == 0
    server.clear_log()
    assert _audit(capsys, *args)[0] == 0
    assert not [r for r in server.requests if r.path.startswith("/files/")]
    (stored,) = (isolated_home / ".cache").rglob("orchard-1.0-py3-none-any.whl")
    stored.write_bytes(b"not the vetted bytes")
    code, out, err = _audit(capsys, *args)
    assert code == 3 and out == ""
    assert "sha256" in err
