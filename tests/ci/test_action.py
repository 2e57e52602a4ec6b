"""action.yml and its audit script: safe wiring of inputs, argv sent to safepip, outputs recorded.

GitHub's runner cannot run here, so the action is checked as data (every input it uses exists,
no `${{ }}` in shell text, no SARIF upload without a report) and its shell step runs for real
under bash: once with a recording interpreter to pin the exact argv, once with the real safepip
against a loopback index.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator

from tests.conftest import IndexServerFactory
from tests.kit.archives import make_wheel
from tests.kit.isolation import clean_pip_environment

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "ci" / "action-audit.sh"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="the action's steps run under bash")


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return loaded


def test_action_is_composite_with_documented_inputs(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    for name, spec in action["inputs"].items():
        assert spec["description"].strip(), name
        assert isinstance(spec.get("default", ""), str), f"{name}: defaults must be strings"
    assert set(action["outputs"]) == {"exit-code", "sarif-file"}


def test_expressions_only_name_known_inputs_and_steps(action: dict[str, Any]) -> None:
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    step_ids = {s["id"] for s in action["runs"]["steps"] if "id" in s}
    assert set(re.findall(r"inputs\.([a-z-]+)", text)) <= set(action["inputs"])
    assert set(re.findall(r"steps\.([a-z-]+)\.outputs", text)) <= step_ids


def test_no_expression_is_spliced_into_shell_text(action: dict[str, Any]) -> None:
    """Inputs reach bash through env only: `${{ inputs.x }}` in `run:` would be injectable."""
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step.get("name")
            assert step["shell"] == "bash"
        for key in step.get("env", {}):
            assert not key.startswith("SAFEPIP_"), "safepip refuses unknown SAFEPIP_* settings"


def test_safepip_comes_from_the_pinned_action_checkout_by_default(action: dict[str, Any]) -> None:
    install = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
    assert '"${INPUT_SOURCE:-$GITHUB_ACTION_PATH}"' in install["run"]
    assert action["inputs"]["safepip-source"]["default"] == ""


def test_upload_needs_a_report_and_failure_comes_last(action: dict[str, Any]) -> None:
    steps = action["runs"]["steps"]
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert "steps.audit.outputs.sarif-file != ''" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.audit.outputs.sarif-file }}"
    assert steps[-1]["if"] == "steps.audit.outputs.exit-code != '0'"
    assert 'exit "$CODE"' in steps[-1]["run"]
    assert all(re.search(r"@v\d+$", s["uses"]) for s in steps if "uses" in s)


RECORDER = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["RECORD"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
if "-o" in args:
    with open(args[args.index("-o") + 1], "w", encoding="utf-8") as out:
        out.write('{{"version": "2.1.0", "runs": []}}')
sys.exit(int(os.environ["STUB_CODE"]))
"""


def run_script(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str],
                                                            dict[str, str]]:
    outputs = tmp_path / "github_output"
    outputs.write_text("", encoding="utf-8")
    full_env = {**env, "GITHUB_OUTPUT": str(outputs)}
    result = subprocess.run([str(BASH), str(SCRIPT)], cwd=tmp_path, env=full_env,
                            capture_output=True, text=True, timeout=120)
    lines = outputs.read_text(encoding="utf-8").splitlines()
    return result, dict(line.split("=", 1) for line in lines)


