"""The missions page: the roadmap's plan of missions, roadshows and matchmaking against what was
done, over a :class:`lasergo.analysis.missions.MissionsReport`.

The page is public: it names activities, clusters and markets, never companies; an activity's
evidence reference is shown only as recorded or not, and what followed an activity as counts.
"""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display
from matplotlib.lines import Line2D
from pandas.io.formats.style import Styler

from lasergo.analysis.missions import STATUSES, MissionsReport, next_items, overdue_items
from lasergo.data import reference
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.common import glossary, headline, record_result, show_table, verdict, yes_no
from lasergo.pages.style import finish

SOURCES = "roadmap §2.6 Tables 2-3; activities"
#: The colour of each status on the timeline and in the status table.
STATUS_COLOURS = {
    "done": "#1b7a3a",
    "planned": "#1f77b4",
    "overdue": "#b00020",
    "no date set": "#888888",
    "unplanned": "#7b3294",
}
#: Characters per line of a timeline row's label.
LABEL_WIDTH = 48
KIND_NAMES = {"mission": "Mission", "roadshow": "Business roadshow", "matchmaking": "Matchmaking", "other": "Other"}


def _market_names() -> dict[str, str]:
    return reference.names("markets")


def _market(value: object) -> str | None:
    """A market's display name (None for none: matchmaking in Europe, or not recorded)."""
    return _market_names().get(str(value), str(value)) if isinstance(value, str) and value else None


def _date(value: object) -> str | None:
    return f"{pd.Timestamp(value):%Y-%m-%d}" if pd.notna(value) else None


def _items_list(items: pd.DataFrame) -> str:
    """'Mission 6: Israel (MEDICEN, planned 2026-03-15)' for each row, joined with '; '."""
    return "; ".join(f"{md(r['name'])} ({md(r['lead'])}, planned {_date(r['planned'])})" for _, r in items.iterrows())


def item_records(items: pd.DataFrame) -> list[dict]:
    """Plan items as the results other pages read: plan_id, name, kind, market (display name or
    None), lead (cluster id), planned (ISO date or None)."""
    return [
        {
            "plan_id": str(r["plan_id"]),
            "name": str(r["name"]),
            "kind": str(r["kind"]),
            "market": _market(r["market"]),
            "lead": str(r["lead"]) if pd.notna(r["lead"]) else None,
            "planned": _date(r["planned"]),
        }
        for _, r in items.iterrows()
    ]


def _count(status: str, report: MissionsReport) -> int:
    return int((report.items["status"] == status).sum())


def findings(report: MissionsReport) -> Markdown:
    """The page's answer for a funder: how much of the plan is done, what is late, what comes next."""
    end = f"the end of {report.quarter}"
    if report.activities_recorded == 0:
        return Markdown(
            f"**No activities recorded yet by {end}: none of the {report.planned_total} plan items has a date.** "
            "Ask each lead cluster for the planned dates of its missions, roadshows and matchmaking events."
        )
    late = overdue_items(report.status)
    nxt = next_items(report.status)
    lines = [
        f"**By {end}, {report.done} of the {report.planned_total} plan items are done, {len(late)} "
        f"{'is' if len(late) == 1 else 'are'} overdue, {_count('planned', report)} planned for later and "
        f"{_count('no date set', report)} without a date.**"
    ]
    if len(late):
        lines.append(
            f"Overdue (planned date passed, not held): {_items_list(late)}. Ask the lead cluster"
            f"{'' if len(late) == 1 else 's'} for a new date or the record of the event."
        )
    if _count("no date set", report):
        undated = report.items[report.items["status"] == "no date set"]
        lines.append(f"Without a date: {'; '.join(md(n) for n in undated['name'])}.")
    if len(nxt):
        lines.append(f"Next: {_items_list(nxt)}.")
    unplanned = int((~report.status["in_plan"]).sum())
    if unplanned:
        lines.append(
            f"{unplanned} unplanned {'activity is' if unplanned == 1 else 'activities are'} recorded too (outside the "
            "plan: shown below, not counted against it)."
        )
    return Markdown("\n\n".join(lines))


def rule_text(report: MissionsReport) -> str:
    """The verdict's rule in words."""
    rule = report.verdict.rule
    return (
        f"on track with no plan item overdue; at risk with 1 to {rule.max_overdue} overdue, none by more than "
        f"{rule.max_days_overdue} days, or with more than {rule.max_no_date} items without a date; off track "
        "with more overdue or one overdue longer"
    )


