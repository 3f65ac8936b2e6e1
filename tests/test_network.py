"""The value network (lasergo.analysis.network): measures on small graphs with known values, the
roadmap's count against the graph's, affiliate coverage, growth chances, and the public page."""

from math import comb
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from lasergo.analysis import network
from lasergo.data import reference
from lasergo.errors import ParameterError
from lasergo.privacy import MIN_COMPANIES

CLUSTERS = ["LITEK", "OV", "OPTENCE", "HTS", "MEDICEN", "BIOCAT"]  # photonics x3, health tech x3


def affiliates_table(rows: list[tuple]) -> pd.DataFrame:
    """Affiliates from (id, market, sector, shortlisted, interviewed, mou_signed)."""
    frame = pd.DataFrame(rows, columns=["id", "market", "sector", "shortlisted", "interviewed", "mou_signed"])
    for step in network.STEPS:
        frame[step] = pd.to_datetime(frame[step])
    return frame.assign(name=frame["id"] + " organisation", type="distributor")


def ties_table(rows: list[tuple]) -> pd.DataFrame:
    """Ties from (source, target, date)."""
    frame = pd.DataFrame(rows, columns=["source", "target", "date"])
    return frame.assign(date=pd.to_datetime(frame["date"]), type="cooperation", evidence=pd.NA)


def companies_table(counts: dict[str, int]) -> pd.DataFrame:
    """``counts[cluster]`` companies per cluster, ids C<cluster><n>."""
    rows = [(f"C{c}{i}", c) for c, n in counts.items() for i in range(n)]
    return pd.DataFrame(rows, columns=["id", "cluster"])


def graph_of(ties, affiliates=None, companies=None) -> nx.Graph:
    affiliates = affiliates if affiliates is not None else affiliates_table([])
    companies = companies if companies is not None else companies_table({})
    return network.network_graph(network.node_table(ties, affiliates, companies), network.tie_pairs(ties))


