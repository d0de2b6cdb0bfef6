"""Partner kits as a partner unpacks them: contents per tier, co-branding, zip hygiene, errors.

The kits are built once per session from a git-committed copy of the sample catalog with two
extra partners (a wide PNG logo and a tall SVG logo); the expected contents are derived here
from the YAML by the contract's rule, not from the resolver.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

import pypdf
import pytest
import yaml
from PIL import Image, ImageChops

from conftest import copy_sample, make_catalog, run_cli
from salesplay import images
from sessionbuild import salesplay, shared

SAMPLE = Path(__file__).resolve().parent.parent / "plays"
AS_OF = "2026-11-23"
SAMPLE_PARTNERS = ("harbor-lane", "pena-sistemas", "elan-cloud", "blue-river", "muller-son")
#: the sample's Arabic-named partner: its band's right-to-left name is proved by
#: tests/render/test_scripts.py (text extraction reorders it, so the text checks here skip it)
ARABIC_PARTNER = "gulf-tech"
#: the extra partners: logo colours are unique on the band so that the logo can be measured.
WIDE_RGB = (0, 160, 0)
TALL_RGB = (192, 0, 192)
EXTRA_PARTNERS = {
    "wide-png": (
        "name: Wide Logo Partners\ntier: gold\nlogo: assets/partners/test-wide.png\n"
        "contact: {name: Wendy Wide, email: wendy@wide.example, phone: '+1 555 0199',"
        " website: https://wide.example}\naudience: partner\n"
    ),
    "tall-svg": (
        "name: Tall Logo Partners\ntier: silver\nlogo: assets/partners/test-tall.svg\n"
        "contact: {name: Tom Tall, email: tom@tall.example, phone: '+1 555 0142',"
        " website: https://tall.example}\naudience: partner\n"
    ),
}
WIDE_RATIO, TALL_RATIO = 400 / 100, 100 / 200
CHANNEL = ("Cara Channel", "channel@northwind.example")
WIDE_CHANNEL = ("Wade Desk", "wade@northwind.example")
TEAM, CUSTOMERS = "for-your-team", "for-your-customers"
TEAM_MARK = "— not for customers"
ALL_PARTNERS = (*SAMPLE_PARTNERS, *EXTRA_PARTNERS)
DIAG = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+)$")


# --- sharing expensive builds between the xdist workers of one session -----------------


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid",
         "-c", "commit.gpgsign=false", *args],
        cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def make_kit_catalog(root: Path) -> None:
    """The sample catalog plus the two extra partners and their logos."""
    copy_sample(root, locales=False)
    Image.new("RGB", (400, 100), WIDE_RGB).save(root / "assets/partners/test-wide.png")
    (root / "assets/partners/test-tall.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="200" viewBox="0 0 100 200">'
        f'<rect width="100" height="200" fill="rgb{TALL_RGB}"/></svg>'
    )
    for pid, text in EXTRA_PARTNERS.items():
        (root / "partners" / f"{pid}.yaml").write_text(text)
    # the vendor's channel contact (in place of the sample's, if it has one), and one
    # partner's own channel contact in its place
    config = root / "catalog.yaml"
    text = re.sub(r"^channel:.*\n(?:[ \t]+.*\n)*", "", config.read_text(), flags=re.M)
    config.write_text(text + f"channel: {{name: {CHANNEL[0]}, email: {CHANNEL[1]}}}\n")
    with (root / "partners" / "wide-png.yaml").open("a") as partner:
        partner.write(f"channel_contact: {{name: {WIDE_CHANNEL[0]}, email: {WIDE_CHANNEL[1]}}}\n")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit catalog, committed to its own git repository (so kits carry a revision)."""

    def make(dest: Path) -> None:
        make_kit_catalog(dest / "plays")
        _git(dest, "init", "-q")
        _git(dest, "add", "-A")
        _git(dest, "commit", "-q", "-m", "kit catalog")

    return shared(tmp_path_factory, "kit-catalog", make) / "plays"


