"""Where install-time code changes files: inside the build, or outside it.

An ordinary build writes into its source tree (relative paths, paths under the setup script's
own folder, `build/`, `dist/`) and into scratch folders it asks `tempfile` for. A file written,
touched, copied, linked or made executable anywhere else (the user's home, a shared temp folder
under a fixed name, an absolute path, the interpreter's own folders where `pip` and `.pth` files
live) is a side effect that outlives the install and that no build needs. These helpers answer
"is this path outside?" for paths as the scanner folds them (`?` for unknown parts, `/` for
separators) and for shell commands (`>`/`>>` redirections, file-changing programs).
"""

from __future__ import annotations

import posixpath
import re
import shlex
import sys

_DEVICES = re.compile(r"^/dev/(?:null|stdout|stderr|tty|fd/)|^/proc/self/fd/")
"""Absolute paths that name a stream, not a file."""
_HOME_TEXT = re.compile(
    r"^(?:~|\$HOME\b|\$\{HOME\}|\$USERPROFILE\b|%(?:USERPROFILE|APPDATA|LOCALAPPDATA|TEMP|TMP"
    r"|HOMEPATH|PROGRAMDATA|PUBLIC)%)",
    re.IGNORECASE,
)
_USER_CACHE = re.compile(r"^(?:~|\$HOME|\$\{HOME\})/\.cache(?:/|$)")
_DRIVE = re.compile(r"^[A-Za-z]:/")
_LAUNCHER_NAME = re.compile(
    r"(?:^|/)(?:bin|Scripts)/(?:pip|pip3|python|python3)(?:[\d.]*)(?:\.exe)?$"
)
"""A launcher of the interpreter's own commands: writing one shadows `pip`/`python`."""


def outside_text(text: str) -> str | None:
    """Why a folded path is outside any source tree (None: relative, unknown or a device)."""
    path = text.strip().strip("'\"").replace("\\", "/")
    if not path or path.startswith("?"):
        if _LAUNCHER_NAME.search(path):
            return "a launcher of the interpreter's commands"
        return "the interpreter's folders" if "-packages/" in path else None
    if _HOME_TEXT.match(path):
        if _USER_CACHE.match(path):
            return None  # ~/.cache/<project>: where builds keep what they downloaded
        return "the user's home or application folders"
    if path.startswith("/") and not _DEVICES.match(path):
        return "an absolute path"
    if _DRIVE.match(path):
        return "an absolute path"
    if "-packages/" in path or _LAUNCHER_NAME.search(path):
        return "the interpreter's folders"
    if posixpath.normpath(path).startswith("../"):
        return "a folder above the source tree"  # ../../.git/hooks: out of the unpacked sdist
    return None


_SAME_PLACE_METHODS = frozenset({"expanduser", "resolve", "absolute", "expandvars", "as_posix"})
"""pathlib methods whose result names the same place as the path they are called on (the
folded text keeps `~`: outside_text reads it as the user's home)."""


def path_method(receiver: str, method: str, arguments: list[str]) -> str | None:
    """The folded text of `receiver.method(*arguments)` for a pathlib method that builds a
    path (`Path("~/x").expanduser()`, `.joinpath("a", "b")`, `.with_name("n")`), or None
    when `method` is not one of them."""
    if method in _SAME_PLACE_METHODS:
        return receiver
    if method == "joinpath":
        return "/".join([receiver, *arguments])
    if method in {"with_name", "with_stem", "with_suffix"} and len(arguments) == 1:
        folder, _, name = receiver.rpartition("/")
        if method == "with_suffix":
            stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
            name = stem + arguments[0]
        elif method == "with_stem":
            name = arguments[0] + ("." + name.rsplit(".", 1)[1] if "." in name else "")
        else:
            name = arguments[0]
        return f"{folder}/{name}" if folder else name
    return None


STANDARD_MODULES = frozenset(sys.stdlib_module_names) | {"pip", "setuptools", "site", "wheel"}
"""Installed modules whose `__file__` names the interpreter's folders, never the tree."""

SCRATCH_CALLS = frozenset(
    {
        "tempfile.mkdtemp",
        "tempfile.mkstemp",
        "tempfile.TemporaryDirectory",
        "tempfile.NamedTemporaryFile",
        "tempfile.TemporaryFile",
        "tempfile.SpooledTemporaryFile",
        "mkdtemp",
        "mkstemp",
        "TemporaryDirectory",
        "NamedTemporaryFile",
    }
)
"""Private scratch folders and files a build asks for (compiler probes, generated sources)."""

INTERPRETER_PLACES = frozenset(
    {
        "sys.prefix",
        "sys.exec_prefix",
        "sys.base_prefix",
        "sys.base_exec_prefix",
        "sys.executable",
        "site.USER_BASE",
        "site.USER_SITE",
        "site.getsitepackages",
        "site.getusersitepackages",
        "site.getuserbase",
        "sysconfig.get_path",
        "sysconfig.get_paths",
        "distutils.sysconfig.get_python_lib",
        "sysconfig.get_python_lib",
    }
)
"""Names of the interpreter's own folders (site-packages, bin/Scripts): a file put there
runs on every start (.pth) or takes over a command (pip)."""

