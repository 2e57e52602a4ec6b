"""Core metadata documents (METADATA, PKG-INFO, PEP 658 files) read as data."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from safepip.errors import ArchiveError, SafepipError
from safepip.index.filenames import filename_matches, name_version_from_filename
from safepip.resolution.core_metadata import MAX_METADATA_BYTES
from safepip.resolution.metadata import (
    MetadataInvalidError,
    MetadataMismatchError,
    check_matches_filename,
    metadata_from_core_metadata,
)
from tests.kit.archives import metadata_text


def _read(text: str, **kwargs: str) -> object:
    return metadata_from_core_metadata(text.encode(), source="pep658", origin="demo", **kwargs)


def test_reads_every_field_the_resolver_needs() -> None:
    doc = metadata_text(
        "Demo.Pkg", "1.2.post1", metadata_version="2.3",
        requires_dist=["requests>=2; python_version >= '3.8'", "pytest; extra == 'Test'"],
        requires_python=">=3.9", provides_extra=["Test", "docs_extra"],
        extra="Summary: a demo\n\nLong description body.\nRequires-Dist: not-a-header",
    )
    meta = metadata_from_core_metadata(doc.encode(), source="pep658", origin="demo.metadata")
    assert meta.name == "demo-pkg"
    assert meta.version == Version("1.2.post1")
    assert meta.requires_dist == (
        Requirement("requests>=2; python_version >= '3.8'"), Requirement("pytest; extra == 'Test'"))
    assert meta.requires_python == SpecifierSet(">=3.9")
    assert meta.provides_extra == {"test", "docs-extra"}
    assert (meta.source, meta.metadata_version, meta.is_static) == ("pep658", "2.3", True)
    assert "demo.metadata" in meta.detail


def test_markers_are_kept_unevaluated() -> None:
    meta = _read(metadata_text("a", "1", requires_dist=["b; sys_platform == 'nonexistent'"]))
    assert [str(r.marker) for r in meta.requires_dist] == ['sys_platform == "nonexistent"']


def test_old_metadata_versions_are_accepted_as_pip_accepts_them() -> None:
    # bdist_wheel wrote Metadata-Version 2.0 for years; packaging's strict validation rejects it.
    meta = _read(metadata_text("a", "1", metadata_version="2.0", requires_dist=["b"],
                               provides_extra=["x"]))
    assert (meta.metadata_version, [str(r) for r in meta.requires_dist]) == ("2.0", ["b"])


def test_invalid_requires_python_is_ignored_as_pip_does(caplog: pytest.LogCaptureFixture) -> None:
    meta = _read(metadata_text("a", "1", requires_python=">=3.6.*"))
    assert meta.requires_python is None
    assert "invalid Requires-Python" in caplog.text


def test_invalid_requires_dist_is_an_error_naming_it() -> None:
    with pytest.raises(MetadataInvalidError, match=r"'b \(>=1\.0\.\*\)' is invalid"):
        _read(metadata_text("a", "1", requires_dist=["ok", "b (>=1.0.*)"]))


def test_every_invalid_identity_field_is_reported_together() -> None:
    with pytest.raises(MetadataInvalidError) as info:
        _read("Metadata-Version: 2.1\nName: bad name!\nVersion: one\n\n")
    assert "'name'" in str(info.value) and "'version'" in str(info.value)
    assert isinstance(info.value, SafepipError) and info.value.exit_code == 3


def test_missing_name_is_an_error() -> None:
    with pytest.raises(MetadataInvalidError, match="'name' is a required field"):
        _read("Metadata-Version: 2.1\nVersion: 1.0\n\n")


def test_repeated_name_header_is_an_error() -> None:
    with pytest.raises(MetadataInvalidError, match="name"):
        _read("Metadata-Version: 2.1\nName: a\nName: b\nVersion: 1.0\n\n")


def test_oversized_document_is_refused_before_parsing() -> None:
    doc = metadata_text("a", "1").encode() + b"x" * MAX_METADATA_BYTES
    with pytest.raises(MetadataInvalidError, match="limit"):
        metadata_from_core_metadata(doc, source="pep658", origin="big")


def test_credentials_in_origin_never_reach_the_message() -> None:
    with pytest.raises(MetadataInvalidError) as info:
        metadata_from_core_metadata(b"Metadata-Version: 2.1\n\n", source="pep658",
                                    origin="https://user:s3cret@example.invalid/a.metadata")
    assert "s3cret" not in info.value.diagnostics()


def test_metadata_for_another_file_is_refused() -> None:
    doc = metadata_text("evil", "1.0")
    with pytest.raises(MetadataMismatchError, match="evil"):
        _read(doc, filename="good-1.0-py3-none-any.whl")
    with pytest.raises(MetadataMismatchError):
        _read(metadata_text("good", "1.1"), filename="good-1.0-py3-none-any.whl")
    assert issubclass(MetadataMismatchError, ArchiveError)
    meta = _read(metadata_text("Good", "1.0.0"), filename="good-1.0-py3-none-any.whl")
    check_matches_filename(meta, "Good-1.0.tar.gz")


@pytest.mark.parametrize(("filename", "name", "version", "expected"), [
    ("python-dateutil-2.8.2.tar.gz", "python-dateutil", "2.8.2", True),
    ("python_dateutil-2.8.2.tar.gz", "python-dateutil", "2.8.2", True),
    ("zope.interface-5.0.zip", "zope-interface", "5.0", True),
    ("Django-1.0.tar.gz", "django", "1.0.0", True),
    ("foo-1.0.tar.gz", "foo-1", "0", False),
    ("foo-1.0.tar.gz", "foo", "1.1", False),
    ("foo-1.0.exe", "foo", "1.0", False),
    ("foo_bar-2.0-1-py3-none-any.whl", "foo-bar", "2.0", True),
    ("foo_bar-2.0-py3-none-any.whl", "foobar", "2.0", False),
    ("not a wheel.whl", "x", "1", False),
])
def test_filename_matching(filename: str, name: str, version: str, expected: bool) -> None:
    assert filename_matches(filename, name, Version(version)) is expected


def test_name_version_from_filename() -> None:
    assert name_version_from_filename("python-dateutil-2.8.2.tar.gz") == (
        "python-dateutil", Version("2.8.2"))
    assert name_version_from_filename("a-1.0-py3-none-any.whl") == ("a", Version("1.0"))
    assert name_version_from_filename("noversion.tar.gz") is None
