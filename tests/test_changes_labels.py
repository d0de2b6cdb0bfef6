"""Change notes in an edition's language: the portal's and kits' What's new; feeds stay English."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from conftest import AS_OF, base_text, make_catalog, run_cli
from salesplay import changes, diff
from salesplay.context import Context
from salesplay.labels import labels_for
from salesplay.models import Audience
from salesplay.pipeline import check_catalog
from salesplay.resolve import Catalog

BM = "plays/backup-modernization.yaml"
VAULT = "products/vault.yaml"
REP: tuple[Audience, ...] = ("rep",)
LOCALES = {"catalog.yaml": base_text("catalog.yaml") + "locales: [de]\n"}


def _catalog(root: Path) -> Catalog:
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF))
    cat = check_catalog(ctx)
    assert cat is not None and not ctx.reporter.errors, ctx.reporter.errors
    return cat


def _revisions(tmp_path: Path) -> tuple[Catalog, Catalog]:
    """Two revisions of a catalog translated into German: the play's name translated in
    both, its summary (English only) and a capability's stage and ETA changed in the second."""
    before = make_catalog(tmp_path, LOCALES, name="before")
    assert run_cli("i18n", "extract", "--catalog", "before", cwd=tmp_path).code == 0
    po_path = before / "translations" / "de.po"
    with po_path.open("rb") as f:
        po = read_po(f)
    for message in po:
        if message.context == "play:backup-modernization:name":
            message.string = "Backup-Modernisierung"
    out = io.BytesIO()
    write_po(out, po)
    po_path.write_bytes(out.getvalue())
    edits: dict[str, str | bytes] = {
        **LOCALES,
        BM: base_text(BM).replace("summary: Replace tape", "summary: Retire tape", 1),
        VAULT: base_text(VAULT).replace(
            "status: development, eta: 2027-Q2", "status: launch-ready, eta: 2027-Q3"
        ),
        "translations/de.po": po_path.read_bytes(),
    }
    after = make_catalog(tmp_path, edits, name="after")
    return _catalog(before), _catalog(after)


def test_changes_are_told_in_the_labels_language_and_compare_translated_texts(
    tmp_path: Path,
) -> None:
    old, new = _revisions(tmp_path)
    german = labels_for("de")
    before = changes.named_editions(old, REP, german)["rep"]
    after = changes.named_editions(new, REP, german)["rep"]
    found = {c.subject: c for c in diff.diff_editions(before, after, german)}
    play = found["play:backup-modernization"]
    # both sides in German: the translated name is no change, the summary is
    assert play.fields == ("summary",)
    assert play.message == "Backup-Modernisierung geändert: Zusammenfassung"
    moves = [c.message for c in diff.diff_editions(before, after, german) if c.kind == "roadmap"]
    assert moves == [
        "Ransomware anomaly detection: von „in Entwicklung“ zu „marktreif“",
        # the ETA read from the German roadmap label ('Voraussichtlich 2027-Q2')
        "Voraussichtlicher Termin von Ransomware anomaly detection verschoben: von 2027-Q2"
        " auf 2027-Q3",
    ]
    assert [diff.SECTIONS[k] for k in diff.by_kind(found.values())] == ["Plays", "Roadmap"]
    assert german.gettext(diff.SECTIONS["roadmap"]) == "Roadmap"
    assert german.gettext(diff.SECTIONS["destination"]) == "Zielbilder und Pfade"


def test_without_labels_the_notes_stay_english_and_in_the_source_text(tmp_path: Path) -> None:
    old, new = _revisions(tmp_path)
    before = changes.named_editions(old, REP)["rep"]
    after = changes.named_editions(new, REP)["rep"]
    messages = [c.message for c in diff.diff_editions(before, after)]
    assert messages == [
        "Backup modernization changed: summary",
        "Ransomware anomaly detection moved from in development to launch-ready",
        "ETA of Ransomware anomaly detection moved from 2027-Q2 to 2027-Q3",
    ]
