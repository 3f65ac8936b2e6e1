"""Weighted SWOT: published AHP examples, properties of the eigenvector method, completion,
aggregation, A'WOT arithmetic and the robustness draws."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lasergo.analysis.swot import (
    RANDOM_INDEX,
    JudgementError,
    LinkRobustness,
    Matrix,
    Robustness,
    aggregate,
    ahp,
    awot,
    leave_one_link_out,
    pairwise_matrix,
    robustness,
    strategy_priorities,
    weights_from_ratings,
)
from lasergo.errors import AnalysisError

SAATY_SCALE = [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]
PUBLISHED = 5e-4  # a published value given to 3 decimals


def frame(values, items) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(values, dtype=float), index=items, columns=items)


def from_upper(upper: dict[tuple[int, int], float], items) -> pd.DataFrame:
    """The reciprocal matrix with the given upper-triangle judgements."""
    a = np.ones((len(items), len(items)))
    for (i, j), value in upper.items():
        a[i, j], a[j, i] = value, 1 / value
    return frame(a, items)


def consistent(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w[:, None] / w[None, :]


def judgements(rows) -> pd.DataFrame:
    """Judgements of one expert for one matrix from (row, column, value) triples; source rows from 2."""
    return pd.DataFrame(
        [
            {"expert": "E1", "matrix": "W", "row": r, "column": c, "value": v, "source_row": k + 2}
            for k, (r, c, v) in enumerate(rows)
        ]
    )


# --- Published examples ----------------------------------------------------------------------


def test_drinks_example_saaty_2008():
    """Saaty, T.L. (2008) "Decision making with the analytic hierarchy process", Int. J. Services
    Sciences 1(1), 83-98: which drink is consumed more in the US. Derived priorities as published:
    coffee .177, wine .019, tea .042, beer .116, soda .190, milk .129, water .327."""
    drinks = ["coffee", "wine", "tea", "beer", "soda", "milk", "water"]
    upper = {
        (0, 1): 9,
        (0, 2): 5,
        (0, 3): 2,
        (0, 4): 1,
        (0, 5): 1,
        (0, 6): 1 / 2,
        (1, 2): 1 / 3,
        (1, 3): 1 / 9,
        (1, 4): 1 / 9,
        (1, 5): 1 / 9,
        (1, 6): 1 / 9,
        (2, 3): 1 / 3,
        (2, 4): 1 / 4,
        (2, 5): 1 / 3,
        (2, 6): 1 / 9,
        (3, 4): 1 / 2,
        (3, 5): 1,
        (3, 6): 1 / 3,
        (4, 5): 2,
        (4, 6): 1 / 2,
        (5, 6): 1 / 3,
    }
    result = ahp(from_upper(upper, drinks), "drinks")
    published = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    np.testing.assert_allclose(result.weights.loc[drinks], published, atol=PUBLISHED)
    assert result.consistent


def test_house_example_saaty_1990():
    """Saaty, T.L. (1990) "How to make a decision: the analytic hierarchy process", European
    Journal of Operational Research 48, 9-26: the house example's eight criteria. Published:
    weights .173, .054, .188, .018, .031, .036, .167, .333; lambda_max 9.669, CI 0.238, CR 0.169."""
    items = [f"c{k}" for k in range(1, 9)]
    matrix = frame(
        [
            [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
            [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
            [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
            [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
            [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
            [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
            [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
            [4, 7, 5, 8, 6, 6, 2, 1],
        ],
        items,
    )
    result = ahp(matrix, "house")
    np.testing.assert_allclose(result.weights, [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333], atol=PUBLISHED)
    assert result.lambda_max == pytest.approx(9.669, abs=PUBLISHED)
    assert result.ci == pytest.approx(0.238, abs=PUBLISHED)
    assert result.ri == RANDOM_INDEX[8]
    assert result.cr == pytest.approx(0.169, abs=PUBLISHED)
    assert not result.consistent


# --- Properties of the eigenvector method ----------------------------------------------------


@st.composite
def reciprocal_matrices(draw, min_size=1, max_size=10):
    """A positive reciprocal matrix with upper-triangle judgements from Saaty's scale."""
    n = draw(st.integers(min_size, max_size))
    pairs = n * (n - 1) // 2
    values = draw(st.lists(st.sampled_from(SAATY_SCALE), min_size=pairs, max_size=pairs))
    return from_upper(dict(zip(zip(*np.triu_indices(n, k=1)), values)), [f"x{k}" for k in range(n)])


