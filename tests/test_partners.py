"""Partners (the partnership-fit page): Gower distance by hand, clustering on published and
planted data, matching against brute force, anonymity of group profiles and of the business-case
counts (no cell under five companies), and located errors for bad inputs."""

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_wine
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from lasergo.analysis import partners
from lasergo.data import reference
from lasergo.data.codes import split_codes
from lasergo.data.dataset import load_data
from lasergo.errors import AnalysisError, InputError, ParameterError
from lasergo.privacy import public_table, suppress_small
from tests.conftest import SAMPLE


def profiles(numeric=None, categorical=None, multi=None) -> partners.Profiles:
    """Profiles from plain columns (dicts of lists) and code blocks (lists of 0/1 rows)."""
    blocks = {k: pd.DataFrame(np.asarray(v, dtype=bool)) for k, v in (multi or {}).items()}
    sizes = [len(pd.DataFrame(x)) for x in (numeric, categorical) if x is not None] + [len(b) for b in blocks.values()]
    n = sizes[0]
    return partners.Profiles(
        pd.Index(range(n)),
        pd.DataFrame(numeric, index=range(n)) if numeric is not None else pd.DataFrame(index=range(n)),
        pd.DataFrame(categorical, index=range(n)) if categorical is not None else pd.DataFrame(index=range(n)),
        blocks,
    )


# --- Gower distance ----------------------------------------------------------------------------


def test_gower_on_a_hand_computed_example():
    p = profiles(
        numeric={"size": [10.0, 20.0, 30.0], "trl": [5.0, np.nan, 9.0]},
        categorical={"cluster": ["LITEK", "LITEK", "OV"]},
        multi={"uses": [[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]]},
    )
    d = partners.gower_distances(p)
    # pair (0, 1): size 10/20 = 0.5; trl missing for 1 (skipped); cluster same 0;
    # uses: common 1, union 3 -> 2/3. Mean over 3 features = (0.5 + 0 + 2/3) / 3.
    assert d[0, 1] == pytest.approx((0.5 + 0 + 2 / 3) / 3)
    # pair (0, 2): size 20/20 = 1; trl 4/4 = 1; cluster differs 1; uses: company 2 has none and
    # company 0 has two: union 2, common 0 -> 1. Mean = 4/4.
    assert d[0, 2] == pytest.approx(1.0)
    # pair (1, 2): size 0.5; trl skipped; cluster 1; uses 1 -> (0.5 + 1 + 1) / 3.
    assert d[1, 2] == pytest.approx(2.5 / 3)


def test_gower_skips_code_lists_empty_for_both():
    p = profiles(numeric={"x": [0.0, 1.0]}, multi={"uses": [[0, 0], [0, 0]]})
    assert partners.gower_distances(p)[0, 1] == pytest.approx(1.0)  # only x counts


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 25))
def test_gower_is_symmetric_zero_on_the_diagonal_and_within_0_1(seed, n):
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(n, 3))
    numeric[rng.random((n, 3)) < 0.2] = np.nan
    p = profiles(
        numeric={f"x{i}": numeric[:, i] for i in range(3)},
        categorical={"c": rng.choice(["a", "b", "c"], n)},
        multi={"m": rng.random((n, 6)) < 0.3},
    )
    d = partners.gower_distances(p)
    np.testing.assert_allclose(d, d.T)
    assert np.allclose(np.diag(d), 0)
    assert (d >= 0).all() and (d <= 1 + 1e-12).all()


# --- Clustering -------------------------------------------------------------------------------


def test_wine_cultivars_are_recovered():
    x, y = load_wine(return_X_y=True)
    standardised = pd.DataFrame(StandardScaler().fit_transform(x))
    grouping = partners.fit_groups(partners.Profiles.from_numeric(standardised), seed=1)
    assert grouping.k == 3
    assert adjusted_rand_score(y, grouping.labels) >= 0.85