@pytest.fixture
def recorder(tmp_path: Path) -> Path:
    path = tmp_path / "recording-python"
    path.write_text(RECORDER.format(python=sys.executable), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def recorded(tmp_path: Path) -> list[list[str]]:
    log = tmp_path / "argv.log"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def stub_env(tmp_path: Path, recorder: Path, code: int, **inputs: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "AUDIT_PYTHON": str(recorder),
            "RECORD": str(tmp_path / "argv.log"), "STUB_CODE": str(code), **inputs}


def test_requirements_files_become_r_options_and_locks_stay_positional(
    tmp_path: Path, recorder: Path,
) -> None:
    (tmp_path / "would-match-a-glob.txt").write_text("", encoding="utf-8")
    env = stub_env(tmp_path, recorder, 1, INPUT_FILES="requirements.txt\n dev.in  uv.lock *.txt",
                   INPUT_FAIL_ON="medium", INPUT_EXTRA_ARGS="--index-url https://x.example/s/",
                   INPUT_SARIF_FILE="out.sarif", INPUT_ANNOTATIONS="true")
    result, outputs = run_script(tmp_path, env)
    assert result.returncode == 0, result.stderr
    common = ["-m", "safepip", "audit", "-r", "requirements.txt", "-r", "dev.in", "uv.lock",
              "-r", "*.txt", "--index-url", "https://x.example/s/", "--fail-on", "medium"]
    assert recorded(tmp_path) == [
        [*common, "--format", "sarif", "-o", "out.sarif"],
        [*common, "--format", "github"],
    ]
    assert outputs == {"exit-code": "1", "sarif-file": "out.sarif"}


@pytest.mark.parametrize("code", [2, 3])
def test_errors_are_recorded_without_annotations_or_a_stale_report(
    tmp_path: Path, recorder: Path, code: int,
) -> None:
    (tmp_path / "safepip.sarif").write_text("stale", encoding="utf-8")
    recorder.write_text(RECORDER.format(python=sys.executable).replace(
        'if "-o" in args:', "if False:"), encoding="utf-8")
    env = stub_env(tmp_path, recorder, code, INPUT_FILES="uv.lock", INPUT_FAIL_ON="high",
                   INPUT_ANNOTATIONS="true")
    result, outputs = run_script(tmp_path, env)
    assert result.returncode == 0
    assert outputs == {"exit-code": str(code)}
    assert len(recorded(tmp_path)) == 1
    assert not (tmp_path / "safepip.sarif").exists()


def test_no_files_is_an_input_error(tmp_path: Path, recorder: Path) -> None:
    result, outputs = run_script(tmp_path, stub_env(tmp_path, recorder, 0, INPUT_FILES="  \n"))
    assert outputs == {"exit-code": "2"}
    assert "::error title=safepip::No files to audit" in result.stdout
    assert recorded(tmp_path) == []


def test_real_safepip_run_is_recorded_faithfully(
    tmp_path: Path, index_server: IndexServerFactory,
) -> None:
    """Whatever `safepip audit` answers, the step records it; a written report is valid SARIF."""
    wheel = make_wheel(tmp_path / "dist", "tinypkg", "1.0")
    server = index_server([wheel])
    (tmp_path / "requirements.txt").write_text("tinypkg==1.0\n", encoding="utf-8")
    env = clean_pip_environment(os.environ, str(tmp_path / "home"))
    inputs = {"AUDIT_PYTHON": sys.executable, "INPUT_FILES": "requirements.txt",
              "INPUT_FAIL_ON": "high", "INPUT_EXTRA_ARGS": f"--index-url {server.index_url}",
              "INPUT_SARIF_FILE": "action.sarif", "INPUT_ANNOTATIONS": "false"}
    result, outputs = run_script(tmp_path, {**env, **inputs})
    assert result.returncode == 0, result.stderr
    direct = subprocess.run(
        [sys.executable, "-m", "safepip", "audit", "-r", "requirements.txt", "--index-url",
         server.index_url, "--fail-on", "high", "--format", "sarif", "-o", "direct.sarif"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert outputs["exit-code"] == str(direct.returncode)
    if direct.returncode in (0, 1):
        # Exit 1 must mean "blocked by findings", with a report; a crash also exits 1.
        assert (tmp_path / "direct.sarif").is_file(), direct.stderr[-2000:]
        schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
        report = json.loads((tmp_path / "action.sarif").read_text(encoding="utf-8"))
        Draft4Validator(schema).validate(report)
        assert outputs["sarif-file"] == "action.sarif"
    else:
        assert "sarif-file" not in outputs


def test_script_is_valid_bash() -> None:
    assert subprocess.run([str(BASH), "-n", str(SCRIPT)], capture_output=True).returncode == 0
