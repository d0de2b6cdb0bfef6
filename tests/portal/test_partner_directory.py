"""The reps' partner directory (families/partners.py): who sells with us, where, whom to call."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import AS_OF, base_text, make_catalog, run_cli
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.families import family, owner
from salesplay.pipeline import check_catalog

SAMPLE = Path(__file__).resolve().parents[2] / "plays"

EDITS = {
    "partners/blue-river.yaml": base_text("partners/blue-river.yaml")
    .replace("regions: [EMEA]", "regions: [EMEA, DACH]")
    .replace(
        "email: dana@blueriver.example}",
        "email: dana@blueriver.example, website: blueriver.example}",
    ),
    # reps may not be told of it: the directory never names it
    "partners/shadow-ops.yaml": (
        "name: Shadow Ops Reseller\ntier: gold\naudience: internal\nregions: [APAC]\n"
        "contact: {name: Quiet Person, email: quiet@shadow.example}\n"
    ),
}


def _build(tmp_path: Path, *only: str) -> Path:
    args = ["build", "--catalog", "plays", "--out", "build", "--as-of", AS_OF]
    result = run_cli(*args, *(a for k in only for a in ("--only", k)), cwd=tmp_path)
    assert result.code == 0, result.stderr
    return tmp_path / "build"


def _items(page: str) -> dict[str, str]:
    """Each listed partner's id → its list item's HTML, in the page's order."""
    found = re.finditer(
        r'<li class="card partner" id="partner--([a-z0-9-]+)"(.*?)\n  </li>', page, re.S
    )
    return {m[1]: m[2] for m in found}


def test_the_directory_lists_the_partners_reps_may_be_told_of(tmp_path: Path) -> None:
    make_catalog(tmp_path, EDITS)
    out = _build(tmp_path, "partners")
    page = (out / "partners/index.html").read_text("utf-8")
    items = _items(page)
    assert list(items) == ["blue-river", "red-rock"]  # by name; the internal one is not there
    assert "Shadow" not in page and "quiet@" not in page and "APAC" not in page
    blue = items["blue-river"]
    assert 'data-tier="gold"' in blue and 'data-regions="EMEA\nDACH"' in blue
    assert '<li class="badge">gold tier</li>' in blue
    assert '<a href="mailto:dana@blueriver.example"' in blue
    assert '<a href="https://blueriver.example" class="ltr">blueriver.example</a>' in blue
    assert '<a href="#tier-gold">Sells 1 play</a>' in blue
    # the region filter offers every region of the partners listed, and nothing else
    regions = re.findall(
        r'<option value="([^"]*)">', page.split('id="f-region"')[1].split("</select>")[0]
    )
    assert regions == ["", "DACH", "EMEA"]
    # the play filter: the plays some listed partner's kit holds; the script's table says whose
    data = json.loads(
        re.search(r'<script type="application/json" id="partner-data">(.*?)</script>', page, re.S)[
            1
        ]
    )
    assert data["tiers"] == {"silver": ["backup-modernization"], "gold": ["backup-modernization"]}
    assert data["labels"]["matching"] == "%(shown)s of 2 partners match"
    table = page.split('<section class="tiers"')[1]
    assert (
        '<tr id="tier-gold">' in table and "../site/battlecards/backup-modernization.html" in table
    )
    # its styles and script are the portal's, in site/assets/
    assets = re.findall(r'(?:href|src)="(\.\./site/assets/[^"?#]+)"', page)
    assert len(assets) >= 4  # fonts, header and portal styles, the script
    for href in assets:
        assert (out / "partners" / href).resolve().is_file(), href
    # the family owns the page, made from the rep edition
    assert owner("partners/index.html") is family("partners")
    assert family("partners").audience_of("partners/index.html") == "rep"


