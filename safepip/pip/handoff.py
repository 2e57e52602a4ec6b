"""Hand real pip exactly the vetted files, hash-pinned, with no way to fetch anything else.

pip is run as `PYTHON -m pip install --no-deps --require-hashes --no-index --find-links DIR
-r FILE ...` (an argv list, never a shell string), where DIR is a private directory holding copies
of the vetted files (build dependencies of sdists included) and FILE pins each installed file as
`name==version --hash=sha256:...`. The copies are hashed while they are written, so what pip reads
is what was vetted; `--require-hashes` makes pip check again for every installed file.

pip's own configuration could widen what pip may read, so the handoff neutralises it:
- `PIP_CONFIG_FILE=os.devnull` makes pip skip *every* configuration file (pip's documented switch):
  a config `find-links` would be added to ours, `requirement`/`constraint` settings would add
  unvetted inputs; `--no-index` alone does not stop those.
- `PIP_*` variables are dropped except an allow-list that only says where and how verbosely to
  install (`PIP_PREFIX`, `PIP_ROOT`, `PIP_QUIET`, ...), so `PIP_FIND_LINKS`, `PIP_CONSTRAINT` etc.
  from the user's shell cannot reach pip. The same allow-listed settings found in pip's
  configuration files (e.g. `break-system-packages = true`) are carried over as `PIP_*`
  variables, so the drop-in installs where plain pip would.
- `PIP_NO_INDEX=1` is set in the environment as well as on the command line: build isolation
  installs an sdist's build requirements with a nested pip that inherits the environment (pip
  gives it `--no-index --find-links DIR` itself), and a build backend may start pip on its own
  (setuptools' `setup_requires`), which then finds no source at all. A build requirement that
  only the backend reveals was never vetted: the install fails rather than fetch it. DIR is
  given on the command line only (`PIP_FIND_LINKS` too would make pip list it twice).
- `--no-cache-dir`: a wheel pip builds from a vetted sdist would be cached under a key made of the
  throwaway DIR path, never found again; keeping pip's cache out of the handoff costs nothing.
- pip runs in its own network namespace where the machine allows it (safepip.pip.offline): it
  has nothing to fetch, so it gets no network at all; where it cannot, the user is told.
- Pass-through options that add sources or requirements (`-i`, `--extra-index-url`, `-f`, `-c`,
  `-r`, `-e`, `--build-constraint`, ...) are refused before pip runs.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import subprocess  # nosec B404
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName
from packaging.version import Version

from safepip.errors import HashMismatchError, SafepipError, UsageError
from safepip.pip.offline import offline, with_network_notice
from safepip.pip.pipconfig import discover_config_files, load_pip_config, target_prefix
from safepip.pip.process import WaitingPip, pip_argv, runnable, without_working_directory

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VettedFile:
    """One file that passed every check, as it lies on disk after download."""

    name: NormalizedName
    """Normalised project name."""
    version: Version
    """The pinned version."""
    filename: str
    """The file's published name (pip reads name, version and tags from it)."""
    sha256: str
    """Lower-case hex sha256 of the vetted bytes."""
    path: Path
    """Where the vetted bytes are now (the download cache or a temporary directory)."""
    build_dependency: bool = False
    """Only needed to build an sdist: placed where pip's build isolation finds it, not installed."""
    config_settings: tuple[str, ...] = ()
    """`KEY=VALUE` settings for the build backend when this sdist is built (pip's
    `--config-settings`, as pip would give them to this project's build)."""