positive_weights = st.lists(st.floats(0.01, 100), min_size=1, max_size=10)


@given(reciprocal_matrices())
@settings(max_examples=100, deadline=None)
def test_weights_positive_and_sum_to_one(matrix):
    result = ahp(matrix, "m")
    assert (result.weights > 0).all()
    assert result.weights.sum() == pytest.approx(1, abs=1e-12)
    assert result.cr >= -1e-9
    assert (result.worst is None) == (len(matrix) == 1)


@given(positive_weights)
@settings(max_examples=100, deadline=None)
def test_consistent_matrix_returns_its_weights(w):
    w = np.array(w) / sum(w)
    items = [f"x{k}" for k in range(len(w))]
    result = ahp(frame(consistent(w), items), "m")
    np.testing.assert_allclose(result.weights, w, rtol=0, atol=1e-9)
    assert result.cr == pytest.approx(0, abs=1e-9)
    assert result.lambda_max == pytest.approx(len(w), abs=1e-9)


@given(reciprocal_matrices(min_size=2), st.randoms(use_true_random=False))
@settings(max_examples=100, deadline=None)
def test_permuting_items_permutes_weights(matrix, random):
    order = list(matrix.index)
    random.shuffle(order)
    permuted = ahp(matrix.loc[order, order], "m").weights
    np.testing.assert_allclose(
        permuted.to_numpy(), ahp(matrix, "m").weights.loc[order].to_numpy(), rtol=1e-9, atol=1e-12
    )


@given(reciprocal_matrices(min_size=2), st.data())
@settings(max_examples=100, deadline=None)
def test_non_reciprocal_matrix_rejected_naming_matrix_and_cell(matrix, data):
    n = len(matrix)
    i, j = data.draw(st.sampled_from([(i, j) for i in range(n) for j in range(n) if i != j]))
    broken = matrix.copy()
    broken.iloc[i, j] *= data.draw(st.sampled_from([0.5, 1.01, 3.0]))
    with pytest.raises(JudgementError) as error:
        ahp(broken, "W")
    cell = (error.value.row, error.value.column)
    assert error.value.matrix == "W" and set(cell) == {f"x{i}", f"x{j}"}
    assert str(error.value).startswith(f"matrix W, row {cell[0]}, column {cell[1]}: ")


@given(reciprocal_matrices(min_size=2), st.data())
@settings(max_examples=100, deadline=None)
def test_non_positive_matrix_rejected_naming_matrix_and_cell(matrix, data):
    n = len(matrix)
    i, j = data.draw(st.sampled_from([(i, j) for i in range(n) for j in range(n)]))
    broken = matrix.copy()
    broken.iloc[i, j] = data.draw(st.sampled_from([0.0, -2.0, np.nan]))
    with pytest.raises(JudgementError, match=f"^matrix groups, row x{i}, column x{j}: .*not a positive number"):
        ahp(broken, "groups")


def test_non_square_matrix_and_too_many_items_rejected():
    with pytest.raises(JudgementError, match="^matrix S: not a square"):
        ahp(pd.DataFrame(np.ones((2, 3)), index=["a", "b"], columns=["a", "b", "c"]), "S")
    items = [f"x{k}" for k in range(11)]
    with pytest.raises(ValueError, match="random index .* 1 to 10 items, not 11"):
        ahp(frame(np.ones((11, 11)), items), "S")


def test_worst_comparison_is_the_one_that_was_disturbed():
    items = ["a", "b", "c", "d", "e"]
    matrix = frame(consistent([5, 4, 3, 2, 1]), items)
    matrix.loc["b", "d"], matrix.loc["d", "b"] = 9, 1 / 9  # consistent value 2
    result = ahp(matrix, "m")
    assert result.worst == ("b", "d")
    assert result.cr > 0


def test_weights_from_ratings():
    weights = weights_from_ratings(pd.Series([9, 3, 6.0], index=["S1", "S2", "S3"]))
    pd.testing.assert_series_equal(weights, pd.Series([0.5, 1 / 6, 1 / 3], index=["S1", "S2", "S3"], name="weight"))
    with pytest.raises(ValueError, match="1..9: S2"):
        weights_from_ratings(pd.Series([9, 0.5], index=["S1", "S2"]))


# --- Matrices from judgements ----------------------------------------------------------------


