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
    """Japan: two cases whose integrator and end-user target it, six companies: shown. Israel:
    one such case, three companies: suppressed. Canada: the integrator only: no case."""
    markets = {"japan": [1, 2, 4, 5], "israel": [1, 2], "canada": [4]}
    cases = pd.concat([chosen((0, 1, 2), score=0.9), chosen((3, 4, 5), score=0.7)], ignore_index=True)
    summary = partners.mission_summary(cases, cluster_profiles(["LITEK"] * 6, markets)).set_index("market")
    assert summary.at["Japan", "cases"] == 2 and summary.at["Japan", "distinct_companies"] == 6
    assert summary.at["Japan", "mean_score"] == pytest.approx(0.8)
    assert summary.at["Israel", "suppressed"]
    assert summary.loc["Israel", ["cases", "distinct_companies", "mean_score"]].isna().all()
    assert summary.at["Canada", "cases"] == 0 and not summary.at["Canada", "suppressed"]
    assert len(summary) == len(reference.missions())


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
def test_integer_program_equals_brute_force_and_respects_max_cases(seed, max_cases):
    cases = random_cases(np.random.default_rng(seed))
    matching = partners.match_cases(cases, 7, max_cases, solver="milp")
    assert matching.total == pytest.approx(brute_force(cases, 7, max_cases), abs=1e-9)
    for solver in ("milp", "greedy"):
        chosen = partners.match_cases(cases, 7, max_cases, solver=solver).cases
        load = np.bincount(chosen[["supplier", "integrator", "end_user"]].to_numpy().ravel(), minlength=7)
        assert load.max() <= max_cases


def test_a_planted_perfect_triple_is_always_chosen(sample_partners):
    """Three companies made for each other (a supplier offering exactly the uses an integrator
    lacks in its one segment, an end-user of the same segment and market, from three clusters
    and both sectors) score the maximum 1.2 and are chosen."""
    data, _ = sample_partners
    companies = data.companies.copy()
    uses = reference.technology_uses()
    optogenetics = uses.loc[uses["name"].str.contains("optogenetics"), "id"].iloc[0]
    segment = split_codes(uses.set_index("id").at[optogenetics, "segments"])[0]
    needed = [u for u, cell in zip(uses["id"], uses["segments"]) if segment in split_codes(cell)]
    planted_rows = pd.DataFrame(
        [
            {
                "id": "X1",
                "cluster": "LITEK",
                "name": "Planted supplier",
                "roles": "supplier",
                "technology_uses": optogenetics,
                "segments": segment,
                "target_markets": "israel",
            },
            {
                "id": "X2",
                "cluster": "HTS",
                "name": "Planted integrator",
                "roles": "integrator",
                "technology_uses": ";".join(u for u in needed if u != optogenetics),
                "segments": segment,
                "target_markets": "israel",
            },
            {
                "id": "X3",
                "cluster": "MEDICEN",
                "name": "Planted user",
                "roles": "end_user",
                "technology_uses": needed[0],
                "segments": segment,
                "target_markets": "israel",
            },
        ]
    )
    for column in ("employees", "revenue_eur_m", "rd_share_pct", "export_share_pct"):
        planted_rows[column] = companies[column].median()
    planted_rows["target_group"], planted_rows["joined"] = "direct", companies["joined"].min()
    data = replace(data, companies=pd.concat([companies, planted_rows], ignore_index=True))
    p = partners.company_profiles(data)
    cases = partners.candidate_cases(p)
    ids = p.ids.to_numpy()
    trio = ids[cases[["supplier", "integrator", "end_user"]].to_numpy(int)]
    chosen = partners.match_cases(cases, len(p), 2).cases
    chosen_ids = ids[chosen[["supplier", "integrator", "end_user"]].to_numpy(int)]
    assert ["X1", "X2", "X3"] in trio.tolist()
    assert cases.loc[(trio == ["X1", "X2", "X3"]).all(1), "score"].iloc[0] == pytest.approx(1.2)
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