def _build_kits(catalog: Path) -> Callable[[Path], None]:
    def make(out: Path) -> None:
        done = salesplay(
            "build", "--catalog", str(catalog), "--only", "kits", "--as-of", AS_OF,
            "--out", str(out / "build"), cwd=out,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    return make


@pytest.fixture(scope="module")
def kits_dir(tmp_path_factory: pytest.TempPathFactory, catalog: Path) -> Path:
    return shared(tmp_path_factory, "kits-a", _build_kits(catalog)) / "build" / "kits"


@pytest.fixture(scope="module")
def kits(kits_dir: Path) -> dict[str, dict[str, bytes]]:
    """partner → {member name without the partner folder → bytes}."""
    found: dict[str, dict[str, bytes]] = {}
    for path in sorted(kits_dir.glob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            found[path.stem] = {
                info.filename.partition("/")[2]: zf.read(info) for info in zf.infolist()
            }
    return found


# --- what the contract says a kit holds, from the YAML ------------------------------------


def _yaml(root: Path, rel: str) -> Any:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8"))


LADDER = ("internal", "rep", "partner", "public")


def expected_contents(root: Path, partner_id: str) -> tuple[set[str], set[str]]:
    """(plays, destinations) of a partner's kit by the contract's rule, read from the YAML
    (a customer brief is made for each play whose own audience is public)."""
    # a tier is its id, or a mapping with its id and name
    tiers = [t["id"] if isinstance(t, dict) else t for t in _yaml(root, "catalog.yaml")["tiers"]]
    tier = tiers.index(_yaml(root, f"partners/{partner_id}.yaml")["tier"])
    plays = set()
    for path in sorted((root / "plays").glob("*.yaml")):
        play = yaml.safe_load(path.read_text(encoding="utf-8"))
        block = play.get("partner")
        if not block:
            continue
        own = play.get("audience", "rep")
        effective = min(own, block.get("audience", own), key=LADDER.index)
        min_tier = tiers.index(block.get("min_tier", tiers[0]))
        if min_tier <= tier and effective in ("partner", "public"):
            plays.add(path.stem)
    dests = set()
    for path in sorted((root / "paths").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        dest = _yaml(root, f"destinations/{doc['destination']}.yaml")
        if dest.get("audience", "rep") == "public" and any(
            step["play"] in plays for step in doc["steps"]
        ):
            dests.add(doc["destination"])
    return plays, dests


def test_expected_contents_grow_with_the_tier() -> None:
    # Guards the derivation itself: each tier up sells strictly more, the lowest sells something.
    sizes = [len(expected_contents(SAMPLE, p)[0]) for p in SAMPLE_PARTNERS]
    assert sizes[0] >= 1
    assert sizes[0] < sizes[1] == sizes[2] < sizes[3] < sizes[4]
    assert expected_contents(SAMPLE, "harbor-lane")[0] == {"ransomware-readiness-check"}


@pytest.mark.parametrize("partner", ALL_PARTNERS)
def test_kit_holds_exactly_what_the_tier_may_sell(
    kits: dict[str, dict[str, bytes]], catalog: Path, partner: str
) -> None:
    plays, dests = expected_contents(catalog, partner)
    public = {p for p in plays if _yaml(catalog, f"plays/{p}.yaml").get("audience") == "public"}
    expected = {
        "index.html",
        "manifest.json",
        *(f"{TEAM}/battlecards/{p}.pdf" for p in plays),
        *(f"{TEAM}/decks/{p}-enablement.pptx" for p in plays),
        f"{TEAM}/whats-new.html",
        f"{TEAM}/whats-new.pdf",
        *(f"{CUSTOMERS}/briefs/{p}.pdf" for p in public),
        *(f"{CUSTOMERS}/decks/{d}-pitch.pptx" for d in dests),
    }
    members = set(kits[partner])
    assert {m for m in members if not m.startswith(("assets/", f"{TEAM}/competitors/"))} == expected
    # competitor cards: only competitors partners may see (their tier's kit edition's) that
    # a play of the kit names
    shown = {
        path.stem
        for path in (catalog / "competitors").glob("*.yaml")
        if _yaml(catalog, f"competitors/{path.name}").get("audience", "rep")
        in ("partner", "public")
    }
    named = {
        m["competitor"]
        for p in plays
        for m in _yaml(catalog, f"plays/{p}.yaml").get("competitors", [])
    }
    cards = {Path(m).stem for m in members if m.startswith(f"{TEAM}/competitors/")}
    assert cards <= shown & named
    assert bool(cards) == bool(plays)


def test_every_partner_has_a_kit_and_nothing_else(kits_dir: Path) -> None:
    wanted = (*ALL_PARTNERS, ARABIC_PARTNER)
    assert sorted(p.name for p in kits_dir.iterdir()) == sorted(f"{p}.zip" for p in wanted)


def test_a_kit_stores_every_member_its_text_pages_too(kits_dir: Path) -> None:
    """A kit is its PDFs and decks, compressed already, and three pages of text: none of
    its members is deflated again (each kit a play edit makes again paid for it)."""
    for path in sorted(kits_dir.glob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            assert zf.testzip() is None
        texts = [i for i in infos if i.filename.endswith((".html", ".json"))]
        assert len(texts) >= 3, path.name  # index, manifest, what's new
        assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}, path.name


def test_partner_enablement_deck_says_whats_in_it_for_the_partner(
    kits: dict[str, dict[str, bytes]], catalog: Path
) -> None:
    members = kits["muller-son"]
    decks = [m for m in members if m.endswith("-enablement.pptx")]
    assert len(decks) == len(expected_contents(catalog, "muller-son")[0])
    for name in decks:
        play = _yaml(
            catalog, f"plays/{PurePosixPath(name).name.removesuffix('-enablement.pptx')}.yaml"
        )
        slides = _slide_texts(members[name])
        wiifm = [text for title, text in slides if title == "What's in it for you"]
        assert len(wiifm) == 1, name
        assert _norm(play["partner"]["role"]) in wiifm[0]
        assert _norm(play["partner"]["value"]) in wiifm[0]


# --- zip hygiene ----------------------------------------------------------------------------


def test_members_live_under_one_partner_folder(kits_dir: Path) -> None:
    for path in kits_dir.glob("*.zip"):
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
        assert names, path.name
        for name in names:
            assert name.startswith(f"{path.stem}/"), name
            pure = PurePosixPath(name)
            assert not pure.is_absolute() and ".." not in pure.parts and "\\" not in name, name
            assert not re.match(r"^[A-Za-z]:", name), name


def test_zip_entries_sorted_with_fixed_timestamps(kits_dir: Path) -> None:
    for path in kits_dir.glob("*.zip"):
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {(2026, 11, 23, 0, 0, 0)}
    leftovers = [p.name for p in kits_dir.iterdir() if not p.name.endswith(".zip")]
    assert leftovers == []  # atomic writes leave no temporary files behind


def test_manifest_lists_every_other_member(
    kits: dict[str, dict[str, bytes]], catalog: Path
) -> None:
    head = _git(catalog.parent, "rev-parse", "HEAD")
    for partner, members in kits.items():
        manifest = json.loads(members["manifest.json"])
        assert manifest["as_of"] == AS_OF
        assert manifest["revision"] == head
        assert manifest["files"] == {
            name: hashlib.sha256(data).hexdigest()
            for name, data in members.items()
            if name != "manifest.json"
        }, partner


def test_two_builds_give_byte_identical_zips(
    tmp_path_factory: pytest.TempPathFactory, catalog: Path, kits_dir: Path
) -> None:
    again = shared(tmp_path_factory, "kits-b", _build_kits(catalog)) / "build" / "kits"
    first = {p.name: p.read_bytes() for p in kits_dir.glob("*.zip")}
    second = {p.name: p.read_bytes() for p in again.glob("*.zip")}
    assert first.keys() == second.keys()
    assert [n for n in first if first[n] != second[n]] == []


# --- index.html ---------------------------------------------------------------------------


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("href", "src", "srcset", "data") and value is not None:
                self.refs.append((tag, key, value))


def test_index_links_resolve_to_members_and_load_nothing_remote(
    kits: dict[str, dict[str, bytes]],
) -> None:
    for partner, members in kits.items():
        parser = _Refs()
        parser.feed(members["index.html"].decode("utf-8"))
        local = []
        for tag, attr, value in parser.refs:
            scheme = re.match(r"^([a-z][a-z0-9+.-]*):", value)
            if scheme or value.startswith("//"):
                # Only plain links may leave the kit; nothing is loaded from the network.
                assert tag == "a" and attr == "href", (partner, tag, value)
                assert scheme and scheme[1] in ("https", "http", "mailto", "tel"), value
                continue
            path = value.split("#")[0].split("?")[0]
            if path:
                local.append(path)
        assert local, partner
        for path in local:
            assert path in members, (partner, path)
        downloads = {m for m in members if m.endswith((".pdf", ".pptx"))}
        assert downloads <= set(local), (partner, downloads - set(local))


# --- co-branding ------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _partner(catalog: Path, pid: str) -> tuple[str, list[str]]:
    doc = _yaml(catalog, f"partners/{pid}.yaml")
    contact = doc.get("contact") or {}
    return doc["name"], [str(contact[k]) for k in ("name", "email", "phone", "website")]


def _channel(pid: str) -> tuple[str, str]:
    return WIDE_CHANNEL if pid == "wide-png" else CHANNEL


def _marks(catalog: Path, partner: str, member: str) -> tuple[list[str], list[str]]:
    """(what a member must show, what it must never show): the team part names the vendor's
    channel contact, the customer part the partner's own contact; neither the other's."""
    name, contact = _partner(catalog, partner)
    channel = list(_channel(partner))
    if member.startswith(f"{CUSTOMERS}/"):
        return [f"Presented by {name}", *contact], channel
    return [f"For the sellers of {name} {TEAM_MARK}", *channel], contact


def _slide_texts(data: bytes) -> list[tuple[str, str]]:
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    out = []
    for slide in prs.slides:
        title = slide.shapes.title.text if slide.shapes.title is not None else ""
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        out.append((title, _norm(" ".join(texts))))
    return out


@pytest.mark.parametrize("partner", ALL_PARTNERS)
def test_every_pdf_page_carries_the_partner(
    kits: dict[str, dict[str, bytes]], catalog: Path, partner: str
) -> None:
    pdfs = {m: d for m, d in kits[partner].items() if m.endswith(".pdf")}
    assert pdfs
    for member, data in pdfs.items():
        shown, never = _marks(catalog, partner, member)
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert len(reader.pages) >= 1
        for number, page in enumerate(reader.pages, start=1):
            text = _norm(page.extract_text())
            missing = [x for x in shown if x not in text]
            assert missing == [], f"{partner}/{member} page {number}: {missing}"
            assert [x for x in never if x in text] == [], f"{partner}/{member} page {number}"


@pytest.mark.parametrize("partner", ALL_PARTNERS)
def test_first_and_last_slide_of_every_deck_carry_the_partner(
    kits: dict[str, dict[str, bytes]], catalog: Path, partner: str
) -> None:
    decks = {m: d for m, d in kits[partner].items() if m.endswith(".pptx")}
    assert decks
    for member, data in decks.items():
        shown, never = _marks(catalog, partner, member)
        slides = _slide_texts(data)
        assert len(slides) >= 2
        for index in (0, -1):
            missing = [x for x in shown if x not in slides[index][1]]
            assert missing == [], f"{partner}/{member} slide {index}: {missing}"
        for number, (_title, text) in enumerate(slides, start=1):
            assert [x for x in never if x in text] == [], f"{partner}/{member} slide {number}"
            if member.startswith(f"{TEAM}/"):  # the team marking is on every slide
                assert TEAM_MARK in text, f"{partner}/{member} slide {number}"


def test_no_kit_deck_carries_the_masters_comment(kits: dict[str, dict[str, bytes]]) -> None:
    """Partners saw "Regenerate with tools/make_deck_master.py; restyle layouts freely." in
    every deck's properties: co-branded decks keep the built deck's, which carry none."""
    from pptx import Presentation

    decks = [
        (p, m, d) for p, found in kits.items() for m, d in found.items() if m.endswith(".pptx")
    ]
    assert decks
    for partner, member, data in decks:
        props = Presentation(io.BytesIO(data)).core_properties
        assert props.comments == "", f"{partner}/{member}"
        assert "make_deck_master" not in props.subject + props.keywords, f"{partner}/{member}"


def _pictures(data: bytes) -> list[list[tuple[int, int, tuple[int, int]]]]:
    """For the first and last slide: every picture as (width EMU, height EMU, image pixels)."""
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(io.BytesIO(data))
    found = []
    for slide in (prs.slides[0], prs.slides[-1]):
        pics = []
        for shape in slide.shapes:
            if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
                with Image.open(io.BytesIO(shape.image.blob)) as image:
                    pics.append((int(shape.width), int(shape.height), image.size))
                assert shape.left >= 0 and shape.top >= 0
                assert shape.left + shape.width <= prs.slide_width
                assert shape.top + shape.height <= prs.slide_height
        found.append(pics)
    return found


@pytest.mark.parametrize(
    ("partner", "ratio"), [("wide-png", WIDE_RATIO), ("tall-svg", TALL_RATIO), ("blue-river", 3.0)]
)
def test_deck_logo_keeps_its_aspect_ratio(
    kits: dict[str, dict[str, bytes]], partner: str, ratio: float
) -> None:
    decks = [d for m, d in kits[partner].items() if m.endswith(".pptx")]
    assert decks
    for data in decks:
        for pics in _pictures(data):
            assert len(pics) == 1, pics
            width, height, (px_w, px_h) = pics[0]
            assert width / height == pytest.approx(ratio, rel=0.01)
            assert px_w / px_h == pytest.approx(ratio, rel=0.01)


def test_deck_logos_fit_one_fixed_box(kits: dict[str, dict[str, bytes]]) -> None:
    def first_picture(partner: str) -> tuple[int, int]:
        data = kits[partner][f"{CUSTOMERS}/decks/cyber-resilience-pitch.pptx"]
        width, height, _ = _pictures(data)[0][0]
        return width, height

    wide, tall = first_picture("wide-png"), first_picture("tall-svg")
    # The wide logo fills the box's width, the tall one its height; neither leaves the box.
    assert wide[0] > tall[0] and tall[1] > wide[1]
    assert tall[0] <= wide[0] and wide[1] <= tall[1]


def test_partner_logos_ship_at_the_partner_side_the_company_logo_at_full_size(
    kits: dict[str, dict[str, bytes]],
) -> None:
    """A partner's logo shows at most 2.8 by 1 inches: its PNG, in assets/ and in the
    co-brand slot of every deck, is PARTNER_SIDE pixels long (an SVG is drawn so); the
    company's keeps PUBLISH_SIDE. A smaller raster is never enlarged."""
    tall = (images.PARTNER_SIDE // 2, images.PARTNER_SIDE)  # the 100×200 SVG
    members = kits["tall-svg"]
    with Image.open(io.BytesIO(members["assets/partner-logo.png"])) as image:
        assert image.size == tall
    with Image.open(io.BytesIO(members["assets/company-logo.png"])) as image:
        assert max(image.size) == images.PUBLISH_SIDE > images.PARTNER_SIDE
    decks = [d for m, d in members.items() if m.endswith(".pptx")]
    assert decks
    for deck in decks:
        assert {size for pics in _pictures(deck) for _, _, size in pics} == {tall}
    with Image.open(io.BytesIO(kits["wide-png"]["assets/partner-logo.png"])) as image:
        assert image.size == (400, 100)


def test_no_logo_partner_has_no_picture_and_its_name_in_type(
    kits: dict[str, dict[str, bytes]], catalog: Path
) -> None:
    name, _ = _partner(catalog, "harbor-lane")
    assert _yaml(catalog, "partners/harbor-lane.yaml").get("logo") is None
    members = kits["harbor-lane"]
    for member, data in members.items():
        if member.endswith(".pptx"):
            assert _pictures(data) == [[], []], member
        if member.endswith(".pdf"):
            for page in pypdf.PdfReader(io.BytesIO(data)).pages:
                # once in place of the logo, once in the band's first line
                assert _norm(page.extract_text()).count(name) >= 2, member
    assert not [m for m in members if m.startswith("assets/partner-logo")]


def _band_logo_box(pdf: bytes, rgb: tuple[int, int, int], tmp: Path) -> tuple[float, float]:
    """Width and height in pixels of the `rgb`-coloured area of page 1's bottom band."""
    (tmp / "card.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    height_pt = float(reader.pages[0].mediabox.height)
    dpi = 1200
    band_pt, width_pt = 72.0, 220.0
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-x", "0",
         "-y", str(round((height_pt - band_pt) / 72 * dpi)), "-W", str(round(width_pt / 72 * dpi)),
         "-H", str(round(band_pt / 72 * dpi)), "-png", str(tmp / "card.pdf"), str(tmp / "band")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    [png] = sorted(tmp.glob("band*.png"))
    with Image.open(png) as image:
        rgb_image = image.convert("RGB")
    channels = [
        band.point(lambda v, t=t: 255 if abs(v - t) <= 40 else 0)
        for band, t in zip(rgb_image.split(), rgb, strict=True)
    ]
    mask = ImageChops.multiply(ImageChops.multiply(channels[0], channels[1]), channels[2])
    box = mask.getbbox()
    assert box is not None, "logo colour not found on the band"
    return float(box[2] - box[0]), float(box[3] - box[1])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm is missing")
def test_band_logo_keeps_its_aspect_ratio_on_the_page(
    kits: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    sizes = {}
    for partner, rgb in (("wide-png", WIDE_RGB), ("tall-svg", TALL_RGB)):
        member = sorted(m for m in kits[partner] if m.endswith(".pdf"))[0]
        work = tmp_path / partner
        work.mkdir()
        sizes[partner] = _band_logo_box(kits[partner][member], rgb, work)
    (ww, wh), (tw, th) = sizes["wide-png"], sizes["tall-svg"]
    assert ww / wh == pytest.approx(WIDE_RATIO, rel=0.01)
    assert tw / th == pytest.approx(TALL_RATIO, rel=0.01)
    assert ww > tw and th > wh  # one fixed box: wide fills its width, tall its height


# --- salesplay kit ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`salesplay kit blue-river` on a copy of the sample outside any git repository."""

    def make(dest: Path) -> None:
        copy_sample(dest / "plays", locales=False)
        done = salesplay("kit", "blue-river", "--as-of", AS_OF, cwd=dest)
        assert done.returncode == 0, done.stderr

    return shared(tmp_path_factory, "one-kit", make) / "build"


def test_kit_command_builds_only_the_named_kit(
    one_kit: Path, kits: dict[str, dict[str, bytes]]
) -> None:
    files = sorted(
        str(rel)
        for p in one_kit.rglob("*")
        if p.is_file() and ".salesplay" not in (rel := p.relative_to(one_kit)).parts
    )
    assert files == ["kits/blue-river.zip"]
    with zipfile.ZipFile(one_kit / "kits/blue-river.zip") as zf:
        members = {i.filename.partition("/")[2]: zf.read(i) for i in zf.infolist()}
    assert members.keys() == kits["blue-river"].keys()
    manifest = json.loads(members["manifest.json"])
    assert manifest["revision"] is None  # no git repository around this catalog
    assert manifest["as_of"] == AS_OF


def test_unknown_partner_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    copy_sample(tmp_path / "plays", locales=False)
    typo = run_cli("kit", "blue-rivr", "--as-of", AS_OF, cwd=tmp_path)
    assert typo.code == 2
    assert "unknown partner 'blue-rivr'" in typo.stderr
    assert "did you mean 'blue-river'" in typo.stderr
    unknown = run_cli("kit", "unknwon-partner", "--as-of", AS_OF, cwd=tmp_path)
    assert unknown.code == 2
    assert "unknown partner 'unknwon-partner'" in unknown.stderr
    # nothing close: where partners come from, and which there are
    assert (
        "a partner is named by its file under plays/partners/ (blue-river, elan-cloud,"
        in unknown.stderr
    )
    assert "Traceback" not in typo.stderr + unknown.stderr
    assert not (tmp_path / "build").exists()


BAD_LOGOS: dict[str, tuple[str, str]] = {
    # case → (logo value, what the error says)
    "missing": ("assets/partners/nope.png", "does not exist"),
    "not-an-image": ("assets/partners/notes.png", "is not a PNG, JPEG, GIF, WebP or SVG image"),
    "too-big": ("assets/partners/huge.png", "is larger than 5 MB"),
    "outside": ("../outside.png", "is outside the catalog's assets/ folder"),
    "url": ("https://blueriver.example/logo.png", "is a URL"),
}


def _bad_logo_project(root: Path, case: str) -> tuple[str, int]:
    """A project at `root` whose blue-river logo is bad; the logo's line in the YAML."""
    plays = root / "plays"
    copy_sample(plays, locales=False)
    (plays / "assets/partners/notes.png").write_text("these are not pixels\n")
    big = b"\x89PNG\r\n\x1a\n" + bytes(5 * 1024 * 1024 + 1)
    (plays / "assets/partners/huge.png").write_bytes(big)
    Image.new("RGB", (40, 10), WIDE_RGB).save(root / "outside.png")
    rel = "partners/blue-river.yaml"
    text = (plays / rel).read_text()
    value = BAD_LOGOS[case][0]
    text = re.sub(r"(?m)^logo: .*$", f"logo: {value}", text)
    (plays / rel).write_text(text)
    line = text.splitlines().index(f"logo: {value}") + 1
    return f"plays/{rel}", line


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def _previous_build(root: Path) -> dict[str, tuple[bytes, int]]:
    out = root / "build"
    (out / "kits").mkdir(parents=True)
    (out / "kits" / "blue-river.zip").write_bytes(b"the previous kit")
    (out / "battlecards").mkdir()
    (out / "battlecards" / "backup-modernization.pdf").write_bytes(b"%PDF previous")
    return _snapshot(out)


def _assert_located_logo_error(stderr: str, rel: str, line: int, case: str) -> None:
    errors = [m for m in map(DIAG.match, stderr.splitlines()) if m]
    assert len(errors) == 1, stderr
    error = errors[0]
    assert (error["file"], int(error["line"]), int(error["col"])) == (rel, line, 7)
    assert BAD_LOGOS[case][1] in error["msg"]
    assert "Traceback" not in stderr and "internal error" not in stderr


@pytest.mark.parametrize("case", list(BAD_LOGOS))
def test_bad_partner_logo_is_a_located_error_and_build_is_untouched(
    tmp_path: Path, case: str
) -> None:
    rel, line = _bad_logo_project(tmp_path, case)
    before = _previous_build(tmp_path)
    result = run_cli("kit", "blue-river", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1, result.stderr
    _assert_located_logo_error(result.stderr, rel, line, case)
    assert _snapshot(tmp_path / "build") == before


def test_missing_logo_with_an_absolute_catalog_path(tmp_path: Path) -> None:
    rel, line = _bad_logo_project(tmp_path, "missing")
    before = _previous_build(tmp_path)
    catalog = str(tmp_path / "plays")
    result = run_cli("kit", "blue-river", "--catalog", catalog, "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1, result.stderr
    _assert_located_logo_error(result.stderr, rel, line, "missing")
    assert _snapshot(tmp_path / "build") == before


def test_bad_logo_stops_a_whole_build_before_anything_is_written(tmp_path: Path) -> None:
    rel, line = _bad_logo_project(tmp_path, "not-an-image")
    before = _previous_build(tmp_path)
    result = run_cli("build", "--only", "kits", "--as-of", AS_OF, cwd=tmp_path)
    assert result.code == 1, result.stderr
    _assert_located_logo_error(result.stderr, rel, line, "not-an-image")
    assert _snapshot(tmp_path / "build") == before


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("build", "--only", "kits"), id="build"),
        pytest.param(("kit", "blue-river"), id="kit-one"),
        # five partners: built by the worker pool, where a fault used to hang the run
        pytest.param(("kit", *SAMPLE_PARTNERS), id="kit-pool"),
    ],
)
def test_broken_kit_template_is_a_located_error_not_a_hang(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    from salesplay.render.templates import THEME_DIR

    copy_sample(tmp_path / "plays", locales=False)
    (tmp_path / "templates").mkdir()
    lines = (THEME_DIR / "kit_index.html").read_text().splitlines()
    lines[4] = "{{ no_such_variable }}"
    (tmp_path / "templates/kit_index.html").write_text("\n".join(lines) + "\n")
    before = _previous_build(tmp_path)
    try:
        result = salesplay(*args, "--as-of", AS_OF, cwd=tmp_path, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"salesplay {' '.join(args)} hung on a template error")
    assert result.returncode == 1, result.stderr
    assert "templates/kit_index.html:5: error: undefined" in result.stderr
    assert "internal error" not in result.stderr
    assert _snapshot(tmp_path / "build") == before


def test_a_kit_template_fault_only_one_partner_meets_stops_check_and_build_first(
    tmp_path: Path,
) -> None:
    """An override that prints each partner's phone trips on the one partner without one
    (phone is optional): `check --templates` finds it, and the build stops before it writes
    anything, not after the kits made before that partner's were written."""
    from salesplay.render.templates import THEME_DIR

    copy_sample(tmp_path / "plays", locales=False)
    pena = tmp_path / "plays/partners/pena-sistemas.yaml"
    pena.write_text(re.sub(r"(?m)^  phone:.*\n", "", pena.read_text()))
    (tmp_path / "templates").mkdir()
    page = (THEME_DIR / "kit_index.html").read_text()
    call = '<p>Call <a href="tel:{{ partner.contact.phone.replace(" ", "") }}">us</a></p>\n'
    assert "<main>\n" in page
    (tmp_path / "templates/kit_index.html").write_text(
        page.replace("<main>\n", "<main>\n" + call, 1)
    )
    before = _previous_build(tmp_path)
    for args in (("check", "--templates", "templates"), ("build", "--only", "kits")):
        result = salesplay(*args, "--as-of", AS_OF, cwd=tmp_path, timeout=300)
        assert result.returncode == 1, (args, result.stderr)
        assert "templates/kit_index.html:" in result.stderr
        assert "'None' has no attribute 'replace'" in result.stderr
        assert "written" not in result.stderr.replace("nothing was written", "")
        assert _snapshot(tmp_path / "build") == before


def test_corrupt_deck_master_stops_a_kit_with_a_located_error(tmp_path: Path) -> None:
    copy_sample(tmp_path / "plays", locales=False)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/deck.pptx").write_bytes(b"not a presentation\n")
    before = _previous_build(tmp_path)
    result = salesplay("kit", "blue-river", "--as-of", AS_OF, cwd=tmp_path, timeout=120)
    assert result.returncode == 1, result.stderr
    assert re.search(r"(?m)^templates/deck\.pptx:1: error: ", result.stderr), result.stderr
    assert "internal error" not in result.stderr
    assert _snapshot(tmp_path / "build") == before


# --- LibreOffice ------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_kit_deck_opens_in_libreoffice(kits: dict[str, dict[str, bytes]], tmp_path: Path) -> None:
    from pptx import Presentation

    data = kits["wide-png"][f"{CUSTOMERS}/decks/cyber-resilience-pitch.pptx"]
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(deck)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "pdf" / "deck.pdf"
    assert pdf.is_file()
    pages = len(pypdf.PdfReader(pdf).pages)
    assert pages == len(Presentation(io.BytesIO(data)).slides)


def test_the_summary_counts_one_file_in_the_singular(tmp_path: Path) -> None:
    """`salesplay kit red-rock` said "built 1 files"."""
    from conftest import AS_OF, make_catalog, run_cli

    make_catalog(tmp_path)
    done = run_cli("kit", "red-rock", "--as-of", AS_OF, cwd=tmp_path)
    assert done.code == 0, done.stderr
    summary = [line for line in done.stderr.splitlines() if line.startswith("built ")]
    assert summary and summary[-1].startswith("built 1 file (1 zip) in "), summary


def test_a_build_that_stops_in_its_first_stage_keeps_no_cache_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never a half-updated build/: a fault while the first stage renders (one only the
    renderer finds) leaves --out byte for byte as it was, though the band fonts' cache
    files were made meanwhile and the project's print sheets were linted."""
    from salesplay.diagnostics import Location
    from salesplay.families.base import PdfMake
    from salesplay.faults import BuildFault

    make_catalog(tmp_path)
    args = ("build", "--catalog", "plays", "--as-of", AS_OF, "--only", "kits", "--jobs", "1")
    assert run_cli(*args, cwd=tmp_path).code == 0
    out = tmp_path / "build"
    for cached in (out / ".salesplay/cache").glob("*.blobs"):
        cached.unlink()  # the band fonts' among them: made again by the next build
    before = _snapshot(out)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/print.css").write_text(
        '@import url("default/print.css");\n.card { color: #123 }\n'
    )

    def fails(self: PdfMake, _workshop: object) -> object:
        raise BuildFault(Location(self.where.file, 0, 0), "the renderer gave up")

    monkeypatch.setattr(PdfMake, "__call__", fails)  # --jobs 1: made in this process
    stopped = run_cli(*args, cwd=tmp_path)
    assert stopped.code == 1 and "build stopped: nothing was written" in stopped.stderr
    assert _snapshot(out) == before
