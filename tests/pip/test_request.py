"""`pip install` argument parsing: option spellings, semantics, passthrough, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from safepip.errors import ExitCode, InputError, UsageError
from safepip.findings import Location
from safepip.index.options import PYPI_SIMPLE_URL
from safepip.pip.request import InstallRequest, parse_install_args
from safepip.pip.requirement_line import COMMAND_LINE, parse_requirement_spec


def parse(argv: list[str], cwd: Path, **environ: str) -> InstallRequest:
    """No machine configuration: no config files, only the given environment."""
    return parse_install_args(argv, environ=environ, cwd=cwd, config_files=[])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("argv", [
    ["--index-url=https://i.test"], ["--index-url", "https://i.test"], ["-ihttps://i.test"],
    ["-i", "https://i.test"], ["--index", "https://i.test"], ["--pypi-url", "https://i.test"],
    ["-qi", "https://i.test"],
])
def test_spellings_of_a_value_option(tmp_path: Path, argv: list[str]) -> None:
    assert parse(argv, tmp_path).index.index_url == "https://i.test"


def test_defaults(tmp_path: Path) -> None:
    request = parse([], tmp_path)
    assert request.index.index_urls == (PYPI_SIMPLE_URL,)
    assert (request.requirements, request.constraints, request.passthrough) == ((), (), ())
    assert request.upgrade_strategy == "only-if-needed" and not request.pre


def test_short_flag_clusters_split_like_optparse(tmp_path: Path) -> None:
    write(tmp_path / "r.txt", "alpha\n")
    request = parse(["-qUr", "r.txt", "-Ufoo"], tmp_path)
    assert request.upgrade
    assert [r.text for r in request.requirements] == ["alpha"]
    assert request.index.find_links == ("oo",)  # -Ufoo is -U -f oo, as in pip
    assert request.passthrough == ("-q",)
    request = parse(["-rr.txt", "-vvI"], tmp_path)
    assert request.ignore_installed and request.passthrough == ("-v", "-v")


def test_every_interpreted_option(tmp_path: Path) -> None:
    write(tmp_path / "r.txt", "alpha\n")
    write(tmp_path / "c.txt", "alpha<3\n")
    write(tmp_path / "b.txt", "setuptools<80\n")
    request = parse([
        "-r", "r.txt", "-c", "c.txt", "--build-constraint", "b.txt", "-U", "--pre", "--no-deps",
        "-i", "https://i.test", "--extra-index-url", "https://e1.test", "--extra-index-url",
        "https://e2.test", "-f", "/wheels", "--trusted-host", "i.test", "--prefer-binary",
        "--require-hashes", "--python-version", "312", "--platform", "manylinux2014_x86_64",
        "--platform", "linux_x86_64", "--implementation", "cp", "--abi", "cp312", "--abi",
        "abi3", "-t", "/target", "--upgrade-strategy", "eager", "-I", "--python",
        "/usr/bin/python3", "--only-deps", "--ignore-requires-python",
        "--uploaded-prior-to", "2024-01-31T00:00:00Z", "beta>1",
    ], tmp_path)
    assert [r.text for r in request.requirements] == ["beta>1", "alpha"]
    assert [c.text for c in request.constraints] == ["alpha<3"]
    assert [c.text for c in request.build_constraints] == ["setuptools<80"]
    assert request.index.index_urls == ("https://i.test", "https://e1.test", "https://e2.test")
    assert (request.index.find_links, request.index.trusted_hosts) == (("/wheels",), ("i.test",))
    target = request.target
    assert (target.python, target.python_version, target.implementation, target.target_dir) == (
        "/usr/bin/python3", "3.12", "cp", "/target")
    assert target.platforms == ("manylinux2014_x86_64", "linux_x86_64")
    assert target.abis == ("cp312", "abi3")
    assert request.upgrade and request.pre and request.no_deps and request.ignore_installed
    assert request.only_deps and request.ignore_requires_python and request.require_hashes
    assert request.formats.prefer_binary and request.upgrade_strategy == "eager"
    assert request.uploaded_prior_to == datetime(2024, 1, 31, tzinfo=UTC)
    assert request.passthrough == ()
    assert request.handoff_args() == [
        "--python", "/usr/bin/python3", "--target", "/target", "--python-version", "3.12",
        "--implementation", "cp", "--platform", "manylinux2014_x86_64", "--platform",
        "linux_x86_64", "--abi", "cp312", "--abi", "abi3", "--ignore-installed"]


def test_other_options_pass_through_verbatim_with_their_values(tmp_path: Path) -> None:
    argv = ["--prefix", "/x", "--root=/r", "--no-compile", "-q", "-vv", "--force-reinstall",
            "--no-build-isolation", "--report", "out.json", "--progress-bar", "off",
            "--src", "/src", "-C", "key=value", "--no-cache-dir", "--isolated", "alpha"]
    request = parse(argv, tmp_path)
    clusters_split = [a for arg in argv[:-1] for a in (["-v", "-v"] if arg == "-vv" else [arg])]
    assert request.passthrough == tuple(clusters_split)
    assert [r.text for r in request.requirements] == ["alpha"]


def test_double_dash_ends_options(tmp_path: Path) -> None:
    request = parse(["--no-deps", "--", "alpha", "beta"], tmp_path)
    assert [r.text for r in request.requirements] == ["alpha", "beta"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--no-b", ":all:"], "ambiguous"),
    (["--pre=yes"], "does not take a value"),
    (["-i"], "requires a value"),
    (["--upgrade-strategy", "sometimes"], "is not one of"),
    (["--python-version", "3.x"], "Invalid --python-version"),
    (["--python-version", "3.1.2.3"], "Invalid --python-version"),
    (["--user", "--target", "/t"], "Can not combine '--user' and '--target'"),
    (["--pre", "--only-final", "alpha"], "--pre cannot be used"),
    (["--platform", "win_amd64"], "either --no-deps must be set"),
    (["--only-binary", "--no-deps"], "requires a value"),
    (["--uploaded-prior-to", "last tuesday"], "Invalid --uploaded-prior-to"),
    (["--requirements-from-script", "a.py", "--requirements-from-script", "b.py"],
     "can only be given once"),
    (["-r", "pylock.toml"], "pylock.toml lock file"),
])
def test_usage_errors(tmp_path: Path, argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message) as error:
        parse(argv, tmp_path)
    assert error.value.exit_code == ExitCode.USAGE


def test_platform_restriction_allowed_with_only_binary_or_no_deps(tmp_path: Path) -> None:
    assert parse(["--platform", "win_amd64", "--only-binary=:all:"], tmp_path).target.platforms
    assert parse(["--abi", "cp39", "--no-deps"], tmp_path).target.abis == ("cp39",)


@pytest.mark.parametrize(("argv", "only", "no"), [
    (["--only-binary", ":all:"], {":all:"}, set()),
    (["--only-binary", ":all:", "--no-binary", "Foo_Bar"], {":all:"}, {"foo-bar"}),
    (["--no-binary", "a,b", "--only-binary", "A"], {"a"}, {"b"}),
    (["--no-binary", "a", "--no-binary", ":none:"], set(), set()),
    (["--no-binary", ":all:", "--only-binary", ":all:"], {":all:"}, set()),
    (["--only-binary", "x,:all:,:none:,y"], {"y"}, set()),
])
def test_binary_format_options_later_ones_override(
    tmp_path: Path, argv: list[str], only: set[str], no: set[str]
) -> None:
    formats = parse(argv, tmp_path).formats
    assert (formats.only_binary, formats.no_binary) == (only, no)


def test_format_control_answers_per_project(tmp_path: Path) -> None:
    formats = parse(["--only-binary", ":all:", "--no-binary", "Foo_Bar"], tmp_path).formats
    assert formats.allows_sdist("foo.bar") and not formats.allows_wheel("foo-bar")
    assert formats.allows_wheel("other") and not formats.allows_sdist("other")


def test_release_control(tmp_path: Path) -> None:
    releases = parse(["--all-releases", "Alpha", "--only-final", ":all:", "--all-releases",
                      "beta"], tmp_path).releases
    assert releases.allows_prereleases("beta") is True
    assert releases.allows_prereleases("alpha") is False  # :all: cleared the earlier names
    assert parse(["--pre"], tmp_path).releases.allows_prereleases("x") is True
    assert parse([], tmp_path).releases.allows_prereleases("x") is None


def test_uploaded_prior_to_duration(tmp_path: Path) -> None:
    moment = parse(["--uploaded-prior-to", "P3D"], tmp_path).uploaded_prior_to
    assert moment is not None
    assert abs(datetime.now(UTC) - timedelta(days=3) - moment) < timedelta(minutes=1)


def test_positional_specs_of_every_kind(tmp_path: Path) -> None:
    write(tmp_path / "proj" / "setup.py", "raise SystemExit('never run')\n")
    request = parse(["Alpha[Extra]>=1; python_version>'3'", "./proj[x]",
                     "git+https://example.org/r.git@main#egg=repo",
                     "beta @ https://example.org/beta-1.0-py3-none-any.whl",
                     "-e", "./proj", "--editable=git+ssh://git@example.org/e.git#egg=edit"],
                    tmp_path)
    kinds = [(r.kind, r.project_name, r.source.path) for r in request.requirements]
    assert kinds == [("index", "alpha", COMMAND_LINE), ("path", None, COMMAND_LINE),
                     ("vcs", "repo", COMMAND_LINE), ("url", "beta", COMMAND_LINE),
                     ("editable", None, COMMAND_LINE), ("editable", "edit", COMMAND_LINE)]
    assert request.requirements[1].extras == {"x"}


def test_bad_positional_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Invalid requirement 'alpha=1'") as error:
        parse(["alpha=1"], tmp_path)
    assert "Did you mean ==" in error.value.diagnostics()
    assert error.value.diagnostics().startswith("<command line>: ")


def test_url_markers_need_a_space_before_the_semicolon() -> None:
    where = Location(COMMAND_LINE)
    spaced = parse_requirement_spec("https://e.test/a-1.0.tar.gz#egg=a ; os_name=='nt'",
                                    where, cwd=Path("/"))
    assert spaced.url == "https://e.test/a-1.0.tar.gz#egg=a" and spaced.marker is not None
    glued = parse_requirement_spec("https://e.test/a.tar.gz;x", where, cwd=Path("/"))
    assert glued.url == "https://e.test/a.tar.gz;x" and glued.marker is None


def test_dependency_groups_from_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[dependency-groups]\n"
          "test = ['pytest>=8', {include-group = 'Lint_Tools'}]\nlint-tools = ['ruff']\n")
    write(tmp_path / "sub" / "pyproject.toml", "[dependency-groups]\ndocs = ['sphinx']\n")
    request = parse(["--group", "test", "--group", "sub/pyproject.toml:docs"], tmp_path)
    assert [(r.text, r.source.path) for r in request.requirements] == [
        ("pytest>=8", str(tmp_path / "pyproject.toml")),
        ("ruff", str(tmp_path / "pyproject.toml")),
        ("sphinx", str(tmp_path / "sub" / "pyproject.toml"))]
    with pytest.raises(InputError, match="'missing' cannot be read"):
        parse(["--group", "missing"], tmp_path)


def test_requirements_from_a_pep_723_script(tmp_path: Path) -> None:
    write(tmp_path / "tool.py", "#!/usr/bin/env python\n# /// script\n"
          "# requires-python = '>=3.11'\n# dependencies = [\n#   'requests<3',\n#   'rich',\n"
          "# ]\n# ///\nraise SystemExit('never run')\n")
    request = parse(["--requirements-from-script", "tool.py"], tmp_path)
    assert [(r.text, r.source.line) for r in request.requirements] == [
        ("requests<3", 2), ("rich", 2)]
    write(tmp_path / "plain.py", "print('no block')\n")
    with pytest.raises(InputError, match="found 0"):
        parse(["--requirements-from-script", "plain.py"], tmp_path)


def test_requirements_files_and_constraints_keep_pips_order(tmp_path: Path) -> None:
    write(tmp_path / "one.txt", "alpha\n")
    write(tmp_path / "two.txt", "beta\n-c pins.txt\n")
    write(tmp_path / "pins.txt", "beta==2\n")
    write(tmp_path / "cli-pins.txt", "alpha==1\n")
    request = parse(["-r", "one.txt", "gamma", "-c", "cli-pins.txt", "--requirement=two.txt",
                     "-e", "git+https://e.test/r.git#egg=r"], tmp_path)
    assert [r.text for r in request.requirements] == [
        "gamma", "-e git+https://e.test/r.git#egg=r", "alpha", "beta"]
    assert [c.text for c in request.constraints] == ["alpha==1", "beta==2"]
