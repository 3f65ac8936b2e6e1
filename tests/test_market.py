"""Market segment estimation: the three steps by hand, the Monte Carlo against analytic quantiles,
monotonicity, the screening guide, located errors for bad market inputs, and a page whose figures
are no more precise than their ranges."""

import math
import re
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.text import Text
from scipy import stats

from lasergo.analysis import market
from lasergo.data import reference
from lasergo.data.dataset import load_data
from lasergo.data.market_inputs import MarketTables, market_tables
from lasergo.errors import AnalysisError, InputError, ParameterError
from lasergo.pages import market as market_page
from lasergo.pages.style import chart_title
from tests.conftest import SAMPLE, VALID_TABLES, write_tables

ASSUMPTION_HEADER = "parameter,market,of_market,segment,low,mode,high,year,currency,distribution,kind,source,note\n"
FIGURE_HEADER = "market,segment,year,value_m,low_m,high_m,currency,source,note\n"


@pytest.fixture(scope="module")
def sample():
    return load_data(SAMPLE)


@pytest.fixture(scope="module")
def sample_model(sample):
    return market.build_model(market_tables(sample), sample, 2026)


@pytest.fixture(scope="module")
def sample_analysis(sample):
    return market.analyse_market(sample, 2026, n_draws=2000)


@pytest.fixture(scope="module")
def page_analysis(sample):
    """The sample's market page of 2026Q3 as the notebook builds it: 20,000 draws, seed 1."""
    return market.analyse_market(sample.cut(pd.Timestamp("2026-09-30")), 2026)


def collapsed(tables: MarketTables) -> MarketTables:
    """Every range shrunk to its mode (figures to their value)."""
    assumptions = tables.assumptions.assign(low=tables.assumptions["mode"], high=tables.assumptions["mode"])
    figures = tables.figures.assign(low_m=tables.figures["value_m"], high_m=tables.figures["value_m"])
    return replace(tables, assumptions=assumptions, figures=figures)


def only_random(model: market.MarketModel, keep: str) -> market.MarketModel:
    """The model with every input but the one labelled ``keep`` fixed at its mode."""
    inputs = model.inputs.copy()
    fixed = inputs["input"] != keep
    inputs.loc[fixed, "low"] = inputs.loc[fixed, "mode"]
    inputs.loc[fixed, "high"] = inputs.loc[fixed, "mode"]
    return replace(model, inputs=inputs)


# --- The three steps ---------------------------------------------------------------------------


def test_collapsed_ranges_give_the_deterministic_product_of_the_three_steps(sample):
    tables = collapsed(market_tables(sample))
    model = market.build_model(tables, sample, 2026)
    sim = market.simulate(model, n_draws=500, seed=3)
    sales = sim.stages["partnership_sales"]
    assert np.ptp(sales, axis=0).max() == 0  # no spread left

    figures, assumptions = tables.figures, tables.assumptions
    rate = {(c, y): r for c, y, r in tables.rates[["currency", "year", "per_eur"]].itertuples(index=False)}
    growth = assumptions.query("parameter == 'growth'")["mode"].iloc[0] / 100
    for i, m in enumerate(model.markets):
        regional = assumptions.query("parameter == 'regional_share' and market == @m")
        parts = list(zip(regional["of_market"], regional["mode"] / 100)) or [(m, 1.0)]
        market_value = 0.0
        for basis, share in parts:  # noqa: B007 (basis is read by the query strings)
            figure = figures.query("market == @basis and segment == 'medical_devices'")
            if len(figure):
                row = figure.sort_values("year").iloc[-1]
                size, year, currency = row["value_m"], row["year"], row["currency"]
            else:
                row = assumptions.query("parameter == 'market_size' and market == @basis").iloc[0]
                size, year, currency = row["mode"], row["year"], row["currency"]
            market_value += share * size / rate[(currency, year)] * (1 + growth) ** (2026 - year)
        for j, s in enumerate(model.segments):

            def mode(parameter: str, segment: str = s) -> float:
                rows = assumptions[
                    (assumptions["parameter"] == parameter)
                    & (assumptions["segment"].isna() | (assumptions["segment"] == segment))
                ]
                return rows["mode"].iloc[0] / 100

            expected = (
                market_value
                * mode("segment_share")
                * mode("photonics_share")
                * model.addressable[i, j]
                * mode("attainable_share")
            )
            assert sales[0, i, j] == pytest.approx(expected, rel=1e-12, abs=0)


