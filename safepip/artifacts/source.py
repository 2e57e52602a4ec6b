"""Package source decoded exactly as the interpreter and setuptools decode it.

CPython's import system and setuptools' `build_meta` (which reads `setup.py` with
`tokenize.open`) honour a UTF-8 BOM and a PEP 263 coding cookie on the first two lines, any
codec Python knows included (latin-1, utf-7, ...). Reading package source any other way lets a
file say one thing to the scanner and another to the build, so every reader of package source
goes through `decode_source`.
"""

from __future__ import annotations

import importlib.util

__all__ = ["SourceDecodeError", "decode_source"]

SourceDecodeError = (SyntaxError, UnicodeError, LookupError)
"""What `decode_source` raises on source the interpreter could not read either: a bad or
unknown cookie (SyntaxError), bytes invalid in the declared encoding (UnicodeError), a codec
that does not produce text (LookupError)."""


def decode_source(data: bytes) -> str:
    """The text of a Python source file: BOM or coding cookie, else UTF-8; newlines made `\\n`.

    The same call the import system makes (`importlib.util.decode_source`: tokenize's cookie
    detection, then the declared codec); raises one of `SourceDecodeError`."""
    text: str = importlib.util.decode_source(data)
    return text
