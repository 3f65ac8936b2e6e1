"""Weighted SWOT (A'WOT) and TOWS strategy priorities from experts' pairwise comparisons.

The method (Kurttila et al. 2000, A'WOT): experts compare the four SWOT groups
(S, W, O, T) with each other and the factors within each group, on Saaty's 1-9
scale. Each expert's judgements become a positive reciprocal matrix
(:func:`pairwise_matrix`, completing missing comparisons), the experts'
matrices are combined by geometric mean (:func:`aggregate`), and the principal
eigenvector of each matrix gives the weights, with Saaty's consistency ratio
(:func:`ahp`). A factor's global weight is its group's weight times its local
weight (:func:`awot`). Strategies from the TOWS matrix (Weihrich 1982: SO, ST,
WO, WT) are ranked by their normalised priority, the mean global weight of the
factors they address; the plain sum of Kurttila et al. (2000) is kept beside it
(:func:`strategy_priorities`). :func:`robustness` perturbs every judgement at
random and :func:`leave_one_link_out` drops one strategy-factor link at a time;
both report how often the ranking holds.

Judgements table (long, one comparison a row): expert, matrix (``groups`` or a
group id S/W/O/T), row, column (item ids), value (how much more important row is
than column, 1/9..9), source_row (spreadsheet row, for error messages).
Factors: id, group, factor. Strategies: id, type (SO/ST/WO/WT), strategy,
factors (``;``-separated factor ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from lasergo.data import reference
from lasergo.data.codes import SWOT_GROUPS
from lasergo.data.dataset import Dataset
from lasergo.data.validation import comparison_groups
from lasergo.errors import AnalysisError

#: Saaty's random index: the mean consistency index of random reciprocal matrices of order n
#: (Saaty 1980). Defined here for n = 1..10.
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
#: Saaty's rule: a matrix is acceptably consistent when CR <= 0.10.
CR_THRESHOLD = 0.10
#: Saaty's scale of judgements.
SCALE_MIN, SCALE_MAX = 1 / 9, 9.0
#: Relative tolerance for reciprocity (a_ij * a_ji = 1), the diagonal and the ends of the scale.
TOLERANCE = 1e-6


class JudgementError(AnalysisError):
    """A judgement or matrix that cannot be used, and where it is.

    matrix: the matrix name (``groups``, ``S``, ...); row, column: the item ids of the
    cell (None when the problem concerns the matrix as a whole); source_row: the
    spreadsheet row of the judgement (None for a matrix not read from judgements);
    message: what is wrong.
    """

    def __init__(self, matrix: str, row: str | None, column: str | None, source_row: int | None, message: str):
        self.matrix, self.row, self.column, self.source_row, self.message = (matrix, row, column, source_row, message)
        place = f"matrix {matrix}"
        if row is not None:
            place += f", row {row}, column {column}"
        if source_row is not None:
            place += f" (judgements row {source_row})"
        super().__init__(f"{place}: {message}")


# --- Matrices from judgements ----------------------------------------------------------------


@dataclass(frozen=True)
class Matrix:
    """One expert's positive reciprocal matrix.

    values: the matrix, index and columns the item ids in the order asked for;
    completed: the entries that no judgement gave, as (row, column, value) with row
    before column in the item order (the reciprocal entry is filled too).
    """

    values: pd.DataFrame
    completed: list[tuple[str, str, float]]


def pairwise_matrix(judgements: pd.DataFrame, items: list[str], name: str) -> Matrix:
    """One expert's judgements for one matrix -> full positive reciprocal matrix over ``items``.

    A given a_ij also fills a_ji = 1/a_ij; a pair given twice (in either direction)
    must agree, values must lie on Saaty's scale 1/9..9. Missing comparisons are
    filled by the logarithmic least squares completion (Kwiesielewicz 1996;
    Bozóki, Fülöp & Rónyai 2010): the weights w minimising the sum over the given
    judgements of (log a_ij - log w_i + log w_j)^2, unique when the comparisons link
    all items, give a_ij = w_i / w_j. A consistent matrix is completed consistently.
    Raises JudgementError naming the cell, or the item sets that no chain of
    comparisons links.
    """
    items = [str(item) for item in items]
    position = {item: k for k, item in enumerate(items)}
    given: dict[tuple[int, int], tuple[float, int]] = {}  # (i, j), i < j -> (log a_ij, source row)
    for record in judgements.itertuples(index=False):
        row, column = str(record.row), str(record.column)
        value, source = float(record.value), record.source_row
        for item in (row, column):
            if item not in position:
                raise JudgementError(
                    name, row, column, source, f"unknown item {item!r}; this matrix compares {', '.join(items)}"
                )
        if not SCALE_MIN * (1 - TOLERANCE) <= value <= SCALE_MAX * (1 + TOLERANCE):
            raise JudgementError(name, row, column, source, f"value {value:g} is not on Saaty's scale 1/9..9")
        i, j = position[row], position[column]
        if i == j:
            if abs(value - 1) > TOLERANCE:
                raise JudgementError(name, row, column, source, f"an item against itself must be 1, not {value:g}")
            continue
        pair, log_value = ((i, j), np.log(value)) if i < j else ((j, i), -np.log(value))
        if pair in given:
            earlier, earlier_source = given[pair]
            if abs(np.expm1(log_value - earlier)) > TOLERANCE:
                implied = np.exp(earlier if i < j else -earlier)
                raise JudgementError(
                    name,
                    row,
                    column,
                    source,
                    f"{value:g} contradicts judgements row {earlier_source}, which implies {implied:g} "
                    "(a pair given twice must be reciprocal)",
                )
            continue
        given[pair] = (log_value, source)

    n = len(items)
    log_a = np.full((n, n), np.nan)
    np.fill_diagonal(log_a, 0.0)
    for (i, j), (log_value, _) in given.items():
        log_a[i, j], log_a[j, i] = log_value, -log_value
    completed = []
    missing = np.isnan(log_a)
    if missing.any():
        linked = ~missing & ~np.eye(n, dtype=bool)
        groups = comparison_groups(items, [(items[i], items[j]) for i, j in given])
        if len(groups) > 1:
            sets = ", ".join("{" + ", ".join(group) + "}" for group in groups)
            raise JudgementError(
                name,
                None,
                None,
                None,
                f"no chain of comparisons links the item sets {sets}; compare an item of each set with another set",
            )
        laplacian = np.diag(linked.sum(axis=1)) - linked
        log_w = np.linalg.lstsq(laplacian, np.where(linked, log_a, 0.0).sum(axis=1), rcond=None)[0]
        log_a = np.where(missing, log_w[:, None] - log_w[None, :], log_a)
        completed = [(items[i], items[j], float(np.exp(log_a[i, j]))) for i, j in np.argwhere(missing) if i < j]
    return Matrix(pd.DataFrame(np.exp(log_a), index=items, columns=items), completed)


def aggregate(matrices: list[pd.DataFrame]) -> pd.DataFrame:
    """Element-wise geometric mean of several experts' matrices over the same items.

    Aczél & Saaty 1983 / Forman & Peniwati 1998 aggregation of individual judgements
    by geometric mean: the only mean that keeps a reciprocal matrix reciprocal.
    """
    if not matrices:
        raise ValueError("no matrices to aggregate")
    first = matrices[0]
    for matrix in matrices[1:]:
        if not (matrix.index.equals(first.index) and matrix.columns.equals(first.columns)):
            raise ValueError("matrices to aggregate must have the same items in the same order")
    logs = np.log(np.stack([m.to_numpy(dtype=float) for m in matrices]))
    return pd.DataFrame(np.exp(logs.mean(axis=0)), index=first.index, columns=first.columns)


# --- Weights ---------------------------------------------------------------------------------


def _random_index(n: int) -> float:
    if n not in RANDOM_INDEX:
        raise ValueError(
            f"Saaty's random index is tabulated for 1 to {max(RANDOM_INDEX)} items, not {n}; "
            "split the matrix into smaller groups"
        )
    return RANDOM_INDEX[n]


def _principal(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Principal eigenvalue (largest real part) and its eigenvector normalised to sum 1, for a
    stack of matrices of shape (..., n, n): returns shapes (...) and (..., n)."""
    values, vectors = np.linalg.eig(matrices)
    k = np.argmax(values.real, axis=-1)
    lambda_max = np.take_along_axis(values.real, k[..., None], axis=-1)[..., 0]
    vector = np.take_along_axis(vectors.real, k[..., None, None], axis=-1)[..., 0]
    return lambda_max, vector / vector.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class AhpResult:
    """Weights and consistency of one pairwise comparison matrix (Saaty 1980 eigenvector method).

    name: the matrix name; matrix: the matrix; weights: principal right eigenvector,
    positive, summing to 1, indexed by item; lambda_max: principal eigenvalue;
    ci: consistency index (lambda_max - n) / (n - 1); ri: Saaty's random index for n;
    cr: consistency ratio CI / RI (0 for n <= 2); consistent: CR <= 0.10;
    worst: the (row, column) whose judgement a_ij departs most from the ratio w_i / w_j
    implied by the weights, by |log(a_ij w_j / w_i)| (row before column; None for n = 1).
    """

    name: str
    matrix: pd.DataFrame
    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    worst: tuple[str, str] | None


