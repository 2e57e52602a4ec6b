"""pip configuration parity: the files and PIP_* variables pip reads, with pip's precedence.

Every test builds its own config files and passes `environ` (and usually `config_files`)
explicitly, so this machine's /etc/xdg/pip/pip.conf and PIP_* variables never leak in. The
parity tests run the real pip from the venv, with `clean_pip_environment`, as the oracle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from safepip.errors import InputError, UsageError
from safepip.pip.pipconfig import (
    FILE_OPTIONS,
    INSTALL_OPTIONS,
    discover_config_files,
    load_pip_config,
    target_prefix,
)
from safepip.pip.request import InstallRequest, NetworkOptions, parse_install_args
from tests.kit.isolation import clean_pip_environment


def conf(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def request_for(argv: list[str], files: list[Path], environ: dict[str, str],
                cwd: Path) -> InstallRequest:
    return parse_install_args(argv, environ=environ, cwd=cwd, config_files=files)


# --- which files, in which order ---

def test_discovery_order_follows_pip(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_DIRS": f"/one:relative:{tmp_path}/two",
               "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    files = discover_config_files(environ, site_prefix=tmp_path / "venv")
    assert files == (Path("/one/pip/pip.conf"), tmp_path / "two/pip/pip.conf",
                     Path("/etc/pip.conf"), tmp_path / "home/.pip/pip.conf",
                     tmp_path / "cfg/pip/pip.conf", tmp_path / "venv/pip.conf")


def test_defaults_without_xdg_variables(tmp_path: Path) -> None:
    files = discover_config_files({"HOME": str(tmp_path)}, site_prefix=Path("/venv"))
    assert files == (Path("/etc/xdg/pip/pip.conf"), Path("/etc/pip.conf"),
                     tmp_path / ".pip/pip.conf", tmp_path / ".config/pip/pip.conf",
                     Path("/venv/pip.conf"))


def test_existing_pip_config_file_replaces_user_files_and_loads_last(tmp_path: Path) -> None:
    chosen = conf(tmp_path / "chosen.conf", "[global]\n")
    environ = {"HOME": str(tmp_path), "PIP_CONFIG_FILE": str(chosen)}
    files = discover_config_files(environ, site_prefix=Path("/venv"))
    assert files == (Path("/etc/xdg/pip/pip.conf"), Path("/etc/pip.conf"), Path("/venv/pip.conf"),
                     chosen)
    environ["PIP_CONFIG_FILE"] = str(tmp_path / "missing.conf")  # missing: user files stay
    assert tmp_path / ".pip/pip.conf" in discover_config_files(environ, site_prefix=Path("/v"))


def test_pip_config_file_devnull_loads_no_file_at_all(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path), "PIP_CONFIG_FILE": os.devnull}
    assert discover_config_files(environ, site_prefix=Path("/venv")) == ()


def test_isolated_skips_user_files_and_environment(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path)}
    files = discover_config_files(environ, site_prefix=Path("/venv"), isolated=True)
    assert tmp_path / ".pip/pip.conf" not in files
    user = conf(tmp_path / ".pip/pip.conf", "[global]\nindex-url = https://user.test/simple\n")
    request = parse_install_args(
        ["--isolated"], environ={"HOME": str(tmp_path), "PIP_INDEX_URL": "https://env.test/s",
                                 "XDG_CONFIG_DIRS": str(tmp_path / "none")}, cwd=tmp_path)
    assert request.isolated and str(user) not in request.config_files
    assert request.index.index_url != "https://env.test/s"


def test_site_config_belongs_to_the_target_interpreter(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    conf(venv / "pyvenv.cfg", "home = /usr/bin\n")
    assert target_prefix(str(venv / "bin" / "python")) == venv
    assert target_prefix(str(venv)) == venv
    assert target_prefix(None) == Path(sys.prefix)


# --- which value wins ---

def test_install_section_beats_global_and_environment_beats_both(tmp_path: Path) -> None:
    system = conf(tmp_path / "system.conf", "[install]\nindex-url = https://system-install.test\n")
    user = conf(tmp_path / "user.conf", "[global]\nindex-url = https://user-global.test\n"
                                        "[freeze]\nindex-url = https://not-install.test\n")
    assert request_for([], [system, user], {}, tmp_path).index.index_url == \
        "https://system-install.test"
    env = {"PIP_INDEX_URL": "https://env.test"}
    assert request_for([], [system, user], env, tmp_path).index.index_url == "https://env.test"
    cli = ["-i", "https://cli.test"]
    assert request_for(cli, [system, user], env, tmp_path).index.index_url == "https://cli.test"


def test_later_files_override_earlier_ones_within_a_section(tmp_path: Path) -> None:
    first = conf(tmp_path / "a.conf", "[global]\nindex-url = https://first.test\nno-index = yes\n")
    second = conf(tmp_path / "b.conf", "[global]\nindex_url = https://second.test\n"
                                       "no-index = false\n")
    request = request_for([], [first, second], {}, tmp_path)
    assert request.index.index_urls == ("https://second.test",)


def test_a_file_listed_twice_counts_once_at_its_first_place(tmp_path: Path) -> None:
    shared = conf(tmp_path / "shared.conf", "[global]\nindex-url = https://shared.test\n")
    site = conf(tmp_path / "site.conf", "[global]\nindex-url = https://site.test\n")
    # e.g. PIP_CONFIG_FILE naming a global file: pip's dictionary keeps its first position
    assert request_for([], [shared, site, shared], {}, tmp_path).index.index_url == \
        "https://site.test"


def test_list_values_are_whitespace_separated_and_replace_not_extend(tmp_path: Path) -> None:
    files = [conf(tmp_path / "pip.conf", "[global]\n"
                  "extra-index-url =\n    https://g1.test\n    https://g2.test\n"
                  "trusted-host = g1.test g2.test\n"
                  "[install]\nfind-links = /w1 /w2\n")]
    request = request_for([], files, {}, tmp_path)
    assert request.index.extra_index_urls == ("https://g1.test", "https://g2.test")
    assert request.index.find_links == ("/w1", "/w2")
    assert request.index.trusted_hosts == ("g1.test", "g2.test")
    env = {"PIP_EXTRA_INDEX_URL": "https://e1.test  https://e2.test"}
    request = request_for(["--extra-index-url", "https://cli.test", "-f", "/cli"], files, env,
                          tmp_path)
    # the environment replaces the file's list; the command line adds to it (optparse append)
    assert request.index.extra_index_urls == ("https://e1.test", "https://e2.test",
                                              "https://cli.test")
    assert request.index.find_links == ("/w1", "/w2", "/cli")


@pytest.mark.parametrize(("value", "expected"), [
    ("1", True), ("yes", True), ("On", True), ("t", True), ("0", False), ("no", False),
    ("off", False), ("FALSE", False)])
def test_boolean_environment_values(tmp_path: Path, value: str, expected: bool) -> None:
    request = request_for([], [], {"PIP_NO_INDEX": value, "PIP_PRE": value,
                                   "PIP_PREFER_BINARY": value, "PIP_REQUIRE_HASHES": value},
                          tmp_path)
    assert (request.index.no_index, request.pre, request.formats.prefer_binary,
            request.require_hashes) == (expected,) * 4


def test_store_false_options_keep_pips_config_quirk(tmp_path: Path) -> None:
    # pip stores strtobool(value) for store_false options too: PIP_NO_USER=yes means --user
    assert request_for([], [], {"PIP_NO_USER": "yes"}, tmp_path).target.user is True
    assert request_for(["--no-user"], [], {"PIP_USER": "1"}, tmp_path).target.user is False


def test_invalid_boolean_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'maybe' is not a valid value for the pip option"):
        request_for([], [], {"PIP_NO_DEPS": "maybe"}, tmp_path)


def test_empty_values_are_ignored_like_pip(tmp_path: Path) -> None:
    files = [conf(tmp_path / "pip.conf", "[global]\nindex-url = https://file.test\n")]
    request = request_for([], files, {"PIP_INDEX_URL": ""}, tmp_path)
    assert request.index.index_url == "https://file.test"


def test_constraints_and_requirements_from_configuration(tmp_path: Path) -> None:
    conf(tmp_path / "pins.txt", "alpha==1.0\n")
    conf(tmp_path / "more-pins.txt", "beta<2\n")
    conf(tmp_path / "reqs.txt", "gamma\n")
    files = [conf(tmp_path / "pip.conf", f"[global]\nconstraint = {tmp_path}/pins.txt\n")]
    request = request_for([], files, {}, tmp_path)
    assert [c.text for c in request.constraints] == ["alpha==1.0"]
    request = request_for(["-c", "more-pins.txt"], files, {"PIP_REQUIREMENT": "reqs.txt"},
                          tmp_path)
    assert [c.text for c in request.constraints] == ["alpha==1.0", "beta<2"]
    assert [r.text for r in request.requirements] == ["gamma"]


def test_format_options_accumulate_across_sources(tmp_path: Path) -> None:
    files = [conf(tmp_path / "pip.conf", "[global]\nno-binary = :all:\n"
                                         "[install]\nonly-binary = Numpy\n")]
    request = request_for(["--no-binary", "numpy"], files, {}, tmp_path)
    assert request.formats.no_binary == {":all:", "numpy"}
    assert request.formats.only_binary == frozenset()


def test_options_pip_would_ignore_or_apply_itself_are_not_interpreted(tmp_path: Path) -> None:
    files = [conf(tmp_path / "pip.conf", "[global]\ntimeout = 5\nnot-an-option = 1\n"
                                         "[install]\nprefix = /somewhere\n")]
    request = request_for([], files, {"PIP_RETRIES": "2"}, tmp_path)
    assert request.passthrough == ()  # pip reads these itself at handoff


def test_network_settings_follow_pip(tmp_path: Path) -> None:
    files = [conf(tmp_path / "pip.conf", "[global]\ncert = /ca.pem\ntimeout = 15\n")]
    request = request_for(["--proxy", "http://proxy.test:3128", "--retries=2"], files,
                          {"PIP_DEFAULT_TIMEOUT": "60"}, tmp_path)
    assert request.network == NetworkOptions(cert="/ca.pem", proxy="http://proxy.test:3128",
                                              timeout=60.0, retries=2)
    assert request.passthrough == ("--proxy", "http://proxy.test:3128", "--retries=2")
    with pytest.raises(UsageError, match="--retries 'many' is not a number"):
        request_for(["--retries", "many"], [], {}, tmp_path)


def test_broken_config_file_is_an_input_error(tmp_path: Path) -> None:
    broken = conf(tmp_path / "pip.conf", "index-url = no section header\n")
    with pytest.raises(InputError, match="pip configuration file cannot be read") as error:
        request_for([], [broken], {}, tmp_path)
    assert error.value.path == str(broken)


# --- parity with the real pip ---

PIP_PARSE = """
import json, sys
from pip._internal.commands import create_command
argv = sys.argv[1:]
options, args = create_command("install", isolated="--isolated" in argv).parse_args(argv)
fc = options.format_control
print(json.dumps({
    "index_url": options.index_url, "extra_index_urls": options.extra_index_urls,
    "no_index": bool(options.no_index), "find_links": options.find_links,
    "trusted_hosts": options.trusted_hosts, "only_binary": sorted(fc.only_binary),
    "no_binary": sorted(fc.no_binary), "constraints": options.constraints,
    "requirements": options.requirements, "pre": bool(options.pre),
    "user": bool(options.use_user_site), "upgrade": bool(options.upgrade),
    "no_deps": bool(options.ignore_dependencies), "target": options.target_dir,
    "python_version": ".".join(map(str, options.python_version or ())) or None,
    "platforms": options.platforms or [], "abis": options.abis or [],
    "implementation": options.implementation, "strategy": options.upgrade_strategy,
    "ignore_installed": bool(options.ignore_installed),
    "prefer_binary": bool(options.prefer_binary), "require_hashes": bool(options.require_hashes),
    "all_releases": sorted(options.release_control.all_releases),
    "only_final": sorted(options.release_control.only_final),
    "editables": options.editables, "args": args}))
