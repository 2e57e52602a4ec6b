"""Issue 13 item 5: Ctrl-C during the handoff reports what pip had really installed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.conftest import VenvFactory, installed_in
from tests.kit.archives import make_wheel
from tests.kit.index_server import IndexServer

pytestmark = pytest.mark.integration
Factory = Callable[..., IndexServer]
COUNT = 40


def test_ctrl_c_during_the_handoff_tells_the_truth(
    tmp_path: Path, index_server: Factory, make_venv: VenvFactory, pip_env: dict[str, str]
) -> None:
    dist = tmp_path / "dist"
    names = [f"leaf-{i:02d}" for i in range(COUNT)]
    payload = {f"leaf_{i:02d}/data{j}.py": "x = 1\n" * 200 for i in range(COUNT)
               for j in range(20)}
    files = [make_wheel(dist, "forest", "1.0", requires_dist=names)]
    files += [make_wheel(dist, name, "1.0", files={
        k: v for k, v in payload.items() if k.startswith(name.replace("-", "_") + "/")})
        for name in names]
    server = index_server(files)
    venv = make_venv(tmp_path / "venv")
    (site,) = venv.glob("lib/python*/site-packages")
    # A new session, as a terminal's foreground job: Ctrl-C reaches safepip and pip alike.
    process = subprocess.Popen(
        [sys.executable, "-m", "safepip", "install", "--python", str(venv),
         "--index-url", server.index_url, "forest"],
        env=pip_env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(site.glob("leaf_*.dist-info")) and process.poll() is None:
        assert time.monotonic() < deadline, "pip never started installing"
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    installed = installed_in(venv, pip_env)
    assert process.returncode == 130, err
    assert "nothing was installed" not in err
    assert "interrupted while pip was installing" in err
    if installed:
        said = dict(re.findall(r"([a-z0-9-]+) (\d\.\d)", err.split("now holds", 1)[1]
                               .split("(read back", 1)[0]))
        assert said == installed
        assert f"safepip uninstall -y --python {venv}" in err
    else:
        assert "holds none of the planned packages" in err