def test_pairwise_matrix_fills_reciprocals_and_diagonal():
    result = pairwise_matrix(
        judgements([("W1", "W2", 3), ("W3", "W1", 1 / 5), ("W2", "W3", 1 / 2), ("W2", "W1", 1 / 3)]),
        ["W1", "W2", "W3"],
        "W",
    )
    assert isinstance(result, Matrix) and result.completed == []
    expected = frame([[1, 3, 5], [1 / 3, 1, 1 / 2], [1 / 5, 2, 1]], ["W1", "W2", "W3"])
    pd.testing.assert_frame_equal(result.values, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "rows, cell, message",
    [
        (
            [("W1", "W2", 3), ("W2", "W4", 2), ("W2", "W1", 1 / 2)],
            ("W2", "W1", 4),
            "contradicts judgements row 2, which implies 0.333333",
        ),
        ([("W1", "W2", 3), ("W2", "W4", 12)], ("W2", "W4", 3), "not on Saaty's scale"),
        ([("W1", "W2", 3), ("W2", "W4", -2)], ("W2", "W4", 3), "not on Saaty's scale"),
        ([("W1", "W2", 3), ("W2", "W9", 2)], ("W2", "W9", 3), "unknown item 'W9'"),
        ([("W1", "W1", 2)], ("W1", "W1", 2), "against itself must be 1"),
    ],
)
def test_bad_judgement_rejected_naming_the_cell(rows, cell, message):
    with pytest.raises(JudgementError, match=message) as error:
        pairwise_matrix(judgements(rows), ["W1", "W2", "W3", "W4"], "W")
    row, column, source_row = cell
    assert isinstance(error.value, AnalysisError)
    assert (error.value.matrix, error.value.row, error.value.column, error.value.source_row) == (
        "W",
        row,
        column,
        source_row,
    )
    assert str(error.value).startswith(f"matrix W, row {row}, column {column} (judgements row {source_row}): ")


def test_completion_of_one_missing_entry_gives_the_consistent_value():
    items = ["S1", "S2", "S3", "S4"]
    a = consistent([8, 4, 2, 1])
    given = [(items[i], items[j], a[i, j]) for i in range(4) for j in range(i + 1, 4) if (i, j) != (0, 3)]
    result = pairwise_matrix(judgements(given), items, "S")
    np.testing.assert_allclose(result.values.to_numpy(), a, rtol=1e-9)
    assert [(r, c) for r, c, _ in result.completed] == [("S1", "S4")]
    assert result.completed[0][2] == pytest.approx(8, rel=1e-9)


def test_completion_of_a_spanning_tree_is_consistent():
    """With only n - 1 comparisons forming a tree, the completed matrix is the consistent one."""
    items = ["O1", "O2", "O3", "O4"]
    result = pairwise_matrix(judgements([("O1", "O2", 2), ("O3", "O2", 1 / 3), ("O2", "O4", 4)]), items, "O")
    np.testing.assert_allclose(result.values.to_numpy(), consistent([2, 1, 1 / 3, 1 / 4]), rtol=1e-9)
    assert ahp(result.values, "O").cr == pytest.approx(0, abs=1e-9)
    assert len(result.completed) == 3


def test_unconnected_comparisons_rejected_naming_the_items():
    with pytest.raises(JudgementError, match=r"^matrix T: .*\{T1, T2\}, \{T3, T4\}") as error:
        pairwise_matrix(judgements([("T1", "T2", 2), ("T3", "T4", 5)]), ["T1", "T2", "T3", "T4"], "T")
    assert error.value.row is None and error.value.source_row is None


# --- Aggregation -----------------------------------------------------------------------------


@given(reciprocal_matrices(), st.integers(1, 5))
@settings(max_examples=50, deadline=None)
def test_aggregating_identical_experts_gives_their_matrix(matrix, experts):
    pd.testing.assert_frame_equal(aggregate([matrix] * experts), matrix, rtol=1e-12)


def test_aggregation_is_the_geometric_mean_and_stays_reciprocal():
    items = ["a", "b"]
    combined = aggregate([from_upper({(0, 1): 9}, items), from_upper({(0, 1): 1}, items)])
    np.testing.assert_allclose(combined.to_numpy(), [[1, 3], [1 / 3, 1]])
    with pytest.raises(ValueError, match="same items"):
        aggregate([from_upper({(0, 1): 9}, items), from_upper({(0, 1): 9}, ["b", "a"])])


