"""Policy configuration: discovery, precedence, validation with every error named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from safepip.catalog import catalog
from safepip.errors import ExitCode, InputError
from safepip.findings import Severity
from safepip.policy.config import PolicyConfig, load_config, normalize_index_url


def _load(cwd: Path, environ: dict[str, str], *, policy_file: Path | None = None) -> PolicyConfig:
    return load_config(cwd, environ, rules=catalog().keys(), policy_file=policy_file)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str, filename: str = "safepip.toml") -> str:
    _write(tmp_path / filename, text)
    with pytest.raises(InputError) as raised:
        _load(tmp_path, {})
    assert raised.value.exit_code == ExitCode.USAGE
    return raised.value.diagnostics()


def test_defaults_without_any_source(tmp_path: Path) -> None:
    config = _load(tmp_path, {})
    assert config.fail_on is Severity.HIGH
    assert config.ignores == () and config.trusted_names == frozenset()
    assert config.min_release_age is None and config.allow_indexes == ()
    assert config.sources == ()


def test_pyproject_table_found_walking_up(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", """
[project]
name = "demo"
[tool.safepip]
fail-on = "medium"
min-release-age = "7d"
trusted-names = ["Reqeusts_Internal"]
[[tool.safepip.ignore]]
rule = "hook/network-fetch"
package = "Some_Pkg"
version = "1.0"
reason = "audited by the security team"
expires = 2027-01-31
""")
    config = _load(tmp_path / "src" / "deep", {})
    assert config.fail_on is Severity.MEDIUM
    assert config.min_release_age == dt.timedelta(days=7)
    assert config.trusted_names == frozenset({"reqeusts-internal"})
    (entry,) = config.ignores
    assert (entry.rule, entry.package, entry.version) == ("hook/network-fetch", "some-pkg", "1.0")
    assert entry.expires == dt.date(2027, 1, 31)
    assert str(tmp_path / "pyproject.toml") in entry.source


def test_nearest_pyproject_without_table_contributes_nothing(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[tool.safepip]\nfail-on = "low"\n')
    _write(tmp_path / "sub" / "pyproject.toml", '[project]\nname = "inner"\n')
    assert _load(tmp_path / "sub", {}).fail_on is Severity.HIGH


def test_precedence_cli_over_env_over_safepip_toml_over_pyproject(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", """
[tool.safepip]
fail-on = "low"
min-release-age = "1d"
ignore = [{rule = "name/typosquat", package = "a", reason = "ours"}]
""")
    _write(tmp_path / "safepip.toml", """