def planted(n_per_group=50, groups=4, seed=0) -> tuple[partners.Profiles, np.ndarray]:
    """Mixed profiles with ``groups`` planted groups: shifted numbers, a group's own category
    (mostly) and its own block of codes."""
    rng = np.random.default_rng(seed)
    truth = np.repeat(np.arange(groups), n_per_group)
    n = len(truth)
    numeric = rng.normal(size=(n, 2)) + 4 * np.stack([np.cos(truth), np.sin(truth)], axis=1)
    category = np.where(rng.random(n) < 0.9, truth, rng.integers(0, groups, n)).astype(str)
    codes = np.zeros((n, 4 * groups), dtype=bool)
    for i, g in enumerate(truth):
        codes[i, 4 * g : 4 * g + 4] = rng.random(4) < 0.7
        codes[i, rng.integers(0, 4 * groups)] = True  # one stray code
    return profiles(
        numeric={"a": numeric[:, 0], "b": numeric[:, 1]}, categorical={"c": category}, multi={"codes": codes}
    ), truth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_groups_are_recovered_and_silhouette_picks_their_number(seed):
    p, truth = planted(seed=seed)
    grouping = partners.fit_groups(p, seed=2, n_boot=5)  # the entry point: k-means on the embedding
    assert grouping.k == 4
    assert adjusted_rand_score(truth, grouping.labels) >= 0.9
    assert grouping.mean_stability >= 0.9


def test_agglomerative_on_gower_finds_the_planted_number_of_groups():
    """The second method (average linkage on Gower) is the cross-check: it must find four groups
    that largely agree with the planted ones, with a lower bar than the entry point."""
    p, truth = planted()
    grouping = partners.fit_groups(p, method="agglomerative", seed=2, n_boot=5)
    assert grouping.k == 4
    assert adjusted_rand_score(truth, grouping.labels) >= 0.8
    assert grouping.agreement >= 0.8  # with k-means' best groups


def test_sampled_fit_labels_every_company_and_recovers_planted_groups():
    p, truth = planted(n_per_group=300, seed=4)
    grouping = partners.fit_groups(p, method="agglomerative", seed=3, n_boot=3, sample_size=300)
    assert len(grouping.labels) == len(truth) and len(grouping.sample) == 300
    assert adjusted_rand_score(truth, grouping.labels) >= 0.9


# --- Anonymity ----------------------------------------------------------------------------------


def test_small_groups_are_merged_until_none_is_below_five():
    z = np.array([[0.0], [0.1], [0.2], [0.3], [0.4], [10.0], [10.1], [10.2], [10.3], [10.4], [5.0], [5.1]])
    labels = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2])
    merged, notes = partners.merge_small_groups(labels, z)
    assert pd.Series(merged).value_counts().min() >= partners.MIN_GROUP
    assert len(np.unique(merged)) == 2 and len(notes) == 1


def test_fewer_than_five_companies_are_suppressed():
    merged, notes = partners.merge_small_groups(np.array([0, 0, 1]), np.zeros((3, 1)))
    assert (merged == -1).all() and "suppressed" in notes[0]


@pytest.fixture(scope="module")
def sample_partners():
    return load_data(SAMPLE), partners.analyse_partners(load_data(SAMPLE), n_boot=3)


def test_reviewer_tables_never_describe_fewer_than_five_companies(sample_partners):
    _, analysis = sample_partners
    assert (analysis.groups["companies"] >= partners.MIN_GROUP).all()
    assert pd.Series(analysis.labels).value_counts().min() >= partners.MIN_GROUP


def test_cases_show_ids_unless_internal(sample_partners):
    data, analysis = sample_partners
    text = analysis.cases.to_csv() + analysis.cases_by_mission.to_csv()
    assert not any(name in text for name in data.companies["name"])
    internal = partners.case_table(
        analysis.matching.cases.head(3), analysis.profiles, partners.display_names(data, True)
    )
    assert internal["supplier"].str.contains("Synthetic SME").all()


def test_company_level_lists_are_refused_on_a_public_page(sample_partners):
    _, analysis = sample_partners
    for table in (analysis.cases, analysis.cases_by_mission):
        with pytest.raises(AnalysisError, match="internal edition"):
            public_table(table)


def test_group_map_centres_and_spreads_are_over_each_group(sample_partners):
    """Up to ``MAP_POINTS`` companies every company is drawn, so a group's centre and spread are
    the mean and standard deviation of its drawn points."""
    _, analysis = sample_partners
    points, groups = analysis.map.points, analysis.map.groups.set_index("group")
    assert len(points) == len(analysis.profiles)
    by_group = points.groupby("group")
    np.testing.assert_allclose(groups["x"], by_group["x"].mean()[groups.index])
    np.testing.assert_allclose(groups["sd_y"], by_group["y"].std()[groups.index])
    assert groups["size"].tolist() == [int((analysis.labels == g).sum()) for g in groups.index]
    assert (groups["size"] >= partners.MIN_GROUP).all()


