"""Confidentiality of the market and overview pages (roadmap §2.2): the public edition names no
company and withholds or merges every figure resting on fewer than k companies."""

import re

import numpy as np
import pandas as pd
import pytest

from lasergo.analysis import market, market_fit, overview
from lasergo.data import reference
from lasergo.data.dataset import load_data
from lasergo.errors import AnalysisError
from lasergo.pages import market as market_page
from lasergo.pages import overview as overview_page
from lasergo.pages.common import show_table
from lasergo.privacy import MIN_COMPANIES
from tests.conftest import SAMPLE, VALID_TABLES, write_tables

COMPANY_ID = re.compile(r"\bC\d{4}\b")  # the sample's pseudonymous ids: C0001, C0002, ...
SENSING = reference.segment_uses()["sensing"]


@pytest.fixture(scope="module")
def sample():
    return load_data(SAMPLE)


@pytest.fixture(scope="module")
def sample_analysis(sample):
    return market.analyse_market(sample, 2026, n_draws=2000)


def companies_csv(rows: list[str]) -> str:
    return VALID_TABLES["companies.csv"].splitlines()[0] + "\n" + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Sensing companies targeting Japan: five of OV make one use, two of LITEK a second and three
    of HTS a third; one LITEK company also targets Canada."""
    a, b, c = SENSING[:3]
    makers = [(f"O{i}", "OV", b, "japan") for i in range(1, 6)]
    makers += [("L1", "LITEK", a, "japan;canada"), ("L2", "LITEK", a, "japan")]
    makers += [(f"H{i}", "HTS", c, "japan") for i in range(1, 4)]
    folder = write_tables(
        tmp_path_factory.mktemp("planted"),
        {
            **VALID_TABLES,
            "companies.csv": companies_csv(
                [
                    f"{cid},{cluster},Firm {cid},supplier,5,1,10,10,{use},sensing,{markets},direct,2024-01-01"
                    for cid, cluster, use, markets in makers
                ]
            ),
            "products.csv": "id,company,name,technology_use,trl,segment,novelty\n"
            + "".join(f"P{cid},{cid},p,{use},8,sensing,3\n" for cid, _, use, _ in makers),
            "survey_waves.csv": "company,wave_date,wave,revenue_eur_m,export_share_pct,rd_share_pct,employees\n",
        },
    )
    data = load_data(folder)
    return data, market.analyse_market(data, 2026, n_draws=500)


# --- Screening guide -------------------------------------------------------------------------------


def test_public_screening_guide_names_no_company_and_the_internal_one_does(sample_analysis, tmp_path):
    public, internal = tmp_path / "public", tmp_path / "internal"
    public.mkdir(), internal.mkdir()
    market_page.publish_screening_guide(sample_analysis, public)
    market_page.publish_screening_guide(sample_analysis, internal, internal=True)

    public_csv = (public / market_page.GUIDE_FILE).read_text(encoding="utf-8")
    assert not COMPANY_ID.search(public_csv)
    assert "companies" not in public_csv.splitlines()[0].split(",")
    assert not COMPANY_ID.search(market_page.guide_table(sample_analysis).to_html())
    assert list(sample_analysis.public_guide.columns) == [
        "market",
        "segment",
        "expected_sales_eur_m",
        "p10_eur_m",
        "p90_eur_m",
        "clusters",
        "fit_evidence",
    ]

    assert COMPANY_ID.search((internal / market_page.GUIDE_FILE).read_text(encoding="utf-8"))
    assert COMPANY_ID.search(market_page.guide_table(sample_analysis, internal=True).to_html())
    with pytest.raises(AnalysisError, match="internal"):
        show_table(sample_analysis.guide)  # the guide with companies is refused on a public page


def test_public_guide_chooses_no_withheld_cell(sample_analysis):
    names = reference.names("markets", "segments")
    withheld = sample_analysis.cells[sample_analysis.cells["withheld"] != ""]
    hidden = {(names[m], names[s]) for m, s in zip(withheld["market"], withheld["segment"])}
    assert hidden  # the sample has markets with segments on fewer than five companies
    shown = set(zip(sample_analysis.public_guide["market"], sample_analysis.public_guide["segment"]))
    assert not shown & hidden


# --- Market-partnership fit -------------------------------------------------------------------------


def test_fit_counts_the_companies_behind_each_score(planted):
    _, analysis = planted
    fit = analysis.fit.query("segment == 'sensing' and market == 'japan'").set_index("cluster")
    assert fit.loc[["OV", "LITEK", "HTS", "BIOCAT"], "companies"].tolist() == [5, 2, 3, 0]
    assert fit.loc[["OV", "LITEK", "HTS", "BIOCAT"], "product_companies"].tolist() == [5, 2, 3, 0]
    small = market_fit.small_fit_cells(analysis.fit)
    assert set(analysis.fit.loc[small, "cluster"]) == {"LITEK", "HTS"}
    assert set(analysis.fit.loc[small, "segment"]) == {"sensing"}


def test_fit_of_few_companies_with_products_is_withheld():
    fit = pd.DataFrame({"companies": [12, 12, 3, 0, 5], "product_companies": [12, 2, 3, 0, 0]})
    assert market_fit.small_fit_cells(fit).tolist() == [False, True, True, False, False]


def test_planted_small_fit_cells_are_withheld_on_the_public_heatmap(planted):
    _, analysis = planted
    scores, withheld = market_page.fit_grid(analysis, "sensing")
    assert withheld.loc[["LITEK", "HTS"]].all().all()
    assert not withheld.drop(index=["LITEK", "HTS"]).any().any()
    assert scores.loc[["LITEK", "HTS"]].isna().all().all()
    assert scores.loc["OV", "japan"] > 0
    internal_scores, internal_withheld = market_page.fit_grid(analysis, "sensing", internal=True)
    assert not internal_withheld.any().any() and internal_scores.notna().all().all()
    assert "2 of the 18 clusters and segments" in market_page.fit_note(analysis)
    assert market_page.fit_note(analysis, internal=True) == ""


def test_public_guide_passes_over_clusters_of_few_companies(planted):
    _, analysis = planted
    cell = "market == 'Japan' and segment == 'Medical and environmental sensing'"
    internal, public = analysis.guide.query(cell), analysis.public_guide.query(cell)
    assert "LITEK" in internal["clusters"].iloc[0]  # the best fit rests on two companies
    assert re.search(r"\bH\d \(TRL 8\)", internal["companies"].iloc[0])
    assert len(public) == 1
    assert "LITEK" not in public["clusters"].iloc[0] and "HTS" not in public["clusters"].iloc[0]
    assert "LITEK" not in public["fit_evidence"].iloc[0]


# --- Market x segment cells -------------------------------------------------------------------------


def firms(*names: str) -> frozenset:
    return frozenset(names)


def test_withheld_cells_hides_a_small_cell_and_its_complement():
    many, none = firms(*"abcdefghij"), firms()
    makers = np.array(
        [
            [many, firms("a", "b", "c"), none],
            [many, firms(*"abcdef"), firms(*"abcdefg")],
            [firms("a", "b"), none, none],
            [many, firms(*"abcd"), firms(*"abcdef")],
            [many, firms("a", "b", "c"), firms("d", "e")],  # small cells, together on five companies
            [many, firms("a", "b", "c"), firms("a", "b")],  # small cells, together on three
        ],
        dtype=object,
    )
    sales = np.array([[5.0, 1, 0], [3, 2, 1], [1, 0, 0], [4, 2, 3], [4, 2, 1], [4, 2, 1]])
    reasons, totals = market.withheld_cells(makers, sales, k=5)
    assert reasons.tolist() == [
        ["complement", "small", ""],
        ["", "", ""],
        ["small", "", ""],  # no other cell with sales: the market's total goes instead
        ["", "small", "complement"],  # the smallest other cell with sales
        ["", "small", "small"],  # the total gives away only a sum over five companies
        ["complement", "small", "small"],
    ]
    assert totals.tolist() == [False, False, True, False, False, False]


def test_planted_small_market_is_withheld(planted):
    _, analysis = planted
    cells = analysis.cells.set_index(["market", "segment"])
    assert cells.loc[("canada", "sensing"), ["companies", "withheld"]].tolist() == [1, "small"]
    assert cells.loc[("japan", "sensing"), ["companies", "withheld"]].tolist() == [10, ""]
    totals = analysis.markets.set_index("market")["withheld"]
    assert totals["canada"] and not totals["japan"]
    shown = market_page.shown_cells(analysis)
    assert ("canada", "sensing") not in set(zip(shown["market"], shown["segment"]))
    assert ("japan", "sensing") in set(zip(shown["market"], shown["segment"]))
    assert "Canada" in market_page.sales_note(analysis)
    table = market_page.markets_table(analysis).data.set_index("Market")
    assert table.loc["Canada", [market_page.MEDIAN, market_page.EXPECTED, market_page.SHARE]].isna().all()
    assert table.loc["Japan", market_page.EXPECTED] > 0
    internal = market_page.markets_table(analysis, internal=True).data.set_index("Market")
    assert internal.loc["Canada", market_page.EXPECTED] > 0


def test_public_headlines_and_findings_prioritise_no_withheld_market(planted):
    _, analysis = planted
    public = market_page.show_headlines(analysis, "source")[1].value
    assert "Canada" not in public and "Canada" not in market_page.findings(analysis)
    assert public.startswith("Japan (mission 8): ")
    every = set(market.priority_markets(analysis.markets, share=1.0, public=False)["market"])
    assert "canada" in every  # its total rests on one company: only the internal edition may choose it
    assert "canada" not in set(market.priority_markets(analysis.markets, share=1.0)["market"])


def test_sample_cells_on_few_companies_are_withheld_with_a_complement(sample, sample_analysis):
    cells = sample_analysis.cells
    products = sample.products.merge(
        sample.companies[["id", "target_markets"]].rename(columns={"id": "company"}), on="company"
    )
    ready = products[products["trl"] >= 7].assign(market=products["target_markets"].str.split(";")).explode("market")
    makers = ready.groupby(["market", "segment"])["company"].agg(set)
    for row in cells.itertuples():
        assert row.companies == len(makers.get((row.market, row.segment), set()))
        assert (row.withheld == "small") == (0 < row.companies < MIN_COMPANIES)
    for name, rows in cells.groupby("market"):
        small = rows.loc[rows["withheld"] == "small", "segment"]
        together = set().union(*(makers[(name, segment)] for segment in small))
        hidden = 1 if 0 < len(together) < MIN_COMPANIES else 0
        assert (rows["withheld"] == "complement").sum() == hidden
        if hidden:  # the smallest other cell with sales
            others = rows[(rows["withheld"] != "small") & (rows["mean"] > 0)]
            assert rows.loc[rows["withheld"] == "complement", "mean"].iloc[0] == others["mean"].min()


# --- Submarkets and product types -------------------------------------------------------------------


def test_planted_uses_of_few_companies_are_merged(planted):
    _, analysis = planted
    a, b, c = SENSING[:3]
    other = market.other_uses(MIN_COMPANIES)
    sub = analysis.public_submarkets.query("market == 'japan'").set_index("technology_use")
    assert set(sub.index) == {b, other}
    assert sub.loc[b, ["products", "companies"]].tolist() == [5, 5]
    assert sub.loc[other, ["products", "companies"]].tolist() == [5, 5]  # two LITEK + three HTS
    assert "canada" not in set(analysis.public_submarkets["market"])  # withheld cell
    cell = analysis.cells.set_index(["market", "segment"]).loc[("japan", "sensing"), "mean"]
    assert sub["mean"].sum() == pytest.approx(cell)

    types = analysis.public_product_types.set_index("technology_use")
    assert set(types.index) == {b, other}
    assert types.loc[other, ["products", "ready", "companies"]].tolist() == [5, 5, 5]
    assert types.loc[other, "name"] == "2 technology uses, merged"
    assert set(analysis.product_types["technology_use"]) == {a, b, c}
    html = market_page.product_types_table(analysis).to_html()
    assert other in html and a not in html


def test_merged_uses_still_on_few_companies_are_left_out(planted):
    _, analysis = planted
    assert analysis.public_submarkets["companies"].min() >= MIN_COMPANIES
    alone = market.public_product_types(analysis.simulation, planted[0], k=11)
    assert alone.empty  # every use merged, and the merged row rests on ten companies


def test_sample_product_types_of_few_companies_are_merged(sample, sample_analysis):
    makers = sample.products.groupby("technology_use")["company"].nunique()
    types = sample_analysis.product_types.set_index("technology_use")
    assert types["companies"].to_dict() == makers[types.index].to_dict()
    small = types.index[types["companies"] < MIN_COMPANIES]
    assert len(small)
    public = sample_analysis.public_product_types.set_index("technology_use")
    assert not set(small) & set(public.index)
    merged = public.loc[market.other_uses(MIN_COMPANIES)]
    assert merged["products"] == types.loc[small, "products"].sum()
    assert merged["mean"] == pytest.approx(types.loc[small, "mean"].sum())
    assert merged["companies"] == sample.products[sample.products["technology_use"].isin(small)]["company"].nunique()
    assert public["companies"].min() >= MIN_COMPANIES
    assert public["mean"].sum() == pytest.approx(types["mean"].sum())


def test_sample_public_submarkets_rest_on_k_companies(sample_analysis):
    public = sample_analysis.public_submarkets
    assert public["companies"].min() >= MIN_COMPANIES
    withheld = sample_analysis.cells.query("withheld != ''")
    assert not set(zip(public["market"], public["segment"])) & set(zip(withheld["market"], withheld["segment"]))
    text = market_page.submarkets_table(sample_analysis).to_html() + market_page.uses_note(sample_analysis)
    assert market.other_uses(MIN_COMPANIES) in text


# --- Overview page ----------------------------------------------------------------------------------


def test_overview_withholds_planted_small_counts(valid_dir):
    data = load_data(valid_dir)  # three companies: every group and role count below five
    mix = overview.role_mix(data)
    assert mix.counts.loc["LITEK", "technology supplier"] == 1
    assert pd.isna(mix.public_counts.loc["LITEK", "technology supplier"])
    assert mix.public_counts.loc["OV", "technology supplier"] == 0  # nothing to withhold
    assert int(mix.public_counts.isna().to_numpy().sum()) == int((mix.counts > 0).to_numpy().sum()) == 4

    summary = overview.target_group_summary(data)
    public = overview.public_target_group_summary(summary).set_index("target_group")
    assert public.loc["direct", "companies"] == 2 and public.loc["indirect", "companies"] == 1
    assert public.loc[["direct", "indirect"], overview.TARGET_GROUP_FIGURES].isna().all().all()
    planned = public.loc["direct, as planned (roadmap §2.3)"]
    assert planned["employees"] == 1000 and planned["revenue_eur_m"] == 300

    note = overview_page.privacy_note(summary, mix)
    assert "2 target group(s)" in note and "4 counts" in note
    html = overview_page.target_group_table(summary).to_html()
    assert overview_page.COUNT_COLUMN in html and "386" not in html
    assert "Alpha Lasers" not in html


def test_overview_keeps_counts_of_five_or_more(sample):
    mix = overview.role_mix(sample)
    counts, public = mix.counts, mix.public_counts
    large = counts >= MIN_COMPANIES
    assert (public[large] == counts[large]).all().all()
    assert public[~large & (counts > 0)].isna().all().all()
    photonics = ["LITEK", "OV", "OPTENCE"]
    suppliers = counts["technology supplier"].where(counts["technology supplier"] >= MIN_COMPANIES, 0)
    assert mix.public_photonics_supplier_share == pytest.approx(suppliers[photonics].sum() / suppliers.sum())
    summary = overview.target_group_summary(sample)
    assert overview.public_target_group_summary(summary).equals(summary.astype({"employees": "Int64"}))
    assert overview_page.privacy_note(summary, mix).count("target group") == 0


def test_overview_role_chart_marks_withheld_counts_and_keeps_its_legend_off_the_bars(valid_dir):
    import matplotlib.pyplot as plt

    mix = overview.role_mix(load_data(valid_dir))  # every role count below five: all withheld
    fig = overview_page.plot_role_mix(mix, synthetic=False)
    ax = fig.axes[0]
    marks = [text for text in ax.texts if f"<{MIN_COMPANIES}" in text.get_text()]
    assert len(marks) == int((mix.counts > 0).any(axis=1).sum())  # one label per cluster with a withheld count
    assert all(text.get_fontsize() >= 9 for text in marks)
    fig.canvas.draw()
    legend, plot = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.y1 < plot.y0  # below the plot: it covers no bar
    plt.close(fig)


def test_overview_tables_have_plain_headers_and_yes_no(sample):
    tables = {
        "clusters": overview_page.clusters_table(overview.cluster_sizes()).data,
        "missions": overview_page.missions_table(overview.mission_table()).data,
        "kpis": overview_page.kpi_table(overview.kpi_target_table()).data,
        "target group": overview_page.target_group_table(overview.target_group_summary(sample)).data,
    }
    for name, table in tables.items():
        assert not [c for c in table.columns if "_" in str(c) or str(c) != str(c).strip()], name
        assert str(table.columns[0])[0].isupper(), name
    assert set(tables["missions"]["Business roadshow"]) == {"Yes", "No"}
    assert tables["missions"]["New market"].tolist() == ["No"] * 4 + ["Yes"] * 4  # missions 5-8 open new markets
    assert tables["kpis"].set_index("KPI").at[5, "Target"] == 240


def test_overview_check_labels_and_the_consistency_table_flag_a_no_in_red():
    checks = pd.DataFrame(
        {
            "check": ["photonics_smes", "kpi6_turnover_rise", "nuts_codes_BIOCAT"],
            "stated": ["342", "KPI 6: 20%", "DE142"],
            "computed": ["292", "15%", "outside ES51"],
            "consistent": [True, False, False],
            "explanation": ["e1", "e2", "e3"],
            "source": ["s1", "s2", "s3"],
        }
    )
    assert overview_page.check_label("health_tech_smes") == "Health-technology SMEs"
    assert overview_page.check_label("kpi6_turnover_rise") == "KPI 6 turnover rise"
    assert overview_page.check_label("nuts_codes_BIOCAT") == "NUTS codes BIOCAT"
    styled = overview_page.consistency_table(checks)
    shown = styled.data
    assert list(shown.columns) == [
        "Check",
        "The roadmap states",
        "Its own tables give",
        overview_page.CONSISTENT_COLUMN,
        "Explanation",
        "Source",
    ]
    assert shown["Check"].tolist() == ["KPI 6 turnover rise", "NUTS codes BIOCAT", "Photonics SMEs"]  # No first
    assert shown[overview_page.CONSISTENT_COLUMN].tolist() == ["No", "No", "Yes"]
    column = list(shown.columns).index(overview_page.CONSISTENT_COLUMN)
    flagged = {
        selector
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", styled.to_html())
        if "#b00020" in body
        for selector in re.findall(r"_(row\d+_col\d+)", selectors)
    }
    assert flagged == {f"row0_col{column}", f"row1_col{column}"}


def test_overview_findings_lead_with_the_contradictions_and_name_the_kpis():
    checks = pd.DataFrame(
        {
            "check": ["kpi2_agreements", "all_smes", "kpi6_turnover_rise", "direct_smes"],
            "consistent": [False] * 3 + [True],
        }
    )
    sizes, targets = overview.cluster_sizes(), overview.kpi_target_table()
    text = overview_page.findings(sizes, targets, checks)
    assert text.startswith(
        "**The roadmap contradicts itself in 3 of 4 checks, among them the targets of KPI 2 and KPI 6: agree"
    )
    assert "1,092 SMEs and 142 RTOs (Biocat alone brings 46% of the SMEs)" in text
    assert "240 SMEs whose international share of turnover rises (KPI 5)" in text
    agreed = overview_page.findings(sizes, targets, checks.assign(consistent=True))
    assert agreed.startswith("**The roadmap's figures agree with each other in all 4 checks.**")


def test_overview_glossary_explains_its_abbreviations():
    text = overview_page.page_glossary().data
    for term in ("SME", "RTO", "NUTS", "KPI", "MoU", "COSME"):
        assert f"**{term}**" in text, term