def _check_matrix(matrix: pd.DataFrame, name: str) -> np.ndarray:
    """The matrix as an array, after checking it is square, positive and reciprocal."""
    if matrix.shape[0] != matrix.shape[1] or not matrix.index.equals(matrix.columns):
        raise JudgementError(
            name, None, None, None, f"not a square matrix with the same items as rows and columns: {matrix.shape}"
        )
    a = matrix.to_numpy(dtype=float)
    items = [str(item) for item in matrix.index]
    not_positive = ~(np.isfinite(a) & (a > 0))
    if not_positive.any():
        i, j = np.argwhere(not_positive)[0]
        raise JudgementError(name, items[i], items[j], None, f"value {a[i, j]:g} is not a positive number")
    not_reciprocal = np.abs(a * a.T - 1) > TOLERANCE
    if not_reciprocal.any():
        i, j = np.argwhere(not_reciprocal)[0]
        message = (
            f"an item against itself must be 1, not {a[i, j]:g}"
            if i == j
            else f"{a[i, j]:g} is not the reciprocal of {a[j, i]:g} at row {items[j]}, column {items[i]}"
        )
        raise JudgementError(name, items[i], items[j], None, message)
    return a


def ahp(matrix: pd.DataFrame, name: str) -> AhpResult:
    """Weights and consistency ratio of a positive reciprocal matrix (Saaty 1980 eigenvector
    method and random index). Raises JudgementError for a non-square, non-positive or
    non-reciprocal matrix, ValueError for more than 10 items."""
    a = _check_matrix(matrix, name)
    n = len(a)
    ri = _random_index(n)
    lambda_max, w = _principal(a)
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    cr = ci / ri if n > 2 else 0.0
    rows, columns = np.triu_indices(n, k=1)
    error = np.abs(np.log(a[rows, columns] * w[columns] / w[rows]))
    worst = None
    if n > 1:
        k = np.argmax(error)
        worst = (str(matrix.index[rows[k]]), str(matrix.columns[columns[k]]))
    return AhpResult(
        name=name,
        matrix=matrix,
        weights=pd.Series(w, index=matrix.index, name="weight"),
        lambda_max=float(lambda_max),
        ci=float(ci),
        ri=ri,
        cr=float(cr),
        consistent=bool(cr <= CR_THRESHOLD),
        worst=worst,
    )


