"""Technology scouting: which technology uses to pursue in which target market, and where the
partnership's own products leave gaps.

The roadmap (LASER-GO D5.1 (2017) §2.2, step 3) asks scouts in the target markets to judge each
of its 35 technology uses for readiness (TRL 1-9), novelty (1-5) and market need (1-5), and to
find the component makers, system makers, integrators and end-users working on them. One row of
the ``scouting`` table is one such finding. This module

* scores every finding, 0-100 (:func:`finding_scores`)::

      score = 100 x M(TRL) x [w_need (need - 1) + w_novelty (novelty - 1)] / 4

  with weights w summing to 1 and a maturity window M that favours technologies ready for
  partnering: 1 for a TRL inside the window (default 5-8), less ``taper`` (default 0.25) for each
  level outside it, never below 0 (:func:`maturity_factor`);
* gives each technology use x market its priority (:func:`priorities`), the Bayesian average of
  its findings' scores: ``(n x mean + m x overall mean) / (n + m)`` for n findings, the overall
  mean over every finding and m = ``prior_findings`` (default 2), so that one enthusiastic finding
  does not outrank several consistent ones; and ranks the cells with a stated tie-break rule
  (:data:`TIE_BREAK`);
* moves each weight by +-50% (the others rescaled to sum to 1) and reports how the top ten change
  (:func:`weight_sensitivity`), as the SWOT page does for its judgements;
* sets the need the scouts found beside the partnership's own products (``products``: technology
  use and TRL) per technology use (:func:`coverage`): the gaps are the use x market cells whose
  mean market need is high (default 4 or more) where no product of the use reaches TRL 7
  (:func:`gaps`); the leads are the uses with market-ready products that the scouts found abroad
  less often than an even spread of their findings over the 35 uses would give by chance
  (one-sided Poisson test per use, p-values adjusted for the 35 tests by Benjamini and Hochberg
  (1995), false discovery rate ``lead_p``, default 0.05);
* counts the TRL of the findings and of the partnership's products per thematic area
  (:func:`trl_distribution`).

:func:`analyse_scouting` runs all of it for the technology-scouting page
(:mod:`lasergo.pages.scouting`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from lasergo.data import reference
from lasergo.data.codes import split_codes
from lasergo.errors import ParameterError

#: The parts of a finding's score that carry a weight, and their default weights (an assumption
#: of the workbook: the roadmap asks for need and novelty but sets no weights).
WEIGHT_PARTS = ("market_need", "novelty")
DEFAULT_WEIGHTS = {"market_need": 0.6, "novelty": 0.4}
#: The TRL window that favours technologies ready for partnering: past the lab, not yet sold
#: everywhere (an assumption).
DEFAULT_WINDOW = (5, 8)
#: What a finding's maturity factor loses per TRL level outside the window.
DEFAULT_TAPER = 0.25
#: How many findings at the overall mean a cell's mean is averaged with (0: the plain mean).
DEFAULT_PRIOR_FINDINGS = 2.0
#: A cell's mean market need from which it counts as high (scale 1-5).
HIGH_NEED = 4.0
#: The TRL from which a product is market-ready (as on the market page).
MATURE_TRL = 7
#: The false discovery rate at which a use counts as found abroad less often than chance would give.
LEAD_P = 0.05
#: How far each weight moves in the sensitivity analysis (a share of the weight).
WEIGHT_CHANGE = 0.5
#: How many cells the top table and the sensitivity analysis follow.
TOP = 10
#: The order in which ties in the priority are broken, after the priority itself (higher first).
TIE_BREAK = (
    "more findings first",
    "then the higher mean market need",
    "then the roadmap's order of technology uses (T01 first)",
    "then the mission order of the markets",
)
#: Decimals to which priorities are compared: equal to this precision is a tie.
TIE_DECIMALS = 9

PRIORITY_COLUMNS = [
    "rank",
    "technology_use",
    "market",
    "findings",
    "market_need",
    "novelty",
    "median_trl",
    "in_window",
    "mean_score",
    "priority",
]
COVERAGE_COLUMNS = [
    "technology_use",
    "area",
    "findings",
    "expected_findings",
    "p_few",
    "p_adjusted",
    "few_found",
    "market_need",
    "top_need",
    "top_need_market",
    "products",
    "companies",
    "ready_companies",
    "median_trl",
    "gap_markets",
    "lead",
    "status",
]


@dataclass(frozen=True)
class PriorityRule:
    """The priority formula's parameters (see the module docstring), checked on creation:
    ``weights`` name exactly :data:`WEIGHT_PARTS`, none negative, summing to 1; ``window`` two whole
    TRLs with 1 <= low <= high <= 9; ``taper`` between 0 and 1; ``prior_findings`` not negative.
    A bad parameter raises ParameterError."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    window: tuple[int, int] = DEFAULT_WINDOW
    taper: float = DEFAULT_TAPER
    prior_findings: float = DEFAULT_PRIOR_FINDINGS

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", check_weights(self.weights))
        object.__setattr__(self, "window", check_window(self.window))
        if not (0 <= self.taper <= 1):
            raise ParameterError(f"the maturity taper must lie between 0 and 1, got {self.taper}")
        if not (math.isfinite(self.prior_findings) and self.prior_findings >= 0):
            raise ParameterError(f"prior_findings must be a number of at least 0, got {self.prior_findings}")

    def with_weights(self, weights: Mapping[str, float]) -> PriorityRule:
        """The same rule with other weights."""
        return PriorityRule(weights, self.window, self.taper, self.prior_findings)


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """``weights`` as a dict in :data:`WEIGHT_PARTS` order; ParameterError unless they name exactly
    those parts, each a finite number of at least 0, summing to 1."""
    if set(weights) != set(WEIGHT_PARTS):
        raise ParameterError(
            f"priority weights must name {', '.join(WEIGHT_PARTS)}, got {', '.join(map(str, weights)) or 'none'}"
        )
    values = {part: float(weights[part]) for part in WEIGHT_PARTS}
    if any(not math.isfinite(v) or v < 0 for v in values.values()):
        raise ParameterError(f"priority weights must be numbers of at least 0, got {values}")
    if not math.isclose(sum(values.values()), 1.0, abs_tol=1e-6):
        raise ParameterError(f"priority weights must sum to 1, got {sum(values.values()):g}")
    return values