KEPT_PIP_VARIABLES = frozenset({
    "PIP_PREFIX", "PIP_ROOT", "PIP_BREAK_SYSTEM_PACKAGES", "PIP_REQUIRE_VIRTUALENV",
    "PIP_NO_COMPILE", "PIP_COMPILE", "PIP_VERBOSE", "PIP_QUIET", "PIP_LOG", "PIP_LOG_FILE",
    "PIP_NO_COLOR", "PIP_PROGRESS_BAR", "PIP_ROOT_USER_ACTION", "PIP_NO_WARN_SCRIPT_LOCATION",
    "PIP_NO_WARN_CONFLICTS", "PIP_FORCE_REINSTALL",
})
"""`PIP_*` variables that say where and how to install, never what or from where.

`user`, `target`, `upgrade`, `ignore-installed` are absent on purpose: safepip's request parser
resolves them (command line > environment > config, `--no-user` included) and hands the result
over as options, so a stale `PIP_USER=1` cannot override a `--no-user` on the command line.
"""

_REFUSED_LONG = (
    "--index-url", "--extra-index-url", "--find-links", "--constraint", "--requirement",
    "--editable", "--build-constraint", "--python", "--requirements-from-script", "--group",
)
_REFUSED_SHORT = frozenset("ifcre")
_SHORT_WITH_VALUE = frozenset("ifcretC")


def check_passthrough(passthrough: Sequence[str]) -> None:
    """Refuse pass-through arguments that would let pip read sources or requirements not vetted.

    optparse accepts unambiguous prefixes of long options (`--find` is `--find-links`) and
    clustered short options (`-qf DIR`), so both forms are checked.
    """
    for argument in passthrough:
        refused = _refused_option(argument)
        if refused:
            raise UsageError(
                f"The pip option {argument!r} cannot be passed through: as {refused} it would "
                "let pip read packages or requirements safepip did not vet.",
                hint="Give requirements, indexes and constraints to safepip itself (it vets "
                "them); nothing was installed.",
            )


def _refused_option(argument: str) -> str | None:
    if argument == "--":
        return "`--` (every later argument is a requirement)"
    if argument.startswith("--"):
        name = argument.split("=", 1)[0]
        return next((o for o in _REFUSED_LONG if len(name) > 2 and o.startswith(name)), None)
    if argument.startswith("-") and len(argument) > 1:
        for letter in argument[1:]:
            if letter in _REFUSED_SHORT:
                return f"-{letter}"
            if letter in _SHORT_WITH_VALUE:
                return None
    return None


def pinned_requirement_lines(files: Sequence[VettedFile]) -> list[str]:
    """`name==version --hash=sha256:...` for every file to install (not build-only ones)."""
    hashes: dict[tuple[NormalizedName, Version], list[str]] = {}
    for file in files:
        if not file.build_dependency:
            digests = hashes.setdefault((file.name, file.version), [])
            if file.sha256.lower() not in digests:
                digests.append(file.sha256.lower())
    names = [name for name, _ in hashes]
    clashing = sorted({n for n in names if names.count(n) > 1})
    if clashing:
        raise SafepipError(f"The plan pins {clashing[0]} at two versions; nothing was installed.")
    return [
        f"{name}=={version} " + " ".join(f"--hash=sha256:{d}" for d in digests)
        for (name, version), digests in sorted(hashes.items())
    ]


def write_pinned_requirements(files: Sequence[VettedFile], path: Path) -> None:
    """Write the requirements file pip installs from."""
    lines = pinned_requirement_lines(files)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def build_pip_command(
    python: str, vetted_dir: Path, requirements: Path, passthrough: Sequence[str]
) -> list[str]:
    """The argv that installs exactly the pinned files; the user's options come last."""
    return pip_argv(python, pip_install_args(vetted_dir, requirements, passthrough))


def pip_install_args(
    vetted_dir: Path, requirements: Path, passthrough: Sequence[str]
) -> list[str]:
    """What follows `python -m pip`."""
    return [
        "install",
        "--no-deps", "--require-hashes", "--no-index", "--no-cache-dir",
        "--find-links", str(vetted_dir),
        "-r", str(requirements),
        *passthrough,
    ]


