"""Generated benchmark catalogs: the sample catalog grown to N plays and N partners."""

from __future__ import annotations

import html
import random
import re
import shutil
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "plays"
TIERS = ("registered", "silver", "gold", "platinum")
#: plays per generated destination's path (the sample's paths hold about as many).
PLAYS_PER_PATH = 10


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour RGB PNG made with zlib and struct only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


def svg(width: int, height: int, colour: str, label: str) -> str:
    """A small SVG logo: a coloured band, a circle and a label."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}"><rect width="{width}" height="{height}"'
        f' fill="{colour}"/><circle cx="{height / 2}" cy="{height / 2}" r="{height / 3}"'
        f' fill="#ffffff"/><text x="{height}" y="{height * 0.6}" font-size="{height / 3}"'
        f' fill="#ffffff">{html.escape(label)}</text></svg>'
    )


def partner_yaml(i: int, tier: str, logo: str | None, email: str | None = None) -> str:
    """The YAML of generated partner `i` (its contact e-mail can be varied for edits)."""
    lines = [f"name: Bench Partner {i:04d} GmbH", f"tier: {tier}"]
    if logo:
        lines.append(f"logo: {logo}")
    lines += [
        "contact:",
        f"  name: Contact {i}",
        f"  email: {email or f'sales{i}@partner{i}.example'}",
        f'  phone: "+1 555 {i:04d}"',
        f"  website: https://partner{i}.example",
        "audience: partner",
    ]
    return "\n".join(lines) + "\n"


def write_partners(root: Path, partners: int, seed: int = 7) -> list[str]:
    """Replace the catalog's partners with `partners` generated ones; their ids.

    Mixed tiers; half with PNG logos of aspect ratios 1:3 to 6:1, a quarter with SVG logos,
    the rest without.
    """
    for old in (root / "partners").glob("*.yaml"):
        old.unlink()
    logos = root / "assets" / "bench"
    logos.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    ids = []
    for i in range(partners):
        pid = f"partner-{i:04d}"
        ids.append(pid)
        kind = i % 4
        colour = (rng.randrange(30, 220), rng.randrange(30, 220), rng.randrange(30, 220))
        logo = None
        if kind in (0, 2):  # PNG, aspect ratio from 1:3 (tall) to 6:1 (wide)
            ratio = rng.choice((1 / 3, 0.5, 1.0, 2.0, 3.0, 4.5, 6.0))
            height = rng.randrange(60, 200)
            width = max(8, round(height * ratio))
            (logos / f"{pid}.png").write_bytes(png(width, height, colour))
            logo = f"assets/bench/{pid}.png"
        elif kind == 1:  # SVG
            ratio = rng.choice((0.5, 1.0, 3.0, 4.0))
            hexcol = "#" + bytes(colour).hex()
            (logos / f"{pid}.svg").write_text(svg(round(80 * ratio), 80, hexcol, f"P{i}"))
            logo = f"assets/bench/{pid}.svg"
        (root / "partners" / f"{pid}.yaml").write_text(partner_yaml(i, TIERS[i % 4], logo))
    return ids


def add_plays(root: Path, total: int) -> list[str]:
    """Grow the catalog's plays to `total` by copying the sample's under new ids.

    The copies keep their audience and minimum tier (so kits grow as they would), and go on
    new destinations' paths of PLAYS_PER_PATH plays each, so no play is on no path.
    """
    originals = sorted(p for p in (root / "plays").glob("*.yaml"))
    if total < len(originals):
        raise ValueError(f"at least the sample's {len(originals)} plays, not {total}")
    added: list[str] = []
    for n in range(total - len(originals)):
        source = originals[n % len(originals)]
        pid = f"{source.stem}-b{n:02d}"
        text = source.read_text(encoding="utf-8")
        text = re.sub(r"^name: (.*)$", rf"name: \1 (variant {n})", text, count=1, flags=re.M)
        (root / "plays" / f"{pid}.yaml").write_text(text, encoding="utf-8")
        added.append(pid)
    destination = (root / "destinations" / "cyber-resilience.yaml").read_text(encoding="utf-8")
    for k in range(0, len(added), PLAYS_PER_PATH):
        name = f"bench-{k // PLAYS_PER_PATH}"
        dest = re.sub(
            r"^name: .*$", f"name: Bench destination {name}", destination, count=1, flags=re.M
        )
        (root / "destinations" / f"{name}.yaml").write_text(dest, encoding="utf-8")
        steps = "".join(
            f"  - play: {pid}\n    stage: Stage {j}\n    milestone: Milestone {j}\n"
            for j, pid in enumerate(added[k : k + PLAYS_PER_PATH])
        )
        (root / "paths" / f"{name}-journey.yaml").write_text(
            f"destination: {name}\naudience: public\nname: Bench journey {name}\nsteps:\n{steps}",
            encoding="utf-8",
        )
    return added


def source_only(root: Path) -> None:
    """Drop the catalog's locales and translations: a one-language catalog."""
    config = root / "catalog.yaml"
    text = re.sub(r"^locales:.*\n", "", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text, encoding="utf-8")
    for po in (root / "translations").glob("*.po"):
        po.unlink()


def generate(
    root: Path, partners: int, plays: int | None = None, seed: int = 7, *, locales: bool = False
) -> list[str]:
    """A copy of the sample catalog at `root` with `partners` generated partners and, if
    given, `plays` plays in all; the partner ids. Built in the source locale only (the
    catalog the engine's targets were set on) unless `locales`: the sample's translations
    then stay."""
    shutil.copytree(SAMPLE, root)
    if not locales:
        source_only(root)
    ids = write_partners(root, partners, seed)
    if plays is not None:
        add_plays(root, plays)
    return ids
