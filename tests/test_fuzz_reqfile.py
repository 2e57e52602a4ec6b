"""Fuzzing the requirements-file parser: any bytes end in requirements or a clean error.

Inputs are built from the pieces requirements files are made of (names, specifiers, markers,
URLs, options, hashes, includes, continuations, comments, variables, BOMs and coding lines) and
from raw bytes; each must parse or raise a SafepipError with a sentence (exit 2/3), never any
other exception (tests/kit/fuzz.py).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safepip.errors import InputError
from safepip.pip.reqfile import parse_requirements_file
from tests.kit.fuzz import fuzz_settings, result_or_clean_error

_PIECES = [
    "pkg", "Pkg_Name.x", "a-b", "pkg[extra]", "pkg[a,b]", "==1.0", ">=1,<2", "~=2.1", "===x",
    "!=1.*", " ; python_version < '3.8'", "; sys_platform == 'win32' and extra == 'x'", ";",
    "@ https://example.invalid/p-1.0.tar.gz", "@ file:///tmp/x.whl", "@", "git+https://h/r.git",
    "https://h/p-1.0-py3-none-any.whl#sha256=00", "./local", "../up", "/abs/path", ".",
    "--hash=sha256:" + "0" * 64, "--hash=md5:00", "--hash", "-r", "-c", "-e", "--editable",
    "--requirement", "--constraint", "-r other.txt", "-c cons.txt", "-r missing.txt",
    "-i https://i.invalid/simple", "--index-url", "--extra-index-url=x", "-f", "--find-links",
    "--no-binary :all:", "--only-binary", "--pre", "--prefer-binary", "--trusted-host h",
    "--config-settings k=v", "--global-option=x", "--unknown-option", "-Z", "--",
    " \\", "\\", "#", " # comment", "${HOME}", "${UNSET_VAR}", "$", "{", "}", "'", '"', "\t",
    "\x00", "\r", "\u00e9", "\ufeff", "%00", "%zz", "[", "]", "(", ")", "<", ">", "=", ",",
    "@ http://[::1", "http://[bad/p.whl", "https://h:99999/p.whl", "file://h\x00/x", "-e http://[",
]
_HEADS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
          b"# -*- coding: latin-1 -*-\n", b"# coding: punycode\n", b"# coding: utf-7\n",
          b"# coding: no-such-codec\n", b"# vim: set fileencoding=utf-16 :\n"]


def _line() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(_PIECES) | st.text(max_size=6), max_size=6).map(" ".join)


_TEXT = st.lists(_line(), max_size=8).map("\n".join)


def _write(tmp: Path, head: bytes, body: bytes) -> Path:
    (tmp / "other.txt").write_text("pkg==1.0\n-r requirements.txt\n", encoding="utf-8")
    (tmp / "cons.txt").write_bytes(body[:40])
    path = tmp / "requirements.txt"
    path.write_bytes(head + body)
    return path


@fuzz_settings
@given(head=st.sampled_from(_HEADS), text=_TEXT,
       encoding=st.sampled_from(["utf-8", "latin-1", "utf-16", "ascii"]))
def test_structured_requirement_files_parse_or_fail_cleanly(
    tmp_path_factory: object, head: bytes, text: str, encoding: str,
) -> None:
    tmp = tmp_path_factory.mktemp("req")  # type: ignore[attr-defined]
    body = text.encode(encoding, "replace")
    path = _write(tmp, head, body)
    result_or_clean_error(lambda: parse_requirements_file(
        path, environ={"HOME": "/home/u"}, cwd=tmp))


@fuzz_settings
@given(head=st.sampled_from(_HEADS), body=st.binary(max_size=300))
def test_raw_bytes_parse_or_fail_cleanly(
    tmp_path_factory: object, head: bytes, body: bytes,
) -> None:
    tmp = tmp_path_factory.mktemp("req")  # type: ignore[attr-defined]
    path = _write(tmp, head, body)
    result_or_clean_error(lambda: parse_requirements_file(path, environ={}, cwd=tmp))


@pytest.mark.parametrize(("head", "body"), [
    (codecs.BOM_UTF8, b"pkg\xff\xfe==1\n"),  # a BOM, then bytes that are not UTF-8
    (codecs.BOM_UTF16_LE, b"p\x00k\x00g\x00\n"),  # UTF-16 with an odd byte count
    (b"# coding: punycode\n", b"pkg==1.0\n"),  # a codec that raises UnicodeError itself
    (b"", b"-r \x00\n"),  # NUL in an included file's name
    (b"", b"-e http://[\n"),  # URLs urllib cannot split
    (b"", b"http://[bad/p-1.0.tar.gz\n"),
    (b"", b"file://[::1/x\n"),
])
def test_inputs_the_fuzzer_found_are_clean_errors(
    tmp_path: Path, head: bytes, body: bytes,
) -> None:
    path = _write(tmp_path, head, body)
    with pytest.raises(InputError) as info:
        parse_requirements_file(path, environ={}, cwd=tmp_path)
    assert info.value.exit_code == 2
