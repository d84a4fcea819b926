"""一类事: group the period's problems (diaries' new problems, registered matters) by their words.

How a group is made, so that anyone can check it:
0. A text that lists several problems ("1.机井水泵损坏…；2.村道路灯不亮…", or one sentence a
   problem) is split into its problems (`problem_items`): at list numbers, 。；;！？ and line
   breaks, never at commas; a piece too short to be a problem on its own (fewer than
   MIN_ITEM_WORDS words, e.g. "已上报") stays with the piece before it. Each problem is grouped on
   its own, so a diary belongs to as many groups as it raises different problems (once to each).
1. Each problem is cut into words (core.segment: jieba with the township's own words, stop words out).
2. Each problem becomes a TF-IDF vector over the period's texts (a word found in every text weighs
   little, a rare shared word a lot), normalised to length 1.
3. Two texts are similar when the cosine of their vectors reaches THRESHOLD. Pairs are taken from
   the most similar down (ties by the texts' keys) and joined greedily, single-link, as long as the
   two sides' categories agree (a text filed under 其他 has no category and may join any group).
4. A group needs texts from at least MIN_VILLAGES villages. Its keywords are the words shared by
   at least two of its texts, heaviest first; its label is the first three.

Everything is sorted before it is used, so the same texts always give the same groups. `cluster`
is pure (no database); `problem_groups_refresh` reads a township's period, replaces that period's
groups, and keeps an adopted group's agenda item on the new group that shares most of its texts.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Township
from cadres.roles import Actor, Role
from core import segment
from core.errors import DomainError, NotAllowed
from supervision.models import Category, Diary, Matter, ProblemGroup

THRESHOLD = 0.3
MIN_VILLAGES = 2
KEYWORDS = 6
LABEL_WORDS = 3
# A text's heaviest words only are used to find candidate pairs: a pair that shares none of
# them cannot reach the threshold in practice, and this keeps a county quarter far from n².
PROBE_WORDS = 8
WINDOW = 32
MAX_PERIOD_DAYS = 366
# A piece of a text is a problem of its own from this many meaningful words (a numbered list item
# from NUMBERED_ITEM_WORDS: its number says it is one); shorter pieces join their neighbour.
MIN_ITEM_WORDS = 3
NUMBERED_ITEM_WORDS = 2

NO_CATEGORY = ""


@dataclass(frozen=True)
class Text:
    """One problem as the grouping sees it: ("d", id) a diary, ("m", id) a matter."""

    kind: str
    id: int
    village_id: int
    category: str
    day: date
    text: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)


@dataclass
class Cluster:
    members: list[Text]
    keywords: list[str]
    category: str = NO_CATEGORY
    village_ids: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "、".join(self.keywords[:LABEL_WORDS])

    @property
    def first_seen(self) -> date:
        return min(t.day for t in self.members)

    @property
    def last_seen(self) -> date:
        return max(t.day for t in self.members)

    def keys(self) -> set[tuple[str, int]]:
        return {t.key for t in self.members}


# A list number opening a piece: at the start, after a line break, a space or punctuation; "1." "2、"
# "(3)" "（四）" "五、"; a circled ① anywhere. Not a decimal (3.5亩) and not a number inside a sentence (共3户).
_LIST_NUMBER = re.compile(
    r"(?:^|(?<=[\s。；;，,：:！？!?]))\s*"
    r"(?:\d{1,2}[.、．)）](?!\d)|[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]|[一二三四五六七八九十]{1,3}[、．])"
    r"|[①-⑳]"
)
_SENTENCE_END = re.compile(r"[。；;！？!?\n\r]+")
_ITEM_MARK = "\x00"


def problem_items(text: str) -> list[str]:
    """The separate problems a text lists, in order (the whole text when it is one problem).

    Split at list numbers and at sentence ends (。；;！？ and line breaks), never at commas; a piece
    with fewer than MIN_ITEM_WORDS meaningful words (NUMBERED_ITEM_WORDS for a numbered item) is
    not a problem of its own and joins the piece before it (the first joins the next)."""
    return [item for item, _words in _items(text)]


def _items(text: str) -> list[tuple[str, list[str]]]:
    """`problem_items` with each problem's words (each piece is cut once)."""
    marked = _LIST_NUMBER.sub(_ITEM_MARK, text or "")
    items: list[tuple[str, list[str]]] = []
    pending: tuple[str, list[str]] | None = None  # short pieces before the first real one
    for n, chunk in enumerate(marked.split(_ITEM_MARK)):
        for k, sentence in enumerate(_SENTENCE_END.split(chunk)):
            piece = sentence.strip(" \t，,、：:")
            if not piece:
                continue
            words = segment.words(piece)
            need = NUMBERED_ITEM_WORDS if n > 0 and k == 0 else MIN_ITEM_WORDS
            if len(words) >= need:
                if pending is not None:
                    piece, words = f"{pending[0]}，{piece}", pending[1] + words
                    pending = None
                items.append((piece, words))
            elif items:
                items[-1] = (f"{items[-1][0]}，{piece}", items[-1][1] + words)
            else:
                pending = (f"{pending[0]}，{piece}", pending[1] + words) if pending else (piece, words)
    if pending is not None:
        items.append(pending)
    return items


