"""Benchmark partner kits: one band per partner stamped on K battlecards, vs re-rendering."""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pypdf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from salesplay.render.archive import deterministic_zip
from salesplay.render.band import (
    BAND_CLEARANCE_CSS,
    BAND_HEIGHT_PT,
    BandMaker,
    Brand,
)
from salesplay.render.pdf import FONTS_CSS, PdfRenderer, fast_font_subsetting
from salesplay.render.stamp import PreparedBand, Stamper, stamp
from salesplay.render.theme import THEME_DIR
from salesplay.write import Manifest

AS_OF = date(2026, 11, 1)
A4_WIDTH = 595.2756
K = 8  # battlecards per kit
WORKERS = 2
CSS = """
@page { size: A4; margin: 20mm 13mm 96pt 13mm;
  @top-left { content: element(head); width: 100%; vertical-align: bottom }
  @bottom-left { content: element(foot); vertical-align: top; padding-top: 7pt; width: 75% }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); vertical-align: top;
    padding-top: 7pt; font: 7.5pt Inter, sans-serif; color: #5a6478; width: 25%;
    text-align: right } }
html { font: 8.6pt/1.34 Inter, sans-serif; color: #1f2937 }
.head { position: running(head); border-bottom: 1.5pt solid #0B5FFF; font-size: 8pt;
  color: #5a6478; padding-bottom: 3pt } .head img { height: 16pt; float: left }
.head span { float: right; padding-top: 4pt } .foot { position: running(foot); font-size: 7.5pt;
  color: #5a6478; border-top: .75pt solid #d1d5db; padding-top: 3pt }
h1 { font-size: 17pt; color: #0B5FFF; margin: 0 } h2 { font-size: 7.8pt; letter-spacing: .06em;
  text-transform: uppercase; color: #0B5FFF; margin: 8pt 0 3pt; break-after: avoid }
.kicker { font-size: 7pt; font-weight: bold; color: #5a6478; letter-spacing: .08em }
.summary { font-size: 9.4pt } .step { background: #eef4ff; padding: 4pt 6pt; margin: 3pt 0;
  border-radius: 3pt; break-inside: avoid } .tag { display: inline-block; padding: 0 4pt;
  border-radius: 2pt; background: #0B5FFF; color: white; font-size: 6.5pt; font-weight: bold }
.tag.cmp { background: white; color: #0B5FFF; border: .75pt solid #0B5FFF }
.grid3 { display: grid; grid-template-columns: minmax(0,1fr) minmax(0,1fr) minmax(0,1fr);
  gap: 5pt } .grid2 { display: grid; grid-template-columns: minmax(0,1fr) minmax(0,1fr); gap: 5pt 14pt }
.why { border-top: 2pt solid #0B5FFF; background: #f7f9fc; padding: 4pt 6pt; break-inside: avoid }
.claim { border-left: 2.5pt solid #0B5FFF; padding: 2pt 6pt; margin: 4pt 0; break-inside: avoid }
.claim p { margin: 1pt 0 } .muted { color: #5a6478 } dl { display: grid;
  grid-template-columns: 52pt minmax(0,1fr); gap: 2pt 6pt; margin: 4pt 0 } dt { font-size: 6.8pt;
  font-weight: bold; color: #5a6478 } dd { margin: 0 } ol, ul { margin: 2pt 0; padding-left: 12pt }
table { border-collapse: collapse; width: 100% } td, th { border-bottom: .5pt solid #d1d5db;
  padding: 2pt 3pt; vertical-align: top; text-align: left } tr { break-inside: avoid }
.decoder { font-size: 7.5pt; color: #4b5563 }
"""
LOREM = (
    "Your backups are the first thing ransomware deletes; restores take days, and insurers"
    " now ask for <b>immutable</b>, off-site copies at renewal."
)