"""


def pip_view(argv: list[str], extra_env: dict[str, str], home: Path) -> dict[str, object]:
    env = clean_pip_environment(os.environ, str(home))
    env.pop("PIP_CONFIG_FILE")
    env.update(extra_env)
    done = subprocess.run([sys.executable, "-c", PIP_PARSE, *argv], env=env, cwd=home,
                          capture_output=True, text=True, timeout=60, check=True)
    return dict(json.loads(done.stdout))


def safepip_view(argv: list[str], extra_env: dict[str, str], home: Path) -> dict[str, object]:
    env = clean_pip_environment(os.environ, str(home))
    env.pop("PIP_CONFIG_FILE")
    env.update(extra_env)
    request = parse_install_args(argv, environ=env, cwd=home)
    return {
        "index_url": request.index.index_url,
        "extra_index_urls": list(request.index.extra_index_urls),
        "no_index": request.index.no_index, "find_links": list(request.index.find_links),
        "trusted_hosts": list(request.index.trusted_hosts),
        "only_binary": sorted(request.formats.only_binary),
        "no_binary": sorted(request.formats.no_binary),
        "constraints": [c.text for c in request.constraints],
        "requirements": [r.text for r in request.requirements],
        "pre": request.pre, "user": request.target.user, "upgrade": request.upgrade,
        "no_deps": request.no_deps, "target": request.target.target_dir,
        "python_version": request.target.python_version,
        "platforms": list(request.target.platforms), "abis": list(request.target.abis),
        "implementation": request.target.implementation, "strategy": request.upgrade_strategy,
        "ignore_installed": request.ignore_installed,
        "prefer_binary": request.formats.prefer_binary, "require_hashes": request.require_hashes,
        "all_releases": sorted(request.releases.all_releases - {":all:"} if request.pre
                               else request.releases.all_releases),
        "only_final": sorted(request.releases.only_final),
        "editables": [r.text.removeprefix("-e ") for r in request.requirements if r.editable],
    }


@pytest.fixture
def pip_home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A HOME with user, global (via XDG_CONFIG_DIRS) and PIP_* configuration."""
    home = tmp_path / "home"
    conf(home / "pins.txt", "alpha==1.0\n")
    conf(home / "reqs.txt", "beta\n")
    conf(tmp_path / "xdg/pip/pip.conf", "[global]\nindex-url = https://global.test/simple\n"
         "extra-index-url = https://g1.test/simple https://g2.test/simple\n"
         "no-binary = :all:\n[install]\ntrusted-host = g1.test\n")
    conf(home / ".pip/pip.conf", "[global]\nfind-links = /legacy/wheels\n"
         "[install]\nonly-binary = Some_Pkg\n")
    conf(home / ".config/pip/pip.conf", "[install]\nconstraint = pins.txt\n"
         "upgrade = yes\n[freeze]\nindex-url = https://freeze-only.test\n")
    env = {"XDG_CONFIG_DIRS": str(tmp_path / "xdg"), "PIP_EXTRA_INDEX_URL": "https://env.test",
           "PIP_NO_USER": "yes", "PIP_PRE": "false"}
    return home, env


