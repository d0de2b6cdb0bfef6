"""`salesplay serve` hands out only the portal, only to 127.0.0.1, and stays up under abuse."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from conftest import make_catalog
from salesplay.engine.records import RECORDS, Record, Records
from salesplay.render.templates import THEME_DIR
from salesplay.serve import STATUS_PATH, ServeOptions, Server, shown

SECRET = b"INTERNAL-ONLY-7f3a"


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def record(out: Path, rels: Iterable[str]) -> None:
    """build/.salesplay/records.json naming `rels` as written now (size and mtime)."""
    entries = {}
    for rel in rels:
        info = (out / rel).stat()
        entries[rel] = Record("planted", info.st_size, info.st_mtime_ns)
    (out / RECORDS).parent.mkdir(parents=True, exist_ok=True)
    (out / RECORDS).write_bytes(Records(entries=entries).to_json())


def plant(out: Path, outside: Path) -> None:
    """A build folder as a build leaves it, plus the internal files serve must never give."""
    files = {
        "site/index.html": b"<html><body><h1>portal</h1></body></html>",
        "site/search-index.js": b"var index = [];",
        "battlecards/card.pdf": b"%PDF-1.7 card",
        "battlecards/altered.pdf": b"%PDF-1.7 as made",
        "battlecards/big.pdf": b"%PDF-1.7 " + b"x" * (4 << 20),
        "matrix.html": b"<html><body>matrix</body></html>",
        "playbooks/secret.pdf": b"%PDF-1.7 " + SECRET,
        "kits/partner.zip": b"PK " + SECRET,
        ".salesplay/outputs.json": b'["' + SECRET + b'"]',
        "site/.index.html.tmp": SECRET,
        # the marketers' own outputs: internal proof and what changed, every diagnostic
        "reports/coverage.html": b"<html><body>coverage " + SECRET + b"</body></html>",
        "reports/check.json": b'[{"message": "' + SECRET + b'"}]',
        # the marketers' page of the portal, made from the rep edition
        "site/report.html": b"<html><body><h1>for marketers</h1></body></html>",
    }
    for rel, data in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    # recorded as a build records what it wrote (serve hands out only that), the internal
    # outputs too: the audience refuses those
    made = [rel for rel in files if not rel.startswith(".salesplay/") and "/." not in rel]
    record(out, made)
    outside.write_bytes(SECRET)
    # Links inside the served tree pointing at an internal output and out of build/.
    (out / "site" / "leak.pdf").symlink_to(out / "playbooks" / "secret.pdf")
    (out / "site" / "out.txt").symlink_to(outside)
    (out / "battlecards" / "kits").symlink_to(out / "kits", target_is_directory=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server over a planted build/; its catalog is missing, so no build touches build/."""
    root = tmp_path_factory.mktemp("serve")
    plant(root / "build", root / "outside-secret.txt")
    options = ServeOptions(
        root / "no-catalog", root / "templates", root / "build", port=0, slow=(), timeout=1.0
    )
    srv = Server(options, log=io.StringIO())
    srv.start()
    try:
        wait_for("the (failing) first build", lambda: srv.status.snapshot()["attempts"] >= 1)
        yield srv
    finally:
        srv.stop()


