"""The `<a>`, `<base>` and PEP 629 `<meta>` tags of a PEP 503 page, as plain data.

Apart from `simple.py` so that `html.parser` is imported only when a page is really parsed (a warm
run over a local index takes its pages from the page cache).
"""

from __future__ import annotations

from html.parser import HTMLParser


class AnchorCollector(HTMLParser):
    """Collects `<a>` attributes, the `<base href>` and the PEP 629 repository version."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []
        self.base: str | None = None
        self.api_version: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            self.anchors.append(values)
        elif tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        elif tag == "meta" and values.get("name") == "pypi:repository-version":
            self.api_version = values.get("content")
