"""Demo people and places for `manage.py seed_demo` (docs/design.md §6).

A believable township, 东河镇, with its villages, stations/offices, ~120 cadres, ~5,000
households, assignments, contact households, trainings and model figures, plus the fixed demo
log-ins; `--scale county` adds 19 generated townships (~2,000 cadres, ~100,000 households in
all). Deterministic (ctx.rng_for), idempotent (a township whose code exists is not seeded
again) and fast (bulk inserts; households carry no history rows, since nobody edited them).

The package: `data` (fixed names and numbers), `townships` (`seed` and one township's rows),
`people` (households, trainings, figures, absences), `logins`. `seed` is the entry seed_demo calls.
"""

from cadres.demo.data import (
    COUNTY,
    EXTRA_TOWNSHIPS,
    GIVEN,
    GROUP_NUMERALS,
    LEADERS,
    LOGINS,
    MAIN_CODE,
    MAIN_NAME,
    MAIN_VILLAGES,
    SURNAMES,
    TRAININGS,
    UNIT_LEADERS,
    UNITS,
    VILLAGE_ENDS,
    VILLAGE_POSTS,
    VILLAGE_STEMS,
)
from cadres.demo.townships import (
    seed,
)

__all__ = [
    "COUNTY", "EXTRA_TOWNSHIPS", "GIVEN", "GROUP_NUMERALS", "LEADERS", "LOGINS", "MAIN_CODE", "MAIN_NAME",
    "MAIN_VILLAGES", "SURNAMES", "TRAININGS", "UNITS", "UNIT_LEADERS", "VILLAGE_ENDS", "VILLAGE_POSTS",
    "VILLAGE_STEMS", "seed"
]