HOME_CALLS = frozenset(
    {"pathlib.Path.home", "Path.home", "tempfile.gettempdir", "tempfile.gettempdirb"}
)
"""Calls naming the user's home or the temp folder every process shares (expanduser and
expandvars spell their argument: the folded text decides)."""

OUTSIDE_VARIABLES = frozenset(
    {"home", "userprofile", "appdata", "localappdata", "homepath", "programdata", "public",
     "temp", "tmp", "tmpdir", "virtual_env", "conda_prefix", "pythonuserbase",
     "xdg_config_home", "xdg_data_home", "xdg_state_home"}
)
"""Environment variables naming a home, temp or interpreter folder."""

FILE_CHANGERS = frozenset(
    {"touch", "cp", "mv", "ln", "install", "tee", "chmod", "chown", "mkdir", "dd", "rsync",
     "truncate", "ditto", "copy", "xcopy", "move", "robocopy", "mklink", "icacls"}
)
"""Programs that create or change the files named on their command line (any program's
output sent into a file by a redirection is judged on its own)."""
_INTO_LAST = frozenset({"cp", "ln", "install", "rsync", "ditto", "copy", "xcopy"})
"""Of those, programs that read every operand but the last and write only the last (`cp SRC
DST`, `ln -s TARGET NAME`), unless `-t DIR` names the destination. `mv` removes its sources,
so all its operands count."""
_SEPARATORS = re.compile(r"\s*(?:&&|\|\||;|\||\n|&(?!\d|>))\s*")
_REDIRECT = re.compile(r"^(?:\d|&)?>>?\|?(.*)$")
_WRAPPERS = frozenset({"sudo", "env", "nohup", "exec", "command", "builtin", "time", "nice"})
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "cmd", "cmd.exe"})


def command_writes(command: str) -> tuple[str, str] | None:
    """The first path outside the tree that a shell command line creates or changes, and why
    it is outside: the target of a `>`/`>>` redirection, or an argument of a file-changing
    program (after a `cd` into an outside folder, relative names count as outside too)."""
    place: str | None = None
    for segment in _SEPARATORS.split(command.replace("\\\n", " ")):
        words = _split(segment)
        while words and (_base(words[0]) in _WRAPPERS or "=" in words[0].split("/")[0]):
            words = words[1:]  # `sudo cp`, `env X=1 cp`
        if len(words) >= 2 and _base(words[0]) in _SHELLS and words[1].lower() in {"-c", "/c"}:
            words = _split(" ".join(words[2:]))  # `sh -c "cmd"`: the command the shell runs
        if not words:
            continue
        program = _base(words[0])
        if program in {"cd", "pushd", "chdir"} and len(words) > 1:
            place = outside_text(words[1])
            continue
        targets, arguments = [], []
        for index, word in enumerate(words[1:], 1):
            redirect = _REDIRECT.match(word)
            if redirect is not None:
                target = redirect.group(1) or (words[index + 1] if index + 1 < len(words) else "")
                if not target.startswith("&"):
                    targets.append(target)
            else:
                arguments.append(word)
        for index in written_operands(program, arguments):
            word = arguments[index]
            targets.append(word.split("=", 1)[1] if word.startswith(("of=", "--target-")) else word)
        for target in targets:
            reason = _target_outside(target, place)
            if reason:
                return target, reason
    return None


def written_operands(program: str, arguments: list[str]) -> list[int]:
    """Positions in `arguments` (the words after the program) of the files `program` writes:
    the destination of a copy or a link, else every operand; options (`-x`) never."""
    if program not in FILE_CHANGERS:
        return []
    operands = [index for index, word in enumerate(arguments) if not word.startswith("-")]
    if program not in _INTO_LAST:
        return operands
    for index, word in enumerate(arguments[:-1]):
        if word in {"-t", "--target-directory"}:
            return [index + 1]
    for index, word in enumerate(arguments):
        if word.startswith("--target-directory="):
            return [index]
    return operands[-1:]


def _target_outside(target: str, cwd_outside: str | None) -> str | None:
    found = outside_text(target)
    if found is None and cwd_outside and target and not target.startswith(("?", ".")):
        return cwd_outside
    return found


def _base(word: str) -> str:
    return word.replace("\\", "/").rsplit("/", 1)[-1].lower()


def _split(segment: str) -> list[str]:
    """Words of one simple command; unbalanced quotes fall back to plain splitting."""
    spaced = re.sub(r"(?<![\d&>])(>>?)", r" \1", segment)  # `echo x>>~/.bashrc`
    try:
        return shlex.split(spaced, posix=True)
    except ValueError:
        return [word.strip("'\"") for word in spaced.split()]
