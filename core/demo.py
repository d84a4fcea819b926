"""Shared context for `manage.py seed_demo`: each app adds its part of the demo in order.

Parts run in this order and must each be idempotent (a second run changes nothing):
cadres.demo (places, people, log-ins) → supervision.demo.diaries (diaries, matters, ideas) →
supervision.demo.pledges, .disclosures, .inspections → supervision.demo.plans (village development
plans) → bulletins.demo (the order of portal's seed_demo DEMO_PARTS).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class DemoContext:
    rng: random.Random
    seed: int
    scale: str  # "township" or "county"
    password: str
    today: date
    out: Any  # a callable(str) for progress lines
    # Filled by cadres.demo: every seeded township, and the main one that holds the fixed log-ins.
    townships: list[Any] = field(default_factory=list)
    main_township: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def rng_for(self, name: str) -> random.Random:
        """An independent, deterministic stream per part, so one part's changes never shift another's data."""
        return random.Random(f"{self.seed}:{name}")

    def generated_townships(self) -> list[Any]:
        """A county's generated townships (every seeded township but the main one), in code order;
        none unless `--scale county`."""
        main = self.main_township
        if self.scale != "county" or main is None:
            return []
        return sorted((t for t in self.townships if t.pk != main.pk), key=lambda t: (t.code, t.pk))