def check_window(window: tuple[int, int]) -> tuple[int, int]:
    """``window`` as (low, high) whole TRLs; ParameterError unless 1 <= low <= high <= 9."""
    try:
        low, high = window
    except (TypeError, ValueError):
        raise ParameterError(f"the TRL window must be two levels (low, high), got {window!r}") from None
    if any(isinstance(v, bool) or not float(v).is_integer() for v in (low, high)):
        raise ParameterError(f"the TRL window must be whole levels, got {low}-{high}")
    low, high = int(low), int(high)
    if not (1 <= low <= high <= 9):
        raise ParameterError(f"the TRL window must satisfy 1 <= low <= high <= 9, got {low}-{high}")
    return low, high


def maturity_factor(trl: pd.Series | np.ndarray, window: tuple[int, int], taper: float) -> np.ndarray:
    """The maturity window M: 1 for a TRL inside ``window``, ``1 - taper x`` the levels outside it,
    at least 0."""
    levels = np.asarray(trl, dtype=float)
    low, high = window
    outside = np.maximum(low - levels, 0) + np.maximum(levels - high, 0)
    return np.clip(1 - taper * outside, 0, 1)


def finding_scores(scouting: pd.DataFrame, rule: PriorityRule) -> pd.Series:
    """Each finding's score, 0-100: ``100 x M(TRL) x [w_need (need - 1) + w_novelty (novelty - 1)] / 4``
    (need and novelty on their 1-5 scales, so 0 is the lowest a finding can score and 100 the highest)."""
    weights = rule.weights
    judged = weights["market_need"] * (scouting["market_need"] - 1) + weights["novelty"] * (scouting["novelty"] - 1)
    return pd.Series(
        100 * maturity_factor(scouting["trl"], rule.window, rule.taper) * judged.to_numpy(dtype=float) / 4,
        index=scouting.index,
        dtype=float,
    )


