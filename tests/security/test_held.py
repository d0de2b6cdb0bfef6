"""What held in the security review stays held: injection, network, determinism.

The review tried ~95 injection payloads in every field (no script ran in Chromium), watched for
network requests during a build (none), and built with other `--jobs`, time zones and locales
(byte-identical). These tests repeat those attacks on `tests/roots/minimal`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html.parser
import http.server
import itertools
import json
import os
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import MINIMAL, make_catalog
from salesplay.build import run_build
from salesplay.context import Context
from salesplay.load import prose
from sessionbuild import SALESPLAY

AS_OF = "2026-11-23"
CHROMIUM = Path("/usr/bin/chromium")
#: payloads appended to prose fields; every one would call alert() if it ever ran.
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "[click](javascript:alert(4))",
    "</script><script>alert(5)</script>",
    "</style><script>alert(6)</script>",
    "<iframe src=javascript:alert(7)>",
    '<a href="javascript:alert(8)">x</a>',
    "{{ lipsum.__globals__ }} {% raw %}",
    "<!-- --><script>alert(9)</script>",
    "`<img src=x onerror=alert(10)>`",
    "<details open ontoggle=alert(11)>",
    "\u2028</script><script>alert(12)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(13)>",
)


def _poison(data: Any, payloads: Iterator[str]) -> int:
    """Append a payload to every prose string of `data` in place; how many were planted."""
    planted = 0
    for path, _text in list(prose(data)):
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = f"{parent[path[-1]]} {next(payloads)}"
        planted += 1
    return planted


def poisoned_catalog(tmp_path: Path) -> tuple[Path, int]:
    """`minimal` with a payload in every prose field of every file but the glossary."""
    root = make_catalog(tmp_path)
    payloads = itertools.cycle(PAYLOADS)
    planted = 0
    for path in sorted(root.rglob("*.yaml")):
        if path.name == "glossary.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        planted += _poison(data, payloads)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return root, planted


@pytest.fixture(scope="module")
def poisoned_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    tmp = tmp_path_factory.mktemp("held")
    root, planted = poisoned_catalog(tmp)
    out = tmp / "build"
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF), out=out)
    assert run_build(ctx, ["site", "matrix", "reports", "kits"]) == 0
    # kit index pages are opened from the unpacked folder, as a partner would
    for kit in (out / "kits").glob("*.zip"):
        with zipfile.ZipFile(kit) as archive:
            archive.extractall(tmp / "unpacked")
    return tmp, planted


def _pages(tmp: Path) -> list[Path]:
    pages = sorted((tmp / "build").rglob("*.html")) + sorted((tmp / "unpacked").rglob("*.html"))
    return pages


def test_every_prose_field_was_poisoned(poisoned_build: tuple[Path, int]) -> None:
    tmp, planted = poisoned_build
    assert planted > 40
    pages = _pages(tmp)
    assert any(p.parent.name == "battlecards" for p in pages)
    assert any("unpacked" in p.parts for p in pages)
    # the payloads reached the pages, as text
    shown = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown


class _Markup(html.parser.HTMLParser):
    """Every element and attribute of a page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("iframe", "object", "embed", "math", "details", "img") and not any(
            k == "src" and v and not v.startswith(("x", "javascript")) for k, v in attrs
        ):
            self.bad.append(f"<{tag}> {attrs}")
        for key, value in attrs:
            if key.startswith("on"):
                self.bad.append(f"<{tag} {key}>")
            if key in ("href", "src", "action") and (value or "").strip().lower().startswith(
                ("javascript:", "data:text")
            ):
                self.bad.append(f"<{tag} {key}={value}>")


def test_no_payload_becomes_markup(poisoned_build: tuple[Path, int]) -> None:
    tmp, _ = poisoned_build
    for page in _pages(tmp):
        parser = _Markup()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.bad == [], page