fail-on = "medium"
ignore = [{rule = "name/typosquat", package = "b", reason = "ours too"}]
""")
    files_only = _load(tmp_path, {})
    assert files_only.fail_on is Severity.MEDIUM  # safepip.toml beats pyproject
    assert files_only.min_release_age == dt.timedelta(days=1)  # not overridden, kept
    assert [e.package for e in files_only.ignores] == ["a", "b"]  # ignores accumulate
    env = {"SAFEPIP_FAIL_ON": "critical", "SAFEPIP_TRUSTED_NAMES": "x-y, Z_z"}
    with_env = _load(tmp_path, env)
    assert with_env.fail_on is Severity.CRITICAL
    assert with_env.trusted_names == frozenset({"x-y", "z-z"})
    assert with_env.sources[-1] == "environment"
    with_cli = with_env.with_cli(fail_on=Severity.LOW, min_release_age=dt.timedelta(hours=5))
    assert with_cli.fail_on is Severity.LOW
    assert with_cli.min_release_age == dt.timedelta(hours=5)
    assert with_env.with_cli() == with_env


def test_explicit_policy_file_replaces_the_search(tmp_path: Path) -> None:
    _write(tmp_path / "safepip.toml", 'fail-on = "low"\n')
    chosen = _write(tmp_path / "policies" / "strict.toml", 'fail-on = "medium"\n')
    assert _load(tmp_path, {}, policy_file=chosen).fail_on is Severity.MEDIUM
    env = {"SAFEPIP_POLICY": str(chosen)}
    assert _load(tmp_path, env).fail_on is Severity.MEDIUM


def test_explicit_pyproject_policy_reads_its_tool_table(tmp_path: Path) -> None:
    chosen = _write(tmp_path / "other" / "pyproject.toml", '[tool.safepip]\nfail-on = "info"\n')
    assert _load(tmp_path, {}, policy_file=chosen).fail_on is Severity.INFO


def test_explicit_policy_file_must_exist_and_hold_a_policy(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the file"):
        _load(tmp_path, {"SAFEPIP_POLICY": str(tmp_path / "missing.toml")})
    empty = _write(tmp_path / "x" / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(InputError, match=r"no \[tool.safepip\] table"):
        _load(tmp_path, {}, policy_file=empty)


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    text = _error(tmp_path, '[tool.safepip]\nfail_on = "low"\n', "pyproject.toml")
    assert str(tmp_path / "pyproject.toml") in text
    assert "'fail_on'" in text and "fail-on" in text


def test_ignore_without_reason_is_an_error(tmp_path: Path) -> None:
    text = _error(tmp_path, 'ignore = [{rule = "name/typosquat", package = "reqeusts"}]\n')
    assert "ignore entry 1" in text and "'reason' is mandatory" in text


def test_blank_reason_is_an_error(tmp_path: Path) -> None:
    text = _error(tmp_path, 'ignore = [{rule = "name/typosquat", package = "x", reason = " "}]\n')
    assert "reason must be a non-empty string" in text


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = _error(tmp_path, """
fail-on = "severe"
min-release-age = "a week"
allow-indexes = ["ftp://mirror.example/simple"]
colour = "red"
[[ignore]]
rule = "typosquat"
package = "x"
reason = "r"
[[ignore]]
rule = "name/typosquat"
package = "x"
reason = "r"
expires = "soon"
[[ignore]]
rule = "name/typosquat"
package = "x"
reason = "r"
until = 2027-01-01
""")
    for expected in ("'colour'", "fail-on: unknown severity 'severe'", "min-release-age",
                     "ftp://mirror.example/simple", "ignore entry 1: rule 'typosquat'",
                     "ignore entry 2", "ignore entry 3: unknown key 'until'"):
        assert expected in text


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    text = _error(tmp_path, "fail-on = \n")
    assert str(tmp_path / "safepip.toml") in text and "not valid TOML" in text


def test_invalid_trusted_name_is_an_error(tmp_path: Path) -> None:
    assert "trusted-names" in _error(tmp_path, 'trusted-names = ["not a name!"]\n')


def test_unknown_environment_variable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        _load(tmp_path, {"SAFEPIP_FAILON": "low"})
    assert "SAFEPIP_FAILON" in raised.value.diagnostics()
    assert "SAFEPIP_FAIL_ON" in raised.value.diagnostics()


def test_bad_environment_value_names_the_environment(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        _load(tmp_path, {"SAFEPIP_MIN_RELEASE_AGE": "soon"})
    assert raised.value.diagnostics().startswith("environment: ")


def test_allow_indexes_are_normalised(tmp_path: Path) -> None:
    _write(tmp_path / "safepip.toml", 'allow-indexes = ["HTTPS://user:pw@PyPI.org/simple/"]\n')
    assert _load(tmp_path, {}).allow_indexes == ("https://pypi.org/simple",)
    assert normalize_index_url("https://pypi.org/simple") == "https://pypi.org/simple"


@pytest.mark.parametrize("rule", ["dynamic/network", "dynamic/secret-read", "dynamic/persistence",
                                  "dynamic/process", "hook/persistence", "hook/capability",
                                  "lock/no-installable-file", "name/typosquat"])
def test_an_ignore_may_name_any_rule_a_check_or_the_cage_emits(tmp_path: Path, rule: str) -> None:
    _write(tmp_path / "safepip.toml",
           f'ignore = [{{rule = "{rule}", package = "x", reason = "reviewed"}}]\n')
    assert [entry.rule for entry in _load(tmp_path, {}).ignores] == [rule]


def test_an_ignore_naming_an_unknown_rule_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    text = _error(tmp_path, 'ignore = [{rule = "dynamic/netwrk", package = "x", reason = "r"}]\n')
    assert "'dynamic/netwrk'" in text and "not a rule safepip has" in text
    assert "did you mean 'dynamic/network'?" in text and str(tmp_path / "safepip.toml") in text