def weights_from_ratings(ratings: pd.Series) -> pd.Series:
    """Direct importance ratings on 1-9 (e.g. the mean over experts) normalised to sum 1: the
    simpler alternative to pairwise comparisons."""
    values = ratings.to_numpy(dtype=float)
    off_scale = ~((values >= 1) & (values <= 9))
    if off_scale.any():
        raise ValueError(f"ratings must lie in 1..9: {', '.join(map(str, ratings.index[off_scale]))}")
    return (ratings.astype(float) / values.sum()).rename("weight")


# --- A'WOT and TOWS --------------------------------------------------------------------------


def _check_sums_to_one(weights: pd.Series, what: str) -> None:
    if not np.isclose(weights.sum(), 1.0, rtol=0, atol=1e-9):
        raise ValueError(f"{what} sum to {weights.sum():g}, not 1")


def awot(group_weights: pd.Series, local_weights: dict[str, pd.Series], factors: pd.DataFrame) -> pd.DataFrame:
    """Global factor weights, group weight x local weight (Kurttila et al. 2000 A'WOT).

    group_weights: indexed by group (S/W/O/T); local_weights: per group, indexed by
    factor id; both summing to 1. Columns: group, factor_id, factor, group_weight,
    local_weight, global_weight; sorted by global weight descending (ties by id).
    """
    groups = set(factors["group"])
    if set(group_weights.index) != groups:
        raise ValueError(f"group weights are for {sorted(group_weights.index)}, the factors in {sorted(groups)}")
    _check_sums_to_one(group_weights, "group weights")
    for group, weights in local_weights.items():
        ids = set(factors.loc[factors["group"] == group, "id"])
        if set(weights.index) != ids:
            raise ValueError(
                f"local weights of group {group} are for {sorted(weights.index)}, its factors are {sorted(ids)}"
            )
        _check_sums_to_one(weights, f"local weights of group {group}")
    if missing := groups - set(local_weights):
        raise ValueError(f"no local weights for group(s) {', '.join(sorted(missing))}")
    local = pd.concat(local_weights)
    by_factor = pd.MultiIndex.from_arrays([factors["group"], factors["id"]])
    table = pd.DataFrame(
        {
            "group": factors["group"].to_numpy(),
            "factor_id": factors["id"].to_numpy(),
            "factor": factors["factor"].to_numpy(),
            "group_weight": factors["group"].map(group_weights).to_numpy(dtype=float),
            "local_weight": local.reindex(by_factor).to_numpy(),
        }
    )
    table["global_weight"] = table["group_weight"] * table["local_weight"]
    return table.sort_values(["global_weight", "factor_id"], ascending=[False, True], ignore_index=True)


