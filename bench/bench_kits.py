"""Benchmark partner kits: N generated partners vs re-rendering each partner's files naively.

    .venv/bin/python bench/bench_kits.py [--partners 1000] [--naive-sample 5]

Generates N partners (mixed tiers; about half with PNG logos of varied aspect ratios, a
quarter with SVG logos, the rest without) into a temp copy of the sample catalog, then:

1. in a fresh subprocess per size (N/10 and N): `salesplay build --only kits --clean` (the
   engine, in-process) with 2 workers, timed, and the peak RSS of the process and workers;
2. in this process: the naive way for a few partners — WeasyPrint renders each battlecard
   with the partner band in its HTML, python-pptx opens each deck, adds the logo and contact
   to the first and last slides and saves — with the same 2 workers; its cost per
   battlecard and per deck is extrapolated to the N partners' actual kit contents.

Prints a table: partners, total s, ms/kit, ratio vs naive, peak RSS.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import catalog_gen  # noqa: E402  # bench/ is on sys.path when a script in it runs
import prepared  # noqa: E402
from catalog_gen import TIERS  # noqa: E402

AS_OF = date(2026, 11, 23)
WORKERS = 2


# --- the generated catalog ------------------------------------------------------------


def generate(root: Path, partners: int, seed: int = 7) -> list[str]:
    """A copy of the sample catalog at `root` whose partners are `partners` generated ones."""
    return catalog_gen.generate(root, partners, seed=seed)


def _load(catalog: Path) -> Any:
    from salesplay.context import Context
    from salesplay.pipeline import check_catalog

    ctx = Context(catalog=catalog, as_of=AS_OF)
    cat = check_catalog(ctx)
    if cat is None or ctx.reporter.has_errors(False):
        raise SystemExit(f"generated catalog does not check: {ctx.reporter.diagnostics[:3]}")
    return cat


# --- child: the real thing, in its own process ------------------------------------------


def child(catalog: Path, out: Path) -> None:
    """Build every partner's kit with the engine; print timings and peak RSS as JSON."""
    from salesplay.build import run_build
    from salesplay.context import Context

    started = time.perf_counter()
    cat = _load(catalog)  # the check alone, timed apart (run_build checks again)
    loaded = time.perf_counter()
    ctx = Context(catalog=catalog, as_of=AS_OF, out=out, jobs=WORKERS)
    code = run_build(ctx, ["kits"], clean=True)
    built = time.perf_counter()
    zips = sorted((out / "kits").glob("*.zip"))
    assert code == 0 and len(zips) == len(cat.partners), (code, len(zips))
    print(
        json.dumps(
            {
                "partners": len(cat.partners),
                "load_s": loaded - started,
                # run_build: check, plan, partner cards and decks once, then every kit
                "build_s": built - loaded,
                "kit_bytes": sum(z.stat().st_size for z in zips),
                "plays_in_kits": sum(len(p.plays) for p in _partner_views(cat).values()),
                "rss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "rss_workers_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            }
        )
    )


def _partner_views(cat: Any) -> Any:
    from salesplay.edition import make_edition

    return make_edition(cat, "partner").partners