def test_currency_conversion_and_growth_on_a_hand_computed_case(tmp_path):
    # JPY-free hand case: USD 1,000 m in 2013 at USD 1.25 per EUR is EUR 800 m; 10% a year for
    # two years gives EUR 800 x 1.21 = 968 m in 2015.
    folder = write_tables(
        tmp_path / "d",
        {
            **VALID_TABLES,
            "market_figures.csv": FIGURE_HEADER + "japan,medical_devices,2013,1000,1000,1000,USD,hand case,\n",
            "currency_rates.csv": "currency,year,per_eur,source,note\nUSD,2013,1.25,hand case,\n",
            "market_assumptions.csv": ASSUMPTION_HEADER + "growth,japan,,,10,10,10,,,pert,assumption,hand case,\n",
        },
    )
    data = load_data(folder)
    model = market.build_model(market_tables(data), data, 2015)
    japan = model.markets.index("japan")
    assert market.deterministic(model)["market_value"][japan] == pytest.approx(968.0, rel=1e-12)
    size = model.inputs.query("parameter == 'market_size' and market == 'japan'").iloc[0]
    assert (size["per_eur"], size["kind"]) == (1.25, "published")


def test_a_figure_without_range_gets_the_stated_figure_range(sample_model):
    canada = sample_model.inputs.query("parameter == 'market_size' and market == 'canada'").iloc[0]
    assert (canada["low"], canada["mode"], canada["high"]) == pytest.approx((6200 * 0.85, 6200, 6200 * 1.15))


def test_every_target_market_and_segment_is_valued(sample_model):
    sim = market.simulate(sample_model, 1000, 1)
    assert sim.stages["partnership_sales"].shape == (1000, 8, 3)
    assert (sim.stages["segment_value"] > sim.stages["photonics_value"]).all()
    assert (sim.stages["photonics_value"] >= sim.stages["partnership_sales"]).all()


# --- Monte Carlo -------------------------------------------------------------------------------


@pytest.mark.parametrize("distribution", ["pert", "triangular"])
def test_single_factor_quantiles_match_the_analytic_distribution(sample_model, distribution):
    label = "attainable share: all markets, all segments"
    model = only_random(sample_model, label)
    model.inputs.loc[model.inputs["input"] == label, "distribution"] = distribution
    low, mode, high = 0.2, 1.0, 3.0
    base = market.deterministic(model)["partnership_sales"].sum() / mode  # sales per percent attainable
    sim = market.simulate(model, n_draws=200_000, seed=11)
    q = np.quantile(sim.total_sales, [0.1, 0.5, 0.9])
    if distribution == "pert":
        a, b = 1 + 4 * (mode - low) / (high - low), 1 + 4 * (high - mode) / (high - low)
        analytic = low + (high - low) * stats.beta.ppf([0.1, 0.5, 0.9], a, b)
    else:
        analytic = stats.triang.ppf([0.1, 0.5, 0.9], (mode - low) / (high - low), loc=low, scale=high - low)
    np.testing.assert_allclose(q, base * analytic, rtol=0.01)


def test_fewer_than_one_draw_is_a_parameter_error(sample_model):
    with pytest.raises(ParameterError, match="n_draws must be at least 1, got 0"):
        market.simulate(sample_model, n_draws=0)


def test_same_seed_same_draws_and_another_seed_differs(sample_model):
    first, again = market.simulate(sample_model, 2000, 5), market.simulate(sample_model, 2000, 5)
    np.testing.assert_array_equal(first.total_sales, again.total_sales)
    assert not np.array_equal(first.total_sales, market.simulate(sample_model, 2000, 6).total_sales)