def _links(strategies: pd.DataFrame, factor_ids: pd.Index) -> pd.DataFrame:
    """0/1 table, one row per strategy id and one column per factor id: which factors it addresses.
    ValueError for a strategy naming an unknown factor or none."""
    links = pd.DataFrame(0.0, index=strategies["id"].to_numpy(), columns=factor_ids)
    for strategy, listed in zip(strategies["id"], strategies["factors"]):
        ids = [part.strip() for part in str(listed).split(";") if part.strip()]
        if unknown := [i for i in ids if i not in factor_ids]:
            raise ValueError(f"strategy {strategy} names unknown factor(s) {', '.join(unknown)}")
        if not ids:
            raise ValueError(f"strategy {strategy} names no factor; a strategy addresses at least one")
        links.loc[strategy, ids] = 1.0
    return links


def _mean_priorities(links: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Normalised priorities: each strategy's (row of ``links``) mean weight over the factors it links.
    ``weights`` has shape (n_factors,) or (draws, n_factors); the result (n_strategies,) or
    (draws, n_strategies)."""
    return weights @ (links / links.sum(axis=1, keepdims=True)).T


def _ranks(values: np.ndarray, ids) -> np.ndarray:
    """Ranks (1 = highest value) along the last axis of (draws, items), ties broken by id; values
    equal to 12 decimals tie (0.1 + 0.2 and 0.3 differ only by floating-point rounding)."""
    by_id = np.argsort(np.asarray(ids, dtype=str), kind="stable")
    order = by_id[np.argsort(-np.round(values[..., by_id], 12), axis=-1, kind="stable")]
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[-1] + 1), axis=-1)
    return ranks


def strategy_priorities(strategies: pd.DataFrame, global_weights: pd.Series) -> pd.DataFrame:
    """TOWS strategies (Weihrich 1982) ranked by their normalised priority: the mean global weight
    of the factors they address, i.e. the sum divided by the number of links.

    Kurttila et al. (2000, A'WOT) score a strategy by the plain sum of those weights; the sum grows
    with every factor a strategy is linked to, so the breadth of the linking, itself a judgement,
    would decide the ranking. The mean measures how much the addressed factors matter whatever their
    number (the normalisation of a weighted sum by its number of terms); the plain sum is kept
    beside it.

    global_weights: indexed by factor id. Columns: id, type, strategy, factors, links (number of
    factors addressed), priority (the mean), weight_sum (the plain sum), rank (by priority, 1 =
    highest, ties broken by id), sum_rank (the same by the plain sum); sorted by rank. A strategy
    naming an unknown factor, or none, raises ValueError.
    """
    links = _links(strategies, global_weights.index).to_numpy()
    weights = global_weights.to_numpy(dtype=float)
    table = strategies[["id", "type", "strategy", "factors"]].reset_index(drop=True)
    table["links"] = links.sum(axis=1).astype(int)
    table["priority"] = _mean_priorities(links, weights)
    table["weight_sum"] = links @ weights
    table["rank"] = _ranks(table["priority"].to_numpy(), table["id"])
    table["sum_rank"] = _ranks(table["weight_sum"].to_numpy(), table["id"])
    return table.sort_values("rank", ignore_index=True)


@dataclass(frozen=True)
class LinkRobustness:
    """The strategy ranking with one strategy-factor link left out at a time (:func:`leave_one_link_out`).

    variants: one row per strategy with two or more links and per factor it links: strategy,
    factor (the link left out), first (the strategy ranked first without the link), first_kept
    (the strategy first with all links is still first), order_kept (it still ranks ahead of the
    strategy second with all links; True when there is no second strategy).
    """

    variants: pd.DataFrame

    def first_kept(self) -> float:
        """Share of the variants in which the first strategy stays first (NaN without variants)."""
        return float(self.variants["first_kept"].mean()) if len(self.variants) else float("nan")

    def top_order_kept(self) -> float:
        """Share of the variants in which the first two strategies keep their order (NaN without
        variants)."""
        return float(self.variants["order_kept"].mean()) if len(self.variants) else float("nan")


def leave_one_link_out(strategies: pd.DataFrame, global_weights: pd.Series) -> LinkRobustness:
    """Sensitivity of the ranking to the choice of links: for each strategy and each of its links,
    drop that link, recompute every strategy's normalised priority (:func:`strategy_priorities`)
    and record who ranks first and whether the first two keep their order. A strategy with a single
    link has no variant (without it, it would address nothing). The analogue of leave-one-out
    (jackknife) sensitivity for the links, which the perturbation of the judgements leaves fixed.
    """
    links = _links(strategies, global_weights.index)
    ids, weights = links.index, global_weights.to_numpy(dtype=float)
    matrix = links.to_numpy()
    order = np.argsort(_ranks(_mean_priorities(matrix, weights), ids))
    first, second = (order[0], order[1]) if len(order) > 1 else (order[0], None)
    rows = []
    for i, strategy in enumerate(ids):
        linked = np.flatnonzero(matrix[i])
        if len(linked) < 2:
            continue
        for j in linked:
            dropped = matrix.copy()
            dropped[i, j] = 0.0
            ranks = _ranks(_mean_priorities(dropped, weights), ids)
            rows.append(
                {
                    "strategy": strategy,
                    "factor": links.columns[j],
                    "first": ids[np.argmin(ranks)],
                    "first_kept": bool(ranks[first] == 1),
                    "order_kept": bool(second is None or ranks[first] < ranks[second]),
                }
            )
    return LinkRobustness(pd.DataFrame(rows, columns=["strategy", "factor", "first", "first_kept", "order_kept"]))


# --- Robustness ------------------------------------------------------------------------------


def _perturbed_weights(matrix: pd.DataFrame, n_draws: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Principal eigenvector weights, shape (n_draws, n), of the matrix with every upper-triangle
    judgement multiplied by exp(N(0, sigma)) and its reciprocal divided by the same factor,
    clipped to Saaty's scale (widened to a completed entry that lies beyond it)."""
    a = matrix.to_numpy(dtype=float)
    n = len(a)
    upper = np.triu_indices(n, k=1)
    noise = np.zeros((n_draws, n, n))
    noise[:, upper[0], upper[1]] = rng.normal(0.0, sigma, (n_draws, len(upper[0])))
    perturbed = a * np.exp(noise - noise.transpose(0, 2, 1))
    return _principal(np.clip(perturbed, np.minimum(a, SCALE_MIN), np.maximum(a, SCALE_MAX)))[1]


@dataclass(frozen=True)
class Robustness:
    """Global factor weights and strategy priorities under randomly perturbed judgements.

    factor_draws: one row per draw, one column per factor id (global weights);
    strategy_draws: one row per draw, one column per strategy id (normalised priorities, the mean
    global weight of the factors a strategy addresses);
    factor_weights, priorities: the deterministic values from the unperturbed
    matrices, indexed by factor id and strategy id.
    """

    factor_draws: pd.DataFrame
    strategy_draws: pd.DataFrame
    factor_weights: pd.Series
    priorities: pd.Series

    @staticmethod
    def _summary(draws: pd.DataFrame, deterministic: pd.Series) -> pd.DataFrame:
        values = draws[deterministic.index].to_numpy()
        ranks = _ranks(values, deterministic.index)
        rank = _ranks(deterministic.to_numpy(), deterministic.index)
        p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9], axis=0)
        table = pd.DataFrame(
            {
                "id": deterministic.index,
                "deterministic": deterministic.to_numpy(),
                "mean": values.mean(axis=0),
                "p10": p10,
                "p50": p50,
                "p90": p90,
                "p_first": (ranks == 1).mean(axis=0),
                "rank_changed": (ranks != rank).mean(axis=0),
            }
        )
        return table.iloc[np.argsort(rank)].reset_index(drop=True)

    def factor_summary(self) -> pd.DataFrame:
        """Per factor, in deterministic rank order: id, deterministic, mean, p10, p50, p90 of the
        global weight, p_first (share of draws ranking it first), rank_changed (share of draws
        whose rank differs from the deterministic rank)."""
        return self._summary(self.factor_draws, self.factor_weights)

    def strategy_summary(self) -> pd.DataFrame:
        """The same as :meth:`factor_summary` for the strategy priorities."""
        return self._summary(self.strategy_draws, self.priorities)

    def top_order_kept(self) -> float:
        """Share of draws in which the deterministic first and second strategies keep their order
        (NaN with fewer than two strategies)."""
        if len(self.priorities) < 2:
            return float("nan")
        ids = self.priorities.index
        first, second = np.argsort(_ranks(self.priorities.to_numpy(), ids))[:2]
        ranks = _ranks(self.strategy_draws[ids].to_numpy(), ids)
        return float((ranks[:, first] < ranks[:, second]).mean())


