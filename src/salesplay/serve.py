"""`salesplay serve`: build, serve the portal on 127.0.0.1, rebuild on save and reload the page."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from salesplay.context import UsageError
from salesplay.diagnostics import display_path
from salesplay.render.templates import THEME_DIR
from salesplay.serve_http import (
    HOME_PATH,
    SCRIPT_PATH,
    SERVED,
    STATUS_PATH,
    WAITING_PAGE,
    HTTPServer,
    Status,
    inject,
)

# Re-exported: the HTTP side used to live here.
__all__ = [
    "HOME_PATH",
    "SCRIPT_PATH",
    "SERVED",
    "STATUS_PATH",
    "WAITING_PAGE",
    "ServeOptions",
    "Server",
    "Status",
    "error_lines",
    "inject",
    "serve",
    "shown",
]

RELOAD_JS = THEME_DIR / "portal" / "live-reload.js"
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
# file:line[:col]: severity: message, as the build prints it.
_DIAGNOSTIC = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+)(?::\d+)?: (?P<sev>error|warning): (?P<msg>.*)$"
)
# The template names a built-in template pulls in, e.g. {% import "macros.html" as m %}.
_TEMPLATE_REF = re.compile(r"""\{%-?\s*(?:extends|import|include|from)\s+["']([^"']+)["']""")


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
    #: seconds a client may stay idle before its connection (and thread) is dropped.
    timeout: float = 15.0
    #: connections answered at once; more get "503 busy" straight away.
    max_connections: int = 32


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


def _builtin_name(file: str) -> str | None:
    """The theme name ('battlecard.html') of a path inside the built-in theme, else None."""
    path = Path(file)
    if not path.is_absolute():
        return None
    try:
        return path.resolve().relative_to(THEME_DIR).as_posix()
    except (OSError, ValueError):
        return None


def overrides_used(name: str, templates: Path) -> list[str]:
    """The project's overrides that built-in template `name` pulls in, at any depth."""
    found = [name] if (templates / name).is_file() else []  # reached by extending default/
    seen, todo = {name}, [name]
    while todo:
        try:
            source = (THEME_DIR / todo.pop(0)).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for ref in _TEMPLATE_REF.findall(source):
            builtin = ref.removeprefix("default/")
            if builtin in seen:
                continue
            seen.add(builtin)
            if ref == builtin and (templates / ref).is_file():
                found.append(ref)  # the loader picks the project's file over the built-in
            else:
                todo.append(builtin)
    return found


def _scrub(line: str) -> str:
    """The line without install paths (the theme, the package, Python) or the cwd prefix."""
    package = Path(__file__).resolve().parent
    labels = {
        f"{THEME_DIR}{os.sep}": "default/",
        f"{package}{os.sep}": "salesplay/",
        f"{sys.prefix}{os.sep}": "<python>/",
        f"{sys.base_prefix}{os.sep}": "<python>/",
        f"{Path.cwd()}{os.sep}": "",
    }
    for prefix in sorted(labels, key=len, reverse=True):
        line = line.replace(prefix, labels[prefix])
    return line


def shown(line: str, templates: Path) -> str:
    """A build output line as serve shows it: project-relative, no install paths, and a fault
    in a built-in template that uses the project's overrides put on the override."""
    match = _DIAGNOSTIC.match(line)
    name = _builtin_name(match["file"]) if match else None
    if match and name is not None:
        where = f"default/{name}:{match['line']}"
        used = overrides_used(name, templates)
        if used:
            yours = ", ".join(display_path(templates / rel) for rel in used)
            line = (
                f"{display_path(templates / used[0])}: {match['sev']}: {match['msg']}"
                f" (raised in the built-in {where}, which uses your {yours})"
            )
        else:
            line = f"{where}: {match['sev']}: {match['msg']}"
    return _scrub(line)


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
        for raw in proc.stdout:
            line = shown(raw.rstrip("\n"), self.options.templates)
            self.log.write(line + "\n")
            self.log.flush()
            lines.append(line)
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


class Server:
    """The HTTP server, the builder and the file watcher of one `salesplay serve`."""

    def __init__(self, options: ServeOptions, log: TextIO | None = None) -> None:
        self.options = options
        self.log = log or sys.stderr
        self.status = Status()
        self.builder = Builder(options, self.status, self.log)
        self.stopping = threading.Event()
        self.httpd: HTTPServer | None = None
        self.threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        assert self.httpd is not None
        return int(self.httpd.server_address[1])

    def busy(self) -> int:
        """Connections being answered right now."""
        return self.httpd.busy if self.httpd is not None else 0

    @property
    def url(self) -> str:
        return f"http://{self.options.host}:{self.port}{HOME_PATH}"

    def watched(self) -> list[Path]:
        return [d.resolve() for d in (self.options.catalog, self.options.templates) if d.is_dir()]

    def start(self) -> None:
        out = self.options.out
        out.mkdir(parents=True, exist_ok=True)
        try:
            self.httpd = HTTPServer(
                (self.options.host, self.options.port),
                root=out.resolve(),
                status=self.status,
                reload_js=RELOAD_JS.read_bytes(),
                timeout=self.options.timeout,
                max_connections=self.options.max_connections,
            )
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {self.options.port} is in use on {self.options.host}"
                    f" (try --port {self.options.port + 1})"
                ) from None
            raise
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
            return default(change, path) and not (path == out or path.startswith(out + os.sep))

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