def test_complementarity_cells_with_fewer_than_five_suppliers_are_suppressed(sample_partners):
    """Two groups made by hand: G2 holds just two suppliers-only companies and five
    integrators-only ones, so every cell with G2's suppliers rests on two and is suppressed."""
    _, analysis = sample_partners
    p = analysis.profiles
    roles = p.multi["roles"]
    only = roles.sum(axis=1) == 1
    suppliers = np.flatnonzero(only & roles["supplier"])[:2]
    integrators = np.flatnonzero(only & roles["integrator"])[:5]
    labels = np.zeros(len(p), dtype=int)
    labels[np.concatenate([suppliers, integrators])] = 1
    support = partners.complementarity_support(p, labels)
    assert support.loc["G2", "G2"] == 2 and support.loc["G2", "G1"] == 2
    assert support.loc["G1", "G2"] == 5
    assert support.loc["G1", "G1"] == min(
        int((roles["supplier"] & (labels == 0)).sum()), int((roles["integrator"] & (labels == 0)).sum())
    )
    shown = suppress_small(partners.group_complementarity(p, labels), support)
    assert shown.loc["G2"].isna().all()
    assert shown.loc["G1"].notna().all()


def test_median_employees_needs_five_known_values(sample_partners):
    _, analysis = sample_partners
    p = analysis.profiles
    labels = np.zeros(len(p), dtype=int)
    labels[:6] = 1
    numeric = p.numeric.copy()
    numeric.iloc[:2, numeric.columns.get_loc("log_employees")] = np.nan  # 4 of G2's 6 known
    groups = partners.group_profiles(partners.Profiles(p.ids, numeric, p.categorical, p.multi, p.ranges), labels)
    assert groups.set_index("group").at["G2", "companies"] == 6
    assert np.isnan(groups.set_index("group").at["G2", "median employees"])
    assert not np.isnan(groups.set_index("group").at["G1", "median employees"])


def cluster_profiles(clusters: list[str], markets: dict[str, list[int]] | None = None) -> partners.Profiles:
    """Profiles of companies 0..n-1 in ``clusters``; ``markets``: target market id -> companies."""
    n = len(clusters)
    targets = pd.DataFrame(False, index=range(n), columns=list(reference.TARGET_MARKET_IDS))
    for market, companies in (markets or {}).items():
        targets.loc[companies, market] = True
    return partners.Profiles(
        pd.Index(range(n)),
        pd.DataFrame(index=range(n)),
        pd.DataFrame({"cluster": clusters}),
        {"target_markets": targets},
    )


