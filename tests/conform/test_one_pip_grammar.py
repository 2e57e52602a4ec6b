"""Issue 12: pip's network options reach safepip's own HTTP session from every source pip reads."""

from __future__ import annotations

from pathlib import Path

from safepip.pip.request import parse_install_args
from safepip.pipeline import http_options


def test_pip_environment_variables_reach_the_session(tmp_path: Path) -> None:
    environ = {"PIP_CERT": "/etc/corp-ca.pem", "PIP_DEFAULT_TIMEOUT": "7",
               "PIP_RETRIES": "1", "PIP_NO_CACHE_DIR": "1",
               "PIP_TRUSTED_HOST": "mirror.corp.example", "PIP_CLIENT_CERT": "/etc/me.pem"}
    request = parse_install_args(["six"], environ=environ, cwd=tmp_path, config_files=[])
    http = http_options(request)
    assert http.cert == "/etc/corp-ca.pem" and http.client_cert == "/etc/me.pem"
    assert http.read_timeout == 7.0 and http.retries == 1
    assert http.use_cache is False
    assert http.trusted_hosts == ("mirror.corp.example",)


def test_pip_config_file_reaches_the_session(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\ncert = /etc/conf-ca.pem\ntimeout = 12\n"
                    "trusted-host = a.example b.example\n[install]\nretries = 0\n")
    request = parse_install_args(["six"], environ={}, cwd=tmp_path, config_files=[conf])
    http = http_options(request)
    assert http.cert == "/etc/conf-ca.pem"
    assert http.read_timeout == 12.0 and http.retries == 0
    assert http.trusted_hosts == ("a.example", "b.example")
    assert http.use_cache is True


def test_the_command_line_overrides_the_configuration(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\ncert = /etc/conf-ca.pem\n")
    request = parse_install_args(["--cert", "/cli.pem", "--no-cache-dir", "--timeout=3", "six"],
                                 environ={}, cwd=tmp_path, config_files=[conf])
    http = http_options(request)
    assert (http.cert, http.read_timeout, http.use_cache) == ("/cli.pem", 3.0, False)
    assert "--cert" in request.passthrough  # pip gets them too
