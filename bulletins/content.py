"""What a bulletin says, in one shape for every output: the page, the PDF, the XLSX and the DOCX.

The stored figures are plain JSON with English slugs; labels are added here, at reading time, in
the reader's language. Every renderer starts from `document()`, so the four outputs agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Training
from supervision.models import AgendaItem, Category, Domain, InspectionFinding, Matter, Pledge, ProblemGroup

from .models import Bulletin


def cn_date(value: dt.date | str | None) -> str:
    """2026年11月25日 (docs/design.md §2.2)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return _("%(y)s年%(m)s月%(d)s日") % {"y": value.year, "m": value.month, "d": value.day}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def _label(choices: Any, slug: str) -> str:
    try:
        return str(choices(slug).label)
    except ValueError:
        return slug


def issue_line(bulletin: Bulletin) -> str:
    """第N期 line: "2026年第3期（总第15期）", or a marker for an unnumbered draft."""
    if bulletin.number:
        line = _("%(year)s年第%(number)s期") % {"year": bulletin.year, "number": bulletin.number}
        if bulletin.cumulative_number:
            line += _("（总第%(n)s期）") % {"n": bulletin.cumulative_number}
        return line
    return _("%(year)s年第　期（%(status)s，发布时编号）") % {
        "year": bulletin.year, "status": bulletin.get_status_display()}


def period_text(start: dt.date | str, end: dt.date | str) -> str:
    return _("%(start)s至%(end)s") % {"start": cn_date(start), "end": cn_date(end)}


# --- 工作动态 ------------------------------------------------------------------------------------------


def auto_narrative(figures: dict[str, Any]) -> str:
    """The default 工作动态 text, written from the figures; the editor may rewrite it."""
    d, h, m = figures["diaries"], figures["households"], figures["matters"]
    p, t, i = figures["pledges"], figures["trainings"], figures["ideas"]
    paragraphs = [
        _("本期（%(period)s）共%(workdays)s个工作日。全镇%(cadres)s名镇干部应写民情日记%(expected)s篇，"
          "实写%(written)s篇，完成率%(rate)s，其中当天填写%(on_time)s篇；全镇共记民情日记%(total)s篇，"
          "反映新问题%(problems)s条、提出新思路%(ideas)s条。")
        % {"period": period_text(figures["period"]["start"], figures["period"]["end"]),
           "workdays": d["workdays"], "cadres": d["cadres"], "expected": d["expected"], "written": d["written"],
           "rate": percent(d["rate"]), "on_time": d["on_time"], "total": d["total"],
           "problems": d["with_problems"], "ideas": d["with_ideas"]},
        _("干部联系户%(contacts)s户，本期走访%(visited)s户，覆盖率%(rate)s；其中困难党员户%(poor)s户，走访%(poor_visited)s户。")
        % {"contacts": h["contacts"], "visited": h["visited"], "rate": percent(h["rate"]),
           "poor": h["poor_contacts"], "poor_visited": h["poor_visited"]},
        _("新登记问题诉求%(raised)s件（来自民情日记%(diary)s件），办结%(resolved)s件，销号%(closed)s件；"
          "截至期末，超过办理期限尚未办结%(overdue)s件。采纳群众建议%(adopted)s条，已作出决策%(decided)s条。")
        % {"raised": m["raised"], "diary": m["from_diaries"], "resolved": m["resolved"], "closed": m["closed"],
           "overdue": m["overdue"], "adopted": i["adopted"], "decided": i["decided"]},
        _("%(year)s年度目标管理责任书共%(total)s份，已会签生效%(effective)s份。本期举办培训%(held)s期、"
          "%(hours)s学时，应参训%(enrolled)s人次，实到%(present)s人次。")
        % {"year": p["year"], "total": p["total"], "effective": p["effective"], "held": t["held"],
           "hours": f"{t['hours']:g}", "enrolled": t["enrolled"], "present": t["present"]},
    ]
    disclosure = figures.get("disclosure")
    if disclosure:
        paragraphs.append(
            _("%(year)s年第%(quarter)s季度村务公开检查：%(villages)s个村，应公开%(items)s项，按时公开%(on_time)s项，"
              "逾期%(late)s项，未公开%(missing)s项，按时公开率%(rate)s，平均得分%(score)s分。")
            % {"year": disclosure["year"], "quarter": disclosure["quarter"], "villages": disclosure["villages"],
               "items": disclosure["on_time"] + disclosure["late"] + disclosure["missing"],
               "on_time": disclosure["on_time"], "late": disclosure["late"], "missing": disclosure["missing"],
               "rate": percent(disclosure["rate"]), "score": f"{disclosure['average_score']:g}"}
        )
    return "\n".join(paragraphs)