def run_child(catalog: Path, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(catalog), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the naive way: re-render everything per partner ------------------------------------


@dataclass(frozen=True)
class NaiveJob:
    kind: str  # "card" or "deck"
    partner: str
    item: str


_NAIVE: dict[str, Any] = {}


def _naive_band_html(cat: Any, pid: str) -> str:
    partner = cat.partners[pid]
    contact = partner.contact
    lines = [x for x in (contact.name, contact.email, contact.phone, contact.website) if x]
    logo = ""
    if partner.logo:
        uri = cat.assets[partner.logo].resolve().as_uri()
        logo = (
            f'<img src="{html.escape(uri)}" alt="" style="width:120pt;height:36pt;'
            'object-fit:contain;object-position:left center;margin-right:18pt">'
        )
    else:
        logo = f'<b style="width:120pt;margin-right:18pt">{html.escape(partner.name)}</b>'
    return (
        '<div style="position:fixed;left:0;right:0;bottom:-84pt;height:60pt;display:flex;'
        'align-items:center;border-top:1.5pt solid #0B5FFF;font:8pt Inter,sans-serif">'
        f"{logo}<div><p style='margin:0'>Your partner: <b>{html.escape(partner.name)}</b></p>"
        f"<p style='margin:0'>{' · '.join(html.escape(x) for x in lines)}</p></div></div>"
    )


def _naive_one(job: NaiveJob) -> int:
    """One file the naive way; returns its size."""
    from salesplay.render import html as html_render
    from salesplay.render.pdf import render_pdf
    from salesplay.render.theme import THEME_DIR

    cat, ped, env, decks = _NAIVE["cat"], _NAIVE["ped"], _NAIVE["env"], _NAIVE["decks"]
    if job.kind == "card":
        links = html_render.Links.for_pdf(cat.root, [THEME_DIR])
        page = html_render.battlecard(env, ped, job.item, links, medium="print")
        page = page.replace("</body>", _naive_band_html(cat, job.partner) + "</body>")
        pdf, _ = render_pdf(
            page,
            base_url=(THEME_DIR / "index.html").as_uri(),
            roots=(cat.root / "assets", THEME_DIR),
            as_of=cat.as_of,
            title=job.item,
        )
        return len(pdf)
    from pptx import Presentation
    from pptx.util import Inches, Pt

    from salesplay import cobrand

    partner = cat.partners[job.partner]
    prs = Presentation(io.BytesIO(decks[job.item]))
    png = cobrand.logo_png(cat.assets[partner.logo])[0] if partner.logo else None
    contact = partner.contact
    text = " · ".join(x for x in (contact.name, contact.email, contact.phone, contact.website) if x)
    for slide in (prs.slides[0], prs.slides[-1]):
        box = slide.shapes.add_textbox(Inches(0.6), Inches(6.0), Inches(8), Inches(1))
        box.text_frame.text = f"Your partner: {partner.name}"
        para = box.text_frame.add_paragraph()
        para.text = text
        para.runs[0].font.size = Pt(13)
        if png:
            slide.shapes.add_picture(io.BytesIO(png), Inches(10), Inches(6.0), height=Inches(1))
    out = io.BytesIO()
    prs.save(out)
    return len(out.getvalue())


def naive(catalog: Path, sample: int) -> dict[str, Any]:
    """Time the naive way for `sample` partners (highest tier first) with 2 workers."""
    from salesplay.edition import make_edition
    from salesplay.render import decks
    from salesplay.render.templates import make_env

    cat = _load(catalog)
    ped, public = make_edition(cat, "partner"), make_edition(cat, "public")
    by_tier = sorted(cat.partners, key=lambda p: (-cat.tier_rank(cat.partners[p].tier), p))
    # One partner of each tier (platinum first), then more of the same order.
    chosen = []
    for tier in reversed(TIERS):
        chosen += [p for p in by_tier if cat.partners[p].tier == tier][:1]
    chosen += [p for p in by_tier if p not in chosen][: max(0, sample - len(chosen))]
    chosen = chosen[:sample]
    master = decks.master_path(None)
    deck_bytes: dict[str, bytes] = {}
    cards: list[NaiveJob] = []
    edits: list[NaiveJob] = []
    for pid in chosen:
        plays = ped.partners[pid].plays
        for play in plays:
            cards.append(NaiveJob("card", pid, play))
            key = f"play:{play}"
            if key not in deck_bytes:
                slides = decks.partner_enablement_slides(ped, play)
                deck_bytes[key] = decks.deck_bytes(decks.DeckLook.of(ped), slides, master, play)
            edits.append(NaiveJob("deck", pid, key))
        for dest in ped.partners[pid].destinations:
            key = f"dest:{dest}"
            if key not in deck_bytes:
                slides = decks.pitch_slides(public, dest)
                deck_bytes[key] = decks.deck_bytes(decks.DeckLook.of(public), slides, master, dest)
            edits.append(NaiveJob("deck", pid, key))
    _NAIVE.update(cat=cat, ped=ped, env=make_env(None), decks=deck_bytes)
    import weasyprint  # noqa: F401  # imported once, inherited by the forked workers

    ctx = multiprocessing.get_context("fork")
    timings = {}
    with ctx.Pool(WORKERS) as pool:
        pool.map(_naive_one, cards[:WORKERS], chunksize=1)  # warm the workers
        for name, jobs in (("card", cards), ("deck", edits)):
            start = time.perf_counter()
            pool.map(_naive_one, jobs, chunksize=1)
            timings[name] = (time.perf_counter() - start) / len(jobs)
    per_partner: dict[str, tuple[int, int]] = {}  # partner → (battlecards, decks)
    for pid, view in ped.partners.items():
        per_partner[pid] = (len(view.plays), len(view.plays) + len(view.destinations))
    return {
        "sample": chosen,
        "cards": len(cards),
        "decks": len(edits),
        "card_s": timings["card"],
        "deck_s": timings["deck"],
        "counts": per_partner,
    }


def naive_total(naive_result: dict[str, Any], partners: list[str]) -> float:
    counts: dict[str, tuple[int, int]] = naive_result["counts"]
    card_s, deck_s = float(naive_result["card_s"]), float(naive_result["deck_s"])
    return sum(counts[p][0] * card_s + counts[p][1] * deck_s for p in partners)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--naive-sample", type=int, default=5)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is None:  # the shelf made for this code, as `make` would
        prepared.ensure()
    if args.child:
        child(args.child, args.out)
        return
    sizes = sorted({max(1, args.partners // 10), args.partners})
    with tempfile.TemporaryDirectory(prefix="bench-kits-") as tmp:
        base = Path(tmp)
        results = []
        for n in sizes:
            catalog = base / f"catalog-{n}"
            ids = generate(catalog, n)
            print(f"generated {n} partners; building their kits…", file=sys.stderr)
            result = run_child(catalog, base / f"out-{n}")
            result["ids"] = ids
            result["catalog"] = catalog
            results.append(result)
        print(f"naive re-rendering of {args.naive_sample} partners…", file=sys.stderr)
        slow = naive(results[-1]["catalog"], args.naive_sample)
    print(
        f"\nnaive, measured on {len(slow['sample'])} partners ({slow['cards']} battlecards,"
        f" {slow['decks']} decks, {WORKERS} workers): {slow['card_s'] * 1000:.0f} ms per"
        f" battlecard, {slow['deck_s'] * 1000:.0f} ms per deck"
    )
    print("| partners | build s (check + plan + kits) | ms/kit | naive s (extrapolated) "
          "| ratio vs naive | peak RSS MB |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        total = r["build_s"]
        slow_total = naive_total(slow, r["ids"])
        rss = max(r["rss_self_kb"], r["rss_workers_kb"]) / 1024
        print(
            f"| {r['partners']} | {total:.1f} |"
            f" {total / r['partners'] * 1000:.1f} | {slow_total:.0f} | {slow_total / total:.0f}× |"
            f" {rss:.0f} (main {r['rss_self_kb'] / 1024:.0f}, workers"
            f" {r['rss_workers_kb'] / 1024:.0f}) |"
        )
    big, small = results[-1], results[0]
    total = big["build_s"]
    ratio = naive_total(slow, big["ids"]) / total
    growth = max(big["rss_self_kb"], big["rss_workers_kb"]) / max(
        small["rss_self_kb"], small["rss_workers_kb"]
    )
    print(
        f"\n{big['partners']} kits: {big['plays_in_kits']} battlecards,"
        f" {big['kit_bytes'] / 1e6:.0f} MB of zips; catalog check {big['load_s']:.1f} s (not"
        " counted above)"
    )
    print(
        f"targets: {big['partners']} kits <= 60 s: {total:.1f} s"
        f" {'ok' if total <= 60 else 'MISSED'}; >= 50x naive: {ratio:.0f}x"
        f" {'ok' if ratio >= 50 else 'MISSED'}; peak RSS x{growth:.2f} for"
        f" {big['partners'] // max(1, small['partners'])}x the partners"
    )


if __name__ == "__main__":
    main()