def robustness(
    group_matrix: pd.DataFrame,
    factor_matrices: dict[str, pd.DataFrame],
    factors: pd.DataFrame,
    strategies: pd.DataFrame,
    n_draws: int = 2000,
    sigma: float = 0.25,
    seed: int = 1,
) -> Robustness:
    """Monte Carlo sensitivity of the A'WOT weights and strategy ranking to the judgements.

    Each draw multiplies every judgement a_ij (upper triangle) by exp(N(0, sigma)), sets
    a_ji to its reciprocal, clips to 1/9..9, and recomputes all eigenvector weights
    (batched over draws), global weights and normalised strategy priorities. sigma = 0.25 moves a
    judgement by a factor within about 0.6..1.6 in 95% of draws. Seeded: the same seed
    gives the same draws; sigma = 0 reproduces the deterministic result.
    """
    if sigma < 0 or n_draws < 1:
        raise ValueError(f"need sigma >= 0 and at least one draw, got sigma={sigma}, n_draws={n_draws}")
    group_weights = ahp(group_matrix, "groups").weights
    local = {group: ahp(matrix, group).weights for group, matrix in factor_matrices.items()}
    table = awot(group_weights, local, factors)
    factor_weights = table.set_index("factor_id")["global_weight"].reindex(factors["id"])
    priorities = strategy_priorities(strategies, factor_weights).set_index("id")["priority"]

    rng = np.random.default_rng(seed)
    group_draws = _perturbed_weights(group_matrix, n_draws, sigma, rng)
    columns: dict[str, np.ndarray] = {}
    for k, group in enumerate(group_matrix.index):
        matrix = factor_matrices[group]
        global_draws = group_draws[:, [k]] * _perturbed_weights(matrix, n_draws, sigma, rng)
        columns.update(zip(matrix.index, global_draws.T))
    factor_draws = pd.DataFrame(columns)[factor_weights.index]
    links = _links(strategies, factor_weights.index)
    strategy_draws = pd.DataFrame(_mean_priorities(links.to_numpy(), factor_draws.to_numpy()), columns=links.index)
    return Robustness(factor_draws, strategy_draws, factor_weights, priorities)