@dataclass
class FigureGroup:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def pairs(self) -> list[tuple[tuple[str, str], tuple[str, str] | None]]:
        """Rows two by two, for a compact four-column table."""
        return [(self.rows[i], self.rows[i + 1] if i + 1 < len(self.rows) else None)
                for i in range(0, len(self.rows), 2)]


# Long on purpose: a flat table of the bulletin's rows, label by label, in print order.
def figure_groups(figures: dict[str, Any]) -> list[FigureGroup]:
    """工作动态 as labelled rows, grouped the way the bulletin prints them."""
    if not figures:
        return []
    d, h, m = figures["diaries"], figures["households"], figures["matters"]
    p, t, ideas = figures["pledges"], figures["trainings"], figures["ideas"]
    groups = [
        FigureGroup(_("民情日记"), [
            (_("工作日（天）"), str(d["workdays"])),
            (_("应写干部（人）"), str(d["cadres"])),
            (_("应写（篇）"), str(d["expected"])),
            (_("实写（篇）"), str(d["written"])),
            (_("完成率"), percent(d["rate"])),
            (_("当天填写（篇）"), str(d["on_time"])),
            (_("当天填写率"), percent(d["on_time_rate"])),
            (_("全镇日记总数（篇）"), str(d["total"])),
        ]),
        FigureGroup(_("联系户走访"), [
            (_("联系户（户）"), str(h["contacts"])),
            (_("本期走访（户）"), str(h["visited"])),
            (_("覆盖率"), percent(h["rate"])),
            (_("困难党员户（户）"), str(h["poor_contacts"])),
            (_("困难党员户走访（户）"), str(h["poor_visited"])),
        ]),
        FigureGroup(_("问题诉求办理"), [
            (_("新登记（件）"), str(m["raised"])),
            (_("其中来自民情日记（件）"), str(m["from_diaries"])),
            (_("办结（件）"), str(m["resolved"])),
            (_("销号（件）"), str(m["closed"])),
            (_("期末逾期未办结（件）"), str(m["overdue"])),
            (_("采纳建议（条）"), str(ideas["adopted"])),
            (_("建议已决策（条）"), str(ideas["decided"])),
        ]),
        FigureGroup(
            _("%(year)s年度目标责任书") % {"year": p["year"]},
            [(_label(Pledge.Status, r["status"]), str(r["count"])) for r in p["by_status"]]
            + [(_("合计"), str(p["total"])), (_("生效率"), percent(p["effective_rate"]))],
        ),
    ]
    disclosure = figures.get("disclosure")
    if disclosure:
        groups.append(FigureGroup(
            _("村务公开（%(year)s年第%(quarter)s季度检查）") % {"year": disclosure["year"], "quarter": disclosure["quarter"]},
            [
                (_("检查村数"), str(disclosure["villages"])),
                (_("按时公开（项）"), str(disclosure["on_time"])),
                (_("逾期公开（项）"), str(disclosure["late"])),
                (_("未公开（项）"), str(disclosure["missing"])),
                (_("按时公开率"), percent(disclosure["rate"])),
                (_("平均得分"), f"{disclosure['average_score']:g}"),
                (_("存在问题的村"), str(disclosure["villages_with_gaps"])),
            ] + ([(_("检查乡镇本级、学校"), f'{disclosure.get("township_checks", 0)}、{disclosure.get("schools", 0)}')]
                 if disclosure.get("township_checks") or disclosure.get("schools") else [])
            + [
                (_("%(domain)s：按时/逾期/未公开（项）") % {"domain": _label(Domain, d["domain"])},
                 f'{d["on_time"]}/{d["late"]}/{d["missing"]}')
                for d in disclosure.get("by_domain", [])
            ],
        ))
    else:
        groups.append(FigureGroup(_("村务公开"), [(_("季度检查"), _("本期之前尚无季度检查结果"))]))
    groups.append(FigureGroup(_("教育培训"), [
        (_("举办培训（期）"), str(t["held"])),
        (_("学时"), f"{t['hours']:g}"),
        (_("应参训（人次）"), str(t["enrolled"])),
        (_("实到（人次）"), str(t["present"])),
        (_("到课率"), percent(t["attendance_rate"])),
        *[(_label(Training.Kind, r["kind"]), str(r["count"])) for r in t["by_kind"]],
    ]))
    inspections = figures.get("inspections") or {}
    groups.append(FigureGroup(_("作风督查"), [
        (_("开展督查（次）"), str(inspections.get("held", 0))),
        (_("通报问题（个）"), str(inspections.get("findings", 0))),
    ]))
    plans = figures.get("plans")
    if plans is not None:  # bulletins compiled before the plans existed print as they did
        groups.append(FigureGroup(_("帮村发展规划"), [
            (_("本期到期节点（个）"), str(plans["due"])),
            (_("已完成（个）"), str(plans["done"])),
            (_("按期完成（个）"), str(plans["on_time"])),
            (_("期末逾期未完成（个）"), str(plans["overdue"])),
        ]))
    return groups