def chosen(*trios: tuple[int, int, int], score: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame(list(trios), columns=["supplier", "integrator", "end_user"]).assign(score=score)


def test_case_mix_merges_combinations_under_five_companies():
    """LITEK > HTS > HTS: three cases over seven companies, shown. OV > MEDICEN > MEDICEN and
    OPTENCE > BIOCAT > BIOCAT: one case of three companies each, merged into one row of six."""
    clusters = ["LITEK", "HTS", "HTS", "LITEK", "HTS", "HTS", "HTS"]
    clusters += ["OV", "MEDICEN", "MEDICEN", "OPTENCE", "BIOCAT", "BIOCAT"]
    cases = chosen((0, 1, 2), (3, 1, 4), (0, 5, 6), (7, 8, 9), (10, 11, 12))
    mix = partners.case_mix(cases, cluster_profiles(clusters))
    assert mix["combination"].tolist() == ["LITEK > HTS > HTS", partners.OTHER_COMBINATIONS]
    assert mix["combinations"].tolist() == [1, 2]
    assert mix["cases"].tolist() == [3, 2]
    assert mix["distinct_companies"].tolist() == [7, 6]
    by_sector = partners.case_mix(cases, cluster_profiles(clusters), by="sector")
    assert by_sector["combination"].tolist() == ["photonics > health_tech > health_tech"]
    assert by_sector["cases"].tolist() == [5] and by_sector["distinct_companies"].tolist() == [13]


def test_case_mix_pool_still_under_five_takes_the_smallest_combination():
    """One pooled case of three companies is too few on its own, so the smallest shown
    combination (two cases, six companies) joins it: the pooled row cannot be had by difference."""
    clusters = ["LITEK", "HTS", "HTS"] * 2 + ["OV", "MEDICEN", "MEDICEN"] * 3 + ["BIOCAT", "OV", "OV"]
    cases = chosen((0, 1, 2), (3, 4, 5), (6, 7, 8), (9, 10, 11), (12, 13, 14), (15, 16, 17))
    mix = partners.case_mix(cases, cluster_profiles(clusters))
    assert mix["combination"].tolist() == ["OV > MEDICEN > MEDICEN", partners.OTHER_COMBINATIONS]
    assert mix["combinations"].tolist() == [1, 2]
    assert mix["cases"].tolist() == [3, 3] and mix["distinct_companies"].tolist() == [9, 9]


def test_case_mix_suppresses_a_row_under_five_companies_in_all():
    mix = partners.case_mix(chosen((0, 1, 2), score=0.8), cluster_profiles(["LITEK", "HTS", "OV"]))
    assert mix["combination"].tolist() == [partners.OTHER_COMBINATIONS]
    assert mix[["cases", "distinct_companies", "mean_score"]].isna().all(axis=None)
    with pytest.raises(ParameterError):
        partners.case_mix(chosen((0, 1, 2)), cluster_profiles(["LITEK", "HTS", "OV"]), by="company")


def test_mission_summary_suppresses_markets_under_five_companies():
    """Japan (mission 8): two assigned cases, six companies: shown. Israel (mission 6): one
    case, three companies: suppressed. Canada (mission 3): no case."""
    cases = pd.concat(
        [chosen((0, 1, 2), score=0.9), chosen((3, 4, 5), score=0.7), chosen((6, 7, 8), score=0.8)], ignore_index=True
    )
    assignment = pd.DataFrame(
        {
            "case": [0, 1, 2],
            "mission": [8, 8, 6],
            "market": ["japan", "japan", "israel"],
            "market_fit": [1.0, 2 / 3, 1.0],
            "score": [0.9, 0.7, 0.8],
        }
    )
    summary = partners.mission_summary(cases, assignment).set_index("market")
    assert summary.at["Japan", "cases"] == 2 and summary.at["Japan", "distinct_companies"] == 6
    assert summary.at["Japan", "mean_score"] == pytest.approx(0.8)
    assert summary.at["Japan", "good_cases"] == 1  # 0.9 is good (0.75 or more), 0.7 fair
    assert summary.at["Japan", "market_fit"] == pytest.approx(5 / 6)
    assert summary.at["Israel", "suppressed"]
    assert summary.loc["Israel", ["cases", "distinct_companies", "mean_score"]].isna().all()
    assert summary.at["Canada", "cases"] == 0 and not summary.at["Canada", "suppressed"]
    assert len(summary) == len(reference.missions())


def test_score_spread_suppresses_bins_under_five_companies():
    """Two chosen cases of 0.82 share five companies: their bin is shown; one case of 0.41 rests on
    three companies: its bin is suppressed, and the shares are of all three cases."""
    cases = pd.concat(
        [chosen((0, 1, 2), score=0.82), chosen((3, 1, 4), score=0.83), chosen((5, 6, 7), score=0.41)],
        ignore_index=True,
    )
    spread = partners.score_spread(cases, cases).set_index("low")
    assert spread.at[0.8, "chosen"] == 2 and spread.at[0.8, "chosen_share"] == pytest.approx(2 / 3)
    assert pd.isna(spread.loc[0.4, "chosen"]) and pd.isna(spread.loc[0.4, "chosen_share"])
    assert spread["chosen"].fillna(0).sum() == 2 and (spread.drop(index=[0.4, 0.8])["chosen"] == 0).all()
    summary = partners.score_summary(cases, cases)
    assert summary.at["chosen", "good"] == 2 and pd.isna(summary.at["chosen", "weak"])
    assert summary.at["chosen", "fair"] == 0 and summary.at["chosen", "median"] == pytest.approx(0.82)


# --- Business-case score ----------------------------------------------------------------------------


def test_parts_scale_over_the_candidates_and_weights_sum_to_one():
    parts = pd.DataFrame(
        {
            "gap_fill": [0.2, 0.6, 0.4],
            "segment_overlap": [0.0, 1.0, 0.5],
            "market_overlap": [1.0, 1.0, 1.0],  # equal for all: cannot rank them, scales to 0
            "maturity": [5.0, 9.0, 7.0],
            "bridge": [0.0, 1.0, 0.5],
        }
    )
    scaled = partners.scaled_parts(parts)
    assert scaled["gap_fill"].tolist() == pytest.approx([0.0, 1.0, 0.5])
    assert (scaled["market_overlap"] == 0).all()
    weights = {"gap_fill": 0.4, "segment_overlap": 0.1, "market_overlap": 0.2, "maturity": 0.2, "bridge": 0.1}
    # row 1 is the best on every part that varies: 0.4 + 0.1 + 0 + 0.2 + 0.1; row 2 half of it
    assert partners.case_scores(parts, weights).tolist() == pytest.approx([0.0, 0.8, 0.4])
    assert sum(partners.SCORE_WEIGHTS.values()) == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="sum to 1"):
        partners.case_scores(parts, {**weights, "bridge": 0.5})
    with pytest.raises(ParameterError, match="name the parts"):
        partners.case_scores(parts, {"gap_fill": 1.0})
    ratings = partners.rating(pd.Series([0.9, 0.75, 0.74, 0.6, 0.59]))
    assert ratings.tolist() == ["good", "good", "fair", "fair", "weak"]