def star(leaves: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """LITEK tied to ``leaves`` Japanese affiliates A0, A1, ..."""
    affiliates = affiliates_table([(f"A{i}", "japan", "both", "2024-01-10", None, None) for i in range(leaves)])
    return ties_table([("LITEK", f"A{i}", "2024-02-01") for i in range(leaves)]), affiliates


# --- Measures on graphs with known values ------------------------------------------------------------


def test_a_stars_centre_has_betweenness_1_and_its_leaves_0():
    ties, affiliates = star(4)
    graph = graph_of(ties, affiliates)
    alone = network.node_measures(graph.subgraph(["LITEK", "A0", "A1", "A2", "A3"])).set_index("node")
    assert alone.at["LITEK", "betweenness"] == pytest.approx(1.0)
    assert alone.at["LITEK", "degree_centrality"] == pytest.approx(1.0)
    assert (alone.drop("LITEK")["betweenness"] == 0).all()
    # beside the five untied clusters: the centre is on C(4,2) = 6 of the C(9,2) = 36 pairs of others
    measures = network.node_measures(graph).set_index("node")
    assert measures.at["LITEK", "betweenness"] == pytest.approx(6 / 36)
    assert measures.at["LITEK", "degree_centrality"] == pytest.approx(4 / 9)
    assert measures.at["LITEK", "ties"] == 4


def test_burts_constraint_and_effective_size_of_a_star_as_hand_computed():
    # Burt (1992): c_i = sum_j (p_ij + sum_q p_iq p_qj)^2, p_ij = 1/degree here. A star's centre
    # with k leaves: k (1/k)^2 = 1/k; a leaf: one contact, (1)^2 = 1. Effective size (Borgatti's
    # n - 2t/n): the centre k (no ties among the leaves), a leaf 1.
    for k in (3, 4, 6):
        ties, affiliates = star(k)
        measures = network.node_measures(graph_of(ties, affiliates)).set_index("node")
        assert measures.at["LITEK", "constraint"] == pytest.approx(1 / k)
        assert measures.at["LITEK", "effective_size"] == pytest.approx(k)
        leaves = [f"A{i}" for i in range(k)]
        assert measures.loc[leaves, "constraint"].tolist() == pytest.approx([1.0] * k)
        assert measures.loc[leaves, "effective_size"].tolist() == pytest.approx([1.0] * k)
    # a node without ties has neither
    assert np.isnan(measures.at["OV", "constraint"]) and np.isnan(measures.at["OV", "effective_size"])


def test_burts_constraint_of_a_triangle_as_hand_computed():
    # each node: two contacts at p = 1/2, each also reached through the other at 1/2 x 1/2:
    # 2 x (1/2 + 1/4)^2 = 9/8; effective size 2 - 2 x 1 / 2 = 1
    ties = ties_table([("LITEK", "OV", "2024-02-01"), ("OV", "HTS", "2024-02-01"), ("HTS", "LITEK", "2024-02-01")])
    measures = network.node_measures(graph_of(ties)).set_index("node")
    assert measures.loc[["LITEK", "OV", "HTS"], "constraint"].tolist() == pytest.approx([9 / 8] * 3)
    assert measures.loc[["LITEK", "OV", "HTS"], "effective_size"].tolist() == pytest.approx([1.0] * 3)


def test_a_complete_graph_has_density_1():
    ties = ties_table([(a, b, "2024-03-01") for i, a in enumerate(CLUSTERS) for b in CLUSTERS[i + 1 :]])
    report = network.network_report(
        SimpleNamespace(ties=ties, affiliates=affiliates_table([]), companies=companies_table({})),
        pd.Period("2024Q2"),
        "2027-12-31",
        "2024-01-01",
        n_paths=500,
    )
    assert report.density == pytest.approx(1.0)
    assert report.core_density == pytest.approx(1.0)
    assert report.graph.number_of_edges() == comb(6, 2)


def test_repeated_and_reversed_records_of_a_pair_make_one_tie():
    ties = ties_table([("LITEK", "OV", "2024-05-01"), ("OV", "LITEK", "2024-02-01"), ("LITEK", "OV", "2025-01-01")])
    pairs = network.tie_pairs(ties)
    assert len(pairs) == 1
    assert pairs.loc[0, ["a", "b", "records"]].tolist() == ["LITEK", "OV", 3]
    assert pairs.loc[0, "first"] == pd.Timestamp("2024-02-01")


def test_a_node_between_photonics_and_health_tech_brokers_all_their_paths():
    # LITEK and OV (photonics) reach HTS and MEDICEN (health tech) only through the affiliate A1
    affiliates = affiliates_table([("A1", "canada", "both", "2024-01-10", None, None)])
    ties = ties_table([(c, "A1", "2024-02-01") for c in ("LITEK", "OV", "HTS", "MEDICEN")])
    measures = network.node_measures(graph_of(ties, affiliates)).set_index("node")
    assert measures.at["A1", "sector_brokerage"] == pytest.approx(1.0)
    assert (measures.drop("A1")["sector_brokerage"] == 0).all()


def test_group_brokerage_shares_a_pair_split_over_two_shortest_paths():
    # LITEK-A1-HTS and LITEK-A2-HTS: each affiliate carries half of the one photonics-health pair
    affiliates = affiliates_table([(a, "japan", "both", "2024-01-10", None, None) for a in ("A1", "A2")])
    ties = ties_table([(c, a, "2024-02-01") for c in ("LITEK", "HTS") for a in ("A1", "A2")])
    shares = network.group_brokerage(graph_of(ties, affiliates), ["LITEK"], ["HTS"])
    assert shares["A1"] == pytest.approx(0.5) and shares["A2"] == pytest.approx(0.5)
    assert shares["LITEK"] == 0 and shares["HTS"] == 0


def test_the_broker_between_europe_and_a_market_is_the_node_its_paths_run_through():
    # Japan: A1 tied to OV, A2 tied only to A1: OV and A1 stand between Europe and A2
    affiliates = affiliates_table(
        [("A1", "japan", "photonics", "2024-01-10", None, None), ("A2", "japan", "both", "2024-01-10", None, None)]
    )
    ties = ties_table([("OV", "A1", "2024-02-01"), ("A1", "A2", "2024-03-01"), ("OV", "LITEK", "2024-02-01")])
    graph = graph_of(ties, affiliates)
    brokers = network.market_brokers(graph, network.node_measures(graph)).set_index("market")
    japan = brokers.loc["japan"]
    # 2 European nodes joined (OV, LITEK) x 2 affiliates = 4 pairs; OV is on LITEK-A1 and LITEK-A2
    # (2 of 4), A1 on LITEK-A2 and OV-A2 (2 of 4)
    assert japan["joined_pairs"] == 4 and japan["affiliates"] == 2 and japan["tied_to_europe"] == 1
    assert japan["europe_ties"] == 1
    assert japan["broker"] in {"OV", "A1"} and japan["share"] == pytest.approx(0.5)
    assert brokers.loc["canada", "affiliates"] == 0 and pd.isna(brokers.loc["canada", "broker"])


def test_tie_mix_counts_crossings_of_sector_country_and_europe():
    affiliates = affiliates_table([("A1", "israel", "health_tech", "2024-01-10", None, None)])
    ties = ties_table(
        [
            ("LITEK", "HTS", "2024-02-01"),  # photonics-health, Lithuania-Austria
            ("OV", "MEDICEN", "2024-02-01"),  # photonics-health, both France
            ("LITEK", "OPTENCE", "2024-02-01"),  # photonics-photonics, Lithuania-Germany
            ("OV", "A1", "2024-02-01"),  # photonics-health, France-Israel, Europe-market
        ]
    )
    mix = network.tie_mix(graph_of(ties, affiliates))
    assert (mix.ties, mix.cross_sector, mix.cross_country, mix.europe_market) == (4, 3, 3, 1)
    assert mix.share("cross_sector") == pytest.approx(0.75)
    assert np.isnan(network.TieMix(0, 0, 0, 0).share("cross_sector"))


# --- Estimated measures on a large network -------------------------------------------------------------


def test_betweenness_is_exact_up_to_the_pivots_and_an_estimate_from_every_node_is_exact():
    graph = nx.connected_watts_strogatz_graph(40, 4, 0.3, seed=2)
    exact = nx.betweenness_centrality(graph)
    # Brandes and Pich (2007) scale the drawn sources' dependencies by nodes / drawn: by 1 when every
    # node is drawn, so the estimate from all 40 is the exact value whatever the order of the draw
    assert nx.betweenness_centrality(graph, k=40, seed=5) == pytest.approx(exact)
    assert network.betweenness(graph, pivots=40) == exact
    estimate = network.betweenness(graph, pivots=10, seed=5)
    assert estimate != pytest.approx(exact)
    assert network.betweenness(graph, pivots=10, seed=5) == estimate  # seeded: the same on every run


def test_group_brokerage_from_drawn_sources_when_every_source_has_the_same_paths():
    # ten photonics and ten health-technology nodes tied only to a hub: each pair's one shortest
    # path runs through the hub, so any three sources drawn give it all the paths, and nobody else any
    graph = nx.Graph([("hub", f"P{i}") for i in range(10)] + [("hub", f"H{i}") for i in range(10)])
    photonics, health = [f"P{i}" for i in range(10)], [f"H{i}" for i in range(10)]
    for seed in (1, 2):
        shares = network.group_brokerage(graph, photonics, health, pivots=3, seed=seed)
        assert shares["hub"] == pytest.approx(1.0)
        assert (shares.drop("hub") == 0).all()


def test_group_brokerage_is_exact_while_the_smaller_group_has_no_more_nodes_than_the_pivots():
    graph = nx.connected_watts_strogatz_graph(60, 4, 0.3, seed=3)
    many, few = list(range(0, 40)), list(range(50, 56))
    exact = network.group_brokerage(graph, many, few)
    assert network.group_brokerage(graph, many, few, pivots=len(few), seed=9).equals(exact)
    assert network.sampled_sources(len(few), pivots=len(few)) is None
    assert network.sampled_sources(len(many), pivots=len(few)) == len(few)


def test_effective_size_by_borgattis_formula_equals_burts_definition():
    # networkx computes Burt's sum of non-redundant contacts with sparse matrices; the workbook uses
    # Borgatti's (1997) n - 2t/n, equal on an unweighted, undirected graph
    graph = nx.gnm_random_graph(30, 60, seed=4)
    graph.add_node("alone")
    ours = network.effective_size(graph)
    assert ours.to_dict() == pytest.approx(nx.effective_size(graph), nan_ok=True)
    assert np.isnan(ours["alone"])


@pytest.fixture(scope="module")
def larger_sample(tmp_path_factory):
    """The generated sample at 1,200 companies in the direct group (a network of about 400 nodes), at
    the end of its last quarter."""
    from lasergo.data import sample
    from lasergo.data.dataset import load_data
    from lasergo.quarter import quarter_end

    data = load_data(sample.write_sample(sample.SampleSpec(companies=1200), tmp_path_factory.mktemp("larger")))
    quarter = pd.Period(data.latest_date(), freq="Q")
    return data.cut(quarter_end(quarter)), quarter


def test_the_planted_broker_ranks_first_when_its_measures_are_estimated(larger_sample):
    from lasergo.data.sample import BROKER_CLUSTER

    data, quarter = larger_sample
    exact = network.network_report(data, quarter, "2027-12-31", "2024-01-01", n_paths=200, pivots=None)
    assert not exact.estimated()
    truth = exact.measures.set_index("node")
    for seed in (1, 2, 3):
        report = network.network_report(data, quarter, "2027-12-31", "2024-01-01", n_paths=200, seed=seed, pivots=100)
        assert set(report.estimated()) == {"betweenness", "sector_brokerage"}
        measures = report.measures.set_index("node")
        assert report.measures.iloc[0]["node"] == BROKER_CLUSTER
        assert measures["sector_brokerage"].idxmax() == BROKER_CLUSTER
        for column in ("betweenness", "sector_brokerage"):
            assert measures.at[BROKER_CLUSTER, column] == pytest.approx(truth.at[BROKER_CLUSTER, column], rel=0.2)


def test_the_page_says_whether_the_path_measures_are_exact_or_estimated(larger_sample, sample_report):
    from lasergo.pages import network as page

    assert not sample_report.estimated()
    assert "are exact" in page.measures_note(sample_report).data
    assert "an estimated" not in page.findings(sample_report).data
    data, quarter = larger_sample
    report = network.network_report(data, quarter, "2027-12-31", "2024-01-01", n_paths=200, seed=4, pivots=100)
    note = page.measures_note(report).data
    nodes, smaller = report.estimated()["betweenness"], report.estimated()["sector_brokerage"]
    assert f"starting at 100 of the {nodes:,} nodes" in note and f"100 of the {smaller:,} nodes of the smaller" in note
    assert "seed (4)" in note and "Brandes and Pich 2007" in note
    assert page.findings(report).data.count("an estimated") == 2


# --- The roadmap's count -----------------------------------------------------------------------------


def test_the_roadmaps_96_and_the_graphs_15_cluster_pairs_are_both_computed_and_disagree_with_36():
    ties = ties_table([(a, b, "2024-01-01") for i, a in enumerate(CLUSTERS) for b in CLUSTERS[i + 1 :]])
    count = network.roadmap_count(graph_of(ties))
    # the roadmap's arithmetic: 36 = 6 x 6, 96 = 6 clusters x 16 affiliate nodes (8 markets x 2)
    assert count.stated_existing == 36 and count.existing_as_product == 36
    assert count.stated_planned == 96 and count.planned_as_product == 96
    assert count.affiliate_nodes == 2 * len(reference.TARGET_MARKET_IDS)
    # the graph's: six clusters, all tied, form 15 distinct pairs, not 36
    assert count.cluster_pairs == 15 == comb(6, 2) == count.observed_cluster_pairs
    assert count.cluster_pairs != count.stated_existing
    assert count.cluster_affiliate_pairs == 96 and count.possible_core == 111
    assert count.observed_cluster_affiliate == 0 and count.observed_all == 15


# --- Affiliates ----------------------------------------------------------------------------------------


def test_affiliate_status_is_the_latest_step_dated_by_then():
    table = affiliates_table(
        [
            ("A1", "japan", "both", "2024-01-10", "2024-05-01", "2025-02-01"),
            ("A2", "japan", "both", "2024-03-10", None, None),
            ("A3", "israel", "both", "2024-06-10", "2024-09-01", None),
        ]
    )
    assert network.affiliate_status(table, pd.Timestamp("2024-04-30")).tolist() == [
        "shortlisted",
        "shortlisted",
        pd.NA,
    ]
    assert network.affiliate_status(table, pd.Timestamp("2025-06-30")).tolist() == [
        "mou_signed",
        "shortlisted",
        "interviewed",
    ]


def test_coverage_per_market_against_two_per_market_on_a_hand_made_table():
    table = affiliates_table(
        [
            ("A1", "japan", "both", "2024-01-10", "2024-05-01", "2025-02-01"),
            ("A2", "japan", "both", "2024-01-10", "2024-05-01", "2025-03-01"),
            ("A3", "japan", "photonics", "2024-01-10", None, None),
            ("A4", "israel", "health_tech", "2024-01-10", "2024-09-01", "2025-01-01"),
            ("A5", "israel", "both", "2024-01-10", "2024-09-01", None),
            ("A6", "canada", "both", "2025-01-10", None, None),
            ("A7", "canada", "both", "2026-01-10", "2026-02-01", "2026-03-01"),  # after the date: not yet
        ]
    )
    coverage = network.coverage_by_market(table, pd.Timestamp("2025-06-30"), per_market=2).set_index("market")
    assert list(coverage.index) == list(reference.TARGET_MARKET_IDS)
    assert coverage.loc["japan", ["shortlisted", "interviewed", "mou_signed", "affiliates"]].tolist() == [1, 0, 2, 3]
    assert coverage.loc["israel", ["shortlisted", "interviewed", "mou_signed", "affiliates"]].tolist() == [0, 1, 1, 2]
    assert coverage.loc["canada", ["shortlisted", "mou_signed", "affiliates"]].tolist() == [1, 0, 1]
    assert coverage.loc["japan", "met"] and not coverage.loc["israel", "met"]
    assert coverage["short_by"].to_dict() == {
        "usa_west": 2,
        "usa_east": 2,
        "canada": 2,
        "malaysia_singapore": 2,
        "south_korea": 2,
        "israel": 1,
        "australia": 2,
        "japan": 0,
    }


# --- Growth ------------------------------------------------------------------------------------------


def steady_dates(per_quarter: int, start: str, end: str) -> pd.Series:
    """``per_quarter`` items dated in the middle of every quarter from ``start`` to ``end``."""
    quarters = pd.period_range(start, end, freq="Q")
    return pd.Series([q.start_time + pd.Timedelta(days=40) for q in quarters for _ in range(per_quarter)])


def growth(per_quarter: int, target: float) -> network.Growth:
    return network.growth_forecast(
        "ties",
        steady_dates(per_quarter, "2024Q1", "2026Q4"),
        target,
        pd.Timestamp("2024-01-01"),
        pd.Period("2026Q4"),
        pd.Timestamp("2027-12-31"),
        n_paths=4000,
    )


def test_a_series_growing_at_the_needed_pace_has_an_even_chance():
    # 3 new ties a quarter for 12 quarters (36), 4 quarters left, target 36 + 4 x 3 = 48
    result = growth(3, 48)
    assert result.actual == 36 and len(result.choice.forecast.index) == 4
    assert 0.4 < result.probability < 0.65
    assert result.at_target()["median"] == pytest.approx(48, abs=1)


def test_a_series_growing_far_faster_than_needed_is_near_certain_and_a_slow_one_near_hopeless():
    assert growth(9, 48 + 108 - 36).probability > 0.98  # needs 12 in 4 quarters, forecast about 36
    assert growth(1, 12 + 16).probability < 0.02  # needs 16 in 4 quarters, forecast about 4


def test_a_target_already_reached_is_reached():
    result = growth(3, 30)
    assert result.light == "reached" and result.probability == 1.0


def test_a_growth_and_a_kpi_with_the_same_paths_have_the_same_outlook():
    from lasergo.analysis.kpi import KpiForecast

    outcomes = np.array([8.0, 9.0, 10.0, 11.0, 12.0])
    history = pd.Series([1.0, 3.0])
    ties = network.Growth("ties", 10.0, 4.0, 0.0, history, None, outcomes)
    kpi = KpiForecast(3, "KPI 3", 10.0, "count", 4.0, 0.0, history, None, True, outcomes)
    assert ties.probability == kpi.probability == 0.6  # 10, 11 and 12 of the 5 paths reach 10
    assert ties.light == kpi.light == "at risk"
    assert ties.at_target().tolist() == kpi.at_target().tolist() == pytest.approx([10.0, 8.4, 10.0, 11.6])
    assert ties.cumulative and ties.path_summary().empty


def test_the_growth_fan_ends_at_the_outlook_at_the_target_date():
    result = growth(3, 48)
    at = result.at_target()
    last = result.path_summary().iloc[-1]
    assert last[["lower", "median", "upper"]].tolist() == pytest.approx([at["p10"], at["median"], at["p90"]])
    assert last["mean"] == pytest.approx(at["expected"])
    assert result.outcomes.tolist() == (result.actual + result.choice.forecast.paths.sum(axis=1)).tolist()


def test_items_by_the_actions_first_day_are_the_baseline_not_the_first_quarters_pace():
    before = pd.Series(pd.to_datetime(["2023-06-01"] * 5 + ["2024-01-01"] * 10))
    dates = pd.concat([before, steady_dates(2, "2024Q1", "2024Q4")])
    baseline, history = network.quarterly_new(dates, pd.Timestamp("2024-01-01"), pd.Period("2024Q4"))
    assert baseline == 15 and history.tolist() == [2, 2, 2, 2]
    assert list(history.index) == list(pd.period_range("2024Q1", "2024Q4", freq="Q"))


# --- Whole report, empty tables, public graph ----------------------------------------------------------


def empty_dataset() -> SimpleNamespace:
    return SimpleNamespace(ties=ties_table([]), affiliates=affiliates_table([]), companies=companies_table({}))


def test_no_ties_or_affiliates_yet_gives_no_forecast_and_an_at_risk_verdict():
    report = network.network_report(empty_dataset(), pd.Period("2024Q1"), "2027-12-31", "2024-01-01")
    assert not report.has_ties and not report.has_affiliates
    assert report.ties.choice is None and np.isnan(report.ties.probability) and report.ties.light == "too early"
    assert report.affiliates.choice is None and report.affiliates.actual == 0
    assert report.status() == "at risk"
    assert report.graph.number_of_nodes() == 6 and report.mix.ties == 0
    assert len(report.markets_short()) == len(reference.TARGET_MARKET_IDS)
    assert report.brokers["broker"].isna().all()


def test_the_report_refuses_a_target_date_before_the_quarter():
    with pytest.raises(ParameterError):
        network.network_report(empty_dataset(), pd.Period("2028Q1"), "2027-12-31", "2024-01-01")
    with pytest.raises(ParameterError):
        network.network_report(empty_dataset(), pd.Period("2023Q4"), "2027-12-31", "2024-01-01")


def test_the_public_graph_shows_companies_only_as_groups_of_at_least_five():
    k = MIN_COMPANIES
    companies = companies_table({"LITEK": k, "OV": 2, "HTS": 1})
    tied = list(companies["id"])
    ties = ties_table([("LITEK" if c.startswith("CLITEK") else "A1", c, "2024-03-01") for c in tied])
    ties = pd.concat([ties, ties_table([("CLITEK0", "CLITEK1", "2024-03-01"), ("COV0", "HTS", "2024-03-01")])])
    affiliates = affiliates_table([("A1", "japan", "both", "2024-01-10", None, None)])
    public = network.aggregate_companies(graph_of(ties, affiliates, companies), k)
    assert not any(str(n).startswith("C") and n not in CLUSTERS for n in public.nodes)
    assert public.nodes["companies:LITEK"]["count"] == k
    assert public.nodes["companies:LITEK"]["internal_ties"] == 1
    assert public.edges["companies:LITEK", "LITEK"]["ties"] == k
    # OV's 2 and HTS's 1 company pool to 3 < k: left out with their 4 ties
    assert network.OTHER_COMPANIES not in public
    assert public.graph["hidden_companies"] == 3 and public.graph["hidden_ties"] == 4
    pooled = network.aggregate_companies(graph_of(ties, affiliates, companies), 3)
    assert pooled.nodes[network.OTHER_COMPANIES]["count"] == 3 and pooled.graph["hidden_companies"] == 0


# --- The sample's planted structure ----------------------------------------------------------------------


def test_the_samples_broker_cluster_ranks_first_among_clusters_in_betweenness(sample_report):
    from lasergo.data import sample

    clusters = sample_report.measures[sample_report.measures["kind"] == "cluster"]
    assert clusters.iloc[0]["node"] == sample.BROKER_CLUSTER


def test_the_samples_affiliate_gap_market_is_short(sample_report):
    from lasergo.data import sample

    assert sample.AFFILIATE_GAP_MARKET in sample_report.markets_short()
    coverage = sample_report.coverage.set_index("market")
    assert coverage.loc[sample.AFFILIATE_GAP_MARKET, "affiliates"] == 1


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    from lasergo.data import sample
    from lasergo.data.dataset import load_data
    from lasergo.quarter import quarter_end

    if not hasattr(sample, "BROKER_CLUSTER"):
        pytest.skip("the sample has no value network yet")
    folder = sample.write_sample(sample.SampleSpec(), tmp_path_factory.mktemp("sample"))
    data = load_data(folder)
    quarter = pd.Period(data.latest_date(), freq="Q")
    return network.network_report(data.cut(quarter_end(quarter)), quarter, "2027-12-31", "2024-01-01", n_paths=500)


# --- The page ----------------------------------------------------------------------------------------------


def test_the_page_records_the_results_other_pages_read(sample_report, monkeypatch):
    from lasergo.pages import network as page

    recorded, verdicts = {}, []
    monkeypatch.setattr(page, "record_result", lambda key, value: recorded.__setitem__(key, value))
    monkeypatch.setattr(page, "verdict", lambda status, reason: verdicts.append((status, reason)))
    monkeypatch.setattr(page, "headline", lambda *args, **kwargs: None)
    monkeypatch.setattr(page, "display", lambda *args, **kwargs: None)
    page.summary(sample_report)
    ties, affiliates = recorded["ties"], recorded["affiliates"]
    assert ties == {
        "count": sample_report.graph.number_of_edges(),
        "target": 96,
        "chance_pct": pytest.approx(100 * sample_report.ties.probability, abs=0.05),
    }
    assert affiliates["target"] == 16 and affiliates["count"] == int(sample_report.coverage["mou_signed"].sum())
    assert 0 <= affiliates["chance_pct"] <= 100
    names = reference.names("markets")
    assert affiliates["markets_short"] == [names[m] for m in sample_report.markets_short()]
    assert verdicts == [(sample_report.status(), page.verdict_reason(sample_report))]
    assert verdicts[0][0] in ("on track", "at risk", "off track")


def test_the_pages_back_test_table_and_notes_show_each_counts_chosen_method(sample_report):
    from lasergo.pages import kpi as kpi_page
    from lasergo.pages import network as page

    table = page.backtest_table(sample_report).data
    notes = page.forecast_notes(sample_report).data.splitlines()
    for count, noun, note in zip((sample_report.ties, sample_report.affiliates), ("Ties", "Affiliates"), notes):
        rows = table[table["What is counted"].str.startswith(noun)]
        chosen = rows.loc[rows["Chosen"] == "Yes", "Method"].tolist()
        assert chosen == [kpi_page.METHOD_NAMES[count.choice.chosen]]
        assert len(rows) == len(count.choice.backtest)
        mase = count.choice.backtest.set_index("method").loc[count.choice.chosen, "mase"]
        assert rows.loc[rows["Chosen"] == "Yes", "MASE, mean (the choice)"].tolist() == [mase]
        assert note.startswith(f"- {noun}") and f"was {mase:.2f}, against" in note


def test_the_public_tables_and_drawing_name_no_company(sample_report):
    from lasergo.pages import network as page

    companies = set(sample_report.nodes.loc[sample_report.nodes["kind"] == "company", "node"])
    assert companies, "the sample's network has company ties"
    for table in (
        page.broker_table(sample_report, top=1000),
        page.market_broker_table(sample_report),
        page.coverage_table(sample_report),
        page.mix_table(sample_report),
        page.roadmap_table(sample_report),
    ):
        html = table.to_html()
        assert not any(c in html for c in companies)
    assert not companies & set(sample_report.public_graph().nodes)