# --- A'WOT and TOWS --------------------------------------------------------------------------

FACTORS = pd.DataFrame(
    {
        "id": ["S1", "S2", "W1", "O1", "O2", "T1"],
        "group": ["S", "S", "W", "O", "O", "T"],
        "factor": [f"factor {k}" for k in range(6)],
    }
)
GROUP_WEIGHTS = pd.Series([0.4, 0.1, 0.3, 0.2], index=["S", "W", "O", "T"])
LOCAL_WEIGHTS = {
    "S": pd.Series([0.75, 0.25], index=["S1", "S2"]),
    "W": pd.Series([1.0], index=["W1"]),
    "O": pd.Series([0.5, 0.5], index=["O1", "O2"]),
    "T": pd.Series([1.0], index=["T1"]),
}
STRATEGIES = pd.DataFrame(
    {
        "id": ["SO1", "ST1", "WO1", "WT1"],
        "type": ["SO", "ST", "WO", "WT"],
        "strategy": ["a", "b", "c", "d"],
        "factors": ["S1;O1", "S2; T1", "W1;O2", "W1;T1"],
    }
)


def test_awot_global_weights_are_group_times_local():
    table = awot(GROUP_WEIGHTS, LOCAL_WEIGHTS, FACTORS)
    assert list(table.columns) == ["group", "factor_id", "factor", "group_weight", "local_weight", "global_weight"]
    assert list(table["factor_id"]) == ["S1", "T1", "O1", "O2", "S2", "W1"]  # 0.15 and 0.15 tie: by id
    np.testing.assert_allclose(table["global_weight"], [0.3, 0.2, 0.15, 0.15, 0.1, 0.1])
    np.testing.assert_allclose(table["global_weight"], table["group_weight"] * table["local_weight"])
    assert table["global_weight"].sum() == pytest.approx(1)


def test_awot_rejects_weights_that_do_not_match_the_factors():
    with pytest.raises(ValueError, match="local weights of group O"):
        awot(GROUP_WEIGHTS, LOCAL_WEIGHTS | {"O": pd.Series([1.0], index=["O1"])}, FACTORS)
    with pytest.raises(ValueError, match="group weights sum to 0.9"):
        awot(GROUP_WEIGHTS.replace(0.4, 0.3), LOCAL_WEIGHTS, FACTORS)


def test_strategy_priority_is_the_mean_of_its_factors_global_weights_and_the_sum_is_kept():
    weights = awot(GROUP_WEIGHTS, LOCAL_WEIGHTS, FACTORS).set_index("factor_id")["global_weight"]
    table = strategy_priorities(STRATEGIES, weights)
    assert list(table.columns) == [
        "id",
        "type",
        "strategy",
        "factors",
        "links",
        "priority",
        "weight_sum",
        "rank",
        "sum_rank",
    ]
    # SO1 0.30 + 0.15, ST1 0.10 + 0.20, WO1 0.10 + 0.15, WT1 0.10 + 0.20 (ties with ST1: by id)
    assert list(table["id"]) == ["SO1", "ST1", "WT1", "WO1"]
    np.testing.assert_allclose(table["weight_sum"], [0.45, 0.30, 0.30, 0.25])
    np.testing.assert_allclose(table["priority"], [0.45 / 2, 0.30 / 2, 0.30 / 2, 0.25 / 2])  # two links each
    assert list(table["links"]) == [2, 2, 2, 2]
    assert list(table["rank"]) == [1, 2, 3, 4]
    assert list(table["sum_rank"]) == [1, 2, 3, 4]


def test_normalised_priority_by_hand():
    """Priority = sum of the linked factors' global weights / number of links; rank by it."""
    weights = pd.Series([0.4, 0.1, 0.3, 0.2], index=["S1", "S2", "O1", "O2"])
    strategies = pd.DataFrame(
        {
            "id": ["A", "B", "C"],
            "type": ["SO", "SO", "SO"],
            "strategy": ["a", "b", "c"],
            "factors": ["S1;O1", "S2;O1;O2", "S1"],
        }
    )
    table = strategy_priorities(strategies, weights).set_index("id")
    # A (0.4 + 0.3) / 2 = 0.35; B (0.1 + 0.3 + 0.2) / 3 = 0.2; C 0.4 / 1 = 0.4
    assert table.loc[["A", "B", "C"], "priority"].tolist() == pytest.approx([0.35, 0.2, 0.4])
    assert table.loc[["A", "B", "C"], "weight_sum"].tolist() == pytest.approx([0.7, 0.6, 0.4])
    assert table.loc[["A", "B", "C"], "links"].tolist() == [2, 3, 1]
    assert table.loc[["C", "A", "B"], "rank"].tolist() == [1, 2, 3]  # by the mean
    assert table.loc[["A", "B", "C"], "sum_rank"].tolist() == [1, 2, 3]  # the sum would reverse it


