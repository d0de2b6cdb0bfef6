"""One partner's kit built from the minimal catalog with stand-in member PDFs (for tests about
what a kit build plans, keeps and reuses, not about WeasyPrint)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from conftest import AS_OF, MINIMAL, make_catalog, run_cli
from salesplay.families import base
from salesplay.render import pdf

PARTNER = "blue-river"  # its logo is an SVG: its band goes through WeasyPrint
ZIP = f"kits/{PARTNER}.zip"


def blank(_renderer: object, job: pdf.RenderJob, _parts: object = None) -> tuple[bytes, list[str]]:
    """A one-page stand-in for a member PDF, naming the page it stands for."""
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(595.28, 841.89))
    doc.docinfo["/Title"] = job.title
    doc.docinfo["/Subject"] = hashlib.sha256(job.html.encode()).hexdigest()
    buf = io.BytesIO()
    doc.save(buf, deterministic_id=True)
    return buf.getvalue(), []


def stand_in(patch: pytest.MonkeyPatch) -> None:
    """Member PDFs are stand-in pages from here on (bands and decks stay real)."""
    patch.setattr(pdf, "render_job", blank)
    patch.setattr(base, "_pdf_renderer", lambda: None)


def kit(project: Path, *options: str) -> bytes:
    """`salesplay kit PARTNER` in `project`; the kit's bytes."""
    done = run_cli("kit", PARTNER, "--as-of", AS_OF, "--jobs", "1", *options, cwd=project)
    assert done.code == 0, done.stderr
    return (project / "build" / ZIP).read_bytes()


@contextlib.contextmanager
def built(factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A project with the minimal catalog and PARTNER's kit built once, with stand-ins (made
    in place: a plan's key names the catalog's path, so a copy would plan afresh)."""
    with pytest.MonkeyPatch.context() as patch:
        stand_in(patch)
        root = factory.mktemp(name)
        make_catalog(root)
        kit(root)
        yield root


def restore(project: Path) -> None:
    """Put the project back as it was made: minimal's catalog, no template folder (a test
    edited them)."""
    shutil.rmtree(project / "plays")
    shutil.copytree(MINIMAL, project / "plays")
    shutil.rmtree(project / "templates", ignore_errors=True)