def test_a_rep_card_page_links_the_directory_filtered_to_its_play(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    out = _build(tmp_path, "site", "battlecards")
    sold = (out / "site/battlecards/backup-modernization.html").read_text("utf-8")
    link = '<a href="../../partners/index.html?play=backup-modernization">'
    assert link + "Find a partner who sells this play</a>" in sold
    # a rep play with a partner block is in no kit: no partner sells it, no link; nor does
    # a printed card link
    assert "partners/index.html?play" not in (
        out / "site/battlecards/recovery-drills.html"
    ).read_text("utf-8")
    printed = subprocess.run(
        ["pdftotext", str(out / "battlecards/backup-modernization.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "partner role" in printed.lower() and "find a partner" not in printed.lower()
    # every rep page's navigation leads there
    assert 'href="../../partners/index.html">Partners</a>' in sold


def test_no_partner_says_so_and_ships_no_script(tmp_path: Path) -> None:
    make_catalog(tmp_path, {"partners/blue-river.yaml": None, "partners/red-rock.yaml": None})
    page = (_build(tmp_path, "partners") / "partners/index.html").read_text("utf-8")
    assert "No partners yet." in page
    assert "partner-data" not in page and "partners.js" not in page


def test_a_card_links_the_directory_exactly_when_its_play_is_in_some_kit() -> None:
    """The one rule (the partner edition's) decides both: the sample's plays."""
    ctx = Context(catalog=SAMPLE, as_of=dt.date.fromisoformat(AS_OF))
    cat = check_catalog(ctx)
    assert cat is not None
    rep, partner = make_edition(cat, "rep"), make_edition(cat, "partner")
    in_a_kit = {pid for kit in partner.kits.values() for pid in kit.plays}
    blocks = {pid: p.partner for pid, p in rep.plays.items() if p.partner is not None}
    assert {pid for pid, block in blocks.items() if block.in_kits} == in_a_kit


def test_a_partner_named_like_the_page_s_parts_and_a_play_no_listed_partner_sells(
    tmp_path: Path,
) -> None:
    """A partner `data` took the id of the script's data (`partner-data`), and every filter
    hid every partner; a card's link to a play whose kits no listed partner has (gold only,
    a silver partner) chose no filter and listed that partner as selling it."""
    play = "plays/backup-modernization.yaml"
    make_catalog(
        tmp_path,
        {
            "partners/blue-river.yaml": None,
            "partners/red-rock.yaml": None,
            "partners/data.yaml": "name: Data Partner\ntier: silver\n",
            "partners/list.yaml": "name: List Partner\ntier: silver\n",
            play: base_text(play).replace("min_tier: silver", "min_tier: gold"),
        },
    )
    page = (_build(tmp_path, "partners") / "partners/index.html").read_text("utf-8")
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    assert list(_items(page)) == ["data", "list"]
    # the gold play is offered: chosen, it lists nobody (its kits are gold, the partners silver)
    plays = page.split('id="f-play"')[1].split("</select>")[0]
    assert '<option value="backup-modernization">' in plays
    data = json.loads(
        re.search(r'<script type="application/json" id="partner-data">(.*?)</script>', page, re.S)[
            1
        ]
    )
    assert data["tiers"] == {"silver": []}


def test_a_region_however_written_is_one_filter_and_websites_link_as_written(
    tmp_path: Path,
) -> None:
    """ "Germany", "germany " and "Germany" with a no-break space were three filters that
    looked alike, each finding one partner, in an order the hash seed chose; a region with
    a line break found nobody. An upper-case scheme got "https://" put before it."""
    make_catalog(
        tmp_path,
        {
            "partners/blue-river.yaml": base_text("partners/blue-river.yaml")
            .replace("regions: [EMEA]", 'regions: [Germany, "Great\\nBritain"]')
            .replace(
                "email: dana@blueriver.example}", "email: d@b.example, website: HTTPS://b.example}"
            ),
            "partners/red-rock.yaml": base_text("partners/red-rock.yaml")
            + 'regions: ["germany ", "Germany\\u00a0", "great britain"]\n'
            + "contact: {name: R, website: ' r.example '}\n",
        },
    )
    page = (_build(tmp_path, "partners") / "partners/index.html").read_text("utf-8")
    options = page.split('id="f-region"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)">', options) == ["", "Germany", "Great Britain"]
    items = _items(page)
    for pid in ("blue-river", "red-rock"):
        assert 'data-regions="Germany\nGreat Britain"' in items[pid], pid
    assert '<a href="HTTPS://b.example" class="ltr">HTTPS://b.example</a>' in items["blue-river"]
    assert '<a href="https://r.example" class="ltr">r.example</a>' in items["red-rock"]


def test_filter_options_are_in_one_order_whatever_the_hash_seed() -> None:
    """Values differing only in case were ordered by iterating a set: by the hash seed."""
    script = (
        "from salesplay.render.portal import _options;"
        "print(_options(['germany', 'Germany', 'GERMANY', 'gErmany', 'Austria']))"
    )
    told = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert told == {"('Austria', 'GERMANY', 'Germany', 'gErmany', 'germany')\n"}


def test_a_partners_name_keeps_the_pages_alignment_in_either_direction(tmp_path: Path) -> None:
    """Each card title had `dir="auto"`: on the Arabic page Latin names sat at the left of
    right-aligned cards, and on the English page an Arabic name at the right. A name of the
    other direction is an inline isolate (`bidi`), the title aligned as the page."""
    import shutil

    shutil.copytree(SAMPLE, tmp_path / "plays")
    out = _build(tmp_path, "partners")
    english = (out / "partners/index.html").read_text("utf-8")
    arabic = (out / "ar/partners/index.html").read_text("utf-8")
    for page in (english, arabic):
        assert 'dir="auto"' not in page
    assert '<h2 class="card-title">Blue River IT</h2>' in english
    assert '<h2 class="card-title"><span dir="ltr">Blue River IT</span></h2>' in arabic
    assert '<h2 class="card-title"><span dir="rtl">الخليج للحلول التقنية' in english