def planted_company(id_, cluster, roles, uses, segment, markets, trl, companies) -> dict:
    """A company row for the sample's companies table, its numbers at the sample's medians, and its
    product (TRL ``trl``) for the products table."""
    row = {
        "id": id_,
        "cluster": cluster,
        "name": f"Planted {id_}",
        "roles": roles,
        "technology_uses": uses,
        "segments": segment,
        "target_markets": markets,
        "target_group": "direct",
        "joined": companies["joined"].min(),
    }
    for column in ("employees", "revenue_eur_m", "rd_share_pct", "export_share_pct"):
        row[column] = companies[column].median()
    product = {
        "id": f"P{id_}",
        "company": id_,
        "name": f"Planted product {id_}",
        "technology_use": uses.split(";")[0],
        "trl": trl,
        "segment": segment,
        "novelty": 2,
    }
    return {"company": row, "product": product}


def with_planted(data, planted: list[dict]):
    """``data`` with the planted companies and their products added."""
    companies = pd.concat([data.companies, pd.DataFrame([p["company"] for p in planted])], ignore_index=True)
    products = pd.concat([data.products, pd.DataFrame([p["product"] for p in planted])], ignore_index=True)
    return replace(data, companies=companies, products=products)


def segment_and_uses(name_part: str) -> tuple[str, str, list[str]]:
    """A technology use whose name contains ``name_part``, its first segment and every use that
    segment needs (the roadmap's mapping)."""
    uses = reference.technology_uses()
    use = uses.loc[uses["name"].str.contains(name_part), "id"].iloc[0]
    segment = split_codes(uses.set_index("id").at[use, "segments"])[0]
    needed = [u for u, cell in zip(uses["id"], uses["segments"]) if segment in split_codes(cell)]
    return use, segment, needed


