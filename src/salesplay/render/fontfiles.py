"""WeasyPrint font configurations whose @font-face files live in memory, not in a temp folder."""

from __future__ import annotations

import os
import shutil
from typing import Any

#: where Linux names a process's open file; fontconfig and FreeType open a font by its path
_FD_PATH = "/proc/self/fd/{}"


class _MemoryFile:
    """One @font-face file of a configuration: WeasyPrint 70 asks a font's path whether it
    exists, writes its bytes there and hands fontconfig its POSIX path; nothing else."""

    def __init__(self, folder: MemoryFolder, name: str) -> None:
        self.folder, self.name = folder, name

    def exists(self) -> bool:
        return self.name in self.folder.files

    def write_bytes(self, data: bytes) -> int:
        return self.folder.write(self.name, data)

    def as_posix(self) -> str:
        return _FD_PATH.format(self.folder.files[self.name])


class MemoryFolder:
    """Stands for FontConfiguration._folder: each font WeasyPrint stores there is an
    anonymous file in memory (memfd), which fontconfig opens by its /proc/self/fd path.

    A temp folder of font copies, WeasyPrint's own way, was left behind in the system's
    temp folder by every process killed while it rendered (a stopped build's workers, a
    save that `serve` overtook): outside --out, and never removed. A memory file goes with
    its process, however it ends. Forked children keep their parent's open (a child makes a
    configuration of its own, see PdfRenderer); a program run by the build does not get
    them (close-on-exec)."""

    def __init__(self) -> None:
        self.files: dict[str, int] = {}

    def __truediv__(self, name: str) -> _MemoryFile:
        return _MemoryFile(self, name)

    def __bool__(self) -> bool:
        # FontConfiguration.__del__ removes a true folder with shutil.rmtree: none here
        return False

    def write(self, name: str, data: bytes) -> int:
        fd = os.memfd_create(f"salesplay-font-{name}", os.MFD_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except BaseException:
            os.close(fd)
            raise
        old = self.files.get(name)
        self.files[name] = fd
        if old is not None:
            os.close(old)  # a source tried before this one, which fontconfig refused
        return len(data)

    def close(self) -> None:
        for fd in self.files.values():
            os.close(fd)
        self.files.clear()


def font_configuration() -> Any:
    """A WeasyPrint FontConfiguration that writes no file (see MemoryFolder); where memory
    files are not to be had (not Linux), one with WeasyPrint's temp folder, which `discard`
    removes. Import WeasyPrint first (render.weasy.load)."""
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
        config._folder = MemoryFolder()
    return config


def discard(config: Any) -> None:
    """Free what `config`'s @font-face files hold, memory or temp folder, now: its __del__
    does not run in forked workers, and never closes memory files."""
    folder = getattr(config, "_folder", None)
    if isinstance(folder, MemoryFolder):
        folder.close()
    elif folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    config._folder = None


def disown(config: Any) -> None:
    """Let go of a configuration a forked child inherited: its files are its parent's to
    free (a temp folder removed here would be removed under the parent)."""
    folder = getattr(config, "_folder", None)
    if isinstance(folder, MemoryFolder):
        folder.close()  # the child's copies of the descriptors; the parent keeps its own
    config._folder = None
