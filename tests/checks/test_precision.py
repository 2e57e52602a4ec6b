"""Issue 14: what popular packages do at install is not blocked (minimal reconstructions)."""

from __future__ import annotations

from pathlib import Path

from safepip.checks.install_hooks import scan_path
from safepip.findings import Finding, Severity
from tests.checks.hostile import make_sdist

TEMPLATE = '''
ISOLATE_SH = """
# keep npm's files inside the environment
_OLD_npm_config_userconfig="${npm_config_userconfig:-}"
npm_config_userconfig="$NODE_VIRTUAL_ENV/.npmrc"
export npm_config_userconfig
"""
version = "1.0"
'''


def _worst(findings: list[Finding], rule: str) -> Severity | None:
    return max((f.severity for f in findings if f.rule == rule), default=None)


def test_shell_template_naming_npmrc_warns_but_does_not_block(tmp_path: Path) -> None:
    """nodeenv: setup.py imports the module for its version; the module's activate-script
    templates name `.npmrc`. A text that mentions a location is not a path that is opened."""
    files = {"setup.py": "from setuptools import setup\nfrom tool import version\n"
                         "setup(name='tool', version=version)\n",
             "tool.py": TEMPLATE}
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", files))
    assert _worst(findings, "hook/sensitive-read") is Severity.MEDIUM


def test_a_secret_path_opened_at_install_is_still_high(tmp_path: Path) -> None:
    files = {"setup.py": "import os\nfrom setuptools import setup\n"
                         "data = open(os.path.expanduser('~/.npmrc')).read()\nsetup()\n"}
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", files))
    assert (_worst(findings, "hook/sensitive-read") or Severity.INFO) >= Severity.HIGH