# --- From a data folder to the weighted SWOT ----------------------------------------------------


@dataclass
class SwotAnalysis:
    """The weighted SWOT of one data folder.

    ``method`` says how the weights were obtained; ``results`` holds the AHP result of each
    matrix (groups, S, W, O, T) for pairwise comparisons and is empty for direct ratings;
    ``weights`` is the A'WOT table of :func:`awot`; ``strategies`` the ranked TOWS table of
    :func:`strategy_priorities`; ``robustness`` is None for direct ratings; ``link_robustness``
    the ranking with one link left out at a time (:func:`leave_one_link_out`).
    """

    method: str
    experts: int
    results: dict[str, AhpResult]
    weights: pd.DataFrame
    strategies: pd.DataFrame
    robustness: Robustness | None

    @property
    def perturbed(self) -> Robustness:
        """The robustness analysis; AnalysisError for weights from direct ratings, which have no
        judgements to perturb."""
        if self.robustness is None:
            raise AnalysisError(f"no robustness analysis for weights from {self.method}")
        return self.robustness

    @cached_property
    def link_robustness(self) -> LinkRobustness:
        """The ranking with one strategy-factor link left out at a time (:func:`leave_one_link_out`)."""
        return leave_one_link_out(self.strategies, self.weights.set_index("factor_id")["global_weight"])