@settings(max_examples=40, deadline=None)
@given(which=st.integers(min_value=0, max_value=19), shift=st.floats(0, 2), scale=st.floats(1, 3))
def test_raising_an_input_range_never_lowers_expected_sales(sample_model, which, shift, scale):
    """Moving an input's (low, mode, high) up, by a shift of up to twice its width or a factor of
    up to 3, never lowers the expected partnership sales of any market and segment."""
    inputs = sample_model.inputs
    j = which % len(inputs)
    width = max(inputs.at[j, "high"] - inputs.at[j, "low"], 1.0)
    raised = inputs.copy()
    bounds = ["low", "mode", "high"]
    raised.loc[j, bounds] = inputs.loc[j, bounds].to_numpy(float) * scale + shift * width
    before = market.simulate(sample_model, 2000, 9).stages["partnership_sales"].mean(axis=0)
    after = market.simulate(replace(sample_model, inputs=raised), 2000, 9).stages["partnership_sales"].mean(axis=0)
    assert (after >= before * (1 - 1e-12)).all()


def test_tornado_swings_bracket_the_point_estimate_and_rank_attainable_share_first(sample_model):
    table = market.tornado(sample_model)
    base = market.deterministic(sample_model)["partnership_sales"].sum()
    assert (table["swing"].diff().dropna() <= 0).all()
    assert ((table["sales_at_low"] <= base + 1e-9) & (table["sales_at_high"] >= base - 1e-9)).all()
    # sales are proportional to the attainable share, so its swing is base x (high - low) / mode
    top = table.iloc[0]
    assert top["input"].startswith("attainable share")
    assert top["swing"] == pytest.approx(base * (3.0 - 0.2) / 1.0)


def test_rank_correlation_is_one_for_the_only_random_input(sample_model):
    label = "growth a year: all markets"
    rho = market.rank_correlations(market.simulate(only_random(sample_model, label), 3000, 2))
    assert rho[label] == pytest.approx(1.0)
    assert (rho.drop(label) == 0).all()


# --- Addressable share and screening guide ----------------------------------------------------


def companies_csv(rows: list[str]) -> str:
    return VALID_TABLES["companies.csv"].splitlines()[0] + "\n" + "\n".join(rows) + "\n"


def test_addressable_share_counts_mature_products_of_companies_targeting_the_market(tmp_path):
    sensing = reference.segment_uses()["sensing"]
    folder = write_tables(
        tmp_path / "d",
        {
            **VALID_TABLES,
            "companies.csv": companies_csv(
                [
                    f"C1,LITEK,A,supplier,5,1,10,10,{sensing[0]},sensing,japan,direct,2024-01-01",
                    f"C2,OV,B,supplier,5,1,10,10,{sensing[1]},sensing,canada,direct,2024-01-01",
                    f"C3,HTS,C,supplier,5,1,10,10,{sensing[2]},sensing,japan,direct,2024-01-01",
                ]
            ),
            "products.csv": "id,company,name,technology_use,trl,segment,novelty\n"
            f"P1,C1,a,{sensing[0]},8,sensing,3\nP2,C2,b,{sensing[1]},9,sensing,3\n"
            f"P3,C3,c,{sensing[2]},5,sensing,3\n",
            "survey_waves.csv": "company,wave_date,wave,revenue_eur_m,export_share_pct,rd_share_pct,employees\n",
        },
    )
    data = load_data(folder)
    share = market.addressable_share(data, ("japan", "canada", "israel"), ("sensing",), min_trl=7)
    assert share["covered"].tolist() == [[sensing[0]], [sensing[1]], []]
    np.testing.assert_allclose(share["share"], [1 / len(sensing), 1 / len(sensing), 0])


def test_screening_guide_names_companies_by_id_only(sample):
    analysis = market.analyse_market(sample, 2026, n_draws=2000)
    guide = analysis.guide
    assert set(guide["market"]) == set(reference.markets().query("kind == 'target'")["name"])
    text = guide.to_csv()
    assert not any(name in text for name in sample.companies["name"])
    assert guide["companies"].str.contains(r"C\d{4}").any()


# --- Bad inputs ------------------------------------------------------------------------------------


def problems_of(folder) -> list[str]:
    with pytest.raises(InputError) as err:
        load_data(folder)
    return [str(p) for p in err.value.problems]


