"""`salesplay serve`: build, serve the portal on 127.0.0.1, rebuild on save and reload the page."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from salesplay.context import UsageError
from salesplay.render.templates import THEME_DIR

STATUS_PATH = "/__salesplay__/status"
SCRIPT_PATH = "/__salesplay__/reload.js"
HOME_PATH = "/site/index.html"
RELOAD_JS = THEME_DIR / "portal" / "live-reload.js"
#: what the server hands out below build/: the site and what it links to, never kits or
#: the internal playbooks.
SERVED = ("site/", "battlecards/", "decks/", "reports/", "matrix.html", "matrix.pdf")
#: what is rebuilt first after a save, so that the page reloads within a second or two.
QUICK_KINDS = ("site", "reports")
#: then, in the background, what the portal links to (kits and playbooks are not served).
SLOW_KINDS = ("battlecards", "decks", "matrix")

# An interrupted build exits quietly, even while still importing.
_CHILD = (
    "import sys\n"
    "try:\n"
    "    from salesplay.cli import main\n"
    "    main()\n"
    "except KeyboardInterrupt:\n"
    "    sys.exit(130)\n"
)
_ERROR_LINE = re.compile(r": error: |^build stopped|^salesplay: ")
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class ServeOptions:
    """What `salesplay serve` was asked for."""

    catalog: Path
    templates: Path
    out: Path
    port: int = 8000
    host: str = "127.0.0.1"
    as_of: str | None = None
    #: rebuilt in the background after the quick rebuild; empty: nothing more.
    slow: tuple[str, ...] = SLOW_KINDS


@dataclass
class Status:
    """What the page polls: a counter of successful builds and the last error lines."""

    build: int = 0
    attempts: int = 0
    building: bool = False
    errors: tuple[str, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "build": self.build,
                "attempts": self.attempts,
                "building": self.building,
                "ok": not self.errors,
                "errors": list(self.errors),
            }

    def update(self, **changes: Any) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(self, name, value)


def build_command(options: ServeOptions, only: tuple[str, ...]) -> list[str]:
    """`salesplay build …` as a child process: a fault in the build never stops the server,
    and the build's forked PDF workers never fork this threaded process."""
    cmd = [sys.executable, "-c", _CHILD, "build"]
    cmd += ["--catalog", str(options.catalog), "--templates", str(options.templates)]
    cmd += ["--out", str(options.out)]
    if options.as_of:
        cmd += ["--as-of", options.as_of]
    for kind in only:
        cmd += ["--only", kind]
    return cmd


def error_lines(output: list[str], code: int) -> tuple[str, ...]:
    """The compiler-style lines of a failed build (its last lines when none look like one)."""
    if code == 0:
        return ()
    lines = [line for line in output if _ERROR_LINE.search(line)]
    return tuple(lines or output[-5:] or [f"build failed with exit code {code}"])