def test_many_weak_links_no_longer_beat_a_few_strong_ones():
    weights = pd.Series([0.1, 0.1, 0.1, 0.1, 0.15, 0.2, 0.25], index=["W1", "W2", "W3", "W4", "O1", "O2", "T1"])
    strategies = pd.DataFrame(
        {
            "id": ["BROAD", "FOCUSED"],
            "type": ["WO", "WO"],
            "strategy": ["four weak links", "two strong links"],
            "factors": ["W1;W2;W3;W4", "O1;O2"],
        }
    )
    table = strategy_priorities(strategies, weights).set_index("id")
    assert table.at["BROAD", "weight_sum"] > table.at["FOCUSED", "weight_sum"]  # 0.40 against 0.35
    assert table.at["BROAD", "sum_rank"] == 1
    assert table.at["FOCUSED", "priority"] == pytest.approx(0.175)
    assert table.at["BROAD", "priority"] == pytest.approx(0.1)
    assert table.at["FOCUSED", "rank"] == 1 and table.at["BROAD", "rank"] == 2


def test_strategy_without_factors_rejected():
    weights = pd.Series([1.0], index=["S1"])
    strategies = STRATEGIES.iloc[:1].assign(factors=" ; ")
    with pytest.raises(ValueError, match="strategy SO1 names no factor"):
        strategy_priorities(strategies, weights)


def test_leave_one_link_out_drops_each_link_and_recomputes():
    """Weights F1 .30, F2 .10, F3 .22, F4 .14, F5 .22, F6 .02; A = F1;F2 (mean .20), B = F3;F4 (.18),
    C = F5;F6 (.12), D = F6 (.02, one link: no variant). First A, second B. By hand:
    A-F1: A .10, B .18 first; A-F2: A .30 first; B-F3: B .14; B-F4: B .22 first (ahead of A);
    C-F5: C .02; C-F6: C .22 first, A (.20) still ahead of B (.18)."""
    weights = pd.Series([0.30, 0.10, 0.22, 0.14, 0.22, 0.02], index=[f"F{k}" for k in range(1, 7)])
    strategies = pd.DataFrame(
        {
            "id": ["A", "B", "C", "D"],
            "type": ["SO", "ST", "WO", "WT"],
            "strategy": ["a", "b", "c", "d"],
            "factors": ["F1;F2", "F3;F4", "F5;F6", "F6"],
        }
    )
    assert list(strategy_priorities(strategies, weights)["id"]) == ["A", "B", "C", "D"]
    result = leave_one_link_out(strategies, weights)
    assert isinstance(result, LinkRobustness)
    variants = result.variants
    assert list(variants.columns) == ["strategy", "factor", "first", "first_kept", "order_kept"]
    assert list(zip(variants["strategy"], variants["factor"])) == [
        ("A", "F1"),
        ("A", "F2"),
        ("B", "F3"),
        ("B", "F4"),
        ("C", "F5"),
        ("C", "F6"),
    ]
    assert list(variants["first"]) == ["B", "A", "A", "B", "A", "C"]
    assert list(variants["first_kept"]) == [False, True, True, False, True, False]
    assert list(variants["order_kept"]) == [False, True, True, False, True, True]
    assert result.first_kept() == pytest.approx(3 / 6)
    assert result.top_order_kept() == pytest.approx(4 / 6)


def test_leave_one_link_out_without_variants_is_nan():
    weights = pd.Series([0.6, 0.4], index=["S1", "O1"])
    strategies = pd.DataFrame({"id": ["A", "B"], "type": ["SO", "SO"], "strategy": ["a", "b"], "factors": ["S1", "O1"]})
    result = leave_one_link_out(strategies, weights)
    assert result.variants.empty
    assert np.isnan(result.first_kept()) and np.isnan(result.top_order_kept())