def test_bad_market_figures_are_located(valid_dir):
    (valid_dir / "market_figures.csv").write_text(
        FIGURE_HEADER
        + "japan,medical_devices,2013,-5,,,USD,x,\n"
        + "japan,medical_devices,2014,100,120,90,USD,x,\n"
        + "canada,medical_devices,2015,100,,,XYZ,x,\n"
        + "atlantis,medical_devices,2015,100,,,USD,x,\n"
        + "canada,wellness,2015,100,,,USD,x,\n",
        encoding="utf-8",
    )
    problems = problems_of(valid_dir)
    expected = {
        2: ("value_m", "0 or more"),
        3: ("high_m", "below low_m"),
        4: ("currency", "unknown currency"),
        5: ("market", "unknown market"),
        6: ("segment", "unknown segment"),
    }
    for row, (column, words) in expected.items():
        assert any(
            p.startswith(f"{valid_dir / 'market_figures.csv'}:{row}:{column}:") and words in p for p in problems
        ), (row, problems)


def test_bad_market_assumptions_are_located(valid_dir):
    (valid_dir / "market_assumptions.csv").write_text(
        ASSUMPTION_HEADER
        + "photonics_share,,,sensing,30,20,40,,,pert,assumption,x,\n"
        + "photonics_share,,,wellness,10,20,30,,,pert,assumption,x,\n"
        + "segment_share,atlantis,,,10,20,30,,,pert,assumption,x,\n"
        + "attainable_share,,,,1,2,150,,,pert,assumption,x,\n"
        + "market_size,israel,,,1000,1500,2000,2015,XYZ,pert,assumption,x,\n",
        encoding="utf-8",
    )
    problems = problems_of(valid_dir)
    where = str(valid_dir / "market_assumptions.csv")
    for row, column, words in [
        (2, "mode", "below low"),
        (3, "segment", "unknown segment"),
        (4, "market", "unknown market"),
        (5, "low", "between 0 and 100"),
        (6, "currency", "unknown currency"),
    ]:
        assert any(p.startswith(f"{where}:{row}:{column}:") and words in p for p in problems), (row, problems)


def test_a_figure_without_a_euro_rate_for_its_year_is_located(valid_dir):
    (valid_dir / "market_figures.csv").write_text(
        FIGURE_HEADER + "japan,medical_devices,2016,3000000,,,JPY,x,\n", encoding="utf-8"
    )
    problems = problems_of(valid_dir)
    assert problems == [
        f"{valid_dir / 'market_figures.csv'}:2:currency: no euro rate for JPY in 2016: "
        "add it to currency_rates (data/reference/currency_rates.csv)"
    ]


def test_a_market_with_neither_figure_nor_assumption_is_reported(valid_dir):
    (valid_dir / "market_assumptions.csv").write_text(
        ASSUMPTION_HEADER + "regional_share,australia,new_zealand,,100,100,100,,,pert,definition,x,\n", encoding="utf-8"
    )
    problems = problems_of(valid_dir)
    assert len(problems) == 1
    assert problems[0].startswith(f"{valid_dir / 'market_assumptions.csv'}:2:of_market: no size for market new_zealand")


def test_researchers_rows_replace_the_reference_rows_with_the_same_key(valid_dir):
    (valid_dir / "market_assumptions.csv").write_text(
        ASSUMPTION_HEADER + "attainable_share,,,,2,2,2,,,pert,assumption,survey 2026,\n", encoding="utf-8"
    )
    data = load_data(valid_dir)
    tables = market_tables(data)
    rows = tables.assumptions.query("parameter == 'attainable_share'")
    assert len(rows) == 1 and rows.iloc[0]["source"] == "survey 2026"
    assert len(tables.assumptions) == len(market_tables().assumptions)


def test_reference_market_tables_pass_the_input_schemas():
    tables = market_tables()
    assert set(tables.rates["currency"]) == {"USD"}
    assert (tables.assumptions["kind"].isin(["published", "assumption", "definition"])).all()
    assert isinstance(tables.figures, pd.DataFrame) and len(tables.figures) == 10