def test_the_score_separates_a_planted_strong_case_from_a_weak_one(sample_partners):
    """Strong: a supplier offering exactly the one use the integrator lacks, an end-user of the same
    segment and market, TRL 9 products, three clusters of both sectors. Weak: a supplier offering
    only what the integrator already has, an end-user of another segment and market, TRL 3
    products, one cluster. Scored among the sample's candidates, the strong case rates good and
    the weak one weak."""
    data, analysis = sample_partners
    use, segment, needed = segment_and_uses("optogenetics")
    other = next(s for s in reference.THEMATIC_SEGMENT_IDS if s != segment)
    rest = ";".join(u for u in needed if u != use)
    c = data.companies
    planted = [
        planted_company("X1", "LITEK", "supplier", use, segment, "israel", 9, c),
        planted_company("X2", "HTS", "integrator", rest, segment, "israel", 9, c),
        planted_company("X3", "MEDICEN", "end_user", needed[0], segment, "israel", 9, c),
        planted_company("Y1", "OV", "supplier", needed[0], segment, "japan", 3, c),
        planted_company("Y2", "OV", "integrator", rest, segment, "japan", 3, c),
        planted_company("Y3", "OV", "end_user", needed[0], other, "canada", 3, c),
    ]
    p = partners.company_profiles(with_planted(data, planted))
    at = {company: int(np.flatnonzero(p.ids == company)[0]) for company in ("X1", "X2", "X3", "Y1", "Y2", "Y3")}
    trio = np.array([[at["X1"], at["X2"], at["X3"]], [at["Y1"], at["Y2"], at["Y3"]]])
    gap_fill = [partners.supplier_integrator_scores(p, t[:1], t[1:2])[0, 0] for t in trio]
    assert gap_fill == pytest.approx([1.0, 0.0])  # one use fills the one gap; the other fills none
    planted_parts = partners.case_parts(p, trio, np.array(gap_fill))
    assert planted_parts["maturity"].tolist() == [9.0, 3.0] and planted_parts["bridge"].tolist() == [1.0, 0.0]
    parts = pd.concat([analysis.candidates, planted_parts], ignore_index=True)
    strong, weak = partners.case_scores(parts)[-2:]
    assert strong == pytest.approx(1.0) and weak == pytest.approx(0.0)
    assert partners.rating(pd.Series([strong, weak])).tolist() == ["good", "weak"]


def test_a_case_crosses_clusters_and_sectors_unless_its_three_companies_share_them(sample_partners):
    data, analysis = sample_partners
    trio = analysis.candidates[list(partners.ROLE_COLUMNS)].to_numpy(int)
    clusters = data.companies["cluster"].to_numpy(object)[trio]
    sector = reference.clusters().set_index("id")["sector"]
    assert analysis.candidates["cross_cluster"].tolist() == [len(set(row)) > 1 for row in clusters]
    assert analysis.candidates["cross_sector"].tolist() == [len({sector[c] for c in row}) > 1 for row in clusters]


def test_scores_spread_on_the_sample(sample_partners):
    """The score tells good from fair on the sample: the fifteen best chosen cases do not all tie
    (they spread over 0.05 or more), and the candidates fall into all three ratings."""
    _, analysis = sample_partners
    best = analysis.matching.cases["score"].head(15)
    assert best.max() - best.min() >= 0.05
    assert set(partners.rating(analysis.candidates["score"])) == set(partners.RATINGS)
    assert analysis.candidates["score"].between(0, 1).all()


# --- Missions -----------------------------------------------------------------------------------


def test_each_case_serves_at_most_one_mission(sample_partners):
    """On the sample, with room for five and for two cases a mission: no case twice, no mission
    over its room, only good and fair cases, each where its integrator and end-user target the
    market, and the market fit the share of its three companies that do."""
    _, analysis = sample_partners
    chosen, p = analysis.matching.cases, analysis.profiles
    for per_mission in (partners.CASES_PER_MISSION, 2):
        assignment = partners.assign_missions(chosen, p, per_mission)
        assert assignment["case"].is_unique
        assert assignment["mission"].value_counts().max() <= per_mission
        assert (assignment["score"] >= partners.FAIR_CASE).all()
        targets = p.multi["target_markets"]
        trio = chosen[["supplier", "integrator", "end_user"]].to_numpy(int)[assignment["case"]]
        hits = np.array([targets[m].to_numpy()[t] for m, t in zip(assignment["market"], trio)])
        assert hits[:, 1:].all()  # integrator and end-user
        assert assignment["market_fit"].tolist() == pytest.approx(hits.mean(axis=1).tolist())
    cases_shown = analysis.cases_by_mission.dropna(subset=["supplier"])
    assert len(cases_shown) == len(analysis.assignment)
    assert not cases_shown[["supplier", "integrator", "end_user"]].duplicated().any()


