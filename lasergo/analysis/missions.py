"""Missions, business roadshows and matchmaking: the plan against what was done.

The plan is the roadmap's (LASER-GO D5.1 (2017) §2.6 Tables 2 and 3), built by
:func:`lasergo.data.reference.activity_plan`: 8 innovation missions (M1-M8), 4 business
roadshows (R1-R4) and 6 matchmaking participations (E-<cluster>). The input table ``activities``
records what was planned and held; joined to the plan, each row gets one status at a date:

- ``done``: held on or before the date;
- ``planned``: not held, planned after the date;
- ``overdue``: not held, planned on or before the date;
- ``no date set``: a plan item without a planned or held date (or without any activity row);
- ``unplanned``: an activity without a plan id, kept and shown, never dropped.

What followed a held activity (:func:`follow_up`) is what the KPI ledger and the value network
record in a window after it for the activity's lead cluster (and, for ties, the affiliates of
its market): an association in time, not evidence that the activity caused it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lasergo.analysis.kpi import is_verified
from lasergo.data import reference
from lasergo.data.dataset import Dataset
from lasergo.errors import AnalysisError
from lasergo.quarter import quarter_end

#: The statuses of :func:`activity_status`, in the order the page lists them.
STATUSES = ("done", "planned", "overdue", "no date set", "unplanned")
#: The statuses a plan item can have, best first (:func:`item_status` keeps an item's best row).
ITEM_STATUSES = ("done", "planned", "overdue", "no date set")
#: The kinds of plan item, in plan order, and the number of each the roadmap plans (§2.6 Tables 2-3).
PLAN_KINDS = {"mission": 8, "roadshow": 4, "matchmaking": 6}
#: The columns of the plan (:func:`lasergo.data.reference.activity_plan`) this module reads.
PLAN_COLUMNS = ("plan_id", "kind", "name", "market", "lead", "co_organisers", "new_market")
#: The columns of the ``activities`` input table this module reads.
ACTIVITY_COLUMNS = ("plan_id", "kind", "name", "market", "lead", "planned", "held", "participants", "evidence")


@dataclass(frozen=True)
class VerdictRule:
    """When the plan is on track, at risk or off track at a date.

    On track: no plan item overdue and at most ``max_no_date`` items without a date. At risk: some
    overdue, but at most ``max_overdue`` items and none overdue by more than ``max_days_overdue``
    days (about two quarters by default); or more than ``max_no_date`` items without a date (a plan
    that is mostly undated cannot be judged on track). Off track: more items overdue, or one
    overdue longer.
    """

    max_overdue: int = 2
    max_days_overdue: int = 182
    max_no_date: int = 6


@dataclass(frozen=True)
class PlanVerdict:
    """The verdict of :func:`plan_verdict` and the figures it rests on."""

    status: str  # "on track", "at risk" or "off track"
    overdue: int  # plan items overdue
    most_days_overdue: int  # the longest delay among them, in days (0 without one)
    no_date: int  # plan items without a planned date
    rule: VerdictRule


def _check_columns(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisError(f"the {what} lacks the column(s) {', '.join(missing)}")


def _co_organisers(value: object) -> list[str]:
    """A plan row's co-organisers as a list (the plan holds lists; a ';'-separated text is split)."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def cluster_load(plan: pd.DataFrame, clusters: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Each cluster's share of the plan: items it leads and co-organises, per kind.

    Columns: cluster, missions_led, missions_co_organised, new_markets_led (missions to markets new
    to LASER-GO), roadshows_led, roadshows_co_organised, matchmaking_led, total (every item it leads
    or co-organises), leads_mission (bool). Rows: ``clusters`` (default: the reference's six, in
    table order) and any other cluster the plan names.
    """
    _check_columns(plan, PLAN_COLUMNS, "plan")
    order = list(clusters if clusters is not None else reference.CLUSTER_IDS)
    order += sorted(set(plan["lead"]) - set(order))
    rows = []
    for cluster in order:
        led = plan[plan["lead"] == cluster]
        co = plan[plan["co_organisers"].map(lambda v, c=cluster: c in _co_organisers(v))]
        missions = led[led["kind"] == "mission"]
        rows.append(
            {
                "cluster": cluster,
                "missions_led": len(missions),
                "missions_co_organised": int((co["kind"] == "mission").sum()),
                "new_markets_led": int(missions["new_market"].fillna(False).astype(bool).sum()),
                "roadshows_led": int((led["kind"] == "roadshow").sum()),
                "roadshows_co_organised": int((co["kind"] == "roadshow").sum()),
                "matchmaking_led": int((led["kind"] == "matchmaking").sum()),
                "total": len(led) + len(co),
                "leads_mission": len(missions) > 0,
            }
        )
    return pd.DataFrame(rows)


def market_novelty(plan: pd.DataFrame) -> pd.DataFrame:
    """The missions to markets new to LASER-GO against those it revisits (§2.6).

    Columns: new_market (bool), missions (count), markets (list of market ids, plan order).
    """
    _check_columns(plan, PLAN_COLUMNS, "plan")
    missions = plan[plan["kind"] == "mission"]
    new = missions["new_market"].fillna(False).astype(bool)
    return pd.DataFrame(
        [
            {
                "new_market": flag,
                "missions": int((new == flag).sum()),
                "markets": list(missions.loc[new == flag, "market"]),
            }
            for flag in (True, False)
        ]
    )


def _status(held: pd.Series, planned: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """done / planned / overdue / no date set for each row (held after ``as_of`` counts as not held)."""
    done = held.notna() & (held <= as_of)
    status = pd.Series("no date set", index=held.index, dtype=object)
    status[planned.notna() & (planned <= as_of)] = "overdue"
    status[planned.notna() & (planned > as_of)] = "planned"
    status[done] = "done"
    return status


def activity_status(plan: pd.DataFrame, activities: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The plan joined to the activities, each row with its status at ``as_of``.

    One row per activity row of a plan item (a plan item without any row gets one row, without
    dates), then one row per activity without a plan id (status ``unplanned``, never dropped).
    Held dates after ``as_of`` are treated as not (yet) held.

    Columns: plan_id (NA for unplanned), kind, name (the plan's for plan items, the activity's
    otherwise), activity (the activity's own name), market, lead (the activity's if given, else
    the plan's), co_organisers (list), new_market, planned, held, participants, evidence, in_plan
    (bool), status (one of :data:`STATUSES`), days_overdue (days from the planned date to
    ``as_of`` for an overdue row, else 0).
    """
    _check_columns(plan, PLAN_COLUMNS, "plan")
    _check_columns(activities, ACTIVITY_COLUMNS, "activities table")
    as_of = pd.Timestamp(as_of)
    acts = activities[list(ACTIVITY_COLUMNS)].copy()
    acts["plan_id"] = acts["plan_id"].astype("string").str.strip().replace("", pd.NA)
    acts = acts.rename(columns={"name": "activity", "kind": "activity_kind", "market": "activity_market"})
    acts = acts.rename(columns={"lead": "activity_lead"})
    unknown = sorted(set(acts["plan_id"].dropna()) - set(plan["plan_id"]))
    if unknown:
        raise AnalysisError(f"activities name plan ids the plan does not hold: {', '.join(unknown)}")
    planned_items = plan[list(PLAN_COLUMNS)].merge(acts[acts["plan_id"].notna()], on="plan_id", how="left")
    planned_items["in_plan"] = True
    unplanned = acts[acts["plan_id"].isna()].assign(
        kind=lambda f: f["activity_kind"],
        name=lambda f: f["activity"],
        market=pd.NA,
        lead=pd.NA,
        co_organisers=[[] for _ in range(int(acts["plan_id"].isna().sum()))],
        new_market=pd.NA,
        in_plan=False,
    )
    table = pd.concat([planned_items, unplanned], ignore_index=True)
    table["market"] = table["activity_market"].where(table["activity_market"].notna(), table["market"])
    table["lead"] = table["activity_lead"].where(table["activity_lead"].notna(), table["lead"])
    table["co_organisers"] = table["co_organisers"].map(_co_organisers)
    for column in ("planned", "held"):
        table[column] = pd.to_datetime(table[column])
    table["held"] = table["held"].where(table["held"] <= as_of)
    table["status"] = _status(table["held"], table["planned"], as_of)
    table.loc[~table["in_plan"], "status"] = "unplanned"
    late = table["status"] == "overdue"
    table["days_overdue"] = 0
    table.loc[late, "days_overdue"] = (as_of.normalize() - table.loc[late, "planned"]).dt.days
    columns = ["plan_id", "kind", "name", "activity", "market", "lead", "co_organisers", "new_market"]
    columns += ["planned", "held", "participants", "evidence", "in_plan", "status", "days_overdue"]
    return table[columns]