def test_a_published_figure_replaces_the_reference_size_assumption(valid_dir):
    (valid_dir / "market_figures.csv").write_text(
        FIGURE_HEADER + "israel,medical_devices,2015,2000,,,USD,a survey,\n", encoding="utf-8"
    )
    data = load_data(valid_dir)
    size = market.build_model(market_tables(data), data, 2026).inputs.query(
        "parameter == 'market_size' and market == 'israel'"
    )
    assert size[["mode", "kind", "source"]].values.tolist() == [[2000.0, "published", "a survey"]]


def test_own_size_assumption_replaces_a_reference_figure(valid_dir):
    (valid_dir / "market_assumptions.csv").write_text(
        ASSUMPTION_HEADER + "market_size,japan,,,20000,25000,30000,2020,USD,pert,assumption,own estimate,\n",
        encoding="utf-8",
    )
    data = load_data(valid_dir)
    size = market.build_model(market_tables(data), data, 2026).inputs.query(
        "parameter == 'market_size' and market == 'japan'"
    )
    assert size[["mode", "kind", "year"]].values.tolist() == [[25000.0, "assumption", 2020]]


def test_submarkets_share_out_each_cell_and_product_types_add_up(sample):
    analysis = market.analyse_market(sample, 2026, n_draws=2000)
    by_cell = analysis.submarkets.groupby(["market", "segment"])["mean"].sum()
    cells = analysis.cells.set_index(["market", "segment"])["mean"]
    covered = cells[analysis.cells.set_index(["market", "segment"])["addressable"] > 0]
    np.testing.assert_allclose(by_cell.reindex(covered.index), covered, rtol=1e-12)
    assert analysis.product_types["mean"].sum() == pytest.approx(analysis.submarkets["mean"].sum())


# --- What to do first ----------------------------------------------------------------------------


def test_priority_markets_are_the_fewest_holding_three_quarters_of_expected_sales():
    markets = pd.DataFrame(
        {
            "market": list("abcde"),
            "share_of_total": [0.5, 0.2, 0.1, 0.1, 0.1],
            "withheld": [False, True, False, False, False],
        }
    )
    assert market.priority_markets(markets, public=False)["market"].tolist() == ["a", "b", "c"]  # 0.8
    # without the withheld b, four markets are needed: 0.5 + 0.1 + 0.1 + 0.1
    assert market.priority_markets(markets)["market"].tolist() == ["a", "c", "d", "e"]
    assert market.priority_markets(markets, share=0.5)["market"].tolist() == ["a"]


def test_research_first_is_the_assumption_with_the_widest_swing():
    tornado = pd.DataFrame({"input": ["size", "share", "growth"], "kind": ["published", "assumption", "assumption"]})
    assert market.research_first(tornado)["input"] == "share"
    assert market.research_first(tornado.assign(kind="published"))["input"] == "size"
    with pytest.raises(AnalysisError, match="no market input has a range"):
        market.research_first(tornado.iloc[:0])


# --- The page: figures no more precise than their ranges, plain words ----------------------------


def test_headline_and_findings_total_is_rounded_to_its_range(sample_analysis):
    p10, p50, p90 = np.quantile(sample_analysis.simulation.total_sales, [0.1, 0.5, 0.9])
    step = 10 ** math.floor(math.log10((p90 - p10) / 2))  # the last digit the P10-P90 range supports
    shown = market_page.total_sales(sample_analysis)
    match = re.fullmatch(r"about ([\d,.]+) EUR m \(P10-P90 ([\d,.]+)-([\d,.]+)\)", shown)
    assert match, shown
    for text, exact in zip(match.groups(), (p50, p10, p90)):
        value = float(text.replace(",", ""))
        assert abs(value - exact) <= step / 2 + 1e-9  # the simulation's figure, after rounding
        assert value / step == pytest.approx(round(value / step))  # and no digit below the step
        assert "." not in text or len(text.split(".")[1]) <= max(0, -math.log10(step))
    headlines = market_page.show_headlines(sample_analysis, "source")
    assert headlines[0].value == shown and headlines[0].formatted() == shown
    assert f"median (P50) {shown}" in market_page.findings(sample_analysis)
    assert f"{p50:.1f}" not in market_page.findings(sample_analysis)
    fig = market_page.plot_funnel(sample_analysis, "source")
    assert f"Partnership sales of {shown.split(' (P10')[0]}" in chart_title(fig)
    plt.close(fig)