@pytest.mark.skipif(not CHROMIUM.exists(), reason="`make test` installs Debian's chromium")
def test_no_payload_runs_in_chromium(poisoned_build: tuple[Path, int]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    tmp, _ = poisoned_build
    dialogs: list[str] = []
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
            for html in _pages(tmp):
                page.goto(html.as_uri())
                # click every link that stays on the page's own document (none is javascript:)
                hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
                assert not [h for h in hrefs if h.lower().startswith("javascript:")], html
            # the search box is an injection point too: type a payload and see what renders
            page.goto((tmp / "build" / "site" / "index.html").as_uri())
            page.fill("input[type=search]", PAYLOADS[1])
            page.wait_for_timeout(200)
        finally:
            browser.close()
    assert dialogs == []


# --- no network -----------------------------------------------------------------------------

_SITECUSTOMIZE = """
import os, socket
_log = os.environ["SALESPLAY_NET_LOG"]
def _record(what, *args):
    with open(_log, "a") as f:
        f.write(f"{what} {args!r}\\n")
    raise OSError("network use during a build")
_orig_connect = socket.socket.connect
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _record("connect", address)
    return _orig_connect(self, address)
socket.socket.connect = connect
socket.socket.connect_ex = lambda self, a: _record("connect_ex", a)
socket.getaddrinfo = lambda *a, **k: _record("getaddrinfo", *a)
socket.create_connection = lambda *a, **k: _record("create_connection", *a)
"""


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - one server per test, reset by the test

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_build_makes_no_network_request(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    _Counter.hits = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        lures = (
            f"![x]({url}/md.png) <img src='{url}/img.png'> "
            f"<link rel=stylesheet href='{url}/x.css'> [doc]({url}/doc)"
        )
        rel = "plays/backup-modernization.yaml"
        text = (MINIMAL / rel).read_text(encoding="utf-8")
        text = text.replace(
            "why_now: Insurers now ask for immutable backups at renewal.",
            f"why_now: {json.dumps('Insurers ask. ' + lures)}",
        )
        root = make_catalog(tmp_path, {rel: text})
        site = tmp_path / "site-packages-net"
        site.mkdir()
        (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
        log = tmp_path / "net.log"
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env |= {"PYTHONPATH": str(site), "SALESPLAY_NET_LOG": str(log)}
        done = subprocess.run(
            [str(SALESPLAY), "build", "--catalog", str(root), "--as-of", AS_OF,
             "--out", str(tmp_path / "build")],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "build" / "battlecards" / "backup-modernization.pdf").is_file()
    finally:
        server.shutdown()
        server.server_close()
    assert _Counter.hits == []
    assert not log.exists(), log.read_text()


# --- determinism across --jobs, time zone and locale ----------------------------------------


def _tree(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".salesplay" not in p.relative_to(out).parts
    }


def test_builds_are_identical_across_jobs_time_zone_and_locale(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    trees = []
    for jobs, tz, lang in (("1", "UTC", "C"), ("2", "Pacific/Kiritimati", "C.UTF-8")):
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env |= {"TZ": tz, "LC_ALL": lang, "LANG": lang}
        out = tmp_path / f"build-{jobs}"
        done = subprocess.run(
            [str(SALESPLAY), "build", "--catalog", str(root), "--as-of", AS_OF,
             "--jobs", jobs, "--out", str(out)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        trees.append(_tree(out))
    assert trees[0] == trees[1]
    assert any(name.endswith(".zip") for name in trees[0])


def test_payload_list_is_what_the_build_saw() -> None:
    # the poisoning helper itself: every prose string gets a payload, ids and refs stay
    data = {"name": "N", "products": ["vault"], "objections": [{"objection": "o", "response": "r"}]}
    n = _poison(data, itertools.cycle(["P"]))
    assert n == 3
    assert data == {
        "name": "N P",
        "products": ["vault"],
        "objections": [{"objection": "o P", "response": "r P"}],
    }


def test_the_markup_scan_sees_a_payload_that_escaped() -> None:
    parser = _Markup()
    parser.feed('<p>&lt;img src=x onerror=alert(1)&gt;</p><img src="logo.svg" alt="">')
    assert parser.bad == []
    parser.feed('<p><img src=x onerror=alert(1)><a href="javascript:alert(2)">x</a></p>')
    assert len(parser.bad) == 3
