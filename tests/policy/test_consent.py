"""Consent: blocks stay blocks; warnings ask on a TTY (default No), else warn and proceed."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from safepip.findings import Finding, Severity
from safepip.policy.consent import PROMPT, Consent, ask_consent, warnings_among
from tests.kit.isolation import clean_pip_environment

ROOT = Path(__file__).resolve().parents[2]
MEDIUM = Finding("resolve/dynamic-metadata", Severity.MEDIUM, "oddpkg", "1.0", "deps unknown")
LOW = Finding("name/not-found", Severity.LOW, "x", None, "minor")
HIGH = Finding("name/typosquat", Severity.HIGH, "reqeusts", None, "did you mean requests?")


def _ask(findings: list[Finding], *, answer: str = "", is_tty: bool = True,
         assume_yes: bool = False, fail_on: Severity = Severity.HIGH) -> tuple[Consent, str]:
    output = io.StringIO()
    consent = ask_consent(findings, fail_on=fail_on, assume_yes=assume_yes, is_tty=is_tty,
                          stdin=io.StringIO(answer), output=output)
    return consent, output.getvalue()


def test_no_warnings_proceeds_silently() -> None:
    assert _ask([LOW]) == (Consent.PROCEED, "")


@pytest.mark.parametrize("answer", ["y\n", "Y\n", "yes\n", " YES \n"])
def test_yes_on_a_tty_proceeds(answer: str) -> None:
    consent, text = _ask([MEDIUM], answer=answer)
    assert consent is Consent.PROCEED
    assert "warning: [medium] oddpkg 1.0 resolve/dynamic-metadata" in text and PROMPT in text


@pytest.mark.parametrize("answer", ["n\n", "\n", "", "yeah\n", "no\n"])
def test_anything_else_on_a_tty_declines(answer: str) -> None:
    consent, text = _ask([MEDIUM], answer=answer)
    assert consent is Consent.DECLINED and not consent.proceed
    assert "Nothing was installed." in text


def test_not_a_tty_prints_warnings_and_proceeds_without_reading() -> None:
    consent, text = _ask([MEDIUM], answer="n\n", is_tty=False)
    assert consent is Consent.PROCEED
    assert "warning: [medium]" in text and PROMPT not in text and "--fail-on medium" in text


def test_assume_yes_accepts_warnings_without_prompting() -> None:
    consent, text = _ask([MEDIUM], assume_yes=True)
    assert consent is Consent.PROCEED and PROMPT not in text and "--yes" in text


@pytest.mark.parametrize("assume_yes", [False, True])
def test_block_is_never_overridden(assume_yes: bool) -> None:
    consent, text = _ask([MEDIUM, HIGH], answer="y\n", assume_yes=assume_yes)
    assert consent is Consent.BLOCKED and PROMPT not in text


def test_fail_on_moves_the_warning_band() -> None:
    assert _ask([HIGH], fail_on=Severity.CRITICAL, answer="n\n")[0] is Consent.DECLINED
    assert _ask([MEDIUM], fail_on=Severity.MEDIUM)[0] is Consent.BLOCKED
    assert warnings_among([LOW, HIGH, MEDIUM], Severity.CRITICAL) == [HIGH, MEDIUM]


CHILD = textwrap.dedent("""
    import sys
    from safepip.policy.consent import ask_consent
    from safepip.findings import Finding, Severity
    f = Finding("resolve/dynamic-metadata", Severity.MEDIUM, "oddpkg", "1.0", "deps unknown")
    c = ask_consent([f], fail_on=Severity.HIGH, assume_yes=False, is_tty=sys.stdin.isatty(),
                    stdin=sys.stdin, output=sys.stdout)
    print("RESULT", c.value, flush=True)
""")


def _run_on_pty(answer: bytes, tmp_path: Path) -> str:
    """Run the consent prompt in a child whose terminal is a real pseudo-terminal."""
    primary, secondary = os.openpty()
    env = clean_pip_environment(os.environ, str(tmp_path))
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=secondary, stdout=secondary,
                             stderr=secondary, cwd=ROOT, env=env, close_fds=True)
    os.close(secondary)
    seen = b""
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the child exited and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if PROMPT.strip().encode() in seen and answer:
                os.write(primary, answer)
                answer = b""
        child.wait(timeout=30)
    finally:
        os.close(primary)
    return seen.decode(errors="replace")


@pytest.mark.parametrize(("answer", "result"), [(b"n\r", "declined"), (b"y\r", "proceed"),
                                                (b"\r", "declined")])
def test_real_pseudo_terminal_prompt(answer: bytes, result: str, tmp_path: Path) -> None:
    text = _run_on_pty(answer, tmp_path)
    assert "Proceed? [y/N]" in text
    assert f"RESULT {result}" in text
