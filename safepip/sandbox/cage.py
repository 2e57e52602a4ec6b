"""Build a vetted sdist into a wheel inside a cage, and report what the build tried to do.

A static scan cannot be complete, so the code an sdist runs when it is built (setup.py, the build
backend) runs confined, in layers (see safepip.sandbox.mechanisms):
- no network: a new network namespace holding only its own loopback, to which every address
  is routed; a packet socket there records each connection attempt and DNS query
  (`dynamic/network`), and since nothing answers, each one fails;
- no reach into the system: Landlock lets the build read only the system's programs and
  libraries, the interpreters and its inputs, and write only its own directories;
- a throwaway HOME holding decoy secrets (an SSH key, cloud and index credentials) and shell
  profiles: a decoy read (its access time moves) is `dynamic/secret-read`, a changed or new file
  is `dynamic/persistence`; the user's real home is out of reach;
- the target environment's folders are overlaid: a write into site-packages or bin/ lands in a
  scratch layer and is `dynamic/persistence`;
- a PID namespace: a process the build leaves running is `dynamic/process` and is killed;
- a clean environment: no CI tokens or other variables of the user reach the build.
The wheel it produces is then scanned like any wheel. Where namespaces are unavailable the
build is refused (`UnconfinedBuildRefused`) unless the user allows it explicitly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pwd
import shutil
import subprocess  # nosec B404 - fixed argv lists, no shell
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safepip.errors import ExitCode, SafepipError
from safepip.findings import Finding, Severity
from safepip.pip.process import pip_argv
from safepip.sandbox.mechanisms import UNSHARE_FLAGS, Mechanisms, available

logger = logging.getLogger(__name__)

DECOYS = {
    ".ssh/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\nc2FmZXBpcC1kZWNveS1rZXk=\n"
                   "-----END OPENSSH PRIVATE KEY-----\n",
    ".ssh/id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\nZGVjb3k=\n"
                       "-----END OPENSSH PRIVATE KEY-----\n",
    ".aws/credentials": "[default]\naws_access_key_id = AKIASAFEPIPDECOY0000\n"
                        "aws_secret_access_key = safepip-decoy-not-a-secret\n",
    ".netrc": "machine example.invalid login decoy password safepip-decoy\n",
    ".pypirc": "[pypi]\nusername = __token__\npassword = pypi-safepip-decoy\n",
    ".config/gh/hosts.yml": "github.com:\n    oauth_token: ghp_safepipdecoy\n",
    ".docker/config.json": '{"auths": {"example.invalid": {"auth": "ZGVjb3k6ZGVjb3k="}}}\n',
    ".git-credentials": "https://decoy:safepip-decoy@example.invalid\n",
}
"""Files a credential stealer reads: fake, but reading one is evidence."""

PROFILES = {".bashrc": "# safepip build home\n", ".profile": "# safepip build home\n",
            ".zshrc": "# safepip build home\n"}
"""Files a persistence payload appends to."""

_KEPT_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "CC", "CXX", "CFLAGS",
                   "CPPFLAGS", "CXXFLAGS", "LDFLAGS", "MAKEFLAGS", "SOURCE_DATE_EPOCH")
"""What the build may see of the user's environment: how to compile, nothing else (no tokens)."""

_SYSTEM_READ = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/proc",
                "/sys/devices/system/cpu", "/etc/ld.so.cache", "/etc/ld.so.conf",
                "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/passwd", "/etc/group",
                "/etc/nsswitch.conf", "/etc/hosts", "/etc/resolv.conf", "/etc/host.conf",
                "/etc/gai.conf", "/etc/localtime", "/etc/ssl", "/etc/pki", "/etc/os-release",
                "/etc/debian_version", "/etc/mime.types", "/etc/protocols", "/etc/services")
"""Programs, libraries, compilers, and the few /etc files they read. Not /etc as a whole
(it holds /etc/shadow), not /dev as a whole (the disks), not /home or /root."""

_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")

_PROBE = """\
import json, os, sys, sysconfig
base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
targets = {p[k] for p in (sysconfig.get_paths(), base) for k in ("purelib", "platlib", "scripts")}
print(json.dumps({"executable": os.path.realpath(sys.executable),
    "prefixes": sorted({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}),
    "path": [p for p in sys.path if p], "targets": sorted(targets)}))
"""
"""Where the target interpreter lives, and the folders a build could plant code in: the
environment's and its base interpreter's (pip's isolated build sees the latter)."""