def show_verdict(report: MissionsReport) -> None:
    """The page's verdict (:func:`lasergo.pages.common.verdict`) with the figures it rests on and its rule."""
    v = report.verdict
    if v.overdue == 1:
        figures = f"1 plan item overdue, by {v.most_days_overdue} days"
    elif v.overdue:
        figures = f"{v.overdue} plan items overdue, the longest by {v.most_days_overdue} days"
    else:
        figures = "no plan item overdue"
    if v.no_date:
        figures += f"; {v.no_date} without a date"
    reason = f"{figures} at the end of {report.quarter} (rule: {rule_text(report)})."
    verdict(v.status, reason[0].upper() + reason[1:])


def summary_headlines(report: MissionsReport) -> None:
    """Headlines: plan items done, items overdue, the next item."""
    headline("Missions, roadshows and matchmaking done", f"{report.done} of {report.planned_total}", "", SOURCES)
    headline("Plan items overdue", report.verdict.overdue, "", SOURCES)
    nxt = next_items(report.status, 1)
    if len(nxt):
        row = nxt.iloc[0]
        headline("Next plan item", f"{row['name']} ({row['lead']}), {_date(row['planned'])}", "", SOURCES)


def record_results(report: MissionsReport) -> None:
    """The results the viability page and the front page read: next 3 items, overdue items, done, total."""
    record_result("next", item_records(next_items(report.status, 3)))
    record_result("overdue", item_records(overdue_items(report.status)))
    record_result("done", report.done)
    record_result("planned_total", report.planned_total)


def _label(row: pd.Series) -> str:
    return str(row["name"]) if row["in_plan"] else f"Unplanned: {row['name']}"


def _tick_label(row: pd.Series) -> str:
    """A timeline row's label, wrapped (never cut) to keep the plot wide."""
    return "\n".join(textwrap.wrap(_label(row), LABEL_WIDTH))


