"""Technology scouting (roadmap §2.2 step 3): priority scores computed by hand, the weights' effect on
the ranking, the tie-break rule, gaps and leads on hand-made tables, the sample's planted hotspots,
and the page built for an early and a late quarter."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lasergo.analysis import scouting
from lasergo.analysis.scouting import PriorityRule
from lasergo.data import reference
from lasergo.errors import ParameterError

COLUMNS = [
    "date",
    "cluster",
    "technology_use",
    "market",
    "organisation_type",
    "organisation",
    "trl",
    "novelty",
    "market_need",
    "source",
]


def findings(*rows: tuple[str, str, int, int, int]) -> pd.DataFrame:
    """A scouting table from (technology use, market, TRL, novelty, market need) rows, typed as the
    reader types it."""
    frame = pd.DataFrame(
        [
            {
                "date": pd.Timestamp("2025-03-01"),
                "cluster": "OV",
                "technology_use": use,
                "market": market,
                "organisation_type": "system_maker",
                "organisation": "Somebody abroad",
                "trl": trl,
                "novelty": novelty,
                "market_need": need,
                "source": "trade show",
            }
            for use, market, trl, novelty, need in rows
        ],
        columns=COLUMNS,
    )
    return frame.astype({"trl": "Int64", "novelty": "Int64", "market_need": "Int64"})


def products(*rows: tuple[str, str, int]) -> pd.DataFrame:
    """A products table from (company, technology use, TRL) rows."""
    return pd.DataFrame(
        [
            {"id": f"P{i}", "company": company, "name": f"product {i}", "technology_use": use, "trl": trl}
            for i, (company, use, trl) in enumerate(rows, start=1)
        ]
    ).astype({"trl": "Int64"})


def cell(table: pd.DataFrame, use: str, market: str) -> pd.Series:
    return table[(table["technology_use"] == use) & (table["market"] == market)].iloc[0]


# --- Priority scores --------------------------------------------------------------------------------------

HAND_MADE = findings(
    ("T20", "japan", 6, 4, 5),  # M = 1;    0.6 x 4 + 0.4 x 3 = 3.6;  100 x 3.6 / 4 = 90
    ("T20", "japan", 9, 2, 4),  # M = 0.75; 0.6 x 3 + 0.4 x 1 = 2.2;  100 x 0.75 x 2.2 / 4 = 41.25
    ("T01", "canada", 3, 5, 3),  # M = 0.5; 0.6 x 2 + 0.4 x 4 = 2.8;  100 x 0.5 x 2.8 / 4 = 35
    ("T01", "canada", 5, 1, 1),  # M = 1;   0
)


def test_finding_scores_by_hand():
    assert scouting.finding_scores(HAND_MADE, PriorityRule()).tolist() == pytest.approx([90, 41.25, 35, 0])


def test_maturity_window_tapers_outside_and_stops_at_zero():
    factor = scouting.maturity_factor(np.arange(1, 10), (5, 8), 0.25)
    assert factor.tolist() == pytest.approx([0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 0.75])
    assert scouting.maturity_factor([1, 9], (5, 8), 0.5).tolist() == [0, 0.5]


def test_priorities_by_hand():
    table = scouting.priorities(HAND_MADE)
    overall = (90 + 41.25 + 35 + 0) / 4  # 41.5625
    oct_japan, imaging_canada = cell(table, "T20", "japan"), cell(table, "T01", "canada")
    assert oct_japan["findings"] == 2
    assert oct_japan["market_need"] == pytest.approx(4.5)
    assert oct_japan["novelty"] == pytest.approx(3)
    assert oct_japan["median_trl"] == pytest.approx(7.5)
    assert oct_japan["in_window"] == pytest.approx(0.5)
    assert oct_japan["mean_score"] == pytest.approx(65.625)
    # Bayesian average with two findings at the overall mean: (2 x 65.625 + 2 x 41.5625) / 4
    assert oct_japan["priority"] == pytest.approx((2 * 65.625 + 2 * overall) / 4) == pytest.approx(53.59375)
    assert imaging_canada["priority"] == pytest.approx((2 * 17.5 + 2 * overall) / 4) == pytest.approx(29.53125)
    assert table["rank"].tolist() == [1, 2]
    assert table["technology_use"].tolist() == ["T20", "T01"]


def test_without_prior_findings_the_priority_is_the_plain_mean():
    table = scouting.priorities(HAND_MADE, PriorityRule(prior_findings=0))
    assert cell(table, "T20", "japan")["priority"] == pytest.approx(65.625)
    assert cell(table, "T01", "canada")["priority"] == pytest.approx(17.5)


def test_the_prior_lets_consistent_findings_outrank_a_single_enthusiastic_one():
    table = scouting.priorities(
        findings(
            ("T05", "israel", 6, 5, 5),  # 100, alone
            *[("T12", "japan", 6, 4, 5)] * 4,  # 90 each, four times
            ("T01", "canada", 5, 1, 1),  # 0
        )
    )
    assert table["technology_use"].tolist()[:2] == ["T12", "T05"]
    assert scouting.priorities(
        findings(("T05", "israel", 6, 5, 5), *[("T12", "japan", 6, 4, 5)] * 4), PriorityRule(prior_findings=0)
    )["technology_use"].tolist() == ["T05", "T12"]


# --- Weights and their sensitivity --------------------------------------------------------------------------

NEED_VERSUS_NOVELTY = findings(
    ("T22", "japan", 6, 1, 5),  # need only:    0.6 x 4 / 4 = 60 at the default weights
    ("T23", "israel", 6, 5, 2),  # novelty mostly: (0.6 x 1 + 0.4 x 4) / 4 = 55
)


def test_moving_a_weight_changes_the_ranking_as_expected():
    rule = PriorityRule(prior_findings=0)
    assert scouting.priorities(NEED_VERSUS_NOVELTY, rule)["technology_use"].tolist() == ["T22", "T23"]
    # novelty weighted as much as need: 50 against 0.5 x 1 / 4 + 0.5 x 4 / 4 = 62.5
    even = scouting.priorities(NEED_VERSUS_NOVELTY, rule.with_weights({"market_need": 0.5, "novelty": 0.5}))
    assert even["technology_use"].tolist() == ["T23", "T22"]
    assert even["priority"].tolist() == pytest.approx([62.5, 50])


def test_moved_weights_are_rescaled_to_sum_one():
    assert scouting.moved_weights({"market_need": 0.6, "novelty": 0.4}, "novelty", 0.5) == pytest.approx(
        {"market_need": 0.5, "novelty": 0.5}
    )
    assert scouting.moved_weights({"market_need": 0.6, "novelty": 0.4}, "market_need", -0.5) == pytest.approx(
        {"market_need": 0.3 / 0.7, "novelty": 0.4 / 0.7}
    )


def test_sensitivity_reports_which_weight_change_upsets_the_top():
    result = scouting.weight_sensitivity(NEED_VERSUS_NOVELTY, PriorityRule(prior_findings=0), change=0.5, top=1)
    scenarios = result.scenarios.set_index("scenario")
    assert list(scenarios.index) == ["market_need -50%", "market_need +50%", "novelty -50%", "novelty +50%"]
    # Less weight on need or more on novelty puts T23 first; the opposite keeps T22 first.
    assert scenarios["kept"].to_dict() == {
        "market_need -50%": 0,
        "market_need +50%": 1,
        "novelty -50%": 1,
        "novelty +50%": 0,
    }
    assert scenarios.loc["novelty +50%", "entered"] == [("T23", "israel")]
    row = result.ranks.iloc[0]
    assert (row["technology_use"], row["kept"], row["best"], row["worst"]) == ("T22", 2, 1, 2)
    assert result.stable() == 0


def test_sensitivity_of_an_uncontested_top_is_stable():
    table = findings(("T22", "japan", 6, 5, 5), ("T23", "israel", 6, 1, 1))
    result = scouting.weight_sensitivity(table, top=1)
    assert result.stable() == 1
    assert result.scenarios["kept"].tolist() == [1, 1, 1, 1]


# --- The tie-break rule -------------------------------------------------------------------------------------


def test_ties_go_to_more_findings_first():
    # both cells score 60 on every finding; without a prior their priorities are equal
    table = findings(("T02", "japan", 6, 1, 5), ("T01", "japan", 6, 1, 5), ("T01", "japan", 6, 1, 5))
    ranked = scouting.priorities(table, PriorityRule(prior_findings=0))
    assert ranked["priority"].tolist() == pytest.approx([60, 60])
    assert ranked["technology_use"].tolist() == ["T01", "T02"]


def test_ties_then_go_to_the_higher_market_need():
    # need 5, novelty 1: 0.6 x 4 = 2.4; need 3, novelty 4: 0.6 x 2 + 0.4 x 3 = 2.4 (in floating point a hair apart)
    table = findings(("T01", "japan", 6, 4, 3), ("T02", "japan", 6, 1, 5))
    ranked = scouting.priorities(table, PriorityRule(prior_findings=0))
    assert ranked["priority"].tolist() == pytest.approx([60, 60])
    assert ranked["technology_use"].tolist() == ["T02", "T01"]


def test_ties_then_go_to_the_roadmaps_order_of_uses_and_markets():
    table = findings(("T02", "usa_west", 6, 1, 5), ("T01", "japan", 6, 1, 5), ("T01", "usa_west", 6, 1, 5))
    ranked = scouting.priorities(table, PriorityRule(prior_findings=0))
    assert list(zip(ranked["technology_use"], ranked["market"])) == [
        ("T01", "usa_west"),  # mission 1 before mission 8
        ("T01", "japan"),
        ("T02", "usa_west"),
    ]
    assert ranked["rank"].tolist() == [1, 2, 3]


# --- Parameters are checked ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights": {"market_need": 0.6, "novelty": 0.6}},
        {"weights": {"market_need": 1.2, "novelty": -0.2}},
        {"weights": {"market_need": 1.0}},
        {"weights": {"market_need": 0.5, "novelty": 0.3, "trl": 0.2}},
        {"weights": {"market_need": math.nan, "novelty": 0.4}},
        {"window": (0, 8)},
        {"window": (8, 5)},
        {"window": (5, 10)},
        {"window": (5.5, 8)},
        {"window": (5,)},
        {"taper": 1.5},
        {"taper": -0.1},
        {"prior_findings": -1},
    ],
)
def test_bad_priority_parameters_are_refused(kwargs):
    with pytest.raises(ParameterError):
        PriorityRule(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"high_need": 6}, {"high_need": 0}, {"mature_trl": 10}, {"mature_trl": 6.5}, {"lead_p": 0}]
)
def test_bad_thresholds_are_refused(kwargs):
    with pytest.raises(ParameterError):
        scouting.analyse_scouting(HAND_MADE, products(("C1", "T20", 8)), **kwargs)


@pytest.mark.parametrize("change", [0, 1, 1.5])
def test_bad_weight_change_is_refused(change):
    with pytest.raises(ParameterError):
        scouting.weight_sensitivity(HAND_MADE, change=change)


def test_window_from_whole_numbers_given_as_floats_is_accepted():
    assert PriorityRule(window=(5.0, 8.0)).window == (5, 8)


# --- Coverage against need: gaps and leads -------------------------------------------------------------------


def test_gaps_are_high_need_cells_without_a_market_ready_product():
    table = findings(
        ("T01", "canada", 6, 3, 5),  # T01: products below TRL 7 only -> gap in Canada
        ("T01", "japan", 6, 3, 2),  # need low in Japan -> no gap
        ("T05", "israel", 6, 4, 4),  # T05: no product at all -> gap in Israel (need 4 counts as high)
        ("T20", "japan", 6, 5, 5),  # T20: a market-ready product -> no gap
    )
    made = products(("C1", "T01", 5), ("C2", "T01", 6), ("C3", "T20", 8))
    result = scouting.analyse_scouting(table, made)
    assert set(zip(result.gaps["technology_use"], result.gaps["market"])) == {("T01", "canada"), ("T05", "israel")}
    assert result.gaps["rank"].is_monotonic_increasing
    uses = result.coverage.set_index("technology_use")
    assert uses.loc["T01", "gap_markets"] == ["canada"]
    assert uses.loc["T01", ["status", "products", "companies", "ready_companies"]].tolist() == [
        "gap",
        2,
        2,
        0,
    ]
    assert uses.loc["T05", "status"] == "gap"
    assert uses.loc["T20", ["status", "ready_companies"]].tolist() == ["market-ready", 1]
    assert uses.loc["T02", "status"] == "no product"
    assert uses.loc["T01", "top_need"] == 5 and uses.loc["T01", "top_need_market"] == "canada"
    # a stricter threshold of high need leaves only the need-5 gap
    strict = scouting.analyse_scouting(table, made, high_need=4.5)
    assert list(zip(strict.gaps["technology_use"], strict.gaps["market"])) == [("T01", "canada")]


def test_products_below_the_market_ready_trl_only_are_in_development():
    result = scouting.analyse_scouting(findings(("T20", "japan", 6, 5, 2)), products(("C1", "T20", 6)))
    assert result.coverage.set_index("technology_use").loc["T20", "status"] == "in development"
    lowered = scouting.analyse_scouting(findings(("T20", "japan", 6, 5, 2)), products(("C1", "T20", 6)), mature_trl=6)
    assert lowered.coverage.set_index("technology_use").loc["T20", "status"] == "market-ready"


def test_leads_are_mature_uses_found_abroad_less_often_than_chance_allows():
    # eight findings of every use but T22 and T30: 264 findings, 264 / 35 = 7.54 expected per use;
    # P(0 findings) = exp(-7.54) = 0.00053; adjusted for 35 tests (Benjamini-Hochberg), the two
    # smallest p-values become 35 x 0.00053 / 2 = 0.0093, at most 0.05
    uses = [u for u in reference.TECHNOLOGY_IDS if u not in ("T22", "T30")]
    table = findings(*[(u, "japan", 6, 3, 3) for u in uses for _ in range(8)])
    made = products(("C1", "T22", 8), ("C2", "T22", 7), ("C3", "T01", 9), ("C4", "T30", 5))
    result = scouting.analyse_scouting(table, made)
    coverage = result.coverage.set_index("technology_use")
    assert coverage.loc["T22", "expected_findings"] == pytest.approx(264 / 35)
    assert coverage.loc["T22", "p_few"] == pytest.approx(math.exp(-264 / 35))
    assert coverage.loc["T22", "p_adjusted"] == pytest.approx(35 / 2 * math.exp(-264 / 35))
    assert coverage.loc["T01", "p_few"] == pytest.approx(stats.poisson.cdf(8, 264 / 35))
    assert result.lead_testable
    assert result.leads["technology_use"].tolist() == ["T22"]  # T30 is found as rarely, but not market-ready
    assert coverage.loc["T22", "status"] == "lead"
    assert coverage.loc["T01", "status"] == "market-ready"  # found as often as the rest
    assert coverage.loc["T30", "status"] == "in development"


def test_a_shortfall_that_chance_explains_over_35_uses_is_no_lead():
    # four findings of every use but T22: 136 findings, 3.89 expected; P(0) = 0.021 is below 0.05 on
    # its own but not once adjusted for the 35 uses tested: Benjamini-Hochberg gives the smaller of
    # 35 x 0.021 / 1 = 0.72 and the next p-values' m p / rank, the largest being P(4 or fewer) = 0.65
    table = findings(*[(u, "japan", 6, 3, 3) for u in reference.TECHNOLOGY_IDS if u != "T22" for _ in range(4)])
    result = scouting.analyse_scouting(table, products(("C1", "T22", 8)))
    coverage = result.coverage.set_index("technology_use")
    assert coverage.loc["T22", "p_few"] < 0.05
    assert coverage.loc["T22", "p_adjusted"] == pytest.approx(
        min(35 * math.exp(-136 / 35), stats.poisson.cdf(4, 136 / 35))
    )
    assert result.leads.empty and not result.lead_testable


def test_no_lead_before_scouting_has_found_enough_to_tell():
    # 35 findings, one expected per use: even a use never found is not a significant shortfall (e^-1 = 0.37)
    table = findings(*[(u, "japan", 6, 3, 3) for u in reference.TECHNOLOGY_IDS if u != "T22"])
    result = scouting.analyse_scouting(table, products(("C1", "T22", 8)))
    assert result.leads.empty
    assert not result.lead_testable


# --- TRL distribution ----------------------------------------------------------------------------------------


def test_trl_distribution_counts_each_area_of_a_use():
    table = findings(("T08", "japan", 6, 3, 3), ("T01", "japan", 4, 3, 3))  # T08: sensing and diagnostics
    result = scouting.trl_distribution(table, products(("C1", "T07", 8)))
    counts = result[result["count"] > 0].set_index(["source", "area", "trl"])["count"].to_dict()
    assert counts == {
        ("found abroad", "diagnostics_imaging", 4): 1,
        ("found abroad", "diagnostics_imaging", 6): 1,
        ("found abroad", "sensing", 6): 1,
        ("partnership", "regenerative_biomaterials", 8): 1,
    }
    imaging = result[(result["source"] == "found abroad") & (result["area"] == "diagnostics_imaging")]
    assert imaging["share"].sum() == pytest.approx(1)


# --- No findings yet ---------------------------------------------------------------------------------------


def test_an_empty_scouting_table_gives_an_empty_analysis():
    result = scouting.analyse_scouting(findings(), products(("C1", "T20", 8)))
    assert result.empty and result.findings == 0
    assert result.priorities.empty and result.gaps.empty and result.leads.empty
    assert result.sensitivity.ranks.empty
    assert len(result.coverage) == len(reference.TECHNOLOGY_IDS)
    assert result.by_market["total"].sum() == 0


# --- The page's labels and confidentiality --------------------------------------------------------------


def test_use_labels_fit_and_are_never_cut():
    from lasergo.pages.scouting import LABEL_WIDTH, SHORT_NAMES, label_for, use_label

    names = reference.names("technology_uses")
    assert set(SHORT_NAMES) <= set(names.values())  # every short name belongs to a use of the reference
    for use in reference.TECHNOLOGY_IDS:
        label = use_label(use)
        assert all(len(line) <= LABEL_WIDTH for line in label.splitlines()), label
        assert not any(mark in label for mark in ("...", "\u2026", "[")), label
    long = "A technology use with a name far longer than any chart label should carry on one line"
    assert label_for(long).split() == long.split()  # wrapped, not cut


def test_company_counts_below_five_show_as_a_band():
    from lasergo.pages.scouting import companies_shown

    assert [companies_shown(n) for n in (0, 1, 4, 5, 13)] == ["0", "1-4", "1-4", "5", "13"]


def test_a_lead_resting_on_few_companies_shows_no_count_and_no_trl():
    from lasergo.pages.scouting import leads_table

    uses = [u for u in reference.TECHNOLOGY_IDS if u != "T22"]
    table = findings(*[(u, "japan", 6, 3, 3) for u in uses for _ in range(8)])
    result = scouting.analyse_scouting(table, products(("C1", "T22", 8), ("C2", "T22", 9)))
    shown = leads_table(result, pd.Period("2026Q3")).data
    assert shown["Technology use"].tolist() == [reference.names("technology_uses")["T22"]]
    assert shown.iloc[0]["Companies with a product at TRL 7+"] == "1-4"
    assert shown.iloc[0]["Median TRL of the partnership's products"].startswith("withheld")


# --- The sample's planted structure --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_analysis() -> scouting.ScoutingAnalysis:
    from lasergo.data.dataset import load_data
    from tests.conftest import SAMPLE

    data = load_data(SAMPLE)
    return scouting.analyse_scouting(data.scouting, data.products)


def test_sample_hotspots_rank_in_the_top_ten(sample_analysis):
    from lasergo.data.sample import SCOUTING_HOTSPOTS

    top = set(list(zip(sample_analysis.priorities["technology_use"], sample_analysis.priorities["market"]))[:10])
    assert SCOUTING_HOTSPOTS and set(map(tuple, SCOUTING_HOTSPOTS)) <= top


def test_sample_mature_uses_are_leads(sample_analysis):
    from lasergo.data.sample import SCOUTING_MATURE_USES

    assert SCOUTING_MATURE_USES and set(SCOUTING_MATURE_USES) <= set(sample_analysis.leads["technology_use"])


# --- The page builds for an early and a late quarter ------------------------------------------------------

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "05_technology_scouting.ipynb"


def run_page(quarter: str, tmp_path: Path) -> nbformat.NotebookNode:
    import papermill

    from tests.conftest import SAMPLE

    out = tmp_path / f"scouting_{quarter}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"quarter": quarter, "data_dir": str(SAMPLE)},
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


def page_text(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(
        str(output.get("data", {}).get("text/markdown", "")) for c in notebook.cells for output in c.get("outputs", [])
    )


def test_page_builds_before_any_finding(tmp_path):
    from lasergo.pipeline.notebooks import results_of

    notebook = run_page("2024Q1", tmp_path)
    results = results_of(notebook)
    assert results["findings"] == 0
    assert results["gaps"] is None
    assert "No scouting findings recorded yet" in page_text(notebook)


def test_page_builds_with_findings(tmp_path):
    from lasergo.pipeline.notebooks import results_of

    notebook = run_page("2026Q3", tmp_path)
    results = results_of(notebook)
    assert results["findings"] > 0
    gaps = results["gaps"]
    assert isinstance(gaps, list) and len(gaps) <= 5
    assert all(set(gap) == {"technology_use", "market"} for gap in gaps)
    names = set(reference.names("technology_uses").values())
    assert all(gap["technology_use"] in names for gap in gaps)