def placement_from_pip_config(environ: Mapping[str, str], python: str) -> dict[str, str]:
    """Allow-listed settings from pip's config files for `install`, as `PIP_*` variables."""
    files = discover_config_files(environ, site_prefix=target_prefix(python))
    config = load_pip_config(files, {}, isolated=True)  # files only: variables are kept apart
    placement: dict[str, str] = {}
    for name, value, _origin in config.command_items("install"):
        variable = "PIP_" + name.upper().replace("-", "_")
        if variable in KEPT_PIP_VARIABLES:
            placement[variable] = value
    return placement


def pip_environment(
    environ: Mapping[str, str], vetted_dir: Path, placement: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The user's environment with pip's configuration neutralised (see the module docstring).

    `placement` (from `placement_from_pip_config`) fills in settings the environment lacks,
    as pip lets variables override config files.
    """
    env = dict(placement or {})
    env.update(
        (key, value) for key, value in environ.items()
        if not key.upper().startswith("PIP_") or key.upper() in KEPT_PIP_VARIABLES
    )
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
    )
    return env


def stage_vetted_files(files: Sequence[VettedFile], vetted_dir: Path) -> None:
    """Copy each vetted file into `vetted_dir`, hashing the bytes as they are written.

    A file whose bytes no longer match the vetted sha256 (changed after vetting) stops the
    handoff before pip runs: HashMismatchError, nothing installed.
    """
    for file in files:
        if Path(file.filename).name != file.filename or file.filename in ("", ".", ".."):
            raise SafepipError(f"Refusing the unsafe file name {file.filename!r}.")
        target = vetted_dir / file.filename
        if target.exists():
            if _digest_of(target) == file.sha256.lower():
                continue
            raise HashMismatchError(f"Two different vetted files are named {file.filename}.")
        digest = _copy_hashing(file.path, target)
        if not hmac.compare_digest(digest, file.sha256.lower()):
            raise HashMismatchError(
                f"{file.filename} changed after it was vetted (sha256 {digest}, vetted "
                f"{file.sha256}); nothing was installed."
            )


def _copy_hashing(source: Path, target: Path) -> str:
    digest = hashlib.sha256()
    try:
        with source.open("rb") as reader, target.open("xb") as writer:
            while chunk := reader.read(1 << 20):
                digest.update(chunk)
                writer.write(chunk)
    except OSError as error:
        raise SafepipError(
            f"Cannot stage {source.name} for pip: {error.strerror}; nothing was installed."
        ) from None
    return digest.hexdigest()


def _digest_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def resolve_interpreter(python: str) -> str:
    """Like pip's `--python`: an environment directory stands for its interpreter."""
    path = Path(python)
    if path.is_dir():
        for candidate in (path / "bin" / "python", path / "Scripts" / "python.exe"):
            if candidate.exists():
                return str(candidate)
    return python


def handoff(
    files: Sequence[VettedFile], *, python: str, passthrough: Sequence[str],
    environ: Mapping[str, str], build_sdists: SdistBuilder | None = None,
) -> int:
    """Install exactly `files` into `python`'s environment with pip; return pip's exit code.

    `python` is an interpreter path or an environment directory (as pip's `--python` takes).
    """
    check_passthrough(passthrough)
    if not _installs_any(files):
        logger.info("handoff: nothing to install")
        return 0
    with Handoff(python=python, passthrough=passthrough, environ=environ,
                 build_sdists=build_sdists) as prepared:
        return prepared.install(files)


SdistBuilder = Callable[
    [Sequence["VettedFile"], Path, str, Mapping[str, str]], Sequence["VettedFile"]
]
"""Builds the sdists among vetted files into wheels, confined: (files, vetted_dir, python,
pip's environment) -> the files with each built sdist replaced by its wheel."""


class Handoff:
    """One handoff, prepared before the verdict: a private directory (mode 0700) for the
    vetted copies and the requirements file, pip's environment, and (`start_pip`) pip itself,
    started and waiting (`pip.process`). `install` stages the files and runs pip; leaving the
    `with` block ends a pip that was never told anything and removes the directory."""

    def __init__(
        self, *, python: str, passthrough: Sequence[str], environ: Mapping[str, str],
        start_pip: bool = False, build_sdists: SdistBuilder | None = None,
    ) -> None:
        check_passthrough(passthrough)
        self.build_sdists = build_sdists
        self.python = resolve_interpreter(python)
        self.passthrough = list(passthrough)
        placement = placement_from_pip_config(environ, self.python)
        self._private = tempfile.TemporaryDirectory(prefix="safepip-handoff-")
        self.vetted_dir = Path(self._private.name) / "vetted"
        self.vetted_dir.mkdir(mode=0o700)
        self.requirements = Path(self._private.name) / "requirements.txt"
        self.env = pip_environment(environ, self.vetted_dir, placement)
        self._pip = (WaitingPip.start(self.python, self.env, offline().prefix)
                     if start_pip else None)

    def __enter__(self) -> Handoff:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def install(self, files: Sequence[VettedFile]) -> int:
        """Stage `files` (hash-checked as they are copied) and run pip on them."""
        if not _installs_any(files):
            logger.info("handoff: nothing to install")
            return 0
        stage_vetted_files(files, self.vetted_dir)
        files = self._built(files)
        write_pinned_requirements(files, self.requirements)
        isolation = offline()
        if not isolation.enforced:  # never silently: the user learns pip had the network
            sys.stderr.write(f"safepip: {with_network_notice(isolation)}\n")
            sys.stderr.flush()
        args = pip_install_args(self.vetted_dir, self.requirements, self.passthrough)
        if self._pip is not None:
            logger.debug("handoff (pip started early): pip %s", args)
            code = self._pip.run(args)
            self._pip = None
            if code is not None:
                return code
        command = build_pip_command(
            self.python, self.vetted_dir, self.requirements, self.passthrough
        )
        return run_pip(command, self.env, prefix=isolation.prefix)

    def _built(self, files: Sequence[VettedFile]) -> Sequence[VettedFile]:
        """Each sdist to install replaced by the wheel built from it, confined (the builder is
        the pipeline's: safepip.sandbox). Without a builder an sdist is refused, never built
        by pip unconfined."""
        if all(f.build_dependency or f.filename.endswith(".whl") for f in files):
            return files  # wheels only: nothing is built
        if self.build_sdists is None:
            raise UsageError(
                "An sdist would have to be built, and this handoff has no build cage.",
                hint="Install through `safepip install`, which builds sdists confined.",
            )
        return self.build_sdists(files, self.vetted_dir, self.python, self.env)

    def close(self) -> None:
        if self._pip is not None:
            self._pip.cancel()
            self._pip = None
        self._private.cleanup()




def _installs_any(files: Sequence[VettedFile]) -> bool:
    return any(not f.build_dependency for f in files)


def run_pip(
    command: Sequence[str], env: Mapping[str, str], prefix: Sequence[str] = ()
) -> int:
    """Run pip (argv list, no shell) with the terminal attached, behind `prefix` (a command
    that execs the rest, e.g. safepip.pip.offline's `unshare`); return its exit code."""
    logger.debug("handoff: %s %s", prefix, command)
    if prefix and not runnable(command[0]):  # the prefix would start, then fail to exec it
        raise UsageError(f"Cannot run {command[0]}: it is not an executable file.",
                         hint="Check the --python path; nothing was installed.")
    command = [*prefix, *command]
    try:
        # argv list built by build_pip_command, never a shell string.
        completed = subprocess.run(  # nosec B603
            list(command), env=without_working_directory(env), stdin=subprocess.DEVNULL,
            check=False,
        )
    except OSError as error:
        raise UsageError(
            f"Cannot run {command[0]}: {error.strerror}.",
            hint="Check the --python path; nothing was installed.",
        ) from None
    code = completed.returncode
    # A signal shows as -N; report it the way a shell would (128 + N).
    return 128 + abs(code) if code < 0 else code