def _time_range(rows: pd.DataFrame, as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The timeline's span: every date shown, at least a year before the quarter's end and a quarter after."""
    dates = pd.concat([rows["planned"], rows["held"]]).dropna()
    start, stop = as_of - pd.Timedelta(days=365), as_of + pd.Timedelta(days=90)
    if len(dates):
        start, stop = min(dates.min(), start), max(dates.max(), stop)
    return start, stop


def plot_timeline(report: MissionsReport) -> plt.Figure | None:
    """Each plan item (and activity outside the plan) on a row: its planned date (hollow), its held
    date (filled), joined where both exist, coloured by status; the quarter's end as a labelled line;
    'no date set' written where an item has neither date, the delay beside an overdue item. Without
    any date recorded, a line saying so instead (and None)."""
    rows = report.status.reset_index(drop=True)
    if rows["planned"].isna().all() and rows["held"].isna().all():
        display(Markdown(f"No planned or held dates recorded by the end of {report.quarter}: no timeline yet."))
        return None
    fig, ax = plt.subplots(figsize=(12, 0.36 * len(rows) + 2.0))
    start, stop = _time_range(rows, report.as_of)
    pad = (stop - start) * 0.04
    for i, r in rows.iterrows():
        colour = STATUS_COLOURS[r["status"]]
        if pd.notna(r["planned"]) and pd.notna(r["held"]):
            ax.plot([r["planned"], r["held"]], [i, i], color=colour, lw=1.5, zorder=2)
        if pd.notna(r["planned"]):
            ax.scatter(r["planned"], i, s=55, facecolors="white", edgecolors=colour, linewidths=1.8, zorder=3)
        if pd.notna(r["held"]):
            ax.scatter(r["held"], i, s=55, color=colour, zorder=4)
        if pd.isna(r["planned"]) and pd.isna(r["held"]):
            ax.text(start - pad * 0.5, i, "no date set", va="center", ha="left", fontsize=9, color=colour)
        if r["status"] == "overdue":
            ax.annotate(
                f"{r['days_overdue']} days overdue",
                (r["planned"], i),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                color=colour,
            )
    for i in range(1, len(rows)):  # a rule between the kinds of plan item
        if rows.at[i, "kind"] != rows.at[i - 1, "kind"] or rows.at[i, "in_plan"] != rows.at[i - 1, "in_plan"]:
            ax.axhline(i - 0.5, color="#bbbbbb", lw=0.8)
    ax.axvline(report.as_of, color="#333333", lw=1.2, ls="--")
    ax.annotate(
        f"end of {report.quarter}",
        (report.as_of, 1),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=9,
        color="#333333",
    )
    ax.set_yticks(list(range(len(rows))), [_tick_label(r) for _, r in rows.iterrows()], fontsize=9)
    for tick, status in zip(ax.get_yticklabels(), rows["status"]):
        tick.set_color(STATUS_COLOURS[status] if status in ("overdue", "unplanned") else "#222222")
    ax.set_ylim(len(rows) - 0.4, -0.9)
    ax.set_xlim(start - pad, stop + pad)
    years = (stop - start).days / 365.25
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1] if years > 4 else [1, 7]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.grid(axis="y", visible=False)
    shown = [s for s in STATUSES if s in set(rows["status"])]
    handles = [Line2D([], [], marker="o", ls="", color=STATUS_COLOURS[s], label=s) for s in shown]
    handles += [
        Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor="#333333", label="planned date"),
        Line2D([], [], marker="o", ls="", color="#333333", label="held date"),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0),
        borderaxespad=2.8,
        ncol=min(len(handles), 5),
        frameon=False,
        fontsize=9,
    )
    late = report.verdict.overdue
    title = f"{report.done} of {report.planned_total} plan items done by the end of {report.quarter}" + (
        f"; {late} overdue" if late else "; none overdue"
    )
    return finish(fig, title, SOURCES)


def load_table(report: MissionsReport) -> Styler:
    """Each cluster's share of the plan, with plain headers and Yes/No."""
    load = report.load
    names = reference.names("clusters")
    table = pd.DataFrame(
        {
            "Cluster": load["cluster"],
            "Cluster organisation": load["cluster"].map(names),
            "Missions led": load["missions_led"],
            "of which to new markets": load["new_markets_led"],
            "Missions co-organised": load["missions_co_organised"],
            "Roadshows led": load["roadshows_led"],
            "Roadshows co-organised": load["roadshows_co_organised"],
            "Matchmaking participations": load["matchmaking_led"],
            "Plan items in all": load["total"],
            "Leads a mission": yes_no(load["leads_mission"]),
        }
    )
    return show_table(table)


def load_note(report: MissionsReport) -> Markdown:
    """Whether every cluster leads a mission, the heaviest load, and new against revisited markets."""
    load = report.load
    leaders = load["leads_mission"].all()
    idle = list(load.loc[~load["leads_mission"], "cluster"])
    busiest = load[load["total"] == load["total"].max()]
    carry = "carries" if len(busiest) == 1 else "carry"
    novelty = report.novelty.set_index("new_market")
    names = _market_names()
    new = ", ".join(md(names.get(m, m)) for m in novelty.at[True, "markets"])
    lines = [
        (
            "**Every cluster leads at least one mission**"
            if leaders
            else f"**{' and '.join(md(c) for c in idle)} lead{'s' if len(idle) == 1 else ''} no mission**"
        )
        + f"; {' and '.join(md(c) for c in busiest['cluster'])} {carry} the most plan items "
        f"({busiest['total'].iloc[0]}{'' if len(busiest) == 1 else ' each'}, leading or co-organising).",
        f"{novelty.at[True, 'missions']} of the {int(novelty['missions'].sum())} missions go to markets new to "
        f"LASER-GO ({new}); the other {novelty.at[False, 'missions']} revisit markets it has worked.",
    ]
    return Markdown("\n\n".join(lines))


def counts_table(report: MissionsReport) -> Styler:
    """Plan items per kind and status, and the activities outside the plan."""
    counts = report.counts.reset_index(names="kind")
    table = counts.rename(
        columns={
            "kind": "Kind",
            "done": "Done",
            "planned": "Planned",
            "overdue": "Overdue",
            "no date set": "No date set",
            "plan items": "Plan items",
            "unplanned": "Unplanned activities",
        }
    )
    table["Kind"] = table["Kind"].map(lambda k: KIND_NAMES.get(k, "Total" if k == "total" else k))
    return show_table(table).map(lambda v: "color: #b00020; font-weight: bold" if v else "", subset=["Overdue"])


def status_table(report: MissionsReport) -> Styler:
    """Every plan item and every activity outside the plan, its dates and its status."""
    rows = report.status
    table = pd.DataFrame(
        {
            "Plan item": rows["plan_id"].fillna("-"),
            "Activity": [_label(r) for _, r in rows.iterrows()],
            "Kind": rows["kind"].map(lambda k: KIND_NAMES.get(k, k)),
            "Market": rows["market"].map(_market),
            "Lead cluster": rows["lead"],
            "Planned": rows["planned"].map(_date),
            "Held": rows["held"].map(_date),
            "Participants": rows["participants"].astype("Int64"),
            "Evidence recorded": yes_no(
                rows["evidence"].notna() & (rows["evidence"].astype("string").str.strip() != "")
            ),
            "Status": rows["status"],
            "Days overdue": rows["days_overdue"].where(rows["status"] == "overdue").astype("Int64"),
        }
    )
    table.loc[rows["held"].isna(), "Evidence recorded"] = "-"
    return show_table(table).map(
        lambda v: f"background-color: {STATUS_COLOURS[v]}; color: white" if v in STATUS_COLOURS else "",
        subset=["Status"],
    )


def follow_up_note(report: MissionsReport) -> Markdown:
    """What followed the held activities, in sum (each entry or tie once), stated as association."""
    totals, days = report.totals, report.window_days
    if not totals.activities:
        return Markdown(f"No activity held by the end of {report.quarter} yet: nothing to follow up.")
    still = int(report.follow_up["window_open"].sum())
    return Markdown(
        f"In the {days} days after the {totals.activities} activities held, their lead clusters recorded "
        f"**{totals.ledger_after} KPI ledger entries** (against {totals.ledger_before} in the {days} days before) "
        f"and **{totals.ties_after} new ties** of the lead cluster, its companies or the affiliates in the "
        f"activity's market (against {totals.ties_before} before); an entry in the windows of two activities "
        "counts once in these totals and once for each activity in the table below. This is what happened "
        "after the activities, not what they caused: the clusters' other work falls in the same windows."
        + (
            f" For {still} recent {'activity' if still == 1 else 'activities'} the window is still open."
            if still
            else ""
        )
    )


def follow_up_table(report: MissionsReport) -> Styler | Markdown:
    """Per held activity: ledger entries and ties in the window after it and before it."""
    follow = report.follow_up
    if follow.empty:
        return Markdown("")
    days = report.window_days
    table = pd.DataFrame(
        {
            "Activity": [
                r["name"] if pd.notna(r["plan_id"]) else f"Unplanned: {r['name']}" for _, r in follow.iterrows()
            ],
            "Lead cluster": follow["lead"],
            "Market": follow["market"].map(_market),
            "Held": follow["held"].map(_date),
            "Counted until": [
                f"{_date(r['window_end'])}" + (" (still open)" if r["window_open"] else "")
                for _, r in follow.iterrows()
            ],
            f"Ledger entries, {days} days after": follow["ledger_entries"],
            "of which verified": follow["verified"],
            "KPIs among them": follow["kpis"].map(lambda k: ", ".join(str(n) for n in k) or "-"),
            f"Ledger entries, {days} days before": follow["ledger_before"],
            f"New ties, {days} days after": follow["ties"],
            f"New ties, {days} days before": follow["ties_before"],
        }
    )
    return show_table(table)


def page_glossary() -> Markdown:
    """The page's glossary: the shared terms it uses and its own."""
    return glossary(
        "KPI",
        "MoU",
        "SME",
        extra={
            "Affiliate": "An organisation in a target market that works with the partnership (roadmap §2.5).",
            "Business roadshow": "A tour of a target market with the partnership's SMEs, tied to one of the "
            "missions (roadmap §2.6 Table 3).",
            "Co-organiser": "The cluster that organises a mission with the lead cluster.",
            "Innovation mission": "A visit of the partnership's SMEs to a target market, led by one cluster "
            "(roadmap §2.6 Table 2).",
            "KPI ledger": "The register of counted events behind the KPIs, each with a date and a cluster.",
            "Lead cluster": "The cluster that organises an activity and answers for it.",
            "Matchmaking participation": "A cluster's own matchmaking event in Europe, at its own cost "
            "(roadmap §2.6 Table 3).",
            "New market": "A target market LASER-GO had not worked before the partnership.",
            "Overdue": "Planned date passed and no record that the activity was held.",
            "Tie": "A recorded link between two members of the value network (an MoU, a joint project, a "
            "matchmaking meeting, a distribution deal or another cooperation).",
            "Unplanned": "An activity recorded without a plan item: shown, not counted against the plan.",
            "Verified": "A ledger entry with an evidence reference; only these count towards the KPIs.",
        },
    )
