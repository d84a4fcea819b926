"""The figures a bulletin reports, aggregated in the database for one township and one period.

Every query is bounded by the period (or the period's year / latest quarter), so compiling a
month costs the same in the first year as in the fifth (docs/design.md §7). Nothing here names or
ranks individual cadres: problems are grouped by unit or village (docs/design.md §2.1).

The result is plain JSON (ints, floats, strings, ISO dates): it is stored on the bulletin and
frozen on publication, so the page, PDF, XLSX and DOCX of a published bulletin never change.

The package is split by bulletin section; this module is its public face (import from here):
`period`, `daily` (工作动态), `disclosures` (村务公开), `activities` (trainings, ideas, inspections,
places, plans), `compilation` (`compile_figures`).
"""

from bulletins.figures.activities import (
    FINDING_COLUMNS,
    IDEA_COLUMNS,
    adopted_ideas,
    finding_row,
    idea_row,
    inspection_figures,
    overdue_by_place,
    place_row,
    plan_figures,
    plan_milestone_rows,
    plan_progress,
    training_figures,
    trainings_row,
)
from bulletins.figures.compilation import (
    compile_figures,
    problem_group_rows,
)
from bulletins.figures.daily import (
    _overdue_at_end,  # bulletins.county counts the county's the same way
    coverage_figures,
    diary_completeness,
    household_coverage,
    matter_figures,
    pledge_figures,
    pledge_progress,
)
from bulletins.figures.disclosures import (
    CHECK_AGGREGATES,
    GAP_COLUMNS,
    disclosure_compliance,
    disclosure_figures,
    domain_counts,
    gap_rows,
    missing_categories,
)
from bulletins.figures.period import (
    FIGURES_VERSION,
    LIST_LIMIT,
    Period,
    quarter_of,
    rate,
)

__all__ = [
    "CHECK_AGGREGATES", "FIGURES_VERSION", "FINDING_COLUMNS", "GAP_COLUMNS", "IDEA_COLUMNS", "LIST_LIMIT",
    "Period", "_overdue_at_end", "adopted_ideas", "compile_figures", "coverage_figures", "diary_completeness",
    "disclosure_compliance", "disclosure_figures", "domain_counts", "finding_row", "gap_rows",
    "household_coverage", "idea_row", "inspection_figures", "matter_figures", "missing_categories",
    "overdue_by_place", "place_row", "plan_figures", "plan_milestone_rows", "plan_progress", "pledge_figures",
    "pledge_progress", "problem_group_rows", "quarter_of", "rate", "training_figures", "trainings_row"
]
