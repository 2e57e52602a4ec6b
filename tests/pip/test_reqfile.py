"""Requirements files: every construct of pip's syntax, each read from a real file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from safepip.errors import ExitCode, InputError
from safepip.pip.reqfile import parse_requirements_file
from safepip.pip.request import parse_install_args

SHA = "a" * 64


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def parse(tmp_path: Path, text: str, **environ: str) -> list[tuple[str, int | None]]:
    """Parse `text` as requirements.txt; (requirement text, line) for each requirement."""
    write(tmp_path / "requirements.txt", text)
    parsed = parse_requirements_file(Path("requirements.txt"), environ=environ, cwd=tmp_path)
    return [(line.text, line.source.line) for line in parsed.requirements]


def make_project(path: Path) -> Path:
    write(path / "pyproject.toml", "[project]\nname = 'local'\nversion = '1'\n")
    return path


def test_comments_blank_lines_and_url_fragments(tmp_path: Path) -> None:
    text = (
        "# a full-line comment\n"
        "\n"
        "   # an indented comment\n"
        "alpha==1.0  # trailing comment\n"
        "beta>=2\t# after a tab\n"
        "git+https://example.org/repo.git#egg=gamma\n"
    )
    assert parse(tmp_path, text) == [
        ("alpha==1.0", 4), ("beta>=2", 5), ("git+https://example.org/repo.git#egg=gamma", 6)]


def test_hash_sign_without_whitespace_is_not_a_comment(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "alpha==1.0#not-a-comment\n")
    with pytest.raises(InputError) as error:
        parse_requirements_file(tmp_path / "requirements.txt", environ={}, cwd=tmp_path)
    assert error.value.line == 1


def test_line_continuations_keep_the_first_line_number(tmp_path: Path) -> None:
    text = (
        "alpha \\\n"
        "  >=1.0 \\\n"
        "  ,<2\n"
        "beta==1 \\\n"
        "# a comment ends the continuation\n"
        "gamma\\\n"
    )
    assert parse(tmp_path, text) == [("alpha   >=1.0   ,<2", 1), ("beta==1", 4), ("gamma", 6)]


def test_environment_variables_expand_only_in_brace_form(tmp_path: Path) -> None:
    text = (
        "-i ${INDEX}/simple\n"
        "--extra-index-url ${UNSET_VAR}/simple\n"
        "--extra-index-url $INDEX/plain\n"
        "--extra-index-url ${lower}/lower\n"
        "--extra-index-url ${EMPTY}/empty\n"
    )
    write(tmp_path / "requirements.txt", text)
    parsed = parse_requirements_file(
        tmp_path / "requirements.txt",
        environ={"INDEX": "https://mirror.test", "lower": "x", "EMPTY": ""}, cwd=tmp_path)
    assert parsed.index_urls == (
        "https://mirror.test/simple", "${UNSET_VAR}/simple", "$INDEX/plain", "${lower}/lower",
        "${EMPTY}/empty")


def test_nested_files_resolve_relative_to_the_including_file(tmp_path: Path) -> None:
    write(tmp_path / "reqs" / "main.txt", "alpha\n-r more/extra.txt\n-c ../pins.txt\n")
    write(tmp_path / "reqs" / "more" / "extra.txt", "\nbeta\n")
    write(tmp_path / "pins.txt", "alpha==1.0\n-r reqs/from-constraints.txt\n")
    write(tmp_path / "reqs" / "from-constraints.txt", "delta\n")
    parsed = parse_requirements_file(Path("reqs/main.txt"), environ={}, cwd=tmp_path)
    assert [(r.text, r.source.path, r.source.line) for r in parsed.requirements] == [
        ("alpha", "reqs/main.txt", 1), ("beta", "reqs/more/extra.txt", 2),
        # pip's quirk: -r inside a constraints file still adds requirements
        ("delta", "reqs/from-constraints.txt", 1)]
    assert [(c.text, c.source.path) for c in parsed.constraints] == [("alpha==1.0", "pins.txt")]
    assert [p.name for p in parsed.files] == [
        "main.txt", "extra.txt", "pins.txt", "from-constraints.txt"]


def test_a_file_included_twice_on_different_branches_is_not_a_cycle(tmp_path: Path) -> None:
    write(tmp_path / "top.txt", "-r a.txt\n-r b.txt\n")
    write(tmp_path / "a.txt", "-r common.txt\n")
    write(tmp_path / "b.txt", "-r common.txt\n")
    write(tmp_path / "common.txt", "alpha\n")
    parsed = parse_requirements_file(tmp_path / "top.txt", environ={}, cwd=tmp_path)
    assert [r.text for r in parsed.requirements] == ["alpha", "alpha"]


def test_cycles_are_refused_naming_the_chain(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "alpha\n-r sub/b.txt\n")
    write(tmp_path / "sub" / "b.txt", "-c ../a.txt\n")
    with pytest.raises(InputError) as error:
        parse_requirements_file(tmp_path / "a.txt", environ={}, cwd=tmp_path)
    message = error.value.diagnostics()
    assert f"{tmp_path}/a.txt -> {tmp_path}/sub/b.txt -> {tmp_path}/a.txt" in message
    assert (error.value.path, error.value.line) == ("sub/b.txt", 1)
    assert error.value.exit_code == ExitCode.USAGE


def test_a_file_including_itself_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "self.txt", "-r self.txt\n")
    with pytest.raises(InputError, match="cycle"):
        parse_requirements_file(tmp_path / "self.txt", environ={}, cwd=tmp_path)


def test_web_includes_are_refused_and_file_urls_followed(tmp_path: Path) -> None:
    write(tmp_path / "other.txt", "beta\n")
    write(tmp_path / "local.txt", f"-r {(tmp_path / 'other.txt').as_uri()}\n")
    parsed = parse_requirements_file(tmp_path / "local.txt", environ={}, cwd=tmp_path)
    assert [r.text for r in parsed.requirements] == ["beta"]
    write(tmp_path / "web.txt", "-r https://example.org/requirements.txt\n")
    with pytest.raises(InputError, match="web address; safepip reads only local files"):
        parse_requirements_file(tmp_path / "web.txt", environ={}, cwd=tmp_path)


def test_missing_nested_file_names_the_including_line(tmp_path: Path) -> None:
    write(tmp_path / "top.txt", "alpha\n-r nowhere.txt\n")
    with pytest.raises(InputError, match="Could not open requirements file") as error:
        parse_requirements_file(tmp_path / "top.txt", environ={}, cwd=tmp_path)
    assert error.value.path == str(tmp_path / "nowhere.txt")


def test_hashes_in_both_spellings_and_several_per_line(tmp_path: Path) -> None:
    text = (f"alpha==1.0 --hash=sha256:{SHA} \\\n"
            f"    --hash sha512:{'B' * 128}\n"
            f"--hash=sha256:{SHA}\n")
    write(tmp_path / "r.txt", text)
    parsed = parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path)
    (alpha,) = parsed.requirements
    assert alpha.hashes == (f"sha256:{SHA}", f"sha512:{'b' * 128}")
    assert str(alpha.requirement) == "alpha==1.0"
    assert parse_install_args(["-r", "r.txt"], environ={}, cwd=tmp_path,
                              config_files=[]).hash_checking
    assert not parse_install_args(["-r", "r.txt", "--no-require-hashes"], environ={},
                                  cwd=tmp_path, config_files=[]).hash_checking


@pytest.mark.parametrize("value", ["md5:" + "a" * 32, "sha256", "sha256:not-hex"])
def test_weak_or_malformed_hashes_are_refused(tmp_path: Path, value: str) -> None:
    write(tmp_path / "r.txt", f"\nalpha==1.0 --hash={value}\n")
    with pytest.raises(InputError, match="not a hash pip accepts") as error:
        parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path)
    assert (error.value.path, error.value.line) == ("r.txt", 2)


def test_per_requirement_build_options_are_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "r.txt", 'alpha --config-settings="--build-option=--fast"\n'
                              "beta --global-option=--no-user-cfg\n")
    with caplog.at_level(logging.WARNING):
        parsed = parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path)
    alpha, beta = parsed.requirements
    assert alpha.options == (("--config-settings", "--build-option=--fast"),)
    assert beta.options == (("--global-option", "--no-user-cfg"),)
    assert "--global-option is recorded but not passed to pip" in caplog.text


def test_global_options_inside_a_file(tmp_path: Path) -> None:
    (tmp_path / "wheels").mkdir()
    text = ("--index-url https://one.test/simple\n"
            "--extra-index-url https://two.test/simple\n"
            "-f wheels\n"
            "--find-links https://links.test/\n"
            "--trusted-host one.test\n"
            "--pre\n--prefer-binary\n--require-hashes\n"
            "--only-binary :all:\n--no-binary Some_Pkg\n")
    write(tmp_path / "r.txt", text)
    parsed = parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path)
    assert parsed.index_urls == ("https://one.test/simple", "https://two.test/simple")
    assert parsed.find_links == (str(tmp_path / "wheels"), "https://links.test/")
    request = parse_install_args(["-r", "r.txt"], environ={}, cwd=tmp_path, config_files=[])
    assert request.index.index_urls == ("https://one.test/simple", "https://two.test/simple")
    assert request.index.trusted_hosts == ("one.test",)
    assert request.formats.only_binary == {":all:"}
    assert request.formats.no_binary == {"some-pkg"}
    assert request.formats.prefer_binary and request.require_hashes
    assert request.pre and request.releases.allows_prereleases("anything") is True


def test_index_url_in_a_file_replaces_command_line_indexes(tmp_path: Path) -> None:
    write(tmp_path / "r.txt", "-i https://file.test/simple\n")
    request = parse_install_args(
        ["--extra-index-url", "https://cli-extra.test/simple", "-r", "r.txt"],
        environ={}, cwd=tmp_path, config_files=[])
    # pip's handle_option_line sets index_urls = [the file's -i], dropping the extras
    assert request.index.index_urls == ("https://file.test/simple",)


def test_no_index_in_a_file_wins_over_later_index_urls(tmp_path: Path) -> None:
    write(tmp_path / "r.txt", "--no-index\n-i https://late.test/simple\n")
    request = parse_install_args(["-r", "r.txt"], environ={}, cwd=tmp_path, config_files=[])
    assert request.index.no_index and request.index.index_urls == ()


def test_markers_extras_and_direct_urls(tmp_path: Path) -> None:
    text = ('alpha[socks,Security]>=2; python_version >= "3.8"\n'
            "beta @ https://files.test/beta-1.0.tar.gz ; sys_platform == 'linux'\n"
            "https://files.test/gamma-2.0-py3-none-any.whl\n"
            "https://files.test/archive.zip#egg=Delta_Pkg\n")
    write(tmp_path / "r.txt", text)
    alpha, beta, gamma, delta = parse_requirements_file(
        tmp_path / "r.txt", environ={}, cwd=tmp_path).requirements
    assert alpha.requirement is not None and alpha.requirement.extras == {"socks", "Security"}
    assert str(alpha.requirement.marker) == 'python_version >= "3.8"'
    assert alpha.kind == "index" and alpha.vettable_from_index
    assert beta.requirement is not None and beta.url == "https://files.test/beta-1.0.tar.gz"
    assert str(beta.requirement.marker) == 'sys_platform == "linux"'
    assert (beta.kind, beta.vettable_from_index) == ("url", False)
    assert (gamma.requirement, gamma.project_name, gamma.kind) == (None, "gamma", "url")
    assert (delta.project_name, delta.vettable_from_index) == ("delta-pkg", False)


def test_local_paths_archives_and_their_extras(tmp_path: Path) -> None:
    make_project(tmp_path / "proj")
    write(tmp_path / "dist" / "pkg-1.0-py3-none-any.whl", "not really a wheel")
    write(tmp_path / "r.txt", "./proj[cli]\ndist/pkg-1.0-py3-none-any.whl ; os_name == 'posix'\n")
    proj, wheel = parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path)\
        .requirements
    assert (proj.url, proj.extras, proj.kind) == (
        (tmp_path / "proj").as_uri(), frozenset({"cli"}), "path")
    assert (wheel.project_name, wheel.kind, str(wheel.marker)) == ("pkg", "path",
                                                                   'os_name == "posix"')


def test_paths_that_cannot_be_installed_are_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "r.txt", "./empty\n")
    with pytest.raises(InputError, match="not installable"):
        parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path)
    write(tmp_path / "r.txt", "\n./missing-1.0.tar.gz\n")
    with pytest.raises(InputError, match="file does not exist") as error:
        parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path)
    assert error.value.line == 2


def test_editable_and_vcs_entries_are_recorded_not_vettable(tmp_path: Path) -> None:
    make_project(tmp_path / "proj")
    text = ("-e ./proj\n"
            "--editable git+https://example.org/repo.git@v1#egg=repo\n"
            "-e git://example.org/old.git#egg=merc\n"
            '-e "pkg @ git+https://example.org/pkg.git"\n'
            "svn+https://example.org/svn/trunk#egg=subv\n")
    write(tmp_path / "r.txt", text)
    lines = parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path).requirements
    assert [(r.kind, r.editable, r.vettable_from_index) for r in lines] == [
        ("editable", True, False), ("editable", True, False), ("editable", True, False),
        ("editable", True, False), ("vcs", False, False)]
    assert lines[1].url == "git+https://example.org/repo.git@v1#egg=repo"
    assert lines[2].url == "git+git://example.org/old.git#egg=merc"
    assert [r.project_name for r in lines] == [None, "repo", "merc", "pkg", "subv"]


def test_editable_must_be_a_project_or_vcs_url(tmp_path: Path) -> None:
    write(tmp_path / "r.txt", "-e https://example.org/pkg.tar.gz\n")
    with pytest.raises(InputError, match="not a valid editable requirement"):
        parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path)


@pytest.mark.parametrize(("text", "message"), [
    ("alpha=1.0\n", "Did you mean =="),
    ("alpha >= \n", "Invalid requirement"),
    ("alpha; python_version >>> '3'\n", "Invalid environment marker"),
    ("--frobnicate\n", "does not allow the option --frobnicate"),
    ("alpha -e ./x\n", "both a requirement and -e"),
    ("-i\n", "requires a value"),
    ("--pre=yes\n", "does not take a value"),
    ("alpha --hash='unterminated\n", "Cannot split the options"),
])
def test_bad_lines_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "r.txt", "# header\n" + text)
    with pytest.raises(InputError) as error:
        parse_requirements_file(tmp_path / "r.txt", environ={}, cwd=tmp_path)
    assert message in error.value.diagnostics()
    assert (error.value.path, error.value.line) == ("r.txt", 2)
    assert error.value.diagnostics().startswith("r.txt:2: ")
    assert error.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(("text", "problem"), [
    ("-e git+https://example.org/r.git#egg=r\n", "Editable requirements are not allowed"),
    ("https://example.org/nameless.tar.gz\n", "Unnamed requirements are not allowed"),
    ("alpha[extra]==1\n", "Constraints cannot have extras"),
])
def test_constraints_follow_pips_rules(tmp_path: Path, text: str, problem: str) -> None:
    write(tmp_path / "c.txt", text)
    with pytest.raises(InputError, match=problem):
        parse_requirements_file(tmp_path / "c.txt", environ={}, constraint=True, cwd=tmp_path)


def test_encodings_bom_and_coding_comment(tmp_path: Path) -> None:
    (tmp_path / "utf16.txt").write_bytes("\ufeffalpha==1\n".encode("utf-16"))
    assert [r.text for r in parse_requirements_file(
        tmp_path / "utf16.txt", environ={}, cwd=tmp_path).requirements] == ["alpha==1"]
    (tmp_path / "latin.txt").write_bytes(
        "# -*- coding: latin-1 -*-\nbeta==1  # caf\xe9\n".encode("latin-1"))
    assert [r.text for r in parse_requirements_file(
        tmp_path / "latin.txt", environ={}, cwd=tmp_path).requirements] == ["beta==1"]
    (tmp_path / "bad.txt").write_bytes(b"gamma \xff\n")
    with pytest.raises(InputError, match="cannot be decoded"):
        parse_requirements_file(tmp_path / "bad.txt", environ={}, cwd=tmp_path)


def test_only_the_first_nested_file_on_a_line_is_read(tmp_path: Path) -> None:
    write(tmp_path / "top.txt", "-r a.txt -r b.txt\n")
    write(tmp_path / "a.txt", "alpha\n")
    write(tmp_path / "b.txt", "beta\n")
    parsed = parse_requirements_file(tmp_path / "top.txt", environ={}, cwd=tmp_path)
    assert [r.text for r in parsed.requirements] == ["alpha"]  # as pip: opts.requirements[0]


def test_same_lines_as_pips_own_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pip's `parse_requirements` is the oracle for which lines, where, with which hashes."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements as pip_parse

    make_project(tmp_path / "proj")
    write(tmp_path / "reqs" / "main.txt", (
        "# pinned set\n"
        f"alpha[x]==1.0 ; python_version >= '3' --hash=sha256:{SHA} \\\n"
        f"    --hash=sha256:{'b' * 64}\n"
        "beta @ https://files.test/beta-1.0.tar.gz  # direct\n"
        "${PKG_NAME}>=2\n"
        "-e ./proj\n"
        "-i https://index.test/simple\n"
        "git+https://example.org/r.git#egg=gamma\n"
        "-r nested/more.txt\n"
        "-c ../pins.txt\n"
        "delta\\\n"
        "  ==3  \n"))
    write(tmp_path / "reqs" / "nested" / "more.txt", "\n\nepsilon --config-settings=k=v\n")
    write(tmp_path / "pins.txt", "alpha<2\n-r reqs/nested/extra.txt\n")
    write(tmp_path / "reqs" / "nested" / "extra.txt", "zeta\n")
    monkeypatch.setenv("PKG_NAME", "expanded")
    monkeypatch.chdir(tmp_path)

    pip_lines = [
        (p.requirement, p.is_editable, p.constraint, p.line_source,
         tuple(f"sha256:{h}" for h in (p.options or {}).get("hashes", {}).get("sha256", [])))
        for p in pip_parse(str(tmp_path / "reqs" / "main.txt"), session=PipSession())]
    ours = parse_requirements_file(tmp_path / "reqs" / "main.txt",
                                   environ={"PKG_NAME": "expanded"}, cwd=tmp_path)
    our_lines = [
        (line.text.removeprefix("-e "), line.editable, constraint,
         f"line {line.source.line} of {tmp_path / line.source.path}", line.hashes)
        for constraint, lines in ((False, ours.requirements), (True, ours.constraints))
        for line in lines]
    assert sorted(our_lines) == sorted(pip_lines)