def item_status(status: pd.DataFrame) -> pd.DataFrame:
    """One row per plan item: its best row of :func:`activity_status` (done before planned before
    overdue before no date set; then the earliest held, then the earliest planned date), in plan order.

    Columns: those of :func:`activity_status`.
    """
    items = status[status["in_plan"]].copy()
    items["_order"] = range(len(items))
    items["_rank"] = items["status"].map({s: i for i, s in enumerate(ITEM_STATUSES)})
    best = items.sort_values(["_rank", "held", "planned"], na_position="last").drop_duplicates("plan_id")
    return best.sort_values("_order").drop(columns=["_order", "_rank"]).reset_index(drop=True)


def status_counts(status: pd.DataFrame) -> pd.DataFrame:
    """Plan items per kind (rows, plan order) and status (columns :data:`ITEM_STATUSES`), with a
    total row and column, and the unplanned activities (held or not) as the column ``unplanned``."""
    items = item_status(status)
    kinds = list(dict.fromkeys([*PLAN_KINDS, *items["kind"]]))
    table = pd.crosstab(items["kind"], items["status"]).reindex(index=kinds, columns=list(ITEM_STATUSES), fill_value=0)
    table["plan items"] = table.sum(axis=1)
    unplanned = status[~status["in_plan"]]
    table["unplanned"] = unplanned["kind"].value_counts().reindex(kinds, fill_value=0)
    extra = sorted(set(unplanned["kind"]) - set(kinds))
    for kind in extra:
        table.loc[kind] = 0
        table.loc[kind, "unplanned"] = int((unplanned["kind"] == kind).sum())
    table.loc["total"] = table.sum()
    return table.astype(int)


