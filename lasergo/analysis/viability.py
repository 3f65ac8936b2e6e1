"""Viability assessment (roadmap §2.5: sustain, grow or end the partnership) from the results the
quarter's pages recorded.

Every figure is read from a page's recorded results (:func:`lasergo.pages.common.record_result`),
never recomputed: the scorecard, the risks and the next steps agree with the pages by construction.
A page that is missing, failed or did not record a result gives the reading "missing" on its row,
never a guess. Each dimension is read against a threshold written in :data:`RULES`; the overall
reading follows :data:`OVERALL_RULE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import pandas as pd

from lasergo.analysis.rounding import shown_with_range

KPI_PAGE = "04_kpi"
MARKET_PAGE = "02_market"
SWOT_PAGE = "01_swot"
PARTNERS_PAGE = "03_partnership_fit"
SCOUTING_PAGE = "05_technology_scouting"
NETWORK_PAGE = "06_value_network"
SURVEY_PAGE = "07_stakeholder_survey"
MISSIONS_PAGE = "08_missions"

#: The roadmap's figures the thresholds use (roadmap §2.3, §2.5, §2.6).
DIRECT_GROUP_SALES_EUR_M = 300.0  # the direct target group's yearly sales at entry
RD_FUNDING_EXPECTED_EUR_M = 20.0  # R&D funding the agreements should attract in two years
MISSIONS = 8

#: Readings of a dimension, best first; "missing" and "not collected" are not scored.
READINGS = ("good", "watch", "weak")

#: The threshold of each dimension, as the page shows it beside the reading.
RULES = {
    "KPI progress": "good: no KPI off track and at most one at risk; weak: three or more off track; watch otherwise",
    "Market potential": "good: even the P10 of partnership sales is at least EUR 30 m (10% of the direct "
    "group's EUR 300 m sales, roadmap §2.3); watch: the median (P50) is; weak otherwise",
    "Value network": "the lower of the two chances (96 ties, 16 affiliates with an MoU, roadmap §2.5) "
    "good: 50% or more; watch: 20-50%; weak: under 20%",
    "Business cases": "good: cases under way for all 8 missions (roadmap §2.6); watch: for 4 or more; weak: fewer",
    "Stakeholder sentiment": "on the 1-5 scale, good: the 95% interval lies above 3.5; weak: it lies below 3 "
    "(the scale's middle); watch otherwise",
    "R&D funding": "good: at least the EUR 20 m expected (roadmap §2.3); watch: at least half of it; weak: less",
}
OVERALL_RULE = (
    "end: KPI progress is weak and at least half of the scored dimensions are weak; grow: no dimension "
    "is weak and at least half are good; sustain otherwise. Without the KPI page there is no reading."
)


@dataclass(frozen=True)
class PageOutcome:
    """One page of the quarter as the summary sees it: built or failed, and what it recorded."""

    name: str
    title: str
    status: str  # "ok" or "failed"
    results: dict = field(default_factory=dict)

    @property
    def verdict(self) -> str | None:
        """The page's own answer (on track, at risk, off track), if it gives one."""
        found = self.results.get("verdict")
        return found.get("status") if isinstance(found, dict) else None


Pages = Mapping[str, PageOutcome]


def result(pages: Pages, page: str, key: str) -> object | None:
    """A result recorded by a page that built; None when the page is missing, failed or silent."""
    outcome = pages.get(page)
    if outcome is None or outcome.status != "ok":
        return None
    return outcome.results.get(key)


@dataclass(frozen=True)
class Dimension:
    """One row of the scorecard: the figure read from a page, its reading and the page it came from."""

    dimension: str
    figure: str
    reading: str  # good, watch, weak, missing or not collected
    page: str


def _absent(pages: Pages, dimension: str, page: str) -> Dimension:
    """A dimension without a figure: "missing" when its page did not build, "not collected" when
    the page built but had nothing to compute it from (no survey yet, say)."""
    outcome = pages.get(page)
    if outcome is None or outcome.status != "ok":
        return Dimension(dimension, "missing: the page did not build", "missing", page)
    return Dimension(dimension, "not collected yet", "not collected", page)