def test_strategy_with_unknown_factor_rejected_naming_it():
    weights = pd.Series([1.0], index=["S1"])
    with pytest.raises(ValueError, match="strategy SO1 names unknown factor"):
        strategy_priorities(STRATEGIES.iloc[:1], weights)


# --- Robustness ------------------------------------------------------------------------------


def example_matrices():
    """Slightly inconsistent group and factor matrices for FACTORS."""
    groups = from_upper(
        {(0, 1): 4, (0, 2): 2, (0, 3): 3, (1, 2): 1 / 3, (1, 3): 1 / 2, (2, 3): 2}, ["S", "W", "O", "T"]
    )
    factor_matrices = {
        "S": from_upper({(0, 1): 3}, ["S1", "S2"]),
        "W": frame([[1]], ["W1"]),
        "O": from_upper({(0, 1): 1 / 2}, ["O1", "O2"]),
        "T": frame([[1]], ["T1"]),
    }
    return groups, factor_matrices


def test_robustness_without_noise_reproduces_the_deterministic_result():
    groups, factor_matrices = example_matrices()
    result = robustness(groups, factor_matrices, FACTORS, STRATEGIES, n_draws=50, sigma=0.0)
    assert isinstance(result, Robustness)
    local = {g: ahp(m, g).weights for g, m in factor_matrices.items()}
    weights = awot(ahp(groups, "groups").weights, local, FACTORS).set_index("factor_id")["global_weight"]
    deterministic = strategy_priorities(STRATEGIES, weights)
    strategies = result.strategy_summary()
    assert list(strategies["id"]) == list(deterministic["id"])
    assert list(strategies.columns) == ["id", "deterministic", "mean", "p10", "p50", "p90", "p_first", "rank_changed"]
    np.testing.assert_array_equal(strategies["deterministic"], deterministic["priority"])
    for summary in (strategies, result.factor_summary()):
        assert list(summary["p_first"]) == [1.0] + [0.0] * (len(summary) - 1)
        assert (summary["rank_changed"] == 0).all()
        for column in ("mean", "p10", "p50", "p90"):
            np.testing.assert_allclose(summary[column], summary["deterministic"], rtol=1e-12)
    assert result.top_order_kept() == 1.0


def test_robustness_draws_are_seeded():
    groups, factor_matrices = example_matrices()
    run = [robustness(groups, factor_matrices, FACTORS, STRATEGIES, n_draws=200, seed=seed) for seed in (7, 7, 8)]
    pd.testing.assert_frame_equal(run[0].factor_draws, run[1].factor_draws)
    pd.testing.assert_frame_equal(run[0].strategy_draws, run[1].strategy_draws)
    assert not run[0].factor_draws.equals(run[2].factor_draws)


def test_robustness_draws_are_valid_weights_and_priorities():
    groups, factor_matrices = example_matrices()
    result = robustness(groups, factor_matrices, FACTORS, STRATEGIES, n_draws=500, sigma=0.5)
    assert result.factor_draws.shape == (500, 6) and list(result.factor_draws.columns) == list(FACTORS["id"])
    assert (result.factor_draws > 0).all().all()
    np.testing.assert_allclose(result.factor_draws.sum(axis=1), 1, rtol=1e-12)
    links = {"SO1": ["S1", "O1"], "ST1": ["S2", "T1"], "WO1": ["W1", "O2"], "WT1": ["W1", "T1"]}
    for strategy, ids in links.items():  # the normalised priority: the sum over the links / their number
        np.testing.assert_allclose(result.strategy_draws[strategy], result.factor_draws[ids].sum(axis=1) / len(ids))
    for summary in (result.factor_summary(), result.strategy_summary()):
        assert summary["p_first"].sum() == pytest.approx(1)
        assert ((summary["p10"] <= summary["p50"]) & (summary["p50"] <= summary["p90"])).all()
        assert summary["rank_changed"].between(0, 1).all()
    assert 0 < result.top_order_kept() < 1


# --- From a data folder to the report -------------------------------------------------------------


def _folder_with(tmp_path, name, text):
    from tests.conftest import VALID_TABLES, write_tables

    folder = write_tables(tmp_path / "data", VALID_TABLES)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_analyse_swot_on_the_sample_uses_pairwise_judgements():
    from lasergo.analysis.swot import analyse_swot, consistency_table
    from lasergo.data.dataset import load_data
    from lasergo.pages.swot import findings
    from tests.conftest import SAMPLE

    analysis = analyse_swot(load_data(SAMPLE), n_draws=300, seed=2)
    assert "3 experts" in analysis.method and "geometric mean" in analysis.method
    assert analysis.weights["global_weight"].sum() == pytest.approx(1)
    assert set(consistency_table(analysis)["matrix"]) == {"groups", "S", "W", "O", "T"}
    first = analysis.strategies.iloc[0]
    assert first["rank"] == 1 and first["id"] in findings(analysis)


