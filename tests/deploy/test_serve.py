"""The production command: gunicorn + WhiteNoise under DEBUG=false, as `make serve` runs it."""

import gzip
import re
import signal
import time

import pytest

from .serving import free_port, get, production_env, release, start, stop, wait_until_serving

pytestmark = pytest.mark.slow

# Behind the TLS proxy production expects; without it the console redirects to https.
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """One release step (migrate, collectstatic: ~13 s) for the module: each web server below
    serves its database and static root."""
    tmp_path = tmp_path_factory.mktemp("served")
    prepared = release(production_env(tmp_path, free_port()))
    assert prepared.returncode == 0, prepared.stdout + prepared.stderr
    return tmp_path


def _web(tmp_path, log_name: str):
    """A web server (`serve.sh web`) on a port of its own, serving the release in tmp_path."""
    port = free_port()
    web = start("web", production_env(tmp_path, port), tmp_path / log_name)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base + "/admin/login/", web)
    return base, web


@pytest.fixture(scope="module")
def served(released):
    base, web = _web(released, "web.log")
    yield base, web, released
    stop(web)


def test_the_release_step_collects_hashed_compressed_static_files(served):
    _, _, tmp_path = served
    css = list((tmp_path / "static" / "admin" / "css").glob("base.*.css"))
    assert any(re.fullmatch(r"base\.[0-9a-f]{12}\.css", path.name) for path in css), css
    assert any(path.name.endswith(".css.gz") for path in (tmp_path / "static" / "admin" / "css").iterdir())
    assert (tmp_path / "static" / "staticfiles.json").is_file()


def test_the_admin_renders_with_its_styles_under_debug_false(served):
    base, _, _ = served
    status, _, body = get(base + "/admin/login/", HTTPS)
    assert status == 200
    page = body.decode()
    assert "Conversations Ops" in page
    hashed = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
    assert hashed, "the login page links the admin's stylesheet under its hashed name"
    status, headers, css = get(base + hashed.group(1), {**HTTPS, "Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    assert b"body" in gzip.decompress(css)


def test_plain_http_is_sent_to_https_and_unknown_static_files_are_404(served):
    base, _, _ = served
    status, headers, _ = get(base + "/admin/login/")
    assert status == 301 and headers["Location"].startswith("https://")
    assert get(base + "/static/admin/css/base.css.missing", HTTPS)[0] == 404


def test_the_access_log_masks_numbers_in_query_strings(served):
    base, _, tmp_path = served
    get(base + "/admin/login/?next=/admin/conversations_ops/participant/%3Fq%3D%252B4915123456789", HTTPS)
    get(base + "/admin/login/?q=%2B4915123456789", HTTPS)
    # gunicorn writes the access line after the response has gone: give it a moment.
    deadline = time.monotonic() + 10
    while "?q=%2B49" not in (log := (tmp_path / "web.log").read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "GET /admin/login/?q=%2B49•••••6789" in log
    assert "4915123456789" not in log


def test_sigterm_stops_the_web_server_gracefully(released):
    _, web = _web(released, "sigterm.log")  # its own server: the module's keeps serving the other tests
    assert stop(web, signal.SIGTERM, timeout=30) == 0
    assert "Shutting down: Master" in (released / "sigterm.log").read_text()