def kpi_dimension(pages: Pages) -> Dimension:
    kpis = result(pages, KPI_PAGE, "kpis")
    if not isinstance(kpis, list):
        return _absent(pages, "KPI progress", KPI_PAGE)
    statuses = [k["status"] for k in kpis]
    off, risk = statuses.count("off track"), statuses.count("at risk")
    fine = statuses.count("reached") + statuses.count("on track")
    early = statuses.count("too early")
    reading = "good" if off == 0 and risk <= 1 else "weak" if off >= 3 else "watch"
    figure = f"{fine} of {len(statuses)} KPIs reached or on track, {risk} at risk, {off} off track"
    return Dimension("KPI progress", figure + (f", {early} too early to forecast" if early else ""), reading, KPI_PAGE)


def market_dimension(pages: Pages) -> Dimension:
    potential = result(pages, MARKET_PAGE, "potential")
    if not isinstance(potential, dict):
        return _absent(pages, "Market potential", MARKET_PAGE)
    floor = 0.1 * DIRECT_GROUP_SALES_EUR_M
    reading = "good" if potential["p10"] >= floor else "watch" if potential["p50"] >= floor else "weak"
    median, low, high = shown_with_range(potential["p50"], potential["p10"], potential["p90"])
    figure = f"partnership sales in {potential['year']}: median about EUR {median} m (P10-P90 {low}-{high})"
    return Dimension("Market potential", figure, reading, MARKET_PAGE)


def _chance_reading(chance_pct: float) -> str:
    return "good" if chance_pct >= 50 else "watch" if chance_pct >= 20 else "weak"


def network_dimension(pages: Pages) -> Dimension:
    ties = result(pages, NETWORK_PAGE, "ties")
    affiliates = result(pages, NETWORK_PAGE, "affiliates")
    if not isinstance(ties, dict) or not isinstance(affiliates, dict):
        return _absent(pages, "Value network", NETWORK_PAGE)
    chances = [c for c in (ties.get("chance_pct"), affiliates.get("chance_pct")) if c is not None]
    figure = (
        f"{ties['count']} of {ties['target']} ties, {affiliates['count']} of {affiliates['target']} "
        f"affiliates with an MoU"
    )
    if len(chances) < 2:
        return Dimension("Value network", figure + "; no forecast yet", "not collected", NETWORK_PAGE)
    low = min(chances)
    return Dimension("Value network", f"{figure}; lower chance {percent(low)}", _chance_reading(low), NETWORK_PAGE)


def business_case_dimension(pages: Pages) -> Dimension:
    cases = result(pages, PARTNERS_PAGE, "business_cases")
    if not isinstance(cases, dict):
        return _absent(pages, "Business cases", PARTNERS_PAGE)
    covered = cases["missions_covered"]
    reading = "good" if covered >= MISSIONS else "watch" if covered >= MISSIONS // 2 else "weak"
    return Dimension(
        "Business cases",
        f"{cases['count']} business cases, covering {covered} of {MISSIONS} missions",
        reading,
        PARTNERS_PAGE,
    )


def sentiment_dimension(pages: Pages) -> Dimension:
    sentiment = result(pages, SURVEY_PAGE, "sentiment")
    if not isinstance(sentiment, dict) or sentiment.get("mean") is None:
        return _absent(pages, "Stakeholder sentiment", SURVEY_PAGE)
    low, high = sentiment["low"], sentiment["high"]
    reading = "good" if low > 3.5 else "weak" if high < 3.0 else "watch"
    return Dimension(
        "Stakeholder sentiment",
        f"{sentiment['mean']:.1f} on 1-5 (95% interval {low:.1f}-{high:.1f})",
        reading,
        SURVEY_PAGE,
    )


def funding_dimension(pages: Pages) -> Dimension:
    funding = result(pages, KPI_PAGE, "rd_funding")
    if not isinstance(funding, dict):
        return _absent(pages, "R&D funding", KPI_PAGE)
    attracted, expected = funding.get("attracted_eur_m"), funding.get("expected_eur_m", RD_FUNDING_EXPECTED_EUR_M)
    if attracted is None:
        return Dimension("R&D funding", "not collected", "not collected", KPI_PAGE)
    reading = "good" if attracted >= expected else "watch" if attracted >= expected / 2 else "weak"
    return Dimension("R&D funding", f"EUR {attracted:,.1f} m of EUR {expected:,.0f} m expected", reading, KPI_PAGE)


