"""`salesplay serve`: build, serve the portal on 127.0.0.1, rebuild on save and reload the page.

One module each: kinds (what is served and rebuilt when, from the family registry), httpd
(HTTP), process and worker (the warm build process and its JSON results), scheduler (the
order of builds), reload (the page script and the file watcher), messages (wording).
"""

from __future__ import annotations

import contextlib
import errno
import sys
import threading
from pathlib import Path
from typing import TextIO

from salesplay import interrupts
from salesplay.context import UsageError
from salesplay.serve.httpd import HOME_PATH, STATUS_PATH, WAITING_PAGE, HTTPServer, Status
from salesplay.serve.kinds import allowed, quick_kinds, served_families, slow_kinds
from salesplay.serve.messages import error_lines, shown
from salesplay.serve.options import ServeOptions
from salesplay.serve.process import BuildProcess
from salesplay.serve.reload import RELOAD_JS, SCRIPT_PATH, inject, watch
from salesplay.serve.scheduler import Builder

__all__ = [
    "HOME_PATH",
    "SCRIPT_PATH",
    "STATUS_PATH",
    "WAITING_PAGE",
    "ServeOptions",
    "Server",
    "Status",
    "allowed",
    "error_lines",
    "inject",
    "quick_kinds",
    "serve",
    "served_families",
    "shown",
    "slow_kinds",
]


class Server:
    """The HTTP server, the builder and the file watcher of one `salesplay serve`."""

    def __init__(self, options: ServeOptions, log: TextIO | None = None) -> None:
        self.options = options
        self.log = log or sys.stderr
        self.status = Status()
        process = BuildProcess(
            options.catalog,
            options.templates,
            options.out,
            options.as_of,
            self.log,
            waiting=lambda message: self.status.update(waiting=message),
        )
        self.builder = Builder(process, options.slow, self.status)
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
        if out.is_symlink() and not out.exists():
            raise UsageError(f"--out '{out}' is a broken symbolic link")  # as build says it
        made = not out.exists()
        try:
            from salesplay.write import FOLDER_MODE

            out.mkdir(FOLDER_MODE, parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--out '{out}' cannot be made: {exc.strerror}") from None
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
            if made:
                # nothing was served: the folder made for it goes, as a failed build leaves none
                with contextlib.suppress(OSError):
                    out.rmdir()
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
            threading.Thread(
                target=watch,
                args=(self.watched, out, self.builder.request, self.stopping),
                name="salesplay-watch",
                daemon=True,
            ),
        ]
        for thread in self.threads:
            thread.start()

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
        interrupts.clear()  # the user's way to stop serve: exit 0
        server.log.write("\nstopping\n")
    finally:
        server.stop()
    return 0