def test_sample_headline_of_the_page_is_about_80_eur_m(page_analysis):
    # P10, P50, P90 = 37.8, 79.2, 140.6 EUR m: half the range is 51 EUR m, so tens are the last digit
    assert market_page.total_sales(page_analysis) == "about 80 EUR m (P10-P90 40-140)"
    assert "20,000 simulated draws" in market_page.method_note(page_analysis).data


def test_table_figures_are_rounded_to_their_row_range(sample_analysis):
    table = market_page.cells_table(sample_analysis).data
    cells = market_page.shown_cells(sample_analysis).head(10)
    for row, cell in zip(table.itertuples(index=False), cells.itertuples()):
        step = 10 ** math.floor(math.log10((cell.p90 - cell.p10) / 2))
        expected = row[table.columns.get_loc(market_page.EXPECTED)]
        assert abs(expected - cell.mean) <= step / 2 + 1e-9
        assert expected / step == pytest.approx(round(expected / step))


def test_page_tables_have_plain_headers(sample_analysis):
    tables = [
        market_page.totals_table(sample_analysis),
        market_page.cells_table(sample_analysis),
        market_page.markets_table(sample_analysis),
        market_page.submarkets_table(sample_analysis),
        market_page.product_types_table(sample_analysis),
        market_page.guide_table(sample_analysis),
        market_page.guide_evidence_table(sample_analysis),
        market_page.rank_correlation_table(sample_analysis),
        market_page.inputs_table(sample_analysis),
    ]
    for table in tables:
        for header in table.data.columns:
            assert "_" not in header and header[0].isupper(), header
    assert "True" not in "".join(table.to_html() for table in tables)


def test_page_text_has_no_internal_names_and_a_glossary_of_its_terms(sample, sample_analysis):
    text = "\n".join(
        [
            market_page.findings(sample_analysis),
            market_page.method_note(sample_analysis).data,
            market_page.fit_method().data,
        ]
    )
    for internal_name in ("n_draws", "FIT_WEIGHTS", "LINK_STRENGTH", "lasergo.", "`", "p10", "share_of_total"):
        assert internal_name not in text, internal_name
    assert "2,000 simulated draws" in market_page.method_note(sample_analysis).data
    glossary = market_page.page_glossary(sample_analysis).data
    for term in ("P10, P50, P90", "Expected", "Monte Carlo", "Beta-PERT", "Tornado chart", "Spearman", "TRL"):
        assert f"**{term}" in glossary, term
    assert len(market_page.headline_source(sample)) <= 80


def test_every_chart_label_is_readable(sample_analysis):
    figures = [
        market_page.plot_funnel(sample_analysis, "source"),
        market_page.plot_sales_heatmap(sample_analysis, "source"),
        market_page.plot_tornado(sample_analysis, "source"),
        market_page.plot_fit_heatmap(sample_analysis, "source"),
    ]
    for fig in figures:
        fig.canvas.draw()
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert texts
        for text in texts:
            if not text.get_text().startswith("Source:"):  # the shared source line (pages.style)
                assert text.get_fontsize() >= 9, (chart_title(fig), text.get_text(), text.get_fontsize())
        assert fig.get_size_inches()[0] <= 9.4  # shown at full size on a page 1,036 px wide
        plt.close(fig)


def test_collapsed_sections_stay_collapsed_on_the_rendered_page(sample_analysis):
    import nbformat

    from lasergo.pipeline.render import render_html

    html = market_page.collapsed("Every input", market_page.inputs_table(sample_analysis)).data
    assert html.startswith("<details><summary>Every input</summary>") and html.endswith("</details>")
    assert "attainable share" in html
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("page.method_note(analysis)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", {"text/html": market_page.method_note(sample_analysis).data})
    ]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Market"), cell]
    page = render_html(notebook, "2026Q3", show_code=False)
    inside = page[page.index("<summary>Method</summary>") : page.index("</details>")]
    assert "2,000 simulated draws" in inside  # the method is inside the collapsed section, not after it