def all_factors(data: Dataset) -> pd.DataFrame:
    """The roadmap's SWOT factors plus those the data folder adds (columns id, group, factor, source)."""
    extra = data.swot_factors[["id", "group", "factor", "source"]] if len(data.swot_factors) else None
    return pd.concat([reference.swot_factors(), extra], ignore_index=True)


def _items(factors: pd.DataFrame) -> dict[str, list[str]]:
    """The items of each matrix: the four groups, then each group's factor ids."""
    return {"groups": list(SWOT_GROUPS), **{g: list(factors.loc[factors["group"] == g, "id"]) for g in SWOT_GROUPS}}


def analyse_swot(data: Dataset, n_draws: int = 2000, sigma: float = 0.25, seed: int = 1) -> SwotAnalysis:
    """A'WOT weights, TOWS priorities and their robustness from the folder's judgements.

    Pairwise comparisons (``swot_judgements``) are preferred: each expert's matrix is
    completed where needed, experts are combined by the geometric mean, and weights come
    from the principal eigenvector. Without them, direct ratings (``swot_ratings``) are
    averaged over experts and normalised. Raises AnalysisError (JudgementError for a
    judgement) when the folder's SWOT input cannot be used.
    """
    factors = all_factors(data)
    items = _items(factors)
    strategies = reference.tows_strategies()
    judgements = data.swot_judgements
    if len(judgements):
        judgements = judgements.assign(source_row=judgements.index + 2)
        matrices = {}
        for matrix, names in items.items():
            rows = judgements[judgements["matrix"] == matrix]
            per_expert = [
                pairwise_matrix(expert_rows, names, matrix).values for _, expert_rows in rows.groupby("expert")
            ]
            matrices[matrix] = aggregate(per_expert)
        results = {matrix: ahp(m, matrix) for matrix, m in matrices.items()}
        weights = awot(results["groups"].weights, {g: results[g].weights for g in SWOT_GROUPS}, factors)
        experts = judgements["expert"].nunique()
        method = (
            f"pairwise comparisons on Saaty's 1-9 scale by {experts} expert"
            f"{'s' if experts != 1 else ''}, combined by the geometric mean"
        )
        robust = robustness(
            matrices["groups"],
            {g: matrices[g] for g in SWOT_GROUPS},
            factors,
            strategies,
            n_draws=n_draws,
            sigma=sigma,
            seed=seed,
        )
    elif len(data.swot_ratings):
        mean = data.swot_ratings.groupby("item")["rating"].mean()
        missing = [i for names in items.values() for i in names if i not in mean.index]
        if missing:
            raise AnalysisError(f"swot_ratings: no rating for {', '.join(missing)}")
        weights = awot(
            weights_from_ratings(mean[items["groups"]]),
            {g: weights_from_ratings(mean[items[g]]) for g in SWOT_GROUPS},
            factors,
        )
        results, robust = {}, None
        experts = data.swot_ratings["expert"].nunique()
        method = f"direct importance ratings (1-9) by {experts} expert{'s' if experts != 1 else ''}, averaged"
    else:
        raise AnalysisError(f"{data.directory}: no swot_judgements or swot_ratings table; the SWOT needs one")
    ranked = strategy_priorities(strategies, weights.set_index("factor_id")["global_weight"])
    return SwotAnalysis(method, experts, results, weights, ranked, robust)


