"""HTTPS on hostnames for the browser tests: Debian's nginx as the TLS proxy, a self-signed certificate
made here with openssl, and other sites (the attacker's pages) served by the same nginx.

The app's server block is `deploy/nginx-briefing.conf`, the one the README tells a ministry to use,
with only its listen address, names, certificate and upstream replaced. Chromium reaches the
hostnames through `--host-resolver-rules` (every name maps to 127.0.0.1)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE_CONF = REPO / "deploy" / "nginx-briefing.conf"


def self_signed_certificate(folder: Path, names: list[str]) -> tuple[Path, Path]:
    """A certificate and key for `names` (subject alternative names), valid for a day."""
    cert, key = folder / "proxy.pem", folder / "proxy.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={names[0]}",
                    "-addext", "subjectAltName=" + ",".join(f"DNS:{n}" for n in names),
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def app_server_block(host: str, port: int, upstream: str, cert: Path, key: Path) -> str:
    """The README's nginx server block for the app, pointed at this test's names, certificate and upstream."""
    text = SITE_CONF.read_text(encoding="utf-8")
    for directive, value in (("listen", f"127.0.0.1:{port} ssl"), ("server_name", host), ("ssl_certificate", str(cert)),
                             ("ssl_certificate_key", str(key)), ("proxy_pass", upstream)):
        text, count = re.subn(rf"^(\s*{directive}\s+)[^;]+;", lambda m: f"{m.group(1)}{value};", text, flags=re.M)
        assert count == 1, f"{SITE_CONF} should hold one {directive} directive"
    return text


def static_server_block(hosts: list[str], port: int, root: Path, cert: Path, key: Path) -> str:
    return (f"server {{\n    listen 127.0.0.1:{port} ssl;\n    server_name {' '.join(hosts)};\n"
            f"    ssl_certificate {cert};\n    ssl_certificate_key {key};\n    root {root};\n}}\n")


@dataclass
class Proxy:
    port: int
    app_host: str
    pages: Path
    """The folder the other sites serve (every other host name serves the same files)."""

    def url(self, host: str) -> str:
        return f"https://{host}:{self.port}"

    @property
    def app_url(self) -> str:
        return self.url(self.app_host)


@contextmanager
def tls_proxy(folder: Path, port: int, app_host: str, upstream: str, other_hosts: list[str]):
    """nginx on 127.0.0.1:`port`: `app_host` proxied to `upstream` by the README's server block,
    `other_hosts` serving static pages from `folder/pages`."""
    assert Path(NGINX).exists(), "no nginx: `make test` installs Debian's nginx-light"
    folder.mkdir(parents=True, exist_ok=True)
    pages = folder / "pages"
    pages.mkdir(exist_ok=True)
    cert, key = self_signed_certificate(folder, [app_host, *other_hosts])
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = folder / "nginx.conf"
    conf.write_text(
        f"worker_processes 1;\nuser root;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
        f"events {{ worker_connections 256; }}\n"
        f"http {{\n    access_log {folder / 'access.log'};\n{temp}\n"
        f"{app_server_block(app_host, port, upstream, cert, key)}\n"
        f"{static_server_block(other_hosts, port, pages, cert, key)}}}\n", encoding="utf-8")
    process = subprocess.Popen([NGINX, "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(conf),
                                "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited: {process.stdout.read()}{(folder / 'error.log').read_text()}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}", timeout=2)
            except urllib.error.HTTPError:
                break  # nginx answers (400: plain HTTP to a TLS port)
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("nginx did not come up") from None
                time.sleep(0.2)
        yield Proxy(port, app_host, pages)
    finally:
        process.terminate()
        process.wait(timeout=30)
