"""公开事项 and the quarterly check of village-affairs disclosure (docs/design.md §3, §5).

`disclosure_check_run` is the one service behind the beat job, the admin action and
`manage.py run_disclosure_check`: it reads only the quarter's disclosures, writes with a
constant number of queries whatever the number of villages, and running it twice gives the same
rows. Items the office adjusted keep the office's result.

The package is split by concern; this module is its public face (import from here):
- `requirements`: what a township asks for, and the periods a requirement covers;
- `posting`: who may post for which subject, `disclosure_create`;
- `judging`: the check's pure parts (subjects, judging an item, score, run summary);
- `check_run`: `disclosure_check_run` and the notice of its gaps;
- `review`: the office's review and item adjustment.
"""

from supervision.services.disclosures.check_run import disclosure_check_run, notify_check_gaps
from supervision.services.disclosures.judging import (
    CheckRunSummary,
    CheckSubject,
    Judged,
    Result,
    SubjectKey,
    check_subjects,
    rubric_for,
    score_for,
    subject_key,
)
from supervision.services.disclosures.posting import (
    CONTENT_LIMIT,
    DEFAULT_DISPLAY_DAYS,
    TITLE_LIMIT,
    backdate_days,
    disclosure_create,
    may_post_for,
    may_post_for_subject,
)
from supervision.services.disclosures.requirements import (
    Frequency,
    Period,
    due_after,
    periods,
    requirements_by_kind,
    requirements_for,
)
from supervision.services.disclosures.review import disclosure_check_item_adjust, disclosure_check_review

__all__ = [
    "CONTENT_LIMIT", "DEFAULT_DISPLAY_DAYS", "TITLE_LIMIT", "CheckRunSummary", "CheckSubject", "Frequency", "Judged",
    "Period", "Result", "SubjectKey", "backdate_days", "check_subjects", "disclosure_check_item_adjust",
    "disclosure_check_review", "disclosure_check_run", "disclosure_create", "due_after", "may_post_for",
    "may_post_for_subject", "notify_check_gaps", "periods", "requirements_by_kind", "requirements_for",
    "rubric_for", "score_for", "subject_key",
]