def request(
    port: int,
    target: str,
    host: str | None = None,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """A raw request: http.client sends the target exactly as written."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        if host is None:
            host = f"127.0.0.1:{port}"
        if host:
            conn.putheader("Host", host)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


ATTACKS = [
    "/site/%2e%2e/playbooks/secret.pdf",
    "/site/%2E%2E/playbooks/secret.pdf",
    "/site/..%2fplaybooks/secret.pdf",
    "/site/..%2Fplaybooks/secret.pdf",
    "/site/%2e%2e/kits/partner.zip",
    "/site/%2e%2e/.salesplay/outputs.json",
    "/reports/%2e%2e/.salesplay/outputs.json",
    "/battlecards/%2e%2e/kits/partner.zip",
    "/site/%252e%252e/playbooks/secret.pdf",
    "/site/%252e%252e%252fplaybooks/secret.pdf",
    "/site/..%5cplaybooks/secret.pdf",
    "/site/..\\playbooks/secret.pdf",
    "/site/%2e%2e\\playbooks/secret.pdf",
    "/site/./../playbooks/secret.pdf",
    "/site/../../../../../../etc/passwd",
    "/site/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/site/%00/../playbooks/secret.pdf",
    "/site/index.html%00/../../playbooks/secret.pdf",
    "/site/%c0%ae%c0%ae/playbooks/secret.pdf",
    "//playbooks/secret.pdf",
    "/site/.index.html.tmp",
    "/site/leak.pdf",
    "/site/out.txt",
    "/battlecards/kits/partner.zip",
    "/playbooks/secret.pdf",
    "/kits/partner.zip",
    "/.salesplay/outputs.json",
    "http://127.0.0.1/playbooks/secret.pdf",
]


@pytest.mark.parametrize("target", ATTACKS)
def test_internal_files_are_never_served(served: Server, target: str) -> None:
    for method in ("GET", "HEAD"):
        code, body = request(served.port, target, method=method)
        assert code in (400, 403, 404), (method, target, code)
        assert SECRET not in body


def test_only_files_a_build_made_as_it_made_them_are_handed_out(served: Server) -> None:
    """An internal report copied by hand to a path a served family owns was handed out:
    serve gives what the last build recorded, with the size and time it wrote it."""
    out = served.options.out
    assert request(served.port, "/battlecards/altered.pdf") == (200, b"%PDF-1.7 as made")
    (out / "partners").mkdir(exist_ok=True)
    (out / "partners/index.html").write_bytes(b"<html>copied " + SECRET + b"</html>")
    (out / "battlecards/altered.pdf").write_bytes(b"%PDF-1.7 " + SECRET)
    for target in ("/partners/index.html", "/battlecards/altered.pdf"):
        status, body = request(served.port, target)
        # a page no build made, while none has succeeded (this server's catalog is missing),
        # is the waiting page that says why: never the file
        assert status == (503 if target.endswith(".html") else 404), target
        assert SECRET not in body, target


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/site/index.html", b"<h1>portal</h1>"),
        ("/site/%69ndex.html", b"<h1>portal</h1>"),  # one decoding, as a browser expects
        ("/site/battlecards/../index.html", b"<h1>portal</h1>"),
        ("/site/search-index.js?v=2", b"var index"),
        ("/battlecards/card.pdf", b"%PDF-1.7 card"),
        ("/matrix.html", b"matrix"),
    ],
)
def test_the_portal_is_still_served(served: Server, target: str, expected: bytes) -> None:
    code, body = request(served.port, target)
    assert code == 200, target
    assert expected in body


def test_the_marketers_reports_are_not_served(served: Server) -> None:
    """reports/ holds internal-edition content and nothing in the portal links to it; the
    marketers' page of the portal, site/report.html, is served."""
    for target in ("/reports/coverage.html", "/reports/check.json", "/reports/"):
        for method in ("GET", "HEAD"):
            code, body = request(served.port, target, method=method)
            assert code == 404, (method, target, code)
            assert SECRET not in body
    code, body = request(served.port, "/site/report.html")
    assert code == 200 and b"for marketers" in body


def test_head_has_no_body(served: Server) -> None:
    assert request(served.port, "/battlecards/card.pdf", method="HEAD") == (200, b"")


def test_only_the_loopback_host_names_are_accepted(served: Server) -> None:
    port = served.port
    for good in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}"):
        assert request(port, "/site/index.html", host=good)[0] == 200, good
    bad_hosts = [
        f"evil.example:{port}",  # a DNS-rebinding page
        "evil.example",
        f"127.0.0.1:{port + 1}",
        "127.0.0.1",
        f"localhost.:{port}",
        f"127.0.0.1.evil.example:{port}",
        f"[::1]:{port}",  # not bound
        "",  # no Host header at all
    ]
    for bad in bad_hosts:
        for target in ("/site/index.html", STATUS_PATH, "/__salesplay__/reload.js"):
            code, body = request(port, target, host=bad)
            assert code == 421, (bad, target, code)
            assert len(body) < 200 and b"portal" not in body