def card_html(sections: int, band: str = "") -> str:
    """A battlecard much like the real template: running head/foot, grids, badges, tables."""
    steps = "".join(
        f'<div class="step"><span class="tag">Step {i} of 2</span> on the path <b>From nightly'
        f" backup to proven recovery → Unified hybrid cloud</b><br><span class=kicker>CUSTOMER"
        f" TODAY</span> Backups on tape; restores untested · <span class=kicker>GOAL</span> All"
        " critical workloads immutable and off-site</div>"
        for i in (1, 2)
    )
    why = "".join(
        f'<div class="why"><b>{t}</b><p>{LOREM}</p></div>'
        for t in ("Why do anything?", "Why now?", "Why us?")
    )
    claims = "".join(
        f'<div class="claim"><p><span class="tag{" cmp" if i % 2 else ""}">'
        f"{'COMPARATIVE' if i % 2 else 'UNIQUE'}</span> <b>Every backup is immutable by default,"
        f" at no extra cost ({i}).</b></p><p><b>vs Acme Backup:</b> Acme sells immutability as a"
        " paid add-on tier, so many customers run without it.</p><p class=muted><span"
        " class=kicker>PROOF</span> Independent lab test, 2026: 0 of 500 locked snapshots"
        " could be altered or deleted, even with full admin rights. Source</p></div>"
        for i in range(sections)
    )
    questions = "".join(
        f"<li>When did you last restore a full system ({i}), and how long did it take?</li>"
        for i in range(sections)
    )
    qualify = "".join(f"<li>☐ Economic buyer identified ({i})</li>" for i in range(sections))
    rows = "".join(
        f"<tr><td>“We already have backups ({i}).”</td><td>So did the last hospitals hit — ask"
        " how long their <b>restore</b> took, and what a day of downtime costs.</td></tr>"
        for i in range(sections)
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="card.css"></head><body>'
        '<div class="head"><img src="company.svg" alt="Northwind"><span><b>Backup'
        " modernization</b> · battlecard</span></div>"
        '<div class="foot">As of 2026-11-01 · Rep edition — for the sales team, not for'
        " customers</div><p class=kicker>BATTLECARD · NORTHWIND VAULT</p>"
        "<h1>Backup modernization</h1><p class=summary>Replace tape and legacy backup with"
        " immutable, off-site copies — Müller &amp; Søn, Straße, José Peña.</p>"
        f"<h2>The 30-second version</h2>{steps}<div class=grid3>{why}</div>"
        "<dl><dt>TALK TO</dt><dd>Head of infrastructure, Backup administrator · signs: CIO</dd>"
        "<dt>WHERE</dt><dd>mid-market; healthcare, manufacturing, education</dd><dt>LISTEN FOR"
        "</dt><dd>Backup software renewal within 6 months · A restore took more than a day</dd>"
        f"</dl><h2>Differentiators and proof</h2>{claims}<div class=grid2><div><h2>Discovery"
        f" questions</h2><ol>{questions}</ol></div><div><h2>Qualify before you invest</h2><ul>"
        f"{qualify}</ul></div></div><h2>Objections</h2><table><tr><th>They say</th><th>You say"
        f"</th></tr>{rows}</table><h2>Next steps</h2><p>Book a 30-minute restore-readiness"
        " workshop.</p><p class=decoder><b>RPO</b>: recovery point objective — how much recent"
        f" data you can afford to lose.</p>{band}</body></html>"
    )