def test_direct_ratings_are_used_without_judgements(tmp_path):
    from lasergo.analysis.swot import analyse_swot
    from lasergo.data import reference
    from lasergo.data.dataset import load_data

    items = ["S", "W", "O", "T"] + list(reference.swot_factors()["id"])
    rating = {item: 9 if item in ("O", "O1") else 3 for item in items}
    text = "expert,item,rating\n" + "".join(f"E1,{i},{r}\n" for i, r in rating.items())
    analysis = analyse_swot(load_data(_folder_with(tmp_path, "swot_ratings.csv", text)))
    assert analysis.method.startswith("direct importance ratings")
    assert analysis.robustness is None and analysis.results == {}
    weights = analysis.weights.set_index("factor_id")["global_weight"]
    # O gets 9 / (3 + 3 + 9 + 3) = 0.5 of the weight; O1 gets 9 / (9 + 3 + 3) = 0.6 of O's
    assert weights["O1"] == pytest.approx(0.5 * 0.6)
    assert weights.idxmax() == "O1"


def test_a_folder_without_swot_input_is_a_clear_error(tmp_path):
    from lasergo.analysis.swot import analyse_swot
    from lasergo.data.dataset import load_data
    from tests.conftest import VALID_TABLES, write_tables

    folder = write_tables(tmp_path / "data", VALID_TABLES)
    with pytest.raises(AnalysisError, match="no swot_judgements or swot_ratings"):
        analyse_swot(load_data(folder))


# --- The page -------------------------------------------------------------------------------------


def test_tows_matrix_and_findings_of_a_known_analysis():
    from lasergo.analysis.swot import SwotAnalysis
    from lasergo.pages.swot import findings, tows_matrix

    weights = awot(GROUP_WEIGHTS, LOCAL_WEIGHTS, FACTORS)
    ranked = strategy_priorities(STRATEGIES, weights.set_index("factor_id")["global_weight"])
    analysis = SwotAnalysis("direct ratings", 1, {}, weights, ranked, None)
    table = tows_matrix(analysis)  # the normalised priority: the mean weight of two factors each
    assert table.at["Opportunities (O)", "Strengths (S)"] == "<b>1.</b> SO1 a (22.5%)"
    assert table.at["Threats (T)", "Strengths (S)"] == "<b>2.</b> ST1 b (15.0%)"
    assert table.at["Opportunities (O)", "Weaknesses (W)"] == "<b>4.</b> WO1 c (12.5%)"
    assert table.at["Threats (T)", "Weaknesses (W)"] == "<b>3.</b> WT1 d (15.0%)"
    text = findings(analysis)
    # the finding first: which strategy to pursue; every one of the 8 leave-one-link-out rankings keeps it
    assert text.startswith("**Pursue SO1 first.** SO1 (a) addresses the factors that weigh most on average: 23%")
    assert "SO1 stays ahead of ST1 in 8 of the 8 rankings with one link left out." in text
    assert "Strengths carry the most weight (40%); the heaviest single factor is S1 (factor 0, 30%)." in text
    assert "plain sum" not in text  # the sum ranks the same strategy first
    assert text.endswith("With direct ratings there is no judgement-level robustness analysis.")


def test_consistency_flags_and_inconsistent_matrices():
    import re

    from lasergo.analysis.swot import SwotAnalysis, consistency_table
    from lasergo.pages.swot import CONSISTENT_COLUMN, show_consistency, show_inconsistent_matrices

    groups, _ = example_matrices()
    cycle = frame([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]], ["x", "y", "z"])  # x > y > z > x: CR >> 0.10
    results = {"groups": ahp(groups, "groups"), "S": ahp(cycle, "S")}
    analysis = SwotAnalysis("m", 1, results, pd.DataFrame(), pd.DataFrame(), None)
    table = consistency_table(analysis)
    assert list(table["check"]) == ["pass", "FLAG: CR > 0.10"]
    shown = show_consistency(table)
    assert shown.data[CONSISTENT_COLUMN].tolist() == ["Yes", "No"]
    assert shown.data["Comparisons of"].tolist() == ["The four groups", "Strengths"]
    assert not any("_" in str(header) for header in shown.data.columns)
    html = shown.to_html()
    flagged = [
        selector
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", html)
        if "#b00020" in body
        for selector in re.findall(r"_(row\d+_col\d+)", selectors)
    ]
    assert flagged == [f"row1_col{list(shown.data.columns).index(CONSISTENT_COLUMN)}"]  # the red No
    assert list(show_inconsistent_matrices(analysis)) == ["S"]