def scorecard(pages: Pages) -> pd.DataFrame:
    """One row per dimension. Columns: dimension, figure (as read from the page), reading (good,
    watch, weak, missing, not collected), rule (the threshold), page (the notebook it comes from)."""
    rows = [
        kpi_dimension(pages),
        market_dimension(pages),
        network_dimension(pages),
        business_case_dimension(pages),
        sentiment_dimension(pages),
        funding_dimension(pages),
    ]
    frame = pd.DataFrame([asdict(d) for d in rows])
    frame.insert(3, "rule", frame["dimension"].map(RULES))
    return frame


def overall_reading(card: pd.DataFrame) -> str:
    """Sustain, grow or end by :data:`OVERALL_RULE`; "missing" without the KPI page."""
    readings = card.set_index("dimension")["reading"]
    if readings["KPI progress"] == "missing":
        return "missing"
    scored = readings[readings.isin(READINGS)]
    weak, good = (scored == "weak").sum(), (scored == "good").sum()
    if readings["KPI progress"] == "weak" and weak >= len(scored) / 2:
        return "end"
    if weak == 0 and good >= len(scored) / 2:
        return "grow"
    return "sustain"


@dataclass(frozen=True)
class Risk:
    """One of the quarter's biggest risks, with the page it comes from."""

    risk: str
    source: str
    page: str


def biggest_risks(pages: Pages) -> list[Risk]:
    """The three biggest risks, one from each source: the KPI with the lowest chance of reaching its
    target (among those at risk or off track), the SWOT threat with the highest weight, the barrier
    the survey's respondents name most often. A missing source gives no risk, and the list says so."""
    risks = []
    kpis = result(pages, KPI_PAGE, "kpis")
    if isinstance(kpis, list):
        behind = [k for k in kpis if k["status"] in ("at risk", "off track") and k.get("chance_pct") is not None]
        if behind:
            worst = min(behind, key=lambda k: (k["chance_pct"], k["kpi"]))
            risks.append(
                Risk(
                    f"KPI {worst['kpi']} ({worst['description']}) is {worst['status']}: "
                    f"{percent(worst['chance_pct'])} chance of reaching {worst['target']:,.0f}"
                    + ("%" if worst.get("unit") == "percent" else ""),
                    "KPI forecasts",
                    KPI_PAGE,
                )
            )
    threats = result(pages, SWOT_PAGE, "threats")
    if isinstance(threats, list) and threats:
        top = max(threats, key=lambda t: t["weight"])
        risks.append(
            Risk(f"Threat {top['id']}: {top['name']} (weight {top['weight']:.2f})", "weighted SWOT", SWOT_PAGE)
        )
    barriers = result(pages, SURVEY_PAGE, "barriers")
    if isinstance(barriers, list) and barriers:
        top = max(barriers, key=lambda b: b["share_pct"])
        risks.append(
            Risk(
                f"Barrier named most often: {top['barrier']} ({top['share_pct']:.0f}% of respondents)",
                "stakeholder survey",
                SURVEY_PAGE,
            )
        )
    return risks


#: What moves each KPI (roadmap §2.4, §2.6): the kind of planned activity that produces it.
KPI_LEVERS = {
    1: "roadshow",  # clusters and networks that benefit: reached at business roadshows
    2: "affiliates",  # partnership agreements: signed with the affiliates
    3: "roadshow",  # events organised
    4: "matchmaking",  # matchmaking meetings supported
    5: "mission",  # SMEs with a higher export share: market entry through missions
    6: "mission",
    7: "business_cases",  # cooperation projects: the business cases under way
}


LEVER_NAMES = {
    "roadshow": "the next business roadshow",
    "affiliates": "MoUs with affiliates",
    "matchmaking": "matchmaking at the next event or mission",
    "mission": "the next mission",
    "business_cases": "the business cases under way",
}


def percent(chance_pct: float) -> str:
    """A chance as a reader reads it: whole percent, with 'under 1%' and 'over 99%' at the ends."""
    if chance_pct < 1:
        return "under 1%"
    if chance_pct > 99:
        return "over 99%"
    return f"{chance_pct:.0f}%"


@dataclass(frozen=True)
class NextStep:
    """A step for the next quarter, the result that calls for it and the rule that derived it."""

    step: str
    because: str
    rule: str