def test_a_case_targeting_one_market_goes_to_its_mission():
    """Room for one case a mission. Case 0 (score 0.8): all three companies target Japan only.
    Case 1 (0.9): integrator and end-user target Japan and Israel, its supplier neither. Sending
    case 1 to Japan (2/3 x 0.9 = 0.6) would leave case 0 out; the best total puts case 0 in Japan
    (0.8) and case 1 in Israel (0.6). Case 2 (0.5) is weak: no mission."""
    markets = {"japan": [0, 1, 2, 4, 5, 7, 8], "israel": [4, 5]}
    profiles = cluster_profiles(["LITEK", "HTS", "MEDICEN", "OV", "BIOCAT", "HTS", "LITEK", "HTS", "OV"], markets)
    cases = pd.concat(
        [chosen((0, 1, 2), score=0.8), chosen((3, 4, 5), score=0.9), chosen((6, 7, 8), score=0.5)], ignore_index=True
    )
    assignment = partners.assign_missions(cases, profiles, per_mission=1).set_index("case")
    missions = reference.missions().set_index("market")["mission"]
    assert assignment.at[0, "mission"] == missions["japan"] and assignment.at[0, "market_fit"] == 1.0
    assert assignment.at[1, "mission"] == missions["israel"]
    assert assignment.at[1, "market_fit"] == pytest.approx(2 / 3)
    assert 2 not in assignment.index


def brute_force_assignment(fit: np.ndarray, scores: np.ndarray, per_mission: int) -> float:
    """The best total of fit x score over every way to give each case one mission or none."""
    best = 0.0
    options = [[-1, *np.flatnonzero(row > 0)] for row in fit]
    for pick in itertools.product(*options):
        places = [m for m in pick if m >= 0]
        if places and max(places.count(m) for m in set(places)) > per_mission:
            continue
        best = max(best, sum(fit[c, m] * scores[c] for c, m in enumerate(pick) if m >= 0))
    return best


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 100_000), per_mission=st.integers(1, 2))
def test_mission_assignment_equals_brute_force(seed, per_mission):
    """Six random cases over eighteen companies, each company targeting some of three markets."""
    rng = np.random.default_rng(seed)
    ids = list(reference.missions().sort_values("mission")["market"])[:3]
    markets = {m: [c for c in range(18) if rng.random() < 0.6] for m in ids}
    profiles = cluster_profiles(["LITEK"] * 18, markets)
    cases = pd.DataFrame(np.arange(18).reshape(6, 3), columns=["supplier", "integrator", "end_user"])
    cases["score"] = rng.uniform(0.6, 1.0, 6).round(3)
    assignment = partners.assign_missions(cases, profiles, per_mission)
    fit = partners.mission_fit(cases, profiles)
    total = float((assignment["market_fit"] * assignment["score"]).sum())
    assert total == pytest.approx(brute_force_assignment(fit, cases["score"].to_numpy(), per_mission), abs=1e-9)


# --- Complementarity and matching ---------------------------------------------------------------


def test_supplier_integrator_score_by_hand():
    # integrator 1 serves a segment needing uses {0, 1, 2} and offers {0}: its gaps are {1, 2}.
    # supplier 0 offers {1, 3}: one of its two uses fills a gap (1/2), one of two gaps filled (1/2).
    p = profiles(
        categorical={"cluster": ["LITEK", "HTS"]},
        multi={"technology_uses": [[0, 1, 0, 1], [1, 0, 0, 0]], "segments": [[0], [1]]},
    )
    needed = np.array([[1], [1], [1], [0]], dtype=bool)  # uses x segments
    gaps = (p.multi["segments"].to_numpy(int) @ needed.T.astype(int) > 0) & ~p.multi["technology_uses"].to_numpy(bool)
    assert gaps[1].tolist() == [False, True, True, False]
    filled = (p.multi["technology_uses"].to_numpy(bool)[0] & gaps[1]).sum()
    assert 0.5 * (filled / 2 + filled / 2) == 0.5


def brute_force(cases: pd.DataFrame, n: int, max_cases: int) -> float:
    best = 0.0
    trio = cases[["supplier", "integrator", "end_user"]].to_numpy()
    for size in range(1, len(cases) + 1):
        for chosen in itertools.combinations(range(len(cases)), size):
            load = np.bincount(trio[list(chosen)].ravel(), minlength=n)
            if load.max() <= max_cases:
                best = max(best, float(cases["score"].to_numpy()[list(chosen)].sum()))
    return best


