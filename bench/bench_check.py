"""Benchmark: `salesplay check` on a generated catalog of many plays (target: 1,000 plays < 2 s)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import prepared  # bench/ is on sys.path when a script in it runs

PLAY = """\
name: Play number {i}
summary: Replace tape and legacy backup with *immutable*, off-site copies for segment {i}.
audience: partner
products: [vault]
target: {{segments: [mid-market], industries: [healthcare], personas: [Head of infrastructure], economic_buyer: CIO}}
triggers: [Backup renewal within 6 months, Restore took more than a day]
why_do_anything: Your backups are the first thing ransomware deletes.
why_now: Insurers now ask for immutable backups at renewal.
why_us: [diff-{d1}, diff-{d2}]
discovery:
  - When did you last restore a full system, and how long did it take?
  - Who signs off the recovery plan, and when was it last tested?
  - What does one day of downtime cost you?
qualification: [Economic buyer identified, Restore-time cost quantified, Deadline known]
objections:
  - {{objection: "We already have backups.", response: "So did the last 3 hospitals hit — ask how long their **restore** took."}}
  - {{objection: "No budget this year.", response: "Price one day of downtime against the project."}}
competitors:
  - competitor: comp-{c}
    landmines: [Ask what immutability costs per terabyte.]
    talk_track: Solid on-prem; ask what happens when the backup server itself is encrypted.
  - {{competitor: status-quo, talk_track: "Price one day of downtime against the project."}}
proof:
  - {{customer: Contoso Health, industry: healthcare, result: "Restore time from 3 days to 40 minutes.", audience: public}}
handoff: Bring in a backup specialist once the customer asks for a sizing.
next_steps: [Book a 30-minute restore-readiness workshop]
partner: {{role: Partner runs the proof of concept, value: "Services attach of about $15k per deal", min_tier: silver}}
"""


def generate(root: Path, plays: int) -> None:
    """Write a catalog with `plays` plays, 1 play per 10 a differentiator and competitor."""
    n_aux = max(plays // 10, 2)
    (root / "assets").mkdir(parents=True)
    files: dict[str, str] = {
        "catalog.yaml": "company: {name: Bench Co}\ntiers: [registered, silver, gold]\n"
        "jargon: {allow: [CIO]}\n",
        "glossary.yaml": "immutable: Cannot be changed.\n",
        "products/vault.yaml": "name: Vault\nsummary: Backup.\ncapabilities:\n"
        "  - {id: snapshots, name: Snapshots, status: ga}\n",
        "competitors/status-quo.yaml": "name: Do nothing\ntype: status-quo\n"
        "summary: Hope.\nreviewed: 2026-11-01\n",
        "destinations/resilience.yaml": "name: Resilience\npromise: Recover in an hour.\n",
    }
    for k in range(n_aux):
        files[f"competitors/comp-{k}.yaml"] = (
            f"name: Competitor {k}\ntype: vendor\nsummary: A rival.\nreviewed: 2026-11-01\n"
        )
        files[f"differentiators/diff-{k}.yaml"] = (
            f"claim: Claim {k}.\ntype: comparative\nbacked_by: [vault/snapshots]\n"
            f"versus: [{{competitor: comp-{k}, detail: We are faster.}}]\nreviewed: 2026-11-01\n"
        )
    steps = "".join(f"  - {{play: play-{i}, stage: Stage {i}}}\n" for i in range(plays))
    files["paths/journey.yaml"] = f"destination: resilience\nname: Journey\nsteps:\n{steps}"
    for i in range(plays):
        files[f"plays/play-{i}.yaml"] = PLAY.format(
            i=i, d1=i % n_aux, d2=(i + 1) % n_aux, c=i % n_aux
        )
    for k in range(max(plays // 50, 4)):
        files[f"partners/partner-{k}.yaml"] = f"name: Partner {k}\ntier: gold\n"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def run_in_process(catalog: Path) -> tuple[float, int]:
    from salesplay.context import Context
    from salesplay.pipeline import check_catalog

    ctx = Context(catalog=catalog, as_of=__import__("datetime").date(2026, 11, 23))
    start = time.perf_counter()
    check_catalog(ctx)
    return time.perf_counter() - start, len(ctx.reporter.diagnostics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plays", type=int, default=1000)
    parser.add_argument("--target", type=float, default=2.0, help="seconds allowed")
    args = parser.parse_args()
    prepared.ensure()  # as `make` would: else every build compiles the theme itself
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Path(tmp) / "plays"
        generate(catalog, args.plays)
        n_files = sum(1 for _ in catalog.rglob("*.yaml"))
        exe = Path(sys.executable).with_name("salesplay")
        start = time.perf_counter()
        proc = subprocess.run(
            [str(exe), "check", "--catalog", str(catalog), "--as-of", "2026-11-23"],
            capture_output=True,
            text=True,
            check=False,
        )
        cli = time.perf_counter() - start
        inproc, n_diags = run_in_process(catalog)
    print(f"catalog: {args.plays} plays, {n_files} YAML files")
    print(f"salesplay check (whole command, incl. start-up): {cli:.2f} s, exit {proc.returncode}")
    print(f"check pipeline in process:                       {inproc:.2f} s, {n_diags} diagnostics")
    print(f"ratio to the {args.target:.1f} s target:                     {cli / args.target:.2f}")
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
        sys.exit(1)


if __name__ == "__main__":
    main()