def idea_rows(figures: dict[str, Any]) -> list[dict[str, str]]:
    """Adopted ideas (from diaries) by village — text the editor did not write, printed as is."""
    return [
        {"village": row["village"], "title": row["title"], "status": _label(AgendaItem.Status, row["status"])}
        for row in (figures.get("ideas") or {}).get("items", [])
    ]


def chart_series(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Data of the bulletin's charts: diaries by category, and matters raised by category."""
    if not figures:
        return []
    charts = []
    diaries = [(_label(Category, r["category"]), r["count"]) for r in figures["diaries"]["by_category"]]
    if diaries:
        charts.append({"title": _("民情日记反映情况分类（篇）"), "rows": diaries})
    matters = [(_label(Category, r["category"]), r["count"]) for r in figures["matters"]["by_category"]]
    if matters:
        charts.append({"title": _("新登记问题诉求分类（件）"), "rows": matters})
    return charts


# --- 典型经验 ------------------------------------------------------------------------------------------


def typical_entries(bulletin: Bulletin) -> list[dict[str, Any]]:
    """The model figures as printed: the frozen copy once published, the live records before.

    Callers that list many bulletins never call this; the detail views prefetch
    `model_figures__cadre`, `model_figures__village` and `model_figures__cadre__unit`.
    """
    if bulletin.is_frozen:
        return list(bulletin.typical)
    return [typical_entry(figure) for figure in bulletin.model_figures.all()]


def typical_entry(figure: Any) -> dict[str, Any]:
    name = figure.cadre.name if figure.cadre_id else figure.villager_name
    place = ""
    if figure.village_id:
        place = figure.village.name
    elif figure.cadre_id and figure.cadre.unit_id:
        place = figure.cadre.unit.name
    return {"id": figure.pk, "title": figure.title, "name": name, "place": place, "story": figure.story}


# --- 问题通报 ------------------------------------------------------------------------------------------


@dataclass
class ProblemSection:
    kind: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    empty: str
    widths: list[int] = field(default_factory=list)  # percent of the printed width, per column


def problem_sections(problems: list[dict[str, Any]]) -> list[ProblemSection]:
    by_kind = {p["kind"]: p["rows"] for p in problems or []}
    findings = [
        [
            cn_date(r["date"]),
            r["subject"],
            _label(InspectionFinding.Category, r["category"]),
            r["description"],
            _label(InspectionFinding.Action, r["action"]) if r["action"] else "",
            (_("已整改") if r["rectified"] else
             (_("限%(date)s前整改") % {"date": cn_date(r["rectification_deadline"])}
              if r["rectification_deadline"] else _("整改中"))),
        ]
        for r in by_kind.get("inspection_findings", [])
    ]
    overdue = [[r["unit"] or _("未交办"), r["village"], str(r["count"])] for r in by_kind.get("overdue_matters", [])]
    gaps = [
        [r["village"], str(r["missing"]), str(r["late"]), f"{r['score']:g}", "、".join(r["missing_categories"]),
         cn_date(r["rectification_deadline"])]
        for r in by_kind.get("disclosure_gaps", [])
    ]
    return [
        ProblemSection("inspection_findings", _("督查通报问题"),
                       [_("督查日期"), _("单位/村"), _("问题类别"), _("问题描述"), _("处理方式"), _("整改")],
                       findings, _("本期无通报的督查问题。"), [17, 15, 12, 30, 10, 16]),
        ProblemSection("overdue_matters", _("逾期未办结问题（按单位、村）"),
                       [_("承办单位"), _("村"), _("件数")], overdue, _("期末无逾期未办结的问题。"), [45, 40, 15]),
        ProblemSection("disclosure_gaps", _("村务公开存在问题的村"),
                       [_("村"), _("未公开（项）"), _("逾期（项）"), _("得分"), _("未公开类别"), _("整改期限")],
                       gaps, _("最近一次季度检查未发现缺项或逾期。"), [14, 12, 10, 8, 36, 20]),
    ] + ([
        ProblemSection("plan_progress", _("发展规划推进情况（按村）"),
                       [_("村"), _("本期到期节点"), _("已完成"), _("期末逾期未完成")],
                       [[r["village"], str(r["due"]), str(r["done"]), str(r["overdue"])]
                        for r in by_kind["plan_progress"]],
                       _("本期没有到期或逾期的规划节点。"), [40, 20, 20, 20]),
    ] if "plan_progress" in by_kind else []) + ([
        ProblemSection("problem_groups", _("群众反映集中的问题"),
                       [_("问题"), _("涉及村"), _("日记（篇）"), _("台账（件）"), _("趋势"), _("党委议题")],
                       [[r["label"], "、".join(r["villages"]), str(r["diaries"]), str(r["matters"]),
                         _label(ProblemGroup.Trend, r["trend"]),
                         _label(AgendaItem.Status, r["agenda"]) if r["agenda"] else _("未列入")]
                        for r in by_kind["problem_groups"]],
                       _("本期没有在两个以上村反映的同类问题。"), [24, 28, 10, 10, 10, 18]),
    ] if "problem_groups" in by_kind else [])


def matter_status_label(slug: str) -> str:
    return _label(Matter.Status, slug)


def distribution_lines(bulletin: Bulletin) -> list[tuple[str, str]]:
    lines = [(_("报"), bulletin.distribution_report), (_("送"), bulletin.distribution_send),
             (_("发"), bulletin.distribution_issue)]
    return [(label, text) for label, text in lines if text]


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def editor_unit_name(bulletin: Bulletin) -> str:
    unit = bulletin.editor_unit.name if bulletin.editor_unit is not None else _("党政办")
    return f"{bulletin.township.name}{unit}"


def document(bulletin: Bulletin) -> dict[str, Any]:
    """Everything a rendering of one bulletin needs, in reading order (see the module docstring)."""
    from .charts import bulletin_charts

    figures = bulletin.figures or {}
    issue_date = bulletin.issue_date or (timezone.localtime(bulletin.compiled_at).date() if bulletin.compiled_at
                                         else None)
    return {
        "bulletin": bulletin,
        "title": bulletin.title,
        "issue_line": issue_line(bulletin),
        "editor_unit": editor_unit_name(bulletin),
        "issue_date": cn_date(issue_date),
        "period": period_text(bulletin.period_start, bulletin.period_end),
        "signer": bulletin.signer,
        "editor_note": paragraphs(bulletin.editor_note),
        "narrative": paragraphs(bulletin.narrative),
        "groups": figure_groups(figures),
        "ideas": idea_rows(figures),
        "charts": bulletin_charts(chart_series(figures)),
        "chart_series": chart_series(figures),
        "typical": typical_entries(bulletin),
        "problems": problem_sections(bulletin.problems),
        "outlook": paragraphs(bulletin.outlook),
        "distribution": distribution_lines(bulletin),
        "copies": bulletin.copies,
        "is_draft": not bulletin.is_frozen,
    }