def plan_verdict(status: pd.DataFrame, rule: VerdictRule = VerdictRule()) -> PlanVerdict:
    """On track, at risk or off track by ``rule`` (:class:`VerdictRule`) over the plan items' statuses."""
    items = item_status(status)
    late = items[items["status"] == "overdue"]
    worst = int(late["days_overdue"].max()) if len(late) else 0
    no_date = int((items["status"] == "no date set").sum())
    if len(late) > rule.max_overdue or worst > rule.max_days_overdue:
        verdict = "off track"
    elif len(late) or no_date > rule.max_no_date:
        verdict = "at risk"
    else:
        verdict = "on track"
    return PlanVerdict(verdict, len(late), worst, no_date, rule)


def next_items(status: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The next ``n`` plan items not held yet, by planned date (rows of :func:`item_status`)."""
    items = item_status(status)
    return items[items["status"] == "planned"].sort_values("planned").head(n).reset_index(drop=True)


def overdue_items(status: pd.DataFrame) -> pd.DataFrame:
    """The plan items overdue, longest delay first (rows of :func:`item_status`)."""
    items = item_status(status)
    return items[items["status"] == "overdue"].sort_values("days_overdue", ascending=False).reset_index(drop=True)


def _in_window(dates: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return (dates >= start) & (dates <= end)


def _tie_nodes(lead: str, market: object, companies: pd.DataFrame, affiliates: pd.DataFrame) -> set[str]:
    """The value-network nodes an activity's ties are attributed by: its lead cluster, the lead's
    companies and the affiliates in its market."""
    nodes = {lead}
    if len(companies):
        nodes |= set(companies.loc[companies["cluster"] == lead, "id"])
    if len(affiliates) and isinstance(market, str) and market:
        nodes |= set(affiliates.loc[affiliates["market"] == market, "id"])
    return nodes


@dataclass(frozen=True)
class _Window:
    """One held activity's windows: masks over the ledger's and the ties' rows."""

    row: pd.Series
    end: pd.Timestamp  # the window's last day, before the cut at the report date
    ledger_after: pd.Series  # the lead's entries in the window after
    ledger_before: pd.Series  # the lead's entries in the window before
    ledger_all: pd.Series  # every cluster's entries in the window after
    ties_after: pd.Series  # attributed ties in the window after
    ties_before: pd.Series
    ties_all: pd.Series  # every tie in the window after


def _windows(
    status: pd.DataFrame,
    ledger: pd.DataFrame,
    ties: pd.DataFrame,
    as_of: pd.Timestamp,
    window_days: int,
    companies: pd.DataFrame | None,
    affiliates: pd.DataFrame | None,
) -> list[_Window]:
    """The windows of every activity held by ``as_of``, plan items first (see :func:`follow_up`)."""
    if window_days < 1:
        raise AnalysisError(f"the follow-up window must be at least one day, not {window_days}")
    companies = companies if companies is not None else pd.DataFrame(columns=["id", "cluster"])
    affiliates = affiliates if affiliates is not None else pd.DataFrame(columns=["id", "market"])
    held = status[status["held"].notna() & (status["held"] <= as_of)]
    held = held.assign(_order=range(len(held))).sort_values(["in_plan", "_order"], ascending=[False, True])
    ledger_dates, tie_dates = pd.to_datetime(ledger["date"]), pd.to_datetime(ties["date"])
    window = pd.Timedelta(days=window_days)
    windows = []
    for _, row in held.iterrows():
        start = row["held"].normalize()
        end = start + window
        before = (start - window, start - pd.Timedelta(days=1))
        known_lead = isinstance(row["lead"], str) and bool(row["lead"])
        lead = (ledger["cluster"] == row["lead"]) if known_lead else pd.Series(False, index=ledger.index)
        nodes = _tie_nodes(row["lead"], row["market"], companies, affiliates) if known_lead else set()
        touches = ties["source"].isin(nodes) | ties["target"].isin(nodes)
        ledger_after = _in_window(ledger_dates, start, min(end, as_of))
        ties_after = _in_window(tie_dates, start, min(end, as_of))
        windows.append(
            _Window(
                row=row,
                end=end,
                ledger_after=ledger_after & lead,
                ledger_before=_in_window(ledger_dates, *before) & lead,
                ledger_all=ledger_after,
                ties_after=ties_after & touches,
                ties_before=_in_window(tie_dates, *before) & touches,
                ties_all=ties_after,
            )
        )
    return windows


def follow_up(
    status: pd.DataFrame,
    ledger: pd.DataFrame,
    ties: pd.DataFrame,
    as_of: pd.Timestamp,
    window_days: int = 90,
    companies: pd.DataFrame | None = None,
    affiliates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What the KPI ledger and the value network record after each held activity (done or unplanned
    and held by ``as_of``), in plan order then by date.

    Window: from the held date to ``window_days`` days after it, both included, cut at ``as_of``;
    the same length before the held date (the day itself excluded) is the comparison. Ledger
    entries count for the activity when they are the lead cluster's; ties when one of their ends is
    the lead cluster, one of its companies or an affiliate in the activity's market. This is an
    association in time: other activities and events in the same window are not separated out.

    Columns: plan_id, name, kind, market, lead, held, window_end (the window's last day, cut at
    ``as_of``), window_open (bool: the full window has not passed yet), ledger_entries (the lead's
    entries in the window), verified (of which with an evidence reference), kpis (sorted list of the
    KPI numbers among them), ledger_before (the lead's entries in the window before), ledger_all
    (every cluster's entries in the window), ties (attributed ties in the window), ties_before,
    ties_all (every tie in the window).
    """
    as_of = pd.Timestamp(as_of)
    verified = is_verified(ledger) if len(ledger) else pd.Series(False, index=ledger.index)
    rows = [
        {
            "plan_id": w.row["plan_id"],
            "name": w.row["name"],
            "kind": w.row["kind"],
            "market": w.row["market"],
            "lead": w.row["lead"],
            "held": w.row["held"],
            "window_end": min(w.end, as_of.normalize()),
            "window_open": w.end > as_of,
            "ledger_entries": int(w.ledger_after.sum()),
            "verified": int((w.ledger_after & verified).sum()),
            "kpis": sorted({int(k) for k in ledger.loc[w.ledger_after, "kpi"]}),
            "ledger_before": int(w.ledger_before.sum()),
            "ledger_all": int(w.ledger_all.sum()),
            "ties": int(w.ties_after.sum()),
            "ties_before": int(w.ties_before.sum()),
            "ties_all": int(w.ties_all.sum()),
        }
        for w in _windows(status, ledger, ties, as_of, window_days, companies, affiliates)
    ]
    columns = ["plan_id", "name", "kind", "market", "lead", "held", "window_end", "window_open", "ledger_entries"]
    columns += ["verified", "kpis", "ledger_before", "ledger_all", "ties", "ties_before", "ties_all"]
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class FollowUpTotals:
    """Distinct ledger entries and ties in any held activity's window (:func:`follow_up_totals`)."""

    activities: int  # activities held
    ledger_after: int  # the lead clusters' entries in a window after an activity, each counted once
    ledger_before: int  # ... in a window before one
    ties_after: int
    ties_before: int


def follow_up_totals(
    status: pd.DataFrame,
    ledger: pd.DataFrame,
    ties: pd.DataFrame,
    as_of: pd.Timestamp,
    window_days: int = 90,
    companies: pd.DataFrame | None = None,
    affiliates: pd.DataFrame | None = None,
) -> FollowUpTotals:
    """The windows of :func:`follow_up` taken together: an entry or tie in the windows of two
    activities (held close in time) counts once."""
    windows = _windows(status, ledger, ties, pd.Timestamp(as_of), window_days, companies, affiliates)

    def distinct(masks: list[pd.Series]) -> int:
        return int(pd.concat(masks, axis=1).any(axis=1).sum()) if masks else 0

    return FollowUpTotals(
        activities=len(windows),
        ledger_after=distinct([w.ledger_after for w in windows]),
        ledger_before=distinct([w.ledger_before for w in windows]),
        ties_after=distinct([w.ties_after for w in windows]),
        ties_before=distinct([w.ties_before for w in windows]),
    )


@dataclass(frozen=True)
class MissionsReport:
    """The missions page's results at the end of one quarter."""

    quarter: pd.Period
    as_of: pd.Timestamp  # the quarter's end
    plan: pd.DataFrame  # the roadmap's plan (columns of :func:`lasergo.data.reference.activity_plan`)
    load: pd.DataFrame  # :func:`cluster_load`
    novelty: pd.DataFrame  # :func:`market_novelty`
    status: pd.DataFrame  # :func:`activity_status`
    items: pd.DataFrame  # :func:`item_status`
    counts: pd.DataFrame  # :func:`status_counts`
    follow_up: pd.DataFrame  # :func:`follow_up`
    totals: FollowUpTotals  # :func:`follow_up_totals`
    verdict: PlanVerdict
    window_days: int
    activities_recorded: int  # rows of the activities table (0: nothing recorded yet)

    @property
    def done(self) -> int:
        """Plan items held by the quarter's end."""
        return int((self.items["status"] == "done").sum())

    @property
    def planned_total(self) -> int:
        """Plan items in all."""
        return len(self.items)


def missions_report(
    dataset: Dataset,
    quarter: pd.Period,
    window_days: int = 90,
    rule: VerdictRule = VerdictRule(),
    plan: pd.DataFrame | None = None,
) -> MissionsReport:
    """The plan (default: :func:`lasergo.data.reference.activity_plan`) against the dataset's
    activities at the end of ``quarter``, and what followed each held activity."""
    plan = plan if plan is not None else reference.activity_plan()
    as_of = quarter_end(quarter)
    status = activity_status(plan, dataset.activities, as_of)
    network = (dataset.kpi_ledger, dataset.ties, as_of, window_days, dataset.companies, dataset.affiliates)
    return MissionsReport(
        quarter=quarter,
        as_of=as_of,
        plan=plan,
        load=cluster_load(plan),
        novelty=market_novelty(plan),
        status=status,
        items=item_status(status),
        counts=status_counts(status),
        follow_up=follow_up(status, *network),
        totals=follow_up_totals(status, *network),
        verdict=plan_verdict(status, rule),
        window_days=window_days,
        activities_recorded=len(dataset.activities),
    )