def _order(values: pd.Series, ids: tuple[str, ...]) -> pd.Series:
    """The position of each value in ``ids`` (reference order), unknown values last."""
    position = {code: i for i, code in enumerate(ids)}
    return values.map(lambda v: position.get(v, len(ids)))


def rank_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells`` sorted by priority (higher first), ties broken by :data:`TIE_BREAK`: more findings,
    then higher mean market need, then the order of technology uses and of markets; ``rank`` 1..n."""
    keyed = cells.assign(
        _priority=-cells["priority"].round(TIE_DECIMALS),
        _findings=-cells["findings"],
        _need=-cells["market_need"].round(TIE_DECIMALS),
        _use=_order(cells["technology_use"], reference.TECHNOLOGY_IDS),
        _market=_order(cells["market"], reference.TARGET_MARKET_IDS),
    )
    keys = ["_priority", "_findings", "_need", "_use", "_market"]
    ranked = keyed.sort_values(keys, kind="stable").drop(columns=keys).reset_index(drop=True)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    return ranked[PRIORITY_COLUMNS]


def priorities(scouting: pd.DataFrame, rule: PriorityRule | None = None) -> pd.DataFrame:
    """The priority of every technology use x market with findings, ranked (:func:`rank_cells`).

    Columns ``rank``, ``technology_use``, ``market``, ``findings``, ``market_need`` and
    ``novelty`` (means, 1-5), ``median_trl``, ``in_window`` (share of the findings inside the TRL
    window), ``mean_score`` (plain mean of the findings' scores, :func:`finding_scores`) and
    ``priority`` (0-100): ``(n x mean_score + m x overall mean) / (n + m)``, m the rule's
    ``prior_findings``.
    """
    rule = rule or PriorityRule()
    if scouting.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c in ("technology_use", "market") else float) for c in PRIORITY_COLUMNS}
        )
    low, high = rule.window
    frame = scouting.assign(
        score=finding_scores(scouting, rule), inside=scouting["trl"].between(low, high).astype(float)
    )
    cells = (
        frame.groupby(["technology_use", "market"], sort=False)
        .agg(
            findings=("score", "size"),
            market_need=("market_need", "mean"),
            novelty=("novelty", "mean"),
            median_trl=("trl", "median"),
            in_window=("inside", "mean"),
            mean_score=("score", "mean"),
        )
        .reset_index()
    )
    overall, prior = frame["score"].mean(), rule.prior_findings
    cells["priority"] = (cells["findings"] * cells["mean_score"] + prior * overall) / (cells["findings"] + prior)
    return rank_cells(cells)


@dataclass(frozen=True)
class Sensitivity:
    """How the top cells change when each weight moves (:func:`weight_sensitivity`).

    ``scenarios``: one row per weight and direction, columns ``scenario`` (e.g. ``"market_need
    -50%"``), ``weight`` (the part moved), ``change`` (-0.5 or +0.5), one column per part with the
    weights used (rescaled to sum 1), ``kept`` (how many of the top cells stay in the top) and
    ``entered`` (the cells that enter the top, as ``(technology_use, market)`` pairs).
    ``ranks``: the top cells under the given weights, columns ``rank``, ``technology_use``,
    ``market``, ``priority``, one column per scenario with the cell's rank there, ``kept`` (in how
    many scenarios it stays in the top), ``best`` and ``worst`` (its best and worst rank over the
    scenarios, its own rank included).
    """

    top: int
    scenarios: pd.DataFrame
    ranks: pd.DataFrame

    def stable(self) -> int:
        """How many of the top cells stay in the top under every scenario."""
        return int((self.ranks["kept"] == len(self.scenarios)).sum())


def moved_weights(weights: Mapping[str, float], part: str, change: float) -> dict[str, float]:
    """``weights`` (summing to 1) with ``part`` multiplied by ``1 + change`` (``change`` above -1), all
    rescaled to sum to 1; unchanged when the part's weight is 0 or 1."""
    moved = {p: w * (1 + change) if p == part else w for p, w in weights.items()}
    total = sum(moved.values())
    return {p: w / total for p, w in moved.items()}


def weight_sensitivity(
    scouting: pd.DataFrame, rule: PriorityRule | None = None, change: float = WEIGHT_CHANGE, top: int = TOP
) -> Sensitivity:
    """Rank stability of the top ``top`` cells when each weight of the rule moves by ``-change`` and
    ``+change`` (a share of the weight; the weights rescaled to sum to 1): one re-ranking per weight
    and direction (:func:`priorities`)."""
    rule = rule or PriorityRule()
    if not (0 < change < 1):
        raise ParameterError(f"the weight change must lie between 0 and 1 (a share), got {change}")
    if top < 1:
        raise ParameterError(f"the top must hold at least one cell, got {top}")
    base = priorities(scouting, rule)
    head = base.head(top)[["rank", "technology_use", "market", "priority"]].reset_index(drop=True)
    cells = list(zip(head["technology_use"], head["market"]))
    scenarios, ranks = [], {}
    for part in WEIGHT_PARTS:
        for step in (-change, change):
            name = f"{part} {100 * step:+.0f}%"
            weights = moved_weights(rule.weights, part, step)
            moved = priorities(scouting, rule.with_weights(weights))
            order = list(zip(moved["technology_use"], moved["market"]))
            rank = dict(zip(order, moved["rank"]))
            ranks[name] = [int(rank[c]) for c in cells]
            scenarios.append(
                {
                    "scenario": name,
                    "weight": part,
                    "change": step,
                    **weights,
                    "kept": sum(c in order[:top] for c in cells),
                    "entered": [c for c in order[:top] if c not in cells],
                }
            )
    table = head.copy()
    for name, values in ranks.items():
        table[name] = values
    scenario_ranks = table[list(ranks)]
    table["kept"] = (scenario_ranks <= top).sum(axis=1).astype(int)
    table["best"] = pd.concat([table["rank"], scenario_ranks], axis=1).min(axis=1).astype(int)
    table["worst"] = pd.concat([table["rank"], scenario_ranks], axis=1).max(axis=1).astype(int)
    return Sensitivity(top, pd.DataFrame(scenarios), table)


def use_areas() -> dict[str, list[str]]:
    """The thematic areas (segment ids) of each technology use, the main one first
    (``technology_uses.csv``)."""
    uses = reference.technology_uses()
    return dict(zip(uses["id"], uses["segments"].map(split_codes)))


def coverage(
    scouting: pd.DataFrame,
    products: pd.DataFrame,
    cells: pd.DataFrame,
    high_need: float = HIGH_NEED,
    mature_trl: int = MATURE_TRL,
    lead_p: float = LEAD_P,
) -> pd.DataFrame:
    """The need the scouts found against the partnership's own products, per technology use (all
    35, in the order of their main thematic area, then the roadmap's order).

    ``cells`` is the :func:`priorities` table of ``scouting``. Columns: ``technology_use``,
    ``area`` (main thematic area), ``findings`` (abroad), ``expected_findings`` (the findings
    spread evenly over the uses), ``p_few`` (Poisson probability of so few findings or fewer under
    an even spread; NaN without findings at all), ``p_adjusted`` (``p_few`` adjusted for testing
    every use, Benjamini-Hochberg, scipy.stats.false_discovery_control), ``few_found``
    (``p_adjusted`` at most ``lead_p``),
    ``market_need`` (mean over the use's findings), ``top_need`` and ``top_need_market`` (the
    highest mean need of a market and which), ``products``, ``companies`` (making them),
    ``ready_companies`` (with a product at ``mature_trl`` or above), ``median_trl`` (of the
    products), ``gap_markets`` (market ids whose mean need is at least ``high_need`` while no
    product is market-ready), ``lead`` (market-ready products and ``few_found``) and ``status``:
    ``gap``, ``lead``, ``market-ready``, ``in development`` (products below ``mature_trl`` only)
    or ``no product``.
    """
    check_thresholds(high_need, mature_trl, lead_p)
    areas = use_areas()
    segments = list(reference.THEMATIC_SEGMENT_IDS)
    ids = sorted(reference.TECHNOLOGY_IDS, key=lambda u: (segments.index(areas[u][0]), u))
    frame = pd.DataFrame({"technology_use": ids, "area": [areas[u][0] for u in ids]}).set_index("technology_use")
    found = scouting.groupby("technology_use").agg(findings=("trl", "size"), market_need=("market_need", "mean"))
    frame = frame.join(found)
    frame["findings"] = frame["findings"].fillna(0).astype(int)
    total = int(frame["findings"].sum())
    frame["expected_findings"] = total / len(ids)
    frame["p_few"] = (
        stats.poisson.cdf(frame["findings"], frame["expected_findings"]) if total else np.full(len(ids), np.nan)
    )
    frame["p_adjusted"] = (
        stats.false_discovery_control(frame["p_few"], method="bh") if total else np.full(len(ids), np.nan)
    )
    frame["few_found"] = frame["p_adjusted"] <= lead_p
    if len(cells):
        best = cells.sort_values(["market_need", "rank"], ascending=[False, True]).drop_duplicates("technology_use")
        best = best.set_index("technology_use")
        frame["top_need"] = best["market_need"].reindex(frame.index)
        frame["top_need_market"] = best["market"].reindex(frame.index)
    else:
        frame["top_need"], frame["top_need_market"] = np.nan, None
    made = products.groupby("technology_use").agg(
        products=("trl", "size"), companies=("company", "nunique"), median_trl=("trl", "median")
    )
    ready = products[products["trl"] >= mature_trl].groupby("technology_use")["company"].nunique()
    frame = frame.join(made).join(ready.rename("ready_companies"))
    for column in ("products", "companies", "ready_companies"):
        frame[column] = frame[column].fillna(0).astype(int)
    high = cells[cells["market_need"] >= high_need] if len(cells) else cells
    needy = high.groupby("technology_use")["market"].agg(list) if len(high) else pd.Series(dtype=object)
    frame["gap_markets"] = [
        list(needy.get(use, [])) if frame.at[use, "ready_companies"] == 0 else [] for use in frame.index
    ]
    frame["lead"] = (frame["ready_companies"] > 0) & frame["few_found"]
    frame["status"] = np.select(
        [
            frame["gap_markets"].map(bool),
            frame["lead"],
            frame["ready_companies"] > 0,
            frame["products"] > 0,
        ],
        ["gap", "lead", "market-ready", "in development"],
        "no product",
    )
    return frame.reset_index()[COVERAGE_COLUMNS]


def check_thresholds(high_need: float, mature_trl: int, lead_p: float) -> None:
    """ParameterError unless ``high_need`` lies on the 1-5 scale, ``mature_trl`` is a whole TRL 1-9
    and ``lead_p`` (a false discovery rate) lies strictly between 0 and 1."""
    if not (1 <= high_need <= 5):
        raise ParameterError(f"high need must lie on the 1-5 scale, got {high_need}")
    if isinstance(mature_trl, bool) or not float(mature_trl).is_integer() or not (1 <= mature_trl <= 9):
        raise ParameterError(f"the market-ready TRL must be a whole level 1-9, got {mature_trl}")
    if not (0 < lead_p < 1):
        raise ParameterError(f"the lead test's false discovery rate must lie between 0 and 1, got {lead_p}")


def gaps(cells: pd.DataFrame, uses: pd.DataFrame, high_need: float = HIGH_NEED) -> pd.DataFrame:
    """The technology use x market cells with a high mean market need (at least ``high_need``)
    where the partnership has no market-ready product of the use (``uses``: :func:`coverage`),
    in priority order: the :func:`priorities` columns."""
    unready = set(uses.loc[uses["ready_companies"] == 0, "technology_use"])
    found = cells[(cells["market_need"] >= high_need) & cells["technology_use"].isin(unready)]
    return found.sort_values("rank").reset_index(drop=True)


def trl_distribution(scouting: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
    """How many findings (``source`` "found abroad") and partnership products (``source``
    "partnership") stand at each TRL 1-9 per thematic area; a use that serves several areas counts
    in each. Columns ``area``, ``source``, ``trl``, ``count``, ``share`` (of the area and source),
    ``total`` (the area and source's count), ``median_trl`` (the area and source's median TRL) and
    ``companies`` (that make the products; 0 for findings)."""
    areas = use_areas()
    rows = []
    for source, frame in (("found abroad", scouting), ("partnership", products)):
        spread = frame.assign(area=frame["technology_use"].map(lambda u: areas.get(u, []))).explode("area")
        spread = spread[spread["area"].notna()]
        for area in reference.THEMATIC_SEGMENT_IDS:
            mine = spread[spread["area"] == area]
            counts = mine["trl"].astype(int).value_counts().reindex(range(1, 10), fill_value=0)
            total = int(counts.sum())
            median = float(mine["trl"].median()) if total else np.nan
            makers = int(mine["company"].nunique()) if "company" in mine and source == "partnership" else 0
            for trl, count in counts.items():
                rows.append(
                    {
                        "area": area,
                        "source": source,
                        "trl": int(trl),
                        "count": int(count),
                        "share": count / total if total else np.nan,
                        "total": total,
                        "median_trl": median,
                        "companies": makers,
                    }
                )
    return pd.DataFrame(rows)


def findings_by_market(scouting: pd.DataFrame) -> pd.DataFrame:
    """Findings per target market (rows, mission order, every market) and organisation type
    (columns, in order of frequency), with a ``total`` column."""
    table = pd.crosstab(scouting["market"], scouting["organisation_type"])
    table = table.reindex(list(reference.TARGET_MARKET_IDS), fill_value=0)
    table = table[table.sum().sort_values(ascending=False, kind="stable").index]
    table["total"] = table.sum(axis=1)
    return table.rename_axis(index="market", columns=None)


@dataclass(frozen=True)
class ScoutingAnalysis:
    """Everything the technology-scouting page shows (:func:`analyse_scouting`)."""

    rule: PriorityRule
    high_need: float
    mature_trl: int
    lead_p: float
    findings: int
    priorities: pd.DataFrame
    sensitivity: Sensitivity
    coverage: pd.DataFrame
    gaps: pd.DataFrame
    trl: pd.DataFrame
    by_market: pd.DataFrame

    @property
    def empty(self) -> bool:
        """No findings recorded yet."""
        return self.findings == 0

    @property
    def findings_for_leads(self) -> float:
        """The findings per use, on average, from which a use never found abroad can count as a
        lead: its p-value, exp(-expected findings), must pass the strictest Benjamini-Hochberg
        threshold, ``lead_p`` / the number of uses; so ln(uses / ``lead_p``)."""
        return math.log(len(self.coverage) / self.lead_p)

    @property
    def lead_testable(self) -> bool:
        """Whether the findings are yet enough for any use to count as a lead
        (:attr:`findings_for_leads`)."""
        expected = float(self.coverage["expected_findings"].iloc[0]) if len(self.coverage) else 0.0
        return expected >= self.findings_for_leads

    @property
    def leads(self) -> pd.DataFrame:
        """The :func:`coverage` rows of the uses where the partnership leads, most companies with
        market-ready products first, then fewest findings."""
        leads = self.coverage[self.coverage["lead"]]
        return leads.sort_values(["ready_companies", "findings"], ascending=[False, True], kind="stable")


def analyse_scouting(
    scouting: pd.DataFrame,
    products: pd.DataFrame,
    rule: PriorityRule | None = None,
    high_need: float = HIGH_NEED,
    mature_trl: int = MATURE_TRL,
    lead_p: float = LEAD_P,
    change: float = WEIGHT_CHANGE,
    top: int = TOP,
) -> ScoutingAnalysis:
    """Priorities, their sensitivity to the weights, coverage against need, gaps and leads, and the
    TRL distributions of the findings (``scouting``) and the partnership's ``products``."""
    rule = rule or PriorityRule()
    check_thresholds(high_need, mature_trl, lead_p)
    cells = priorities(scouting, rule)
    uses = coverage(scouting, products, cells, high_need, int(mature_trl), lead_p)
    return ScoutingAnalysis(
        rule=rule,
        high_need=high_need,
        mature_trl=int(mature_trl),
        lead_p=lead_p,
        findings=len(scouting),
        priorities=cells,
        sensitivity=weight_sensitivity(scouting, rule, change, top),
        coverage=uses,
        gaps=gaps(cells, uses, high_need),
        trl=trl_distribution(scouting, products),
        by_market=findings_by_market(scouting),
    )