def partners(root: Path, n: int) -> list[Brand]:
    """n partners: half with PNG logos of varied aspect, one in six SVG, the rest no logo."""
    from PIL import Image, ImageDraw

    root.mkdir(parents=True, exist_ok=True)
    brands = []
    for i in range(n):
        rng = random.Random(i)
        colour = f"#{rng.randrange(0x1000000):06x}"
        logo: Path | None = None
        if i % 2 == 0:
            w = rng.choice((600, 400, 240, 160))
            h = rng.choice((120, 160, 240, 480))
            img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
            draw = ImageDraw.Draw(img)
            draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=min(w, h) // 6, fill=colour)
            draw.ellipse((h // 8, h // 8, h - h // 8, h - h // 8), fill="white")
            logo = root / f"p{i}.png"
            img.save(logo)
        elif i % 6 in (1, 3):
            logo = root / f"p{i}.svg"
            logo.write_text(
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 80">'
                f'<rect width="300" height="80" rx="12" fill="{colour}"/>'
                '<circle cx="40" cy="40" r="28" fill="#fff"/></svg>'
            )
        name = f"Partner {i} {rng.choice(('IT', 'Systems GmbH', 'Solutions', 'Søn & Co'))}"
        contacts = (
            rng.choice(("Dana Ruiz", "Jürgen Groß", "Ana Peña", "Kari Nordmann")),
            f"sales@partner{i}.example",
            f"+1 555 {i:04d}",
            f"https://partner{i}.example",
        )
        brands.append(Brand(name, logo, contacts, colour))
    return brands


def kit(brand: Brand, maker: BandMaker, stampers: Sequence[Stamper]) -> tuple[bytes, float, float]:
    """One partner's zip kit; returns it with the CPU seconds spent on the band and stamps."""
    t0 = time.process_time()
    band = PreparedBand.of(maker.band(brand))
    t1 = time.process_time()
    pdfs = [
        (f"kit/battlecards/play-{k}.pdf", stampers[k % len(stampers)].stamp(band)) for k in range(K)
    ]
    t2 = time.process_time()
    manifest = Manifest.of(pdfs, as_of=AS_OF, revision=None).to_json()
    return deterministic_zip([*pdfs, ("kit/manifest.json", manifest)], date=AS_OF), t1 - t0, t2 - t1


def worker(
    brands: Sequence[Brand], maker: BandMaker, stampers: Sequence[Stamper], out: Connection
) -> None:
    start = time.process_time()
    band_s = stamp_s = 0.0
    size = 0
    for brand in brands:
        data, b, s = kit(brand, maker, stampers)
        band_s, stamp_s, size = band_s + b, stamp_s + s, size + len(data)
    maker.close()  # this worker's WeasyPrint font folder (SVG logos)
    cpu = time.process_time() - start
    out.send((band_s, stamp_s, size, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    out.close()


def run_kits(
    brands: Sequence[Brand], maker: BandMaker, stampers: Sequence[Stamper]
) -> dict[str, float]:
    """All kits on WORKERS forked processes (static split: kits cost about the same)."""
    ctx = multiprocessing.get_context("fork")
    start = time.perf_counter()
    procs, pipes = [], []
    for w in range(WORKERS):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=worker, args=(brands[w::WORKERS], maker, stampers, send))
        proc.start()
        procs.append(proc)
        pipes.append(recv)
    results = [pipe.recv() for pipe in pipes]
    for proc in procs:
        proc.join()
    return {
        "wall": time.perf_counter() - start,
        "band": sum(r[0] for r in results),
        "stamp": sum(r[1] for r in results),
        "mb_out": sum(r[2] for r in results) / 1e6,
        "cpu_max": max(r[3] for r in results),
        "rss": max(r[4] for r in results) / 1024,
    }


def per_call(fn: Callable[..., object], items: Sequence[Any], *, star: bool = False) -> float:
    """Median CPU seconds of fn(item) (fn(*item) with star) over items.

    CPU rather than wall time: the build machines are shared, and the CPU time of
    single-threaded work is what 2 idle cores would take.
    """
    times = []
    for item in items:
        t = time.process_time()
        fn(*item) if star else fn(item)
        times.append(time.process_time() - t)
    return sorted(times)[len(times) // 2]


def stamp_rewrite(pdf: bytes, band: bytes) -> bytes:
    """Alternative: add one shared form to every page with pikepdf and rewrite the file."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc, pikepdf.open(io.BytesIO(band)) as b:
        form = doc.copy_foreign(b.pages[0].as_form_xobject())
        for page in doc.pages:
            page.resources.XObject["/SPBand"] = form
            page.contents_add(b"q\n", prepend=True)
            page.contents_add(b"\nQ q /SPBand Do Q\n")
        out = io.BytesIO()
        doc.save(out, deterministic_id=True, fix_metadata_version=False)
        return out.getvalue()


def stamp_add_overlay(pdf: bytes, band: bytes) -> bytes:
    """Alternative: pikepdf's Page.add_overlay with one shared form (random resource names)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc, pikepdf.open(io.BytesIO(band)) as b:
        form = doc.copy_foreign(b.pages[0].as_form_xobject())
        for page in doc.pages:
            page.add_overlay(form, pikepdf.Rectangle(0, 0, A4_WIDTH, BAND_HEIGHT_PT))
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
        return out.getvalue()


def stamp_pypdf(pdf: bytes, band: bytes) -> bytes:
    """Alternative: pypdf merge_page (what MEASURED.md timed)."""
    import pypdf

    band_page = pypdf.PdfReader(io.BytesIO(band)).pages[0]
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        page.merge_page(band_page)
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--rerender-sample", type=int, default=10)
    args = parser.parse_args(argv)
    n = args.partners
    small = max(n // 10, 2)
    print(f"libharfbuzz-subset: {'yes' if fast_font_subsetting() else 'NO (fontTools subsets)'}")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-stamp-") as tmp:
        assets = Path(tmp) / "assets"
        brands = partners(assets, n)
        (assets / "card.css").write_text(CSS + BAND_CLEARANCE_CSS)
        (assets / "company.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 32"><rect width="32"'
            ' height="32" rx="6" fill="#0B5FFF"/><text x="40" y="22" font-size="16">Northwind'
            "</text></svg>"
        )
        opts: dict[str, Any] = dict(
            base_url=assets.as_uri() + "/",
            roots=[assets, THEME_DIR],
            as_of=AS_OF,
            stylesheets=[FONTS_CSS],
        )
        renderer = PdfRenderer()  # as render_many's workers do: one per process
        renderer.render(card_html(2), title="warm-up", **opts)
        t = time.process_time()
        cards = [renderer.render(card_html(s), title=f"Card {s}", **opts)[0] for s in (1, 6)]
        render_s = (time.process_time() - t) / len(cards)
        pages = [len(pypdf.PdfReader(io.BytesIO(c)).pages) for c in cards]
        t = time.process_time()
        maker = BandMaker(roots=[assets], as_of=AS_OF, width_pt=A4_WIDTH, height_pt=BAND_HEIGHT_PT)
        maker_s = time.process_time() - t
        t = time.process_time()
        stampers = [Stamper(cards[k % 2]) for k in range(K)]  # a kit holds K distinct cards
        stamper_s = (time.process_time() - t) / K

        sample = brands[: min(60, n)]
        band_draw = per_call(maker.band, sample)
        band_weasy = per_call(lambda b: maker.band(b, engine="weasyprint"), sample)
        band = maker.band(brands[0])
        prepare_s = per_call(PreparedBand.of, [band] * 20)
        prepared = PreparedBand.of(band)
        two = cards[1]
        techniques: dict[str, tuple[Callable[..., object], tuple[Any, ...]]] = {
            "Stamper.stamp(prepared band): kits": (stampers[1].stamp, (prepared,)),
            "stamp(pdf, band), nothing prepared": (stamp, (two, band)),
            "pikepdf shared form, file rewritten": (stamp_rewrite, (two, band)),
            "pikepdf add_overlay": (stamp_add_overlay, (two, band)),
            "pypdf merge_page": (stamp_pypdf, (two, band)),
        }
        stamp_times = {k: per_call(f, [a] * 15, star=True) for k, (f, a) in techniques.items()}
        kit_s = per_call(lambda b: kit(b, maker, stampers), sample[: len(sample) // 2])

        phase = {m: run_kits(brands[:m], maker, stampers) for m in (small, n)}

        # Re-rendering: each battlecard rendered again with the partner's band in its HTML.
        def rerender(brand: Brand) -> bytes:
            logo = f'<img src="{brand.logo.name}" style="height:30pt">' if brand.logo else ""
            foot = (
                '<div style="position: fixed; bottom: -60pt; left: 0; font-size: 8pt">'
                f"{logo} Your partner: <b>{brand.name}</b> · {' · '.join(brand.contact_lines)}</div>"
            )
            return renderer.render(card_html(6, foot), title="Card", **opts)[0]

        rerender_s = per_call(rerender, brands[: args.rerender_sample])
        maker.close()
        renderer.close()

    ms = 1000.0
    per_partner_rerender = K * rerender_s
    rows = [
        (
            f"battlecard render, WeasyPrint ({pages[0]} and {pages[1]} pages)",
            f"{render_s * ms:.0f} ms",
        ),
        ("BandMaker(), once per process", f"{maker_s * ms:.0f} ms"),
        ("Stamper(card), once per card and process", f"{stamper_s * ms:.1f} ms"),
        ("band drawn with pikepdf (median)", f"{band_draw * ms:.1f} ms"),
        ("band rendered by WeasyPrint (median)", f"{band_weasy * ms:.1f} ms"),
        ("PreparedBand.of(band), once per partner", f"{prepare_s * ms:.2f} ms"),
        *((f"stamp {pages[1]}-page card: {k}", f"{v * ms:.2f} ms") for k, v in stamp_times.items()),
        (f"kit: band + {K} stamps + manifest + zip", f"{kit_s * ms:.1f} ms"),
    ]
    for m, r in phase.items():
        rows += [
            (f"{m} partners, {WORKERS} workers: wall", f"{r['wall']:.1f} s"),
            ("  CPU of the busier worker (= idle wall)", f"{r['cpu_max']:.1f} s"),
            ("  CPU in bands / in stamps, all workers", f"{r['band']:.1f} / {r['stamp']:.1f} s"),
            ("  peak RSS of a worker", f"{r['rss']:.0f} MB"),
            ("  kits written (zip bytes)", f"{r['mb_out']:.0f} MB"),
        ]
    idle = phase[n]["cpu_max"]
    rows += [
        (f"re-render {K} cards for one partner", f"{per_partner_rerender:.2f} s"),
        ("speed-up per partner (re-render / kit)", f"{per_partner_rerender / kit_s:.0f}x"),
        (
            f"re-render {n} partners, {WORKERS} workers (est.)",
            f"{n * per_partner_rerender / 1.75:.0f} s",
        ),
        (
            f"{n} partners within 60 s on {WORKERS} cores",
            f"{'yes' if idle <= 60 else 'NO'} ({idle:.1f} s)",
        ),
        ("parent peak RSS", f"{rss_mb():.0f} MB"),
        ("load average at the end (shared machine)", f"{os.getloadavg()[0]:.1f}"),
    ]
    print(f"\n{'measure (CPU time unless wall)':<48}{'value':>12}")
    for label, value in rows:
        print(f"{label:<48}{value:>12}")


if __name__ == "__main__":
    main()