def _category(value: str) -> str:
    return NO_CATEGORY if value in ("", Category.OTHER) else value


def _vectors(counts: Sequence[Counter[str]], weights: Sequence[int]) -> list[dict[str, float]]:
    """TF-IDF vectors of length 1; `weights[i]` texts share the words `counts[i]` (duplicates)."""
    df: Counter[str] = Counter()
    for c, k in zip(counts, weights, strict=True):
        for w in c:
            df[w] += k
    n = sum(weights)
    idf = {w: math.log((n + 1) / (d + 1)) + 1.0 for w, d in df.items()}
    vectors: list[dict[str, float]] = []
    for c in counts:
        total = sum(c.values()) or 1
        vec = {w: (k / total) * idf[w] for w, k in c.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    return vectors


def _pairs(vectors: list[dict[str, float]]) -> list[tuple[float, int, int]]:
    """Candidate pairs (similarity, i, j) with i < j at or above the threshold, most similar first.

    Only pairs sharing one of their PROBE_WORDS heaviest words are compared: a pair sharing none
    of them cannot reach the threshold in practice, and this keeps a county quarter far from n²."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, vec in enumerate(vectors):
        for w, _weight in sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:PROBE_WORDS]:
            postings[w].append(i)
    seen: set[tuple[int, int]] = set()
    out: list[tuple[float, int, int]] = []
    for w in sorted(postings):
        ids = postings[w]
        for a in range(len(ids)):
            vi = vectors[ids[a]]
            # A word shared by very many texts: each is compared with its WINDOW next ones only, not
            # with all of them. The texts are sorted by their words, so neighbours are the likely
            # matches, and single-link chains the similar ones together.
            for b in range(a + 1, min(len(ids), a + 1 + WINDOW)):
                pair = (ids[a], ids[b])
                if pair in seen:
                    continue
                seen.add(pair)
                vj = vectors[ids[b]]
                sim = sum(vi[k] * vj[k] for k in vi.keys() & vj.keys())
                if sim >= THRESHOLD:
                    out.append((round(sim, 9), pair[0], pair[1]))
    out.sort(key=lambda p: (-p[0], p[1], p[2]))
    return out


# Long on purpose: one algorithm whose phases the docstring explains; its loops share the distance table.
def cluster(texts: Iterable[Text]) -> list[Cluster]:
    """The groups of these texts (pure: same texts, same groups), largest first.

    Each text's problems (`problem_items`) are the points; a text is a member of every group one of
    its problems joined, once. Problems with the same words and category are one point (their
    similarity is 1): the township's texts repeat a lot, and comparing the distinct ones only
    keeps the work proportional to what is actually different."""
    ordered = sorted((t for t in texts if t.text.strip()), key=lambda t: (t.kind, t.id))
    if len(ordered) < 2:
        return []
    # signature -> the indexes in `ordered` of the texts with a problem of those words (a text
    # twice when two of its problems have the same words: the weight counts problems)
    by_signature: dict[tuple[str, tuple[tuple[str, int], ...]], list[int]] = {}
    cut: dict[str, list[tuple[tuple[str, int], ...]]] = {}  # the same text is split and cut once
    for i, t in enumerate(ordered):
        signatures_of = cut.get(t.text)
        if signatures_of is None:
            signatures_of = cut[t.text] = [
                tuple(sorted(Counter(words).items())) for _item, words in _items(t.text) if words]
        category_of = _category(t.category)
        for words_of in signatures_of:
            by_signature.setdefault((category_of, words_of), []).append(i)
    signatures = sorted(by_signature)
    counts = [Counter(dict(sig[1])) for sig in signatures]
    vectors = _vectors(counts, [len(by_signature[sig]) for sig in signatures])
    parent = list(range(len(signatures)))
    category = [sig[0] for sig in signatures]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _sim, i, j in _pairs(vectors):
        ri, rj = root(i), root(j)
        if ri == rj:
            continue
        ci, cj = category[ri], category[rj]
        if ci and cj and ci != cj:
            continue
        keep, gone = min(ri, rj), max(ri, rj)
        parent[gone] = keep
        category[keep] = ci or cj

    members: dict[int, list[int]] = defaultdict(list)
    for s in range(len(signatures)):
        members[root(s)].append(s)
    clusters: list[Cluster] = []
    for r, sigs in sorted(members.items()):
        idx = sorted({i for s in sigs for i in by_signature[signatures[s]]})
        villages = sorted({ordered[i].village_id for i in idx})
        if len(idx) < 2 or len(villages) < MIN_VILLAGES:
            continue
        # The words shared by at least two of the group's texts, heaviest in the group first.
        shared: dict[str, set[int]] = defaultdict(set)
        weight: dict[str, float] = defaultdict(float)
        for s in sigs:
            holders = by_signature[signatures[s]]
            k = len(holders)
            for w, v in vectors[s].items():
                shared[w].update(holders)
                weight[w] += v * k
        words = [w for w in shared if len(shared[w]) >= 2]
        words.sort(key=lambda w: (-round(weight[w], 9), w))
        if not words:
            continue
        clusters.append(Cluster(members=[ordered[i] for i in idx], keywords=words[:KEYWORDS],
                                category=category[r], village_ids=villages))
    clusters.sort(key=lambda c: (-len(c.village_ids), -len(c.members), sorted(c.keys())[0]))
    return clusters


def trend_for(size: int, previous: int) -> str:
    if previous == 0:
        return ProblemGroup.Trend.NEW
    if size > previous * 1.2:
        return ProblemGroup.Trend.UP
    if size < previous * 0.8:
        return ProblemGroup.Trend.DOWN
    return ProblemGroup.Trend.FLAT


def previous_count(keywords: Sequence[str], category: str,
                   earlier: Sequence[tuple[str, Sequence[frozenset[str]]]]) -> int:
    """How many texts of the previous period speak of the same thing: one of their problems
    carries at least two of the group's keywords (all of them when it has fewer), and their
    category is compatible. `earlier`: each text's category and its problems' words."""
    wanted = set(keywords[:KEYWORDS])
    need = min(2, len(wanted))
    return sum(1 for cat, problems in earlier
               if (not category or not cat or cat == category) and any(len(w & wanted) >= need for w in problems))


# --- reading a period, writing its groups ----------------------------------------------------


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def period_texts(*, township_id: int, start: date, end: date) -> list[Text]:
    """The period's problems: diaries with new problems, and matters registered in the period."""
    diaries = (
        Diary.objects.filter(township_id=township_id, date__range=(start, end), deleted_at__isnull=True)
        .exclude(problems="").values_list("pk", "village_id", "category", "date", "problems")
    )
    texts = [Text("d", pk, v, c, d, p) for pk, v, c, d, p in diaries.iterator(chunk_size=2000)]
    low, high = _bounds(start, end)
    matters = Matter.objects.filter(township_id=township_id, created_at__gte=low, created_at__lt=high).values_list(
        "pk", "village_id", "category", "created_at", "description")
    texts += [Text("m", pk, v, c, timezone.localdate(at), d) for pk, v, c, at, d in matters.iterator(chunk_size=2000)]
    return texts


def check_period(start: date | None, end: date | None) -> tuple[date, date]:
    if start is None or end is None:
        raise DomainError(_("请填写期间的开始和结束日期。"), field="start")
    if end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), field="end")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise DomainError(_("期间不能超过一年。"), field="end")
    return start, end