def random_cases(rng, n_companies=7, n_cases=10) -> pd.DataFrame:
    rows = [rng.choice(n_companies, 3, replace=False) for _ in range(n_cases)]
    return pd.DataFrame(
        {
            "supplier": [r[0] for r in rows],
            "integrator": [r[1] for r in rows],
            "end_user": [r[2] for r in rows],
            "score": rng.random(n_cases).round(3),
        }
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 100_000), max_cases=st.integers(1, 3))
def test_integer_program_is_within_its_gap_of_brute_force_and_respects_max_cases(seed, max_cases):
    # the program stops once proven within MILP_GAP of the best total: its total and bound enclose
    # the brute-force optimum, at most that share apart
    cases = random_cases(np.random.default_rng(seed))
    matching = partners.match_cases(cases, 7, max_cases, solver="milp")
    optimum = brute_force(cases, 7, max_cases)
    assert (1 - partners.MILP_GAP) * matching.bound - 1e-9 <= matching.total <= optimum + 1e-9 <= matching.bound + 2e-9
    for solver in ("milp", "greedy"):
        chosen = partners.match_cases(cases, 7, max_cases, solver=solver).cases
        load = np.bincount(chosen[["supplier", "integrator", "end_user"]].to_numpy().ravel(), minlength=7)
        assert load.max() <= max_cases


def test_a_planted_perfect_triple_is_always_chosen(sample_partners):
    """Three companies made for each other (a supplier offering exactly the uses an integrator
    lacks in its one segment, an end-user of the same segment and the same two markets, which no
    other end-user of that segment targets alone, from three clusters and both sectors, with TRL 9
    products) score the maximum 1.0 and are chosen."""
    data, _ = sample_partners
    optogenetics, segment, needed = segment_and_uses("optogenetics")
    c = data.companies
    users = c[c["roles"].str.contains("end_user") & (c["segments"] == segment)]
    taken = {frozenset(split_codes(cell)) for cell in users["target_markets"]}
    markets = next(
        pair for pair in itertools.combinations(reference.TARGET_MARKET_IDS, 2) if frozenset(pair) not in taken
    )
    markets = ";".join(markets)
    rest = ";".join(u for u in needed if u != optogenetics)
    planted = [
        planted_company("X1", "LITEK", "supplier", optogenetics, segment, markets, 9, c),
        planted_company("X2", "HTS", "integrator", rest, segment, markets, 9, c),
        planted_company("X3", "MEDICEN", "end_user", needed[0], segment, markets, 9, c),
    ]
    p = partners.company_profiles(with_planted(data, planted))
    cases = partners.candidate_cases(p)
    ids = p.ids.to_numpy()
    trio = ids[cases[["supplier", "integrator", "end_user"]].to_numpy(int)]
    chosen = partners.match_cases(cases, len(p), 2).cases
    chosen_ids = ids[chosen[["supplier", "integrator", "end_user"]].to_numpy(int)]
    assert ["X1", "X2", "X3"] in trio.tolist()
    assert cases.loc[(trio == ["X1", "X2", "X3"]).all(1), "score"].iloc[0] == pytest.approx(1.0)
    assert ["X1", "X2", "X3"] in chosen_ids.tolist()


def test_group_complementarity_is_the_mean_over_pairs(sample_partners):
    _, analysis = sample_partners
    p, labels = analysis.profiles, analysis.labels
    roles = p.multi["roles"]
    s = np.flatnonzero((labels == 0) & roles["supplier"].to_numpy())
    i = np.flatnonzero((labels == 1) & roles["integrator"].to_numpy())
    pairs = partners.supplier_integrator_scores(p, s, i)
    assert analysis.complementarity.loc["G1", "G2"] == pytest.approx(pairs.mean())


# --- Bad inputs ---------------------------------------------------------------------------------


def test_bad_company_and_product_inputs_are_located(valid_dir):
    companies = valid_dir / "companies.csv"
    companies.write_text(
        companies.read_text(encoding="utf-8")
        .replace("C1,LITEK,Alpha Lasers,supplier,", "C1,LITEK,Alpha Lasers,supplyer,")
        .replace("T08;T35", "T08;T36"),
        encoding="utf-8",
    )
    products = valid_dir / "products.csv"
    products.write_text(
        products.read_text(encoding="utf-8") + "P3,C9,ghost,T20,6,diagnostics_imaging,2\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as err:
        load_data(valid_dir)
    problems = [str(p) for p in err.value.problems]
    for prefix, words in [
        (f"{companies}:2:roles:", "unknown role"),
        (f"{companies}:2:technology_uses:", "unknown technology use"),
        (f"{products}:4:company:", "unknown company id 'C9'"),
    ]:
        assert any(p.startswith(prefix) and words in p for p in problems), (prefix, problems)