def _next_activity(pages: Pages, kinds: tuple[str, ...]) -> dict | None:
    upcoming = result(pages, MISSIONS_PAGE, "next")
    if not isinstance(upcoming, list):
        return None
    return next((a for a in upcoming if a.get("kind") in kinds), None)


def _activity_text(activity: dict) -> str:
    when = f", planned {activity['planned']}" if activity.get("planned") else ""
    return f"{activity['name']} (lead {activity['lead']}{when})"


def _kpi_step(pages: Pages, kpi: dict) -> NextStep | None:
    lever = KPI_LEVERS.get(kpi["kpi"])
    if lever is None:
        return None
    because = f"KPI {kpi['kpi']} ({kpi['description']}) is {kpi['status']}"
    rule = f"a KPI at risk or off track leads to what moves it: {LEVER_NAMES[lever]}"
    if lever in ("matchmaking", "roadshow", "mission"):
        kinds = {"matchmaking": ("matchmaking", "mission"), "roadshow": ("roadshow",), "mission": ("mission",)}[lever]
        activity = _next_activity(pages, kinds)
        if activity is None:
            return None
        verb = {"matchmaking": "Plan matchmaking meetings at", "roadshow": "Invite clusters and networks to"}
        return NextStep(f"{verb.get(lever, 'Bring SMEs to')} {_activity_text(activity)}", because, rule)
    if lever == "affiliates":
        affiliates = result(pages, NETWORK_PAGE, "affiliates")
        short = affiliates.get("markets_short") if isinstance(affiliates, dict) else None
        if not short:
            return None
        return NextStep(f"Sign MoUs with affiliates in {', '.join(short)}", because, rule)
    if lever == "business_cases":
        cases = result(pages, PARTNERS_PAGE, "business_cases")
        if not isinstance(cases, dict):
            return None
        uncovered = MISSIONS - cases["missions_covered"]
        first = f", first for the {uncovered} missions without one" if uncovered > 0 else ""
        return NextStep(f"Turn the {cases['count']} business cases into cooperation projects{first}", because, rule)
    return None  # the lever's page recorded nothing to act on


def next_steps(pages: Pages, limit: int = 5) -> list[NextStep]:
    """Up to ``limit`` steps, each derived by a written rule from a result, in this order: KPIs at
    risk or off track (lowest chance first) through the activity that moves them; overdue planned
    activities; markets short of affiliates (unless a KPI step already asks for their MoUs); the
    scouts' biggest gap."""
    steps: list[NextStep] = []
    kpis = result(pages, KPI_PAGE, "kpis")
    if isinstance(kpis, list):
        behind = [k for k in kpis if k["status"] in ("at risk", "off track")]
        for kpi in sorted(behind, key=lambda k: (k.get("chance_pct") is None, k.get("chance_pct") or 0, k["kpi"])):
            step = _kpi_step(pages, kpi)
            if step is not None:
                steps.append(step)
    overdue = result(pages, MISSIONS_PAGE, "overdue")
    for activity in overdue if isinstance(overdue, list) else []:
        steps.append(
            NextStep(
                f"Reschedule {_activity_text(activity)}",
                "its planned date has passed with no record of it being held",
                "an overdue planned activity is rescheduled",
            )
        )
    affiliates = result(pages, NETWORK_PAGE, "affiliates")
    signing = any(s.step.startswith("Sign MoUs with affiliates") for s in steps)
    if isinstance(affiliates, dict) and affiliates.get("markets_short") and not signing:
        steps.append(
            NextStep(
                f"Shortlist and interview affiliates in {', '.join(affiliates['markets_short'])}",
                "these markets have fewer than the two affiliates the roadmap asks for (§2.5)",
                "a market short of affiliates leads to finding them",
            )
        )
    gaps = result(pages, SCOUTING_PAGE, "gaps")
    if isinstance(gaps, list) and gaps:
        gap = gaps[0]
        steps.append(
            NextStep(
                f"Look for partners for {gap['technology_use']} in {gap['market']}",
                "the scouts found high need there and the partnership has no product at TRL 7 or above",
                "the scouts' biggest gap leads to a partner search",
            )
        )
    unique: dict[str, NextStep] = {}
    for step in steps:
        unique.setdefault(step.step, step)
    return list(unique.values())[:limit]