class Builder:
    """Runs builds one at a time in a thread; a save during the slow phase cancels it."""

    def __init__(self, options: ServeOptions, status: Status, log: TextIO) -> None:
        self.options, self.status, self.log = options, status, log
        self.wanted = threading.Event()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.slow: subprocess.Popen[str] | None = None
        self.interrupted = 0  # slow builds cut short by a newer save
        self.thread = threading.Thread(target=self._loop, name="salesplay-build", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def request(self) -> None:
        """Rebuild soon; a running slow build is stale already, so it is interrupted."""
        self.wanted.set()
        self._interrupt()

    def stop(self) -> None:
        self.stopping.set()
        self.wanted.set()
        self._interrupt()
        self.thread.join(timeout=15)
        with self.lock:
            proc = self.slow
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            self.thread.join(timeout=5)

    def _interrupt(self) -> None:
        with self.lock:
            proc = self.slow
        if proc is not None and proc.poll() is None:
            # SIGINT to the build alone: it removes its temporary files and terminates its
            # PDF workers quietly (a signal to the whole group makes each print a traceback).
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGINT)

    def _run(self, only: tuple[str, ...], slow: bool) -> tuple[int, list[str]]:
        proc = subprocess.Popen(
            build_command(self.options, only),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        if slow:
            with self.lock:
                self.slow = proc
        lines: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            self.log.write(line)
            self.log.flush()
            lines.append(line.rstrip("\n"))
        code = proc.wait()
        with self.lock:
            self.slow = None
        return code, lines

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.wanted.wait()
            if self.stopping.is_set():
                return
            self.wanted.clear()
            self.status.update(building=True)
            code, lines = self._run(QUICK_KINDS, slow=False)
            with self.status.lock:
                self.status.attempts += 1
                self.status.errors = error_lines(lines, code)
                if code == 0:
                    self.status.build += 1
            if code != 0 or not self.options.slow or self.wanted.is_set():
                self.status.update(building=self.wanted.is_set())
                continue
            code, lines = self._run(self.options.slow, slow=True)
            if self.wanted.is_set() or self.stopping.is_set():
                self.interrupted += code != 0
                continue  # superseded by a newer save: its result no longer matters
            self.status.update(building=False, errors=error_lines(lines, code))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    status: Status
    reload_js: bytes


class _Handler(SimpleHTTPRequestHandler):
    server: _HTTPServer

    def end_headers(self) -> None:
        # A preview is never cached: each reload must show the latest build.
        self.send_header("Cache-Control", "no-store")
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

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == STATUS_PATH:
            body = json.dumps(self.server.status.snapshot()).encode()
            self._send(HTTPStatus.OK, "application/json", body)
            return
        if path == SCRIPT_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", self.server.reload_js)
            return
        if path in ("/", "/site", "/site/"):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", HOME_PATH)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, "image/x-icon", b"")  # none, and no console error
            return
        if not path.lstrip("/").startswith(SERVED):
            self.send_error(HTTPStatus.NOT_FOUND, "not part of the portal")
            return
        if path.endswith((".html", "/")):
            self._page(path)
            return
        super().do_GET()

    def _page(self, path: str) -> None:
        file = Path(self.translate_path(path))
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", inject(file.read_bytes()))
        elif self.server.status.snapshot()["attempts"] == 0 or path == HOME_PATH:
            # Nothing built yet (or the first build failed): a page that shows why and reloads.
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", WAITING_PAGE)
        else:
            self.send_error(HTTPStatus.NOT_FOUND)


WAITING_PAGE = (
    b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    b'<meta name="viewport" content="width=device-width, initial-scale=1">'
    b"<title>salesplay serve</title></head><body>"
    b"<main><h1>Waiting for a successful build</h1>"
    b"<p>This page reloads by itself when the portal is built.</p></main>"
    b'<script src="/__salesplay__/reload.js"></script></body></html>\n'
)


def inject(page: bytes) -> bytes:
    """The page with the live-reload script before its last </body> (at the end if none)."""
    tag = f'<script src="{SCRIPT_PATH}"></script>\n'.encode()
    ends = list(_BODY_END.finditer(page))
    if not ends:
        return page + tag
    at = ends[-1].start()
    return page[:at] + tag + page[at:]


class Server:
    """The HTTP server, the builder and the file watcher of one `salesplay serve`."""

    def __init__(self, options: ServeOptions, log: TextIO | None = None) -> None:
        self.options = options
        self.log = log or sys.stderr
        self.status = Status()
        self.builder = Builder(options, self.status, self.log)
        self.stopping = threading.Event()
        self.httpd: _HTTPServer | None = None
        self.threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        assert self.httpd is not None
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self.port}{HOME_PATH}"

    def watched(self) -> list[Path]:
        return [d.resolve() for d in (self.options.catalog, self.options.templates) if d.is_dir()]

    def start(self) -> None:
        out = self.options.out
        out.mkdir(parents=True, exist_ok=True)
        handler = partial(_Handler, directory=str(out.resolve()))
        try:
            self.httpd = _HTTPServer((self.options.host, self.options.port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {self.options.port} is in use on {self.options.host}"
                    f" (try --port {self.options.port + 1})"
                ) from None
            raise
        self.httpd.status = self.status
        self.httpd.reload_js = RELOAD_JS.read_bytes()
        self.builder.start()
        self.builder.request()
        self.threads = [
            threading.Thread(target=self.httpd.serve_forever, name="salesplay-http", daemon=True),
            threading.Thread(target=self._watch, name="salesplay-watch", daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _watch(self) -> None:
        import watchfiles

        out = str(self.options.out.resolve())
        default = watchfiles.DefaultFilter()

        def wanted(change: watchfiles.Change, path: str) -> bool:
            # Outputs written inside a watched folder must not trigger the next build.
            return default(change, path) and not path.startswith(out)

        for _changes in watchfiles.watch(
            *self.watched(),
            watch_filter=wanted,
            debounce=150,
            step=50,
            stop_event=self.stopping,
            raise_interrupt=False,
        ):
            self.builder.request()

    def stop(self) -> None:
        self.stopping.set()
        self.builder.stop()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        for thread in self.threads:
            thread.join(timeout=10)

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(options: ServeOptions) -> int:
    """Serve until Ctrl-C; 0 when stopped by the user."""
    server = Server(options)
    server.start()
    folders = " and ".join(f"{d}/" for d in (options.catalog, options.templates) if d.is_dir())
    server.log.write(f"serving {server.url} — watching {folders}; Ctrl-C to stop\n")
    server.log.flush()
    try:
        server.stopping.wait()
    except KeyboardInterrupt:
        server.log.write("\nstopping\n")
    finally:
        server.stop()
    return 0