def consistency_table(analysis: SwotAnalysis) -> pd.DataFrame:
    """Per matrix: size, lambda_max, CI, CR, pass/flag, and the most inconsistent comparison."""
    rows = []
    for name, result in analysis.results.items():
        worst = ""
        if result.worst is not None:
            row, column = result.worst
            implied = result.weights[row] / result.weights[column]
            worst = f"{row} vs {column}: judged {result.matrix.at[row, column]:.2f}, weights imply {implied:.2f}"
        rows.append(
            {
                "matrix": name,
                "items": len(result.weights),
                "lambda_max": result.lambda_max,
                "ci": result.ci,
                "cr": result.cr,
                "check": "pass" if result.consistent else "FLAG: CR > 0.10",
                "most_inconsistent": worst,
            }
        )
    return pd.DataFrame(rows)


def rank_distribution(analysis: SwotAnalysis) -> pd.DataFrame:
    """Share of perturbed draws in which each strategy takes each rank (rows strategies, columns ranks)."""
    draws = analysis.perturbed.strategy_draws
    ranks = draws.rank(axis=1, ascending=False, method="first").astype(int)
    table = pd.DataFrame({r: (ranks == r).mean() for r in range(1, draws.shape[1] + 1)})
    return table.loc[analysis.strategies["id"]]