ARGVS = [
    [],
    ["--extra-index-url", "https://cli.test", "-f", "/cli/wheels", "--only-binary=:none:"],
    ["-i", "https://cli-index.test", "--no-index", "-rreqs.txt", "--pre", "x", "--", "y"],
    ["--isolated", "--no-deps", "-Ut", "/target", "--trusted-host", "cli.test", "pkg"],
    ["--index", "https://abbrev.test", "--no-bin", ":none:", "--only-b=alpha,Beta_Two"],
    ["--python-version", "37", "--platform", "manylinux1_x86_64", "--platform", "any",
     "--abi=cp37m", "--implementation", "cp", "--only-binary", ":all:", "-t", "/t",
     "--upgrade-strategy", "eager", "-I", "--prefer-binary", "--require-hashes", "--no-user"],
    ["--all-releases", "a,B", "--only-final", "b", "-e", "git+https://e.test/r.git#egg=r"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=[" ".join(a) or "no-args" for a in ARGVS])
def test_effective_options_match_pip(pip_home: tuple[Path, dict[str, str]],
                                     argv: list[str]) -> None:
    home, env = pip_home
    pip = pip_view(argv, env, home)
    ours = safepip_view(argv, env, home)
    pip["constraints"] = [
        (home / c).read_text().strip() for c in pip["constraints"]]  # type: ignore[attr-defined]
    # pip's get_requirements order: command-line specs, editables, then requirements files
    pip["requirements"] = pip.pop("args") + [  # type: ignore[operator]
        f"-e {e}" for e in pip["editables"]] + [  # type: ignore[attr-defined]
        (home / r).read_text().strip() for r in pip["requirements"]]  # type: ignore[attr-defined]
    assert ours == pip


def test_config_list_matches_pip(tmp_path: Path) -> None:
    home = tmp_path / "home"
    chosen = conf(tmp_path / "chosen.conf", "[global]\nindex-url = https://chosen.test/simple\n"
                  "extra-index-url = https://a.test\n  https://b.test\n"
                  "[install]\nNO_BINARY = :all:\ntrusted-host = a.test b.test\n")
    conf(tmp_path / "xdg/pip/pip.conf", "[global]\nfind-links = /wheels\n")
    env = clean_pip_environment(os.environ, str(home))
    env.update(PIP_CONFIG_FILE=str(chosen), XDG_CONFIG_DIRS=str(tmp_path / "xdg"),
               PIP_EXTRA_INDEX_URL="https://env.test", PIP_No_Deps="1", PIP_PRE="yes")
    done = subprocess.run([sys.executable, "-m", "pip", "config", "list"], env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    files = discover_config_files(env, site_prefix=Path(sys.prefix))
    ours = load_pip_config(files, env).listing()
    assert ours == done.stdout.splitlines()
    assert "global.index-url='https://chosen.test/simple'" in ours
    assert "install.no-binary=':all:'" in ours and ":env:.no-deps='1'" in ours


def test_option_table_matches_pips_parsers() -> None:
    from pip._internal.commands import create_command
    from pip._internal.req.req_file import build_parser

    def spelled(options: list) -> set[tuple[tuple[str, ...], bool]]:  # type: ignore[type-arg]
        return {(tuple(o._short_opts + o._long_opts), o.takes_value()) for o in options}

    install = create_command("install").parser
    assert spelled(install.option_list_all) == {
        (o.names, o.action.takes_value) for o in INSTALL_OPTIONS}
    actions = {tuple(o._short_opts + o._long_opts): o.action for o in install.option_list_all}
    assert all(actions[o.names] == o.action.value.replace("flag_", "")
               for o in INSTALL_OPTIONS)
    legacy = {"--global-option", "--install-option"}
    assert spelled(build_parser().option_list) == {
        (o.names, o.action.takes_value) for o in FILE_OPTIONS if o.key not in legacy}


def test_pip_config_file_naming_a_global_file_matches_pip(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    conf(tmp_path / "a/pip/pip.conf", "[global]\nindex-url = https://a.test\n")
    conf(tmp_path / "b/pip/pip.conf", "[global]\nindex-url = https://b.test\n")
    env = {"XDG_CONFIG_DIRS": f"{tmp_path}/a:{tmp_path}/b",
           "PIP_CONFIG_FILE": str(tmp_path / "a/pip/pip.conf")}
    assert safepip_view([], env, home)["index_url"] == pip_view([], env, home)["index_url"] \
        == "https://b.test"
