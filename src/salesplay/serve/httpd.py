"""The HTTP side of `salesplay serve`: loopback hosts only, normalized paths, bounded threads."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from salesplay.engine.records import RECORDS, Records
from salesplay.serve.kinds import allowed, served_families
from salesplay.serve.reload import SCRIPT_PATH, inject

STATUS_PATH = "/__salesplay__/status"
#: how long a request for a file a running build has just put in place waits for the build
#: to record it (serve hands out only what a build recorded).
RECORDS_WAIT = 5.0
HOME_PATH = "/site/index.html"
#: the loopback names a browser on this machine uses; any other Host is a DNS-rebinding page.
LOOPBACK_NAMES = ("127.0.0.1", "localhost")

# Encoded separators and NUL: a path that needs them is an attack, not a portal page.
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c|00)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Status:
    """What the page polls: counters of successful builds and the last error lines.

    `build` counts the builds of the source locale's pages (a save's first pass), `pages`
    those of every locale's pages (the pass after it): a page under a locale's folder
    reloads on `pages`, the others on `build`. `roots` are the top folders of the source
    locale's served outputs (site, battlecards, …), which tell the page which it is.
    `waiting` says what the running build waits for (another build into the same folder,
    `make` say), empty when it waits for nothing."""

    build: int = 0
    pages: int = 0
    attempts: int = 0
    building: bool = False
    waiting: str = ""
    errors: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "build": self.build,
                "pages": self.pages,
                "roots": list(self.roots),
                "attempts": self.attempts,
                "building": self.building,
                "waiting": self.waiting,
                "ok": not self.errors,
                "errors": list(self.errors),
            }

    def update(self, **changes: Any) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, value)


def normalize(target: str) -> str | None:
    """The request target as a clean absolute path ('/site/index.html'), or None if hostile.

    Decoded once; encoded slashes, backslashes, NUL and control characters, a '%' left after
    decoding (double encoding), dot-files and climbing above the root are refused; '.' and
    '..' segments are resolved. A trailing slash is kept.
    """
    if not target.startswith("/"):
        return None  # absolute-form targets and '*' are not for a preview server
    path = target.split("?", 1)[0].split("#", 1)[0]
    if "\\" in path or _ENCODED_SEPARATOR.search(path):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "%" in decoded or "\\" in decoded or _CONTROL.search(decoded):
        return None
    parts: list[str] = []
    for segment in decoded.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not parts:
                return None
            parts.pop()
        elif segment.startswith("."):
            return None  # .salesplay/, temporary .*.tmp files, dot-files of any kind
        else:
            parts.append(segment)
    trailing = "/" if decoded.endswith(("/", "/.", "/..")) and parts else ""
    return "/" + "/".join(parts) + trailing


WAITING_PAGE = (
    b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    b'<meta name="viewport" content="width=device-width, initial-scale=1">'
    b"<title>salesplay serve</title></head><body>"
    b"<main><h1>Waiting for a successful build</h1>"
    b"<p>This page reloads by itself when the portal is built.</p></main>"
    b"</body></html>\n"
)
_BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 22\r\nRetry-After: 1\r\nConnection: close\r\n\r\nbusy, try again soon.\n"
)


class HTTPServer(ThreadingHTTPServer):
    """One thread per connection, at most `max_connections` at once, each with a timeout."""

    daemon_threads = True
    #: the listen backlog: a page loads many files at once (was 5).
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        root: Path,
        status: Status,
        reload_js: bytes,
        timeout: float,
        max_connections: int,
    ) -> None:
        super().__init__(address, _Handler)
        self.root = root
        self.status = status
        self.reload_js = reload_js
        self.connection_timeout = timeout
        self.max_connections = max_connections
        #: what may be handed out: the served families' outputs, as the registry says.
        self.served = served_families()
        #: every output the last build recorded, by path: (size, mtime_ns) as it wrote it
        self._made: dict[str, tuple[int, int]] = {}
        self._made_of: tuple[int, int] | None = None  # the records file it was read from
        self._made_lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(max_connections)
        self.busy = 0
        self.busy_lock = threading.Lock()
        port = int(self.server_address[1])
        names = {*LOOPBACK_NAMES, address[0]}
        self.hosts = frozenset(f"{name}:{port}" for name in names)
        if port == 80:
            self.hosts |= names

    def is_made(self, rel: str, info: os.stat_result) -> bool:
        """Whether the file at `rel` (as `info` describes it) is the output the last build
        recorded there. A build puts its outputs in place, then records them: a file read in
        between waits for the records (a few milliseconds; at most RECORDS_WAIT)."""
        wanted = (info.st_size, info.st_mtime_ns)
        deadline = time.monotonic() + RECORDS_WAIT
        while self.made(rel) != wanted:
            if not self.status.snapshot()["building"] or time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def made(self, rel: str) -> tuple[int, int] | None:
        """The size and mtime a build gave the output `rel` when it wrote it (None: no build
        recorded it). Read from the records again whenever they change."""
        try:
            info = (self.root / RECORDS).stat()
            signature: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
        except OSError:
            signature = None
        with self._made_lock:
            if signature != self._made_of:
                records = Records.load(self.root) if signature is not None else Records()
                self._made = {r: (e.size, e.mtime_ns) for r, e in records.entries.items()}
                self._made_of = signature
            return self._made.get(rel)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            # Full: say so at once rather than hold the connection without a thread.
            try:
                request.setblocking(False)
                request.send(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        with self.busy_lock:
            self.busy += 1
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release()

    def _release(self) -> None:
        with self.busy_lock:
            self.busy -= 1
        self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # a client that hung up or went idle: nothing to report
        if os.environ.get("SALESPLAY_DEBUG"):
            traceback.print_exc()
            return
        sys.stderr.write(f"salesplay serve: request failed: {type(exc).__name__}: {exc}\n")


class _Handler(SimpleHTTPRequestHandler):
    server: HTTPServer

    def setup(self) -> None:
        # An idle or slow client loses its connection (and its thread) after this long.
        super().setup()
        self.connection.settimeout(self.server.connection_timeout)

    def end_headers(self) -> None:
        # A preview is never cached: each reload must show the latest build.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        # never inside another site's frame (the rep edition shown under a foreign page's
        # own controls); the portal frames none of its own pages
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", "frame-ancestors 'none'")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build output

    def _send(self, code: int, ctype: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, code: HTTPStatus, message: str) -> None:
        self.close_connection = True
        self._send(code, "text/plain; charset=utf-8", f"{message}\n".encode())

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0].strip().lower() not in self.server.hosts:
            # DNS rebinding: a page from elsewhere that resolves to 127.0.0.1.
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "unknown host")
            return
        path = normalize(self.path)
        if path is None:
            self._refuse(HTTPStatus.BAD_REQUEST, "bad path")
            return
        if self._foreign(f"http://{hosts[0].strip().lower()}", path):
            # another site's page including a file of the portal (`<script src=…>` runs the
            # search index's script and reads the rep edition): no Host check stops that
            self._refuse(HTTPStatus.FORBIDDEN, "not for another site's page")
            return
        if path == STATUS_PATH:
            body = json.dumps(self.server.status.snapshot()).encode()
            self._send(HTTPStatus.OK, "application/json", body)
        elif path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", self.server.reload_js)
        elif path in ("/", "/site", "/site/"):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", HOME_PATH)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, "image/x-icon", b"")  # none, and no console error
        elif not allowed(path, self.server.served):
            self._refuse(HTTPStatus.NOT_FOUND, "not part of the portal")
        elif path.endswith((".html", "/")):
            self._page(path)
        else:
            self._file(path)

    def _foreign(self, origin: str, path: str) -> bool:
        """Whether a page of another origin asked for `path`, other than by navigating to it
        (a link followed, which shows the page to the rep and nothing to the other site).

        Browsers say who asks in Sec-Fetch-Site; one that does not is judged by the Origin,
        else by the Referer of a request for anything but a page."""
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None:
            if site.strip().lower() in ("same-origin", "none"):
                return False
            # a link followed shows the page to the rep alone; loaded in a frame of the
            # other site's page, it is that page's
            dest = self.headers.get("Sec-Fetch-Dest", "document").strip().lower()
            mode = self.headers.get("Sec-Fetch-Mode", "").strip().lower()
            return mode != "navigate" or dest not in ("document", "")
        asker = self.headers.get("Origin")
        if asker is None and not path.endswith((".html", "/")):
            referer = urllib.parse.urlsplit(self.headers.get("Referer", ""))
            asker = f"{referer.scheme}://{referer.netloc}" if referer.netloc else None
        return asker is not None and asker.strip().lower() != origin

    def _open(self, path: str) -> tuple[int, os.stat_result] | None:
        """An open regular file for an allowed path that stays, resolved, in what is served."""
        root = self.server.root
        target = root / path.lstrip("/")
        try:
            real = target.resolve(strict=True)
            rel = real.relative_to(root)
        except (OSError, RuntimeError, ValueError):
            return None  # missing, a link loop, or a link out of build/
        if not allowed("/" + rel.as_posix(), self.server.served) or any(
            p.startswith(".") for p in rel.parts
        ):
            return None  # a link to an internal output (kits/, playbooks/…)
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        info = os.fstat(fd)
        # only what a build made, as it made it: a file put or changed in build/ by hand
        # (a copy of an internal report under partners/) is no output of a served family
        if not stat.S_ISREG(info.st_mode) or not self.server.is_made(rel.as_posix(), info):
            os.close(fd)
            return None
        return fd, info

    def _page(self, path: str) -> None:
        # the counters before the file is read: a build ending after this reloads the page
        now = self.server.status.snapshot()
        opened = self._open(path + "index.html" if path.endswith("/") else path)
        if opened is not None:
            fd, _ = opened
            with os.fdopen(fd, "rb") as stream:
                page = stream.read()
            body = inject(page, now["build"], now["pages"])
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", body)
        elif now["build"] == 0 or path == HOME_PATH:
            # Nothing built yet (or no build has succeeded): a page that shows why and
            # reloads, whichever page a rep's tab asks for (a card's tab got "not found")
            waiting = inject(WAITING_PAGE, now["build"], now["pages"])
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", waiting)
        else:
            self._refuse(HTTPStatus.NOT_FOUND, "not found")

    def _file(self, path: str) -> None:
        opened = self._open(path)
        if opened is None:
            self._refuse(HTTPStatus.NOT_FOUND, "not found")
            return
        fd, info = opened
        with os.fdopen(fd, "rb") as stream:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Length", str(info.st_size))
            self.end_headers()
            if self.command != "HEAD":
                shutil.copyfileobj(stream, self.wfile)
