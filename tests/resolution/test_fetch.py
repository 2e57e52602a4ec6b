"""MetadataFetcher: cache hits are answered in the calling thread, misses fetched by the pool."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name

from safepip.index.client import IndexClient
from safepip.index.lazy_session import LazySession
from safepip.index.options import IndexOptions
from safepip.resolution.fetch import MetadataFetcher
from safepip.resolution.metadata_cache import MetadataCache
from tests.kit.archives import make_wheel
from tests.kit.index_server import write_file_index


def test_a_warm_fetch_starts_no_thread_and_a_cold_one_reads_the_wheel(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "dist", "app", "1.0", requires_dist=["lib>=2"])
    url = write_file_index(tmp_path / "index", [wheel])  # no PEP 658: the wheel is read
    cache = MetadataCache(tmp_path / "metadata")
    answers = []
    for run in ("cold", "warm"):
        lazy = LazySession()
        client = IndexClient(lazy, IndexOptions(index_url=url))
        [file] = client.project_pages(canonicalize_name("app"))[0].files
        seen: list[Path] = []
        fetcher = MetadataFetcher(
            client, lazy, tmp_path / run, cache=cache, on_download=seen.append
        )
        try:
            fetcher.prefetch(file)
            answers.append(fetcher.get(file))
            threads = len(fetcher._pool._threads)
        finally:
            fetcher.close()
        assert (threads > 0) is (run == "cold")
        assert bool(seen) is (run == "cold")  # the cold run downloaded the wheel, and said so
        assert seen == list(fetcher.downloaded().values())
        assert not lazy.built  # read from disk: a file:// index needs no HTTP session
    assert answers[0] == answers[1]
    assert [str(r) for r in answers[1].requires_dist] == ["lib>=2"]