@pytest.fixture(scope="module")
def sample_analysis():
    from lasergo.analysis.swot import analyse_swot
    from lasergo.data.dataset import load_data
    from tests.conftest import SAMPLE

    return analyse_swot(load_data(SAMPLE), n_draws=300, seed=2)


def test_ranked_strategies_show_the_normalised_priority_and_the_sum_under_plain_headers(sample_analysis):
    from lasergo.pages.swot import ranked_strategies

    table = ranked_strategies(sample_analysis)
    assert list(table.columns) == [
        "Rank",
        "Strategy",
        "Type",
        "What to do",
        "Factors it addresses",
        "Priority: mean weight of its factors (%)",
        "P10-P90 of the priority (%)",
        "Chance of ranking first (%)",
        "Chance of another rank (%)",
        "Sum of its factors' weights (%)",
        "Rank by the sum",
    ]
    ranked = sample_analysis.strategies
    np.testing.assert_allclose(table["Priority: mean weight of its factors (%)"], 100 * ranked["priority"])
    np.testing.assert_allclose(table["Sum of its factors' weights (%)"], 100 * ranked["weight_sum"])
    assert list(table["Rank"]) == list(range(1, len(ranked) + 1))
    summary = sample_analysis.robustness.strategy_summary().set_index("id")
    first = ranked["id"].iloc[0]
    assert table["Chance of ranking first (%)"].iloc[0] == pytest.approx(100 * summary.at[first, "p_first"])


def test_findings_say_where_the_plain_sum_would_rank_differently(sample_analysis):
    from lasergo.pages.swot import findings

    ranked = sample_analysis.strategies
    by_sum = ranked.loc[ranked["sum_rank"] == 1].iloc[0]
    assert by_sum["id"] != ranked["id"].iloc[0]  # the sample's broadest strategy leads the plain sum only
    text = findings(sample_analysis)
    assert f"plain sum of the weights instead, {by_sum['id']} would come first" in text
    assert "P10-P90" in text and "0." not in text.split("\n\n")[0]  # rounded to its range, in percent


def test_link_changes_table_lists_the_links_that_move_the_top_two(sample_analysis):
    from lasergo.pages.swot import link_note, show_link_changes

    variants = sample_analysis.link_robustness.variants
    changed = variants[~(variants["first_kept"] & variants["order_kept"])]
    shown = show_link_changes(sample_analysis).data
    assert list(zip(shown["Strategy"], shown["Factor no longer linked to it"])) == list(
        zip(changed["strategy"], changed["factor"])
    )
    assert set(shown.iloc[:, 3]) | set(shown.iloc[:, 4]) <= {"Yes", "No"}
    first = sample_analysis.strategies["id"].iloc[0]
    assert f"{first} stays first in {int(variants['first_kept'].sum())} of them" in link_note(sample_analysis)


def test_quadrant_labels_are_readable_and_not_cut(sample_analysis):
    import matplotlib.pyplot as plt

    from lasergo.pages.swot import LABEL_WIDTH, plot_quadrants

    fig = plot_quadrants(sample_analysis, "source")
    labels = [label for ax in fig.axes for label in ax.get_yticklabels()]
    assert len(labels) == len(sample_analysis.weights)
    for label in labels:
        assert label.get_fontsize() >= 9
        assert "[...]" not in label.get_text()
        assert all(len(line) <= LABEL_WIDTH for line in label.get_text().splitlines())
    assert fig.get_size_inches()[0] <= 10  # shown at its size on the page, not shrunk
    plt.close(fig)


def test_page_glossary_explains_the_terms_of_art():
    from lasergo.pages.swot import page_glossary

    text = page_glossary().data
    for term in ("SWOT", "TOWS", "AHP", "A'WOT", "CR", "P10, P50, P90", "Priority", "Leave one link out"):
        assert f"**{term}**" in text, term
