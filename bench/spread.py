"""The spread of several `make bench` runs, as a Markdown table (README, docs/performance.md).

    python -m bench.spread bench/out/runs/1m-*.json

For each case: the value and ratio of every run side by side, the CPU ratio's range, and how many
runs passed its budget. A budget is held only when every run passes it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _ratio(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _value(row: dict[str, Any]) -> str:
    value = row.get("value")
    if value is None:
        return "—"
    return f"{value:,.1f} {row['unit']}"


def spread(paths: list[Path]) -> list[str]:
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    names: list[str] = []
    for run in runs:
        names += [r["name"] for r in run["results"] if r["name"] not in names]
    header = " | ".join(f"run {i + 1} ({run['machine'].get('commit', '?')}, {run['machine']['date']})"
                        for i, run in enumerate(runs))
    lines = [f"| case | budget | {header} | CPU ratio (min–max) | passed |",
             "| --- | --- | " + " | ".join("---:" for _ in runs) + " | --- | --- |"]
    for name in names:
        rows = [next((r for r in run["results"] if r["name"] == name), None) for run in runs]
        present = [r for r in rows if r is not None]
        cells = []
        for r in rows:
            if r is None:
                cells.append("—")
            else:
                ratio = f" ({_ratio(r['ratio'])})" if r.get("ratio") is not None else ""
                cells.append(f"{_value(r)}{ratio}")
        cpu = [r["cpu_ratio"] for r in present if r.get("cpu_ratio") is not None]
        cpu_text = f"{min(cpu):.2f}–{max(cpu):.2f}×" if cpu else "—"
        judged = [r["pass"] for r in present if r.get("pass") is not None]
        passed = f"{sum(judged)} of {len(judged)}" if judged else "n/a"
        if judged:
            passed = ("✅ " if all(judged) and len(judged) == len(runs) else "❌ ") + passed
        budget = present[0]["budget"] if present else ""
        lines.append(f"| {name} | {budget} | {' | '.join(cells)} | {cpu_text} | {passed} |")
    return lines


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv]
    if not paths:
        raise SystemExit(__doc__)
    print("\n".join(spread(paths)))


if __name__ == "__main__":
    main(sys.argv[1:])