@dataclass
class RefreshSummary:
    townships: int = 0
    texts: int = 0
    groups: int = 0
    kept_agenda: int = 0

    def as_text(self) -> str:
        return _("已归纳%(t)s个乡镇的%(n)s条问题，形成%(g)s类；保留已列入议题的%(k)s类。") % {
            "t": self.townships, "n": self.texts, "g": self.groups, "k": self.kept_agenda}


def _members_of(groups: Iterable[ProblemGroup]) -> dict[int, set[tuple[str, int]]]:
    ids = [g.pk for g in groups]
    out: dict[int, set[tuple[str, int]]] = defaultdict(set)
    through_d = ProblemGroup.diaries.through
    through_m = ProblemGroup.matters.through
    for gid, did in through_d.objects.filter(problemgroup_id__in=ids).values_list("problemgroup_id", "diary_id"):
        out[gid].add(("d", did))
    for gid, mid in through_m.objects.filter(problemgroup_id__in=ids).values_list("problemgroup_id", "matter_id"):
        out[gid].add(("m", mid))
    return out


# Long on purpose: match, update, create and drop a township's groups under one lock, in one transaction.
@transaction.atomic
def _refresh_township(township_id: int, start: date, end: date, summary: RefreshSummary) -> None:
    # One refresh of a township's period at a time: the township row is the lock.
    Township.objects.select_for_update().filter(pk=township_id).first()
    texts = period_texts(township_id=township_id, start=start, end=end)
    clusters = cluster(texts)
    length = (end - start).days + 1
    earlier_texts = period_texts(township_id=township_id, start=start - timedelta(days=length),
                                 end=start - timedelta(days=1))
    cut: dict[str, tuple[frozenset[str], ...]] = {}
    for t in earlier_texts:
        if t.text not in cut:
            cut[t.text] = tuple(frozenset(words) for _item, words in _items(t.text))
    earlier = [(_category(t.category), cut[t.text]) for t in earlier_texts]

    old = list(ProblemGroup.objects.filter(township_id=township_id, period_start=start, period_end=end))
    adopted = [g for g in old if g.agenda_item_id is not None]
    old_members = _members_of(adopted)
    # Each adopted group's item goes to the new group sharing most texts with it (ties: the
    # larger new group, then the earlier); an adopted group nothing matches stays as it was.
    carried: dict[int, int] = {}  # cluster index -> agenda item id
    taken: set[int] = set()
    for group in sorted(adopted, key=lambda g: g.pk):
        best, best_overlap = None, 0
        for index, c in enumerate(clusters):
            if index in carried:
                continue
            overlap = len(c.keys() & old_members[group.pk])
            if overlap > best_overlap:
                best, best_overlap = index, overlap
        if best is not None:
            assert group.agenda_item_id is not None
            carried[best] = group.agenda_item_id
            taken.add(group.pk)
    ProblemGroup.objects.filter(pk__in=[g.pk for g in old if g.agenda_item_id is None or g.pk in taken]).delete()

    now = timezone.now()
    rows = []
    for index, c in enumerate(clusters):
        size = len(c.members)
        prev = previous_count(c.keywords, c.category, earlier)
        rows.append(ProblemGroup(
            township_id=township_id, period_start=start, period_end=end, category=c.category, label=c.label[:100],
            keywords=c.keywords, village_count=len(c.village_ids),
            diary_count=sum(1 for t in c.members if t.kind == "d"),
            matter_count=sum(1 for t in c.members if t.kind == "m"),
            first_seen=c.first_seen, last_seen=c.last_seen, previous_size=prev, trend=trend_for(size, prev),
            agenda_item_id=carried.get(index), computed_at=now,
        ))
    created = ProblemGroup.objects.bulk_create(rows)
    through_v, through_d, through_m = (
        ProblemGroup.villages.through, ProblemGroup.diaries.through, ProblemGroup.matters.through)
    links_v: list[Any] = []
    links_d: list[Any] = []
    links_m: list[Any] = []
    for group, c in zip(created, clusters, strict=True):
        links_v += [through_v(problemgroup_id=group.pk, village_id=v) for v in c.village_ids]
        links_d += [through_d(problemgroup_id=group.pk, diary_id=t.id) for t in c.members if t.kind == "d"]
        links_m += [through_m(problemgroup_id=group.pk, matter_id=t.id) for t in c.members if t.kind == "m"]
    through_v.objects.bulk_create(links_v, batch_size=2000)
    through_d.objects.bulk_create(links_d, batch_size=2000)
    through_m.objects.bulk_create(links_m, batch_size=2000)
    summary.townships += 1
    summary.texts += len(texts)
    summary.groups += len(created)
    summary.kept_agenda += len(carried)