_UNCONFINED_ENV = "SAFEPIP_ALLOW_UNCONFINED_BUILD"


class UnconfinedBuildRefused(SafepipError):
    """No confinement is available for a build, and none was waived."""

    exit_code = ExitCode.INCOMPLETE


class CageBuildError(SafepipError):
    """The confined build did not produce a wheel (and saw nothing hostile)."""

    exit_code = ExitCode.INCOMPLETE


@dataclass(frozen=True)
class CageResult:
    """What one confined build produced and saw."""

    wheel: Path | None
    """The built wheel (moved to the caller's output folder), None when the build failed."""
    enforced: tuple[str, ...]
    """The mechanisms that confined this build, one phrase each (shown to the user)."""
    missing: tuple[str, ...]
    """The mechanisms that were not available, and why."""
    findings: tuple[Finding, ...]
    """What the cage saw (`dynamic/*`) and what the scan of the built wheel found."""
    log: str
    """The end of the build's output."""

    @property
    def dynamic_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule.startswith("dynamic/"))


def unconfined_allowed(environ: Mapping[str, str]) -> bool:
    """Whether the user waived confinement (`--allow-unconfined-build` sets this variable)."""
    return environ.get(_UNCONFINED_ENV, "") not in ("", "0")


def build_confined(
    sdist: Path, *, package: str, version: str | None, python: str, vetted_dir: Path,
    output_dir: Path, allow_unconfined: bool = False, timeout: float = 900.0,
    scan: bool = True, config_settings: tuple[str, ...] = (),
) -> CageResult:
    """Build `sdist` into a wheel with `python`'s pip (no index: build requirements come from
    `vetted_dir` only), confined; the wheel goes to `output_dir`. `config_settings`
    (`KEY=VALUE`) reach the build backend as pip's `--config-settings` give them."""
    mechanisms = available()
    if mechanisms.unshare is None and not allow_unconfined:
        raise UnconfinedBuildRefused(
            f"{sdist.name} must be built from source, and this machine offers no way to confine "
            f"the build ({'; '.join(mechanisms.reasons)}); it was not built.",
            hint="Install a wheel of it instead, or pass --allow-unconfined-build to build it "
                 "without confinement (its code then runs with your rights); nothing was "
                 "installed.")
    work = Path(tempfile.mkdtemp(prefix="safepip-cage-"))
    try:
        build = _Build(sdist, package, version, python, vetted_dir, work, mechanisms, timeout)
        build.config_settings = config_settings
        return build.run(output_dir, scan=scan)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class _Build:
    def __init__(self, sdist: Path, package: str, version: str | None, python: str,
                 vetted_dir: Path, work: Path, mechanisms: Mechanisms, timeout: float) -> None:
        self.package, self.version, self.mechanisms = package, version, mechanisms
        self.config_settings: tuple[str, ...] = ()
        self.vetted_dir, self.work, self.timeout = vetted_dir, work, timeout
        self.home, self.tmp, self.out = work / "home", work / "tmp", work / "out"
        self.source = work / "in" / sdist.name
        for folder in (self.home, self.tmp, self.out, self.source.parent, work / "scratch"):
            folder.mkdir(mode=0o700)
        shutil.copyfile(sdist, self.source)
        self.target = _probe(python)
        self.homes, self.homes_kept_because = hideable_homes([work, vetted_dir])
        self.atime_works = atime_observable(work)
        _plant(self.home)
        self.before = _snapshot(self.home)  # reads every file: before the access times are set
        self.decoy_times = _age_decoys(self.home)

    def run(self, output_dir: Path, *, scan: bool) -> CageResult:
        report = self._execute()
        findings = self._dynamic_findings(report)
        log = _tail(self.work / "build.log")
        wheels = sorted(self.out.glob("*.whl"))
        wheel = None
        if wheels and report.get("exit") == 0:
            output_dir.mkdir(parents=True, exist_ok=True)
            wheel = Path(shutil.move(str(wheels[0]), output_dir / wheels[0].name))
        elif not findings:
            raise CageBuildError(
                f"Building {self.source.name} in the cage failed (exit {report.get('exit')}"
                f"{', timed out' if report.get('timed_out') else ''}): {_gist(log)}",
                hint="It may need the network or files outside its build folder, which the "
                     "cage refuses; install a wheel of it instead. Nothing was installed.")
        if wheel is not None and scan:
            from safepip.checks.install_hooks import scan_path  # the scan, as for any wheel

            findings += scan_path(wheel)
        enforced, missing = self._mechanisms(report)
        return CageResult(wheel, enforced, missing, tuple(findings), log)

    # -- running ---------------------------------------------------------------------------
    def _execute(self) -> dict[str, Any]:
        command = pip_argv(self.target["executable"], [
            "wheel", "--verbose", "--no-deps", "--no-index", "--no-cache-dir", "--find-links",
            str(self.vetted_dir), "--wheel-dir", str(self.out),
            # one token each: a value is never read as an option of its own
            *(f"--config-settings={setting}" for setting in self.config_settings),
            "--", str(self.source)])
        env = self._environment()
        landlock = self.mechanisms.landlock_abi > 0
        setpriv = self.mechanisms.setpriv if self.mechanisms.unshare else None
        read = _existing([*_SYSTEM_READ, *self.target["prefixes"], *self.target["path"],
                          sys.prefix, sys.base_prefix, str(self.vetted_dir),
                          str(self.source.parent)])
        stage = {"landlock": landlock, "command": command, "env": env, "setpriv": setpriv,
                 "seccomp": self.mechanisms.seccomp, "read": read,
                 "write": [str(self.home), str(self.tmp), str(self.out)],
                 "write_files": _existing(_DEVICES)}
        config = {"stage": stage, "overlay": self.target["targets"],
                  "hide_homes": {"homes": self.homes, "decoy": str(self.home),
                                 "keep": _existing([*read, *_own_paths()])},
                  "scratch": str(self.work / "scratch"), "timeout": self.timeout,
                  "log": str(self.work / "build.log"), "report": str(self.work / "report.json")}
        config_path = self.work / "config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        supervisor = [sys.executable, "-I", "-m", "safepip.sandbox.inside", str(config_path)]
        if self.mechanisms.unshare is None:  # waived by the user: no namespaces at all
            return _unconfined(stage, config)
        with contextlib.suppress(subprocess.TimeoutExpired):  # then no report: said below
            subprocess.run(  # nosec B603 - argv list: unshare, our interpreter, our module
                [self.mechanisms.unshare, *UNSHARE_FLAGS, *supervisor], cwd=self.tmp,
                env=env, stdin=subprocess.DEVNULL, capture_output=True,
                timeout=self.timeout + 60, check=False)
        try:
            report: dict[str, Any] = json.loads(
                (self.work / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise CageBuildError(
                f"The cage for building {self.source.name} did not report back; it was not "
                "built.", hint="Retry; if it happens again, install a wheel of it instead.",
            ) from None
        return report

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k in _KEPT_VARIABLES}
        env.setdefault("PATH", os.defpath)
        env.update(HOME=str(self.home), TMPDIR=str(self.tmp), USER="build", LOGNAME="build",
                   PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1",
                   PIP_FIND_LINKS=str(self.vetted_dir), PIP_DISABLE_PIP_VERSION_CHECK="1",
                   PIP_NO_INPUT="1", PIP_NO_CACHE_DIR="1", PYTHONDONTWRITEBYTECODE="1")
        return env

    # -- what was seen ---------------------------------------------------------------------
    def _finding(self, rule: str, message: str, evidence: str) -> Finding:
        """No `location`: that is a place in the package's files (reports point there, or at
        the artifact's member); what the build touched is named in the message and evidence."""
        return Finding(rule=rule, severity=Severity.HIGH, package=self.package,
                       version=self.version, message=message, evidence=evidence[:200])

    def _dynamic_findings(self, report: dict[str, Any]) -> list[Finding]:
        found: list[Finding] = []
        seen: set[str] = set()
        for event in report.get("network", []):
            what = (f"a DNS query for {event['query']!r}" if event.get("query")
                    else f"a {event['protocol'].upper()} connection to "
                         f"{event['host']} port {event['port']}")
            if what not in seen:
                seen.add(what)
                found.append(self._finding(
                    "dynamic/network", f"Its build tried to reach the network ({what}); the "
                    "cage has none, so it failed.", what))
        for name, atime in self.decoy_times.items():
            path = self.home / name
            if path.stat().st_atime_ns != atime:
                found.append(self._finding(
                    "dynamic/secret-read", f"Its build read ~/{name}, where credentials are "
                    "kept (a decoy in the cage's throwaway home).", f"~/{name}"))
        for name in _changes(self.before, _snapshot(self.home)):
            if not persists(name):
                logger.debug("cage: the build wrote ~/%s (not a place code runs from)", name)
                continue
            found.append(self._finding(
                "dynamic/persistence", f"Its build wrote ~/{name} (in the cage's throwaway "
                "home): code that changes a home folder at install time persists itself.",
                f"~/{name}"))
        for target, scratch in report.get("overlays", []):
            upper = Path(scratch) / "upper"
            for written in sorted(p for p in upper.rglob("*") if not p.is_dir())[:20]:
                where = f"{target}/{written.relative_to(upper).as_posix()}"
                found.append(self._finding(
                    "dynamic/persistence", f"Its build wrote {where} into the target "
                    "environment (kept out of it by the cage); a build writes only its wheel.",
                    where))
        for command in report.get("lingering", []):
            found.append(self._finding(
                "dynamic/process", "Its build left a process running after it ended "
                f"({command[:120]}); the cage killed it.", command))
        return found

    def _mechanisms(self, report: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        enforced: list[str] = []
        missing = list(self.mechanisms.reasons)
        if self.mechanisms.unshare is not None:
            watched = "every attempt recorded" if report.get("network_observed") else \
                "attempts not recorded"
            enforced += [f"no network (own network namespace, {watched})",
                         "own PID namespace (processes die with the build)"]
            if self.mechanisms.setpriv:
                enforced.append("no capabilities (cannot mount, reroute or sniff)")
        if self.mechanisms.seccomp:
            enforced.append("seccomp (no ptrace, no new namespaces, no mounts, no io_uring)")
            if report.get("overlays"):
                enforced.append("target environment overlaid (writes kept out)")
        if report.get("homes"):
            enforced.append("your home folder hidden behind the decoy home (a secret read by "
                            "its absolute path reads a decoy)")
        elif self.mechanisms.unshare is not None:
            missing.append("home: not hidden behind the decoy home ("
                           + (self.homes_kept_because or "mounting it failed") + "); a read "
                           "there by absolute path is denied by Landlock, but not seen")
        if self.mechanisms.landlock_abi:
            enforced.append(f"Landlock ABI {self.mechanisms.landlock_abi} (writes only to "
                            "its build folders, no reads of your home)")
        enforced += ["throwaway HOME with decoy secrets", "no environment variables but PATH, "
                     "locale and compiler settings"]
        if not self.atime_works:
            missing.append("secret reads: not observable (this file system does not update "
                           "access times)")
        if self.mechanisms.unshare is None:
            missing.append("namespaces: waived with --allow-unconfined-build (the build had "
                           "the network)")
        return tuple(enforced), tuple(missing)


def _unconfined(stage: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """The build without namespaces (only when the user waived confinement): still through
    the restrict stage, so Landlock applies where the kernel has it."""
    stage_path = Path(config["report"]).with_name("stage.json")
    stage_path.write_text(json.dumps(stage), encoding="utf-8")
    with open(config["log"], "wb") as log:
        done = subprocess.run(  # nosec B603 - our interpreter on our own module
            [sys.executable, "-I", "-m", "safepip.sandbox.restrict", str(stage_path)],
            env=stage["env"], cwd=stage["write"][1], stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, timeout=config["timeout"], check=False)
    return {"exit": done.returncode, "network": [], "overlays": [], "lingering": []}


def _probe(python: str) -> dict[str, Any]:
    try:
        done = subprocess.run(  # nosec B603 - the target interpreter on our fixed probe
            [python, "-I", "-c", _PROBE], capture_output=True, text=True, timeout=60,
            check=True, stdin=subprocess.DEVNULL)
        facts: dict[str, Any] = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        raise CageBuildError(f"Could not ask {python} where it lives ({error}); nothing was "
                             "built.") from None
    return facts


def hideable_homes(inside: list[Path]) -> tuple[list[str], str]:
    """The user's home folders (HOME, the account's home, /root for root) that the cage can
    hide behind the decoy home, and why none can ("" when some can): a home that holds the
    cage's own folders (`inside`: a TMPDIR under the home) cannot be hidden from the build."""
    candidates = {os.environ.get("HOME", "")}
    with contextlib.suppress(KeyError):
        candidates.add(pwd.getpwuid(os.getuid()).pw_dir)
    if os.getuid() == 0:
        candidates.add("/root")
    homes = sorted({os.path.realpath(h) for h in candidates
                    if h and os.path.isabs(h) and os.path.isdir(h)} - {"/"})
    ours = [os.path.realpath(folder) for folder in inside]
    hideable = [h for h in homes if not any(_below(folder, h) for folder in ours)]
    if homes and not hideable:
        return [], "the build's own folders are inside it (TMPDIR)"
    return hideable, "" if hideable else "no home folder found"


def _below(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _own_paths() -> list[str]:
    """What the cage's supervisor and restrict stage (this interpreter, `-I`) read after the
    home is hidden: the interpreter's prefixes and the safepip package. Not this process's
    sys.path: it may hold the working directory, and a folder bound back beneath the hidden
    home is reachable by the build (Landlock follows the path through the decoy home)."""
    import safepip

    return [sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
            str(Path(safepip.__file__).resolve().parent)]


def _plant(home: Path) -> None:
    """Write the decoy secrets and the shell profiles."""
    for name, text in {**DECOYS, **PROFILES}.items():
        path = home / name
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(text, encoding="utf-8")


def _age_decoys(home: Path) -> dict[str, int]:
    """Set each decoy's access time a day before its modification time, so that the first
    read moves it (relatime updates an access time older than the modification time); their
    access times as set."""
    times: dict[str, int] = {}
    for name in DECOYS:
        path = home / name
        modified = path.stat().st_mtime_ns
        os.utime(path, ns=(modified - 86_400 * 10**9, modified))
        times[name] = path.stat().st_atime_ns
    return times


def _snapshot(home: Path, limit: int = 10_000) -> dict[str, str]:
    """Every file under `home` (but tools' caches) by content digest, the first `limit`."""
    state: dict[str, str] = {}
    for path in home.rglob("*"):
        relative = path.relative_to(home).as_posix()
        if relative.startswith(".cache/") or len(state) >= limit:
            continue  # tools' caches are not persistence
        if path.is_symlink():
            state[relative] = "link:" + os.readlink(path)
        elif path.is_file():
            with path.open("rb") as stream:
                state[relative] = hashlib.file_digest(stream, "sha256").hexdigest()
    return state


def atime_observable(folder: Path) -> bool:
    """Whether a read moves an access time set before the modification time here (it does
    not on a `noatime` mount: then decoy reads cannot be seen)."""
    probe = folder / ".atime-probe"
    probe.write_bytes(b"probe")
    modified = probe.stat().st_mtime_ns
    os.utime(probe, ns=(modified - 86_400 * 10**9, modified))
    before = probe.stat().st_atime_ns
    probe.read_bytes()
    moved = probe.stat().st_atime_ns != before
    probe.unlink()
    return moved


_PERSISTENT_PREFIXES = (
    ".ssh/", ".config/autostart/", ".config/systemd/", ".config/fish/", ".local/bin/",
    ".local/lib/", ".local/share/applications/", ".config/environment.d/", ".gnupg/",
    ".config/pip/", ".config/git/", ".kube/", ".aws/", ".docker/", ".config/gh/",
)
_PERSISTENT_NAMES = frozenset({
    ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc",
    ".zshenv", ".zprofile", ".zlogin", ".cshrc", ".tcshrc", ".kshrc", ".xinitrc", ".xsession",
    ".xprofile", ".pam_environment", ".gitconfig", ".netrc", ".pypirc", ".pip/pip.conf",
    ".npmrc", ".condarc", ".pythonrc", ".pythonstartup", ".inputrc", ".git-credentials",
})


def persists(name: str) -> bool:
    """Whether a file at ~/`name` is a place code is run, trusted or configured from (shell
    start-up files, user site-packages and bin, autostart, SSH and credential files); writes
    elsewhere in the throwaway home (a compiler's or tool's own files) are not evidence."""
    return name in _PERSISTENT_NAMES or name.startswith(_PERSISTENT_PREFIXES)


def _changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name, digest in after.items() if before.get(name) != digest)


def _existing(paths: list[str] | tuple[str, ...]) -> list[str]:
    return sorted({p for p in paths if os.path.exists(p)})


def _gist(log: str) -> str:
    """pip's own error lines from a build log (its last lines when there are none)."""
    errors = [line.strip() for line in log.splitlines() if line.strip().startswith("ERROR:")]
    return " ".join(errors[-3:]) if errors else log[-600:].strip()


def _tail(path: Path) -> str:
    try:
        return path.read_bytes()[-65536:].decode("utf-8", "replace")
    except OSError:
        return ""