def test_another_site_s_page_cannot_include_the_portal_s_files(served: Server) -> None:
    """A page of another site (or another port) that includes `search-index.js` as a
    script runs it and reads the rep edition: the Host check lets it by, since the browser
    names 127.0.0.1. Such requests are refused; navigating to a page from a link elsewhere,
    the portal's own requests and a browser or tool that says nothing are not."""
    port = served.port
    own = f"http://127.0.0.1:{port}"
    evil = {"Referer": "https://evil.example/page.html"}
    refused = [
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", **evil},
        {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors"},  # another local port
        {
            "Sec-Fetch-Site": "cross-site",
            "Sec-Fetch-Mode": "cors",
            "Origin": "https://evil.example",
        },
        evil,  # a browser without Sec-Fetch: its Referer tells
        {"Origin": "http://127.0.0.1:1"},
    ]
    for headers in refused:
        for target in ("/site/search-index.js", "/battlecards/card.pdf", STATUS_PATH):
            code, body = request(port, target, headers=headers)
            assert code == 403 and b"index" not in body, (headers, target, code)
    allowed = [
        {},
        {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "no-cors", "Referer": own + "/"},
        {"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"},  # typed or bookmarked
        {"Origin": own},
        {"Referer": own + "/site/index.html"},
    ]
    for headers in allowed:
        assert request(port, "/site/search-index.js", headers=headers)[0] == 200, headers
    # a link followed from another site shows the page to the rep, and nothing to the site
    link = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", **evil}
    assert request(port, "/site/index.html", headers=link)[0] == 200
    assert request(port, "/site/index.html", headers=evil)[0] == 200
    # a page loaded in a frame of the other site's page is that page's: refused, and no
    # page may be framed by any other (a browser that sends no Sec-Fetch-Dest)
    framed = {**link, "Sec-Fetch-Dest": "iframe"}
    assert request(port, "/site/index.html", headers=framed)[0] == 403
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/site/index.html")
        answer = conn.getresponse()
        answer.read()
        assert answer.getheader("X-Frame-Options") == "DENY"
        assert answer.getheader("Content-Security-Policy") == "frame-ancestors 'none'"
    finally:
        conn.close()


def test_two_host_headers_are_refused(served: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        conn.putrequest("GET", "/site/index.html", skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{served.port}")
        conn.putheader("Host", "evil.example")
        conn.endheaders()
        assert conn.getresponse().status == 421
    finally:
        conn.close()


def _idle(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /site/index.html HTTP/1.1\r\n")  # and then nothing more
    return sock


def test_idle_connections_are_closed_and_threads_stay_bounded(tmp_path: Path) -> None:
    plant(tmp_path / "build", tmp_path / "outside.txt")
    options = ServeOptions(
        tmp_path / "no-catalog",
        tmp_path / "templates",
        tmp_path / "build",
        port=0,
        slow=(),
        timeout=0.5,
        max_connections=8,
    )
    with Server(options, log=io.StringIO()) as srv:
        wait_for("the first build", lambda: srv.status.snapshot()["attempts"] >= 1)
        before = threading.active_count()
        socks = [_idle(srv.port) for _ in range(50)]
        try:
            time.sleep(0.2)
            assert threading.active_count() <= before + 8
            for sock in socks:  # each one is answered (503 when full) or closed by the server
                sock.settimeout(5)
                with contextlib.suppress(ConnectionResetError):
                    while sock.recv(4096):
                        pass
        finally:
            for sock in socks:
                sock.close()
        wait_for("the handler threads to end", lambda: threading.active_count() <= before)
        assert request(srv.port, "/site/index.html")[0] == 200


def test_a_full_server_says_busy(tmp_path: Path) -> None:
    plant(tmp_path / "build", tmp_path / "outside.txt")
    options = ServeOptions(
        tmp_path / "no-catalog",
        tmp_path / "templates",
        tmp_path / "build",
        port=0,
        slow=(),
        timeout=5,
        max_connections=2,
    )
    with Server(options, log=io.StringIO()) as srv:
        socks = [_idle(srv.port) for _ in range(2)]
        try:
            wait_for("two busy handlers", lambda: srv.busy() == 2, timeout=5)
            assert request(srv.port, "/site/index.html")[0] == 503
        finally:
            for sock in socks:
                sock.close()
        wait_for("free handlers", lambda: srv.busy() == 0, timeout=5)
        assert request(srv.port, "/site/index.html")[0] == 200


def test_clients_that_hang_up_early_leave_no_traceback(
    served: Server, capfd: pytest.CaptureFixture[str]
) -> None:
    for _ in range(40):
        sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
        host = f"127.0.0.1:{served.port}"
        sock.sendall(f"GET /battlecards/big.pdf HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        sock.recv(1)
        # Close with a reset (SO_LINGER 0) while the server is still writing 4 MB.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    for _ in range(20):
        sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
        sock.sendall(b"GET /site/ind")  # half a request line
        sock.close()
    wait_for("the handlers to finish", lambda: served.busy() == 0, timeout=10)
    assert request(served.port, "/site/index.html")[0] == 200
    _, err = capfd.readouterr()
    assert isinstance(served.log, io.StringIO)
    assert "Traceback" not in err + served.log.getvalue()
    assert "Error" not in err


def test_listen_backlog_is_large(served: Server) -> None:
    assert served.httpd is not None
    assert served.httpd.request_queue_size >= 128


def _status(port: int) -> dict[str, object]:
    code, body = request(port, STATUS_PATH)
    assert code == 200
    result: dict[str, object] = json.loads(body)
    return result


def test_status_blames_the_users_override_with_project_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_catalog(tmp_path)
    # An override that drops the macros the built-in battlecard uses.
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "macros.html").write_text(
        "{% macro nothing() %}{% endmacro %}\n", "utf-8"
    )
    monkeypatch.chdir(tmp_path)  # as `make serve` runs: relative folders, the project as cwd
    options = ServeOptions(Path("plays"), Path("templates"), Path("build"), port=0, slow=())
    with Server(options, log=io.StringIO()) as srv:
        wait_for("the failed build", lambda: srv.status.snapshot()["attempts"] >= 1, 120)
        status = _status(srv.port)
    errors = status["errors"]
    assert isinstance(errors, list) and errors, status
    text = "\n".join(errors)
    # the override that lacks the macros is the mistake, where the build puts it
    assert errors[0].startswith("templates/macros.html:1: error: has no macro '"), errors
    assert "default/battlecard.html" in errors[0]  # where the built-in tripped over it
    for secret in (str(THEME_DIR), str(Path(os.__file__).parent), str(tmp_path), "site-packages"):
        assert secret not in text


def test_status_lines_name_built_ins_by_their_template_name(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    line = f"{THEME_DIR}/portal/index.html:3: error: undefined: 'x' is undefined"
    assert (
        shown(line, templates) == "default/portal/index.html:3: error: undefined: 'x' is undefined"
    )
    internal = f"salesplay: internal error: ValueError: {THEME_DIR}/style.css is odd"
    assert (
        shown(internal, templates)
        == "salesplay: internal error: ValueError: default/style.css is odd"
    )
    # A user's own override extending the built-in is what the user can fix.
    templates.mkdir()
    (templates / "battlecard.html").write_text('{% extends "default/battlecard.html" %}\n')
    assert shown(f"{THEME_DIR}/battlecard.html:9: error: boom", templates).startswith(
        f"{templates / 'battlecard.html'}: error: boom (raised in the built-in "
        "default/battlecard.html:9"
    )
    catalog_line = "plays/plays/a.yaml:3:5: error: unknown field 'nmae'"
    assert shown(catalog_line, templates) == catalog_line