def problem_groups_refresh(
    *, start: date, end: date, township_id: int | None = None, job_id: int | None = None
) -> RefreshSummary:
    """Recompute the period's groups of one township (None: every township); a rerun replaces them.

    Each township is its own transaction: a county quarter does not hold one long lock."""
    from core.jobs import job_progress

    start, end = check_period(start, end)
    ids = [township_id] if township_id else list(Township.objects.order_by("pk").values_list("pk", flat=True))
    summary = RefreshSummary()
    for n, tid in enumerate(ids):
        _refresh_township(tid, start, end, summary)
        job_progress(job_id, progress=int(100 * (n + 1) / max(1, len(ids))),
                     message=_("已归纳%(n)s/%(t)s个乡镇") % {"n": n + 1, "t": len(ids)})
    return summary


# --- who may do what ----------------------------------------------------------------------


def may_see_groups(actor: Actor) -> bool:
    """The leaders, the office, the discipline inspector and county staff read the groups page."""
    return not actor.is_nobody and actor.has(Role.LEADER, Role.OFFICE, Role.INSPECTOR, Role.COUNTY)


def may_run_grouping(actor: Actor) -> bool:
    return actor.has(Role.LEADER, Role.OFFICE) and (actor.township_ids is None or actor.township_id is not None)


def problem_groups_start(*, actor: Actor, start: date, end: date) -> Any:
    """Queue a regrouping of the actor's township for the period (a JobRun the page follows)."""
    from core.jobs import job_start
    from supervision.tasks import group_problems_task

    if not may_run_grouping(actor):
        raise NotAllowed(_("只有镇领导或党政办可以重新归纳一类事。"))
    start, end = check_period(start, end)
    township_id = actor.township_id
    return job_start(
        name=JOB_NAME, started_by_id=actor.user_id,
        params={"start": start.isoformat(), "end": end.isoformat(), "township": township_id},
        enqueue=lambda job_id: group_problems_task.delay(start.isoformat(), end.isoformat(), township_id, job_id),
    )


JOB_NAME = "problem_groups"


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last
