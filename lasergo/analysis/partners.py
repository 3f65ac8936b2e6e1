"""Partners: company profiles, fit groups, complementarity and business-case matching.

The roadmap builds business cases from SMEs in three value-creation roles, technology supplier,
system integrator and system user / end-user (LASER-GO D5.1 (2017) §2.2), and asks for a
partner-screening guide (§2.5). This module

* profiles each company from the companies and products tables (:func:`company_profiles`);
* measures how alike two companies are with Gower's (1971) coefficient for mixed data
  (:func:`gower_distances`): numbers by range-scaled difference, categories by mismatch, and each
  list of codes (roles, technology uses, segments, target markets) by its Jaccard distance,
  Gower's rule for asymmetric binary characters, so two companies are not alike for what
  neither does;
* groups companies by k-means on a scaled one-hot embedding (default) or average-linkage
  agglomerative clustering on the Gower distance (scikit-learn), fits both, chooses k by the
  mean silhouette (Rousseeuw 1987), and measures stability by the adjusted Rand index between
  the groups and re-fits on random subsamples (Hennig 2007) (:func:`fit_groups`);
* scores complementarity, not similarity, for supplier-integrator-end-user triples
  (:func:`candidate_cases`) and chooses the business cases by an integer program
  (:func:`match_cases`, scipy.optimize.milp / HiGHS);
* lists the chosen cases per mission market (:func:`cases_by_mission`, company-level: the
  internal edition only);
* counts the chosen cases by cluster and sector combination (:func:`case_mix`) and per mission
  market (:func:`mission_summary`) so that no row rests on fewer than
  :data:`lasergo.privacy.MIN_COMPANIES` companies (roadmap §2.2: company data are confidential and
  aggregated anonymously);
* places the companies on a 2-D map, the first two principal components of the embedding, with
  each group's centre and spread (:func:`group_map`).

:func:`analyse_partners` runs all of it for the partnership-fit page (:mod:`lasergo.pages.partners`).

Above ``SAMPLE_SIZE`` companies the Gower matrix is computed on a seeded sample only; k-means
runs on every company and agglomerative groups reach the others through their medoids, so time
and memory grow linearly in the number of companies.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, silhouette_score

from lasergo.data import reference
from lasergo.data.codes import ROLES
from lasergo.data.dataset import Dataset
from lasergo.errors import AnalysisError, ParameterError
from lasergo.privacy import MIN_COMPANIES, suppress_small

SAMPLE_SIZE = 2000  # companies in the Gower matrix; above it, a seeded sample
SUBSAMPLE = 0.8  # share of the companies in each stability re-fit
K_RANGE = range(2, 9)  # numbers of groups tried
METHODS = ("kmeans", "agglomerative")
MIN_GROUP = MIN_COMPANIES  # no group profile shown to reviewers describes fewer companies
CLUSTER_BONUS = 0.10  # added to a triple whose companies come from more than one cluster
SECTOR_BONUS = 0.10  # added to a triple that joins photonics and health-technology companies
CANDIDATES_PER_INTEGRATOR = 5  # best suppliers and best end-users kept per integrator
MILP_LIMIT = 1_000_000  # candidate triples above which "auto" uses the greedy solver
MILP_SECONDS = 300  # time limit of the integer program; the gap to its bound is then reported
MAP_POINTS = 3000  # companies drawn on the group map; above it, a seeded sample
ROLE_COLUMNS = ["supplier", "integrator", "end_user"]  # the companies of a business case, in order
OTHER_COMBINATIONS = "other combinations"  # the row of :func:`case_mix` pooling small combinations


# --- Profiles and Gower distance ---------------------------------------------------------------


@dataclass(frozen=True)
class Profiles:
    """Company features in three kinds, one row per company (``ids``).

    ``numeric``: floats, NaN where unknown; ``ranges``: each numeric column's range over all
    companies (Gower's R_k, kept when rows are taken); ``categorical``: text codes, NA where
    unknown; ``multi``: one boolean frame per list of codes (columns = codes).
    """

    ids: pd.Index
    numeric: pd.DataFrame
    categorical: pd.DataFrame
    multi: dict[str, pd.DataFrame]
    ranges: pd.Series = field(default=None)

    def __post_init__(self):
        if self.ranges is None:
            spread = (self.numeric.max() - self.numeric.min()).fillna(0.0)
            object.__setattr__(self, "ranges", spread)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows) -> Profiles:
        """The profiles of the companies at positions ``rows`` (repeats allowed), same ranges."""
        rows = np.asarray(rows)
        return Profiles(
            self.ids[rows],
            self.numeric.iloc[rows],
            self.categorical.iloc[rows],
            {name: block.iloc[rows] for name, block in self.multi.items()},
            self.ranges,
        )

    @classmethod
    def from_numeric(cls, frame: pd.DataFrame) -> Profiles:
        """Profiles of purely numeric data (such as a standardised measurement table)."""
        frame = pd.DataFrame(frame).astype(float)
        return cls(pd.Index(range(len(frame))), frame.reset_index(drop=True), pd.DataFrame(index=range(len(frame))), {})


def multi_hot(cells: pd.Series, codes: tuple[str, ...]) -> pd.DataFrame:
    """A boolean frame (rows of ``cells`` x ``codes``) from ``;``-separated code cells."""
    text = ";" + cells.fillna("").astype(str).str.replace(" ", "", regex=False) + ";"
    return pd.DataFrame(
        {code: text.str.contains(f";{code};", regex=False).to_numpy() for code in codes}, index=cells.index
    )


def company_profiles(data: Dataset) -> Profiles:
    """Profiles of the companies: numeric log10(1 + employees), R&D share, export share and the
    highest TRL of their products; categorical cluster (its sector follows from it, so it is not
    counted twice); lists of roles, technology
    uses (the company's and its products'), segments and target markets."""
    companies = data.companies.reset_index(drop=True)
    products = data.products
    max_trl = products.groupby("company")["trl"].max()
    product_uses = products.groupby("company")["technology_use"].agg(";".join)
    uses = companies["technology_uses"].fillna("") + ";" + companies["id"].map(product_uses).fillna("")
    numeric = pd.DataFrame(
        {
            "log_employees": np.log10(1 + companies["employees"].astype(float)),
            "rd_share_pct": companies["rd_share_pct"].astype(float),
            "export_share_pct": companies["export_share_pct"].astype(float),
            "max_trl": companies["id"].map(max_trl).astype(float),
        }
    )
    categorical = pd.DataFrame({"cluster": companies["cluster"]})  # sector follows from the cluster
    multi = {
        "roles": multi_hot(companies["roles"], ROLES),
        "technology_uses": multi_hot(uses, reference.TECHNOLOGY_IDS),
        "segments": multi_hot(companies["segments"], reference.THEMATIC_SEGMENT_IDS),
        "target_markets": multi_hot(companies["target_markets"], reference.TARGET_MARKET_IDS),
    }
    return Profiles(pd.Index(companies["id"]), numeric, categorical, multi)


def gower_distances(a: Profiles, b: Profiles | None = None) -> np.ndarray:
    """Gower (1971) dissimilarity between every company of ``a`` and of ``b`` (default ``a``).

    The mean, over the features both companies have, of: |x - y| / range for a number (0 where
    the range is 0); 0 or 1 for a category; the Jaccard distance for a list of codes, skipped
    when both lists are empty. Values in [0, 1]; a pair with no common feature gets 1.
    """
    b = a if b is None else b
    total = np.zeros((len(a), len(b)))
    count = np.zeros((len(a), len(b)))
    for column in a.numeric.columns:
        x, y = a.numeric[column].to_numpy(float), b.numeric[column].to_numpy(float)
        spread = float(a.ranges[column])
        both = ~np.isnan(x)[:, None] & ~np.isnan(y)[None, :]
        d = np.abs(x[:, None] - y[None, :]) / spread if spread > 0 else np.zeros_like(total)
        total += np.where(both, d, 0.0)
        count += both
    for column in a.categorical.columns:
        x, y = a.categorical[column].to_numpy(object), b.categorical[column].to_numpy(object)
        known_x, known_y = pd.notna(x), pd.notna(y)
        both = known_x[:, None] & known_y[None, :]
        total += np.where(both, x[:, None] != y[None, :], 0.0)
        count += both
    for name, block in a.multi.items():
        x = block.to_numpy(float)
        y = b.multi[name].to_numpy(float)
        common = x @ y.T
        union = x.sum(1)[:, None] + y.sum(1)[None, :] - common
        both = union > 0
        total += np.divide(union - common, union, out=np.zeros_like(total), where=both)
        count += both
    return np.divide(total, count, out=np.ones_like(total), where=count > 0)


def embedding(profiles: Profiles) -> np.ndarray:
    """A Euclidean embedding for k-means and the 2-D map (one-hot plus scaling): numbers as
    z-scores (missing at the mean), each category one-hot / sqrt(2) and each code list as a unit
    vector / sqrt(2), so that a category or code list that differs entirely adds 1 to the squared
    distance, about half what a number one standard deviation apart on each side adds."""
    parts = []
    if len(profiles.numeric.columns):
        spread = profiles.numeric.std(ddof=0).replace(0, 1).fillna(1)
        scaled = (profiles.numeric - profiles.numeric.mean()) / spread
        parts.append(scaled.fillna(0.0).to_numpy(float))
    for column in profiles.categorical.columns:
        parts.append(pd.get_dummies(profiles.categorical[column]).to_numpy(float) / np.sqrt(2))
    for block in profiles.multi.values():
        x = block.to_numpy(float)
        norm = np.linalg.norm(x, axis=1, keepdims=True)
        parts.append(np.divide(x, norm, out=np.zeros_like(x), where=norm > 0) / np.sqrt(2))
    return np.hstack(parts)


# --- Fit groups ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grouping:
    """Fit groups of the companies.

    ``labels``: group per company (0..k-1, largest group first), from ``method`` with ``k``
    groups; ``silhouette``: columns ``method``, ``k``, ``silhouette`` (mean silhouette of the
    sample, in each method's own distance: Euclidean on the embedding for k-means, Gower for
    agglomerative); ``stability``: ARI of the chosen groups with a re-fit on each subsample;
    ``agreement``: ARI between the best groups of the two methods on the sample; ``sample``:
    positions of the companies the silhouettes use (all of them up to ``SAMPLE_SIZE``).
    """

    labels: np.ndarray
    method: str
    k: int
    silhouette: pd.DataFrame
    stability: np.ndarray
    agreement: float
    sample: np.ndarray

    @property
    def mean_stability(self) -> float:
        """Mean ARI over the subsample re-fits (NaN without re-fits)."""
        return float(np.mean(self.stability)) if len(self.stability) else float("nan")

    @property
    def chosen_silhouette(self) -> float:
        """Mean silhouette of the chosen groups (``method`` with ``k`` groups)."""
        rows = self.silhouette
        return float(rows.loc[(rows["method"] == self.method) & (rows["k"] == self.k), "silhouette"].iloc[0])

    @property
    def other_method(self) -> str:
        """The method of ``METHODS`` fitted as the cross-check."""
        return _other_method(self.method)

    def best_k(self, method: str) -> int:
        """The k with the highest mean silhouette for ``method`` (ties: fewer groups)."""
        return _best_k(self.silhouette, method)


def _other_method(method: str) -> str:
    return next(name for name in METHODS if name != method)


def _medoids(distances: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position (in the sample) of each group's medoid: the member closest to the others."""
    return np.array(
        [
            np.flatnonzero(labels == g)[distances[np.ix_(labels == g, labels == g)].sum(1).argmin()]
            for g in np.unique(labels)
        ]
    )


def _cluster(method: str, k: int, z: np.ndarray, distances: np.ndarray, seed: int) -> np.ndarray:
    """Labels of one method for the rows of ``z`` / ``distances`` (the same companies)."""
    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(z)
    if method == "agglomerative":
        return AgglomerativeClustering(n_clusters=k, metric="precomputed", linkage="average").fit_predict(distances)
    raise ParameterError(f"unknown clustering method {method!r}; choose from {', '.join(METHODS)}")


def _silhouette(method: str, labels: np.ndarray, z: np.ndarray, distances: np.ndarray) -> float:
    if len(np.unique(labels)) < 2:
        return -1.0
    if method == "kmeans":
        return float(silhouette_score(z, labels))
    return float(silhouette_score(distances, labels, metric="precomputed"))


def _best_k(silhouette: pd.DataFrame, method: str) -> int:
    """The k with the highest mean silhouette for ``method`` (ties: fewer groups)."""
    rows = silhouette[silhouette["method"] == method]
    return int(rows.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]["k"])


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    order = pd.Series(labels).value_counts().index
    return pd.Series(labels).map({old: new for new, old in enumerate(order)}).to_numpy()


def fit_groups(
    profiles: Profiles,
    k_range=K_RANGE,
    method: str = "kmeans",
    seed: int = 1,
    n_boot: int = 20,
    sample_size: int = SAMPLE_SIZE,
) -> Grouping:
    """Group the companies with ``method`` (default k-means on :func:`embedding`), k chosen by the
    highest mean silhouette over ``k_range`` (ties: fewer groups). The other method of ``METHODS``
    is fitted too, for the silhouette curve and the agreement between methods. Stability: the ARI
    between the chosen groups and a re-fit on each of ``n_boot`` random subsamples of
    ``SUBSAMPLE`` of the companies (without replacement, so no company is counted twice)."""
    if method not in METHODS:
        raise ParameterError(f"unknown clustering method {method!r}; choose from {', '.join(METHODS)}")
    rng = np.random.default_rng(seed)
    n = len(profiles)
    k_range = [k for k in k_range if 2 <= k < min(n, sample_size)]
    if not k_range:
        raise AnalysisError(f"too few companies ({n}) to form groups")
    sample = np.arange(n) if n <= sample_size else np.sort(rng.choice(n, sample_size, replace=False))
    sampled = profiles.take(sample)
    distances = gower_distances(sampled)
    z_all = embedding(profiles)
    z = z_all[sample]
    scores, fitted = [], {}
    for name, k in itertools.product(METHODS, k_range):
        fitted[name, k] = _cluster(name, k, z, distances, seed)
        scores.append({"method": name, "k": k, "silhouette": _silhouette(name, fitted[name, k], z, distances)})
    silhouette = pd.DataFrame(scores)
    best = {name: _best_k(silhouette, name) for name in METHODS}
    k = best[method]
    other = _other_method(method)
    sample_labels = fitted[method, k]
    agreement = float(adjusted_rand_score(sample_labels, fitted[other, best[other]]))
    if method == "kmeans":
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(z).predict(z_all)
        sample_labels = labels[sample]
    elif n <= sample_size:
        labels = sample_labels
    else:  # agglomerative: every company joins the group of its nearest medoid
        medoids = sampled.take(_medoids(distances, sample_labels))
        nearest = np.concatenate(
            [
                gower_distances(profiles.take(chunk), medoids).argmin(1)
                for chunk in np.array_split(np.arange(n), max(1, n // 5000))
            ]
        )
        labels = np.unique(sample_labels)[nearest]
    stability = []
    for _ in range(n_boot):
        pick = rng.choice(len(sample), max(2 * k, int(SUBSAMPLE * len(sample))), replace=False)
        refit = _cluster(method, k, z[pick], distances[np.ix_(pick, pick)], seed)
        stability.append(adjusted_rand_score(sample_labels[pick], refit))
    return Grouping(_relabel_by_size(labels), method, k, silhouette, np.array(stability), agreement, sample)


# --- Group descriptions and anonymity --------------------------------------------------------------


def feature_table(profiles: Profiles) -> pd.DataFrame:
    """Binary features for describing groups, one readable column name per feature."""
    names = reference.names("technology_uses", "markets", "segments")
    role_names = {"supplier": "suppliers", "integrator": "integrators", "end_user": "end-users"}
    columns = {}
    for role in ROLES:
        columns[role_names[role]] = profiles.multi["roles"][role]
    for code in profiles.multi["segments"].columns:
        columns[f"in {names[code].lower()}"] = profiles.multi["segments"][code]
    for code in profiles.multi["technology_uses"].columns:
        columns[f"offering {names[code].lower()}"] = profiles.multi["technology_uses"][code]
    for code in profiles.multi["target_markets"].columns:
        columns[f"targeting {names[code]}"] = profiles.multi["target_markets"][code]
    sector = profiles.categorical["cluster"].map(reference.clusters().set_index("id")["sector"])
    for value in sector.dropna().unique():
        columns[f"{'photonics' if value == 'photonics' else 'health-technology'} clusters"] = sector == value
    trl = profiles.numeric["max_trl"]
    columns["with TRL 7+ products"] = trl >= 7
    columns["without products"] = trl.isna()
    columns["with 50+ employees"] = profiles.numeric["log_employees"] >= np.log10(51)
    return pd.DataFrame({k: np.asarray(v, dtype=bool) for k, v in columns.items()})


def describe_groups(profiles: Profiles, labels: np.ndarray, top: int = 3, min_share: float = 0.5) -> pd.DataFrame:
    """Each group's most over-represented features: those held by at least ``min_share`` of its
    members, ranked by lift (share in the group / share of all companies), ``top`` of them.
    Columns ``group``, ``companies``, ``description``, ``features`` (list of (feature, share, lift))."""
    features = feature_table(profiles)
    overall = features.mean()
    rows = []
    for group in np.unique(labels):
        share = features[labels == group].mean()
        lift = (share / overall.replace(0, np.nan)).fillna(0)
        chosen = lift[(share >= min_share) & (lift > 1)].sort_values(ascending=False).head(top)
        described = [(f, float(share[f]), float(lift[f])) for f in chosen.index]
        text = ", ".join(f"{f} ({s:.0%})" for f, s, _ in described) or "no feature stands out"
        rows.append(
            {"group": int(group), "companies": int((labels == group).sum()), "description": text, "features": described}
        )
    return pd.DataFrame(rows)


def merge_small_groups(labels: np.ndarray, z: np.ndarray, min_size: int = MIN_GROUP) -> tuple[np.ndarray, list[str]]:
    """Merge every group of fewer than ``min_size`` companies into the group with the nearest
    centroid (smallest first) until none is left; the merges are returned as sentences.
    With fewer than ``min_size`` companies in all, every label becomes -1 (suppressed)."""
    labels = labels.copy()
    notes = []
    if len(labels) < min_size:
        return np.full_like(labels, -1), [f"all {len(labels)} companies suppressed: fewer than {min_size}"]
    while True:
        sizes = pd.Series(labels).value_counts()
        small = sizes[sizes < min_size]
        if small.empty or len(sizes) == 1:
            break
        group = small.index[-1]
        centroids = {g: z[labels == g].mean(0) for g in sizes.index if g != group}
        own = z[labels == group].mean(0)
        target = min(centroids, key=lambda g: np.linalg.norm(centroids[g] - own))
        notes.append(
            f"a group of {sizes[group]} companies was merged into its nearest group "
            f"(fewer than {min_size} companies are never described on their own)"
        )
        labels[labels == group] = target
    return _relabel_by_size(labels), notes


# --- Complementarity and matching ------------------------------------------------------------------


def _needs(profiles: Profiles) -> np.ndarray:
    """Per company, the technology uses its segments need that it does not offer itself (bool)."""
    by_segment = reference.segment_uses(tuple(profiles.multi["segments"].columns))
    serves = np.array([[u in by_segment[s] for s in by_segment] for u in profiles.multi["technology_uses"].columns])
    needed = profiles.multi["segments"].to_numpy(int) @ serves.T.astype(int) > 0
    return needed & ~profiles.multi["technology_uses"].to_numpy(bool)


def _jaccard_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    common = x.astype(float) @ y.T.astype(float)
    union = x.sum(1)[:, None] + y.sum(1)[None, :] - common
    return np.divide(common, union, out=np.zeros_like(common), where=union > 0)


def supplier_integrator_scores(profiles: Profiles, suppliers: np.ndarray, integrators: np.ndarray) -> np.ndarray:
    """How well each supplier fills each integrator's gaps (the uses its segments need that it
    lacks), suppliers x integrators, 0-1: the mean of the share of the supplier's uses that fill
    a gap and the share of the integrator's gaps they fill, 0.5 (|T & G| / |T| + |T & G| / |G|)."""
    uses = profiles.multi["technology_uses"].to_numpy(float)[suppliers]
    needs = _needs(profiles)[integrators].astype(float)
    filled = uses @ needs.T
    offered, gaps = uses.sum(1)[:, None], needs.sum(1)[None, :]
    useful = np.divide(filled, offered, out=np.zeros_like(filled), where=offered > 0)
    covered = np.divide(filled, gaps, out=np.zeros_like(filled), where=gaps > 0)
    return 0.5 * (useful + covered)


def integrator_user_scores(profiles: Profiles, integrators: np.ndarray, users: np.ndarray) -> np.ndarray:
    """Mean of the Jaccard overlaps of segments and of target markets, integrators x users, 0-1."""
    seg = profiles.multi["segments"].to_numpy(bool)
    mkt = profiles.multi["target_markets"].to_numpy(bool)
    return 0.5 * _jaccard_rows(seg[integrators], seg[users]) + 0.5 * _jaccard_rows(mkt[integrators], mkt[users])


def candidate_cases(
    profiles: Profiles, per_integrator: int = CANDIDATES_PER_INTEGRATOR, chunk: int = 2000
) -> pd.DataFrame:
    """Supplier-integrator-end-user triples worth considering: for each integrator its
    ``per_integrator`` best suppliers and best end-users (three different companies, both
    scores above 0). Triple score = (supplier-integrator + integrator-user) / 2, plus
    ``CLUSTER_BONUS`` if the companies come from more than one cluster and ``SECTOR_BONUS`` if
    photonics and health-technology companies meet. Columns ``supplier``, ``integrator``,
    ``end_user`` (positions), ``si``, ``iu``, ``cross_cluster``, ``cross_sector``, ``score``."""
    roles = profiles.multi["roles"]
    suppliers = np.flatnonzero(roles["supplier"].to_numpy())
    integrators = np.flatnonzero(roles["integrator"].to_numpy())
    users = np.flatnonzero(roles["end_user"].to_numpy())
    columns = ["supplier", "integrator", "end_user", "si", "iu"]
    if not (len(suppliers) and len(integrators) and len(users)):
        return pd.DataFrame(columns=columns + ["cross_cluster", "cross_sector", "score"])
    keep = min(per_integrator + 2, len(suppliers)), min(per_integrator + 2, len(users))
    frames = []
    for start in range(0, len(integrators), chunk):
        block = integrators[start : start + chunk]
        si = supplier_integrator_scores(profiles, suppliers, block)  # suppliers x block
        iu = integrator_user_scores(profiles, block, users)  # block x users
        top_s = np.argpartition(-si, keep[0] - 1, axis=0)[: keep[0]].T  # block x keep
        top_u = np.argpartition(-iu, keep[1] - 1, axis=1)[:, : keep[1]]  # block x keep
        for j, integrator in enumerate(block):
            s_idx, s_scores = suppliers[top_s[j]], si[top_s[j], j]
            u_idx, u_scores = users[top_u[j]], iu[j, top_u[j]]
            s_keep = (s_idx != integrator) & (s_scores > 0)
            u_keep = (u_idx != integrator) & (u_scores > 0)
            s_idx, s_scores = s_idx[s_keep], s_scores[s_keep]
            u_idx, u_scores = u_idx[u_keep], u_scores[u_keep]
            s_best = np.argsort(-s_scores, kind="stable")[:per_integrator]
            u_best = np.argsort(-u_scores, kind="stable")[:per_integrator]
            frames += [
                (s_idx[a], integrator, u_idx[b], s_scores[a], u_scores[b])
                for a in s_best
                for b in u_best
                if s_idx[a] != u_idx[b]
            ]
    cases = pd.DataFrame(frames, columns=columns)
    cluster = profiles.categorical["cluster"].to_numpy(object)
    sector = profiles.categorical["cluster"].map(reference.clusters().set_index("id")["sector"]).to_numpy(object)
    trio = cases[ROLE_COLUMNS].to_numpy(int)
    cases["cross_cluster"] = pd.DataFrame(cluster[trio]).nunique(axis=1).to_numpy() > 1
    cases["cross_sector"] = pd.DataFrame(sector[trio]).nunique(axis=1).to_numpy() > 1
    cases["score"] = (
        (cases["si"] + cases["iu"]) / 2 + CLUSTER_BONUS * cases["cross_cluster"] + SECTOR_BONUS * cases["cross_sector"]
    )
    return cases.sort_values("score", ascending=False, ignore_index=True)


@dataclass(frozen=True)
class Matching:
    """Chosen business cases: rows of the candidate table, the solver used and its bound."""

    cases: pd.DataFrame
    solver: str
    total: float
    bound: float  # an upper bound of the best total (the LP/MIP bound, or the total itself)


def _incidence(cases: pd.DataFrame, n_companies: int) -> sparse.csr_matrix:
    trio = cases[ROLE_COLUMNS].to_numpy(int)
    rows = trio.ravel()
    cols = np.repeat(np.arange(len(cases)), 3)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_companies, len(cases)))


def match_cases(cases: pd.DataFrame, n_companies: int, max_cases: int = 2, solver: str = "auto") -> Matching:
    """The set of triples with the highest total score in which no company takes part in more
    than ``max_cases`` cases. ``solver``: "milp" (exact integer program, scipy.optimize.milp),
    "greedy" (best remaining triple first while all three companies have room), or "auto"
    (milp up to ``MILP_LIMIT`` candidates)."""
    if max_cases < 1:
        raise ParameterError(f"max_cases must be at least 1, got {max_cases}")
    if solver == "auto":
        solver = "milp" if len(cases) <= MILP_LIMIT else "greedy"
    if cases.empty:
        return Matching(cases, solver, 0.0, 0.0)
    scores = cases["score"].to_numpy(float)
    if solver == "milp":
        a = _incidence(cases, n_companies)
        result = milp(
            -scores,
            constraints=LinearConstraint(a, -np.inf, max_cases),
            integrality=np.ones(len(cases)),
            bounds=Bounds(0, 1),
            options={"time_limit": MILP_SECONDS},
        )
        if result.x is None:
            raise AnalysisError(f"the matching integer program failed: {result.message}")
        chosen = result.x > 0.5
        bound = -float(result.mip_dual_bound) if result.mip_dual_bound is not None else float(scores[chosen].sum())
    elif solver == "greedy":
        room = np.full(n_companies, max_cases)
        chosen = np.zeros(len(cases), dtype=bool)
        trio = cases[ROLE_COLUMNS].to_numpy(int)
        for t in np.argsort(-scores, kind="stable"):
            if (room[trio[t]] > 0).all():
                chosen[t] = True
                room[trio[t]] -= 1
        bound = float("nan")
    else:
        raise ParameterError(f"unknown solver {solver!r}; choose milp, greedy or auto")
    picked = cases[chosen].sort_values("score", ascending=False, ignore_index=True)
    total = float(picked["score"].sum())
    return Matching(picked, solver, total, bound if not np.isnan(bound) else total)


def group_complementarity(profiles: Profiles, labels: np.ndarray) -> pd.DataFrame:
    """Mean supplier-integrator score (:func:`supplier_integrator_scores`) over every supplier of
    one group (rows) and integrator of another (columns). Both terms of the score are bilinear,
    so the mean over all pairs is a product of group means and stays linear in the companies."""
    roles = profiles.multi["roles"]
    uses = profiles.multi["technology_uses"].to_numpy(float)
    needs = _needs(profiles).astype(float)

    def per_row(x: np.ndarray) -> np.ndarray:
        size = x.sum(1, keepdims=True)
        return np.divide(x, size, out=np.zeros_like(x), where=size > 0)

    groups = [g for g in np.unique(labels) if g >= 0]
    table = pd.DataFrame(
        np.nan,
        index=pd.Index([f"G{g + 1}" for g in groups], name="supplier group"),
        columns=pd.Index([f"G{g + 1}" for g in groups], name="integrator group"),
    )
    for g in groups:
        s = (labels == g) & roles["supplier"].to_numpy()
        for h in groups:
            i = (labels == h) & roles["integrator"].to_numpy()
            if s.any() and i.any():
                table.iloc[groups.index(g), groups.index(h)] = 0.5 * (
                    per_row(uses[s]).mean(0) @ needs[i].mean(0) + uses[s].mean(0) @ per_row(needs[i]).mean(0)
                )
    return table


def complementarity_support(profiles: Profiles, labels: np.ndarray) -> pd.DataFrame:
    """How many companies each cell of :func:`group_complementarity` rests on, counted on its
    smaller side: the fewer of the row group's suppliers and the column group's integrators (0
    where either has none). Same rows and columns as :func:`group_complementarity`."""
    roles = profiles.multi["roles"]
    groups = [g for g in np.unique(labels) if g >= 0]
    suppliers = [int(((labels == g) & roles["supplier"].to_numpy()).sum()) for g in groups]
    integrators = [int(((labels == h) & roles["integrator"].to_numpy()).sum()) for h in groups]
    return pd.DataFrame(
        np.minimum.outer(suppliers, integrators),
        index=pd.Index([f"G{g + 1}" for g in groups], name="supplier group"),
        columns=pd.Index([f"G{g + 1}" for g in groups], name="integrator group"),
    )


# --- From a data folder to the page ---------------------------------------------------------------


def _primary_role(profiles: Profiles) -> np.ndarray:
    """A company's role, or "several roles" (every company has at least one: schemas)."""
    roles = profiles.multi["roles"]
    return roles.idxmax(axis=1).where(roles.sum(axis=1) == 1, "several roles").to_numpy()


@dataclass(frozen=True)
class GroupMap:
    """The companies on the first two principal components of the embedding (PCA, scikit-learn).

    ``points``: one row per company drawn (a seeded random order of all of them, or a seeded
    sample of ``MAP_POINTS`` above that), columns ``x``, ``y`` (scores on the first and second
    component, no unit), ``group`` (group after merging, -1 suppressed) and ``role`` (a role of
    ``ROLES``, or "several roles"): company-level, for the internal edition only; ``variance``:
    the share of the embedding's variance each of the two components explains; ``groups``: one
    row per group of at least ``MIN_COMPANIES`` companies, over all of its companies, columns
    ``group``, ``size`` (companies), ``x``, ``y`` (the centre: mean scores) and ``sd_x``, ``sd_y``
    (standard deviations of the scores, ddof 1), for the public edition.
    """

    points: pd.DataFrame
    variance: tuple[float, float]
    groups: pd.DataFrame


def group_map(profiles: Profiles, labels: np.ndarray, seed: int = 1, n_points: int = MAP_POINTS) -> GroupMap:
    """The 2-D map of the companies: PCA of :func:`embedding` on every company (seeded), drawn
    for ``n_points`` companies chosen at random (seeded) so that large data stay legible, and
    each group's centre and spread over all of its companies."""
    z = embedding(profiles)
    shown = np.random.default_rng(seed).choice(len(profiles), min(len(profiles), n_points), replace=False)
    pca = PCA(n_components=2, random_state=seed).fit(z)
    xy = pca.transform(z)
    points = pd.DataFrame(
        {"x": xy[shown, 0], "y": xy[shown, 1], "group": labels[shown], "role": _primary_role(profiles)[shown]}
    )
    scores = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "group": labels})
    by_group = scores[scores["group"] >= 0].groupby("group")
    groups = pd.DataFrame(
        {
            "size": by_group.size(),
            "x": by_group["x"].mean(),
            "y": by_group["y"].mean(),
            "sd_x": by_group["x"].std(),
            "sd_y": by_group["y"].std(),
        }
    ).reset_index()
    first, second = pca.explained_variance_ratio_
    return GroupMap(
        points, (float(first), float(second)), groups[groups["size"] >= MIN_COMPANIES].reset_index(drop=True)
    )


def _median_of_enough(values: pd.Series) -> float:
    """The median of the known ``values``, NaN when fewer than ``MIN_COMPANIES`` are known."""
    known = values.dropna()
    return float(np.median(known)) if len(known) >= MIN_COMPANIES else float("nan")


def group_profiles(profiles: Profiles, labels: np.ndarray) -> pd.DataFrame:
    """Reviewer-facing profile of each group: size, computed description, role shares, share with
    a TRL 7+ product, median employees (NaN when fewer than ``MIN_COMPANIES`` are known). Groups
    of fewer than ``MIN_GROUP`` are left out.
    Columns ``group`` ("G1", ...), ``companies``, ``description``, ``suppliers``, ``integrators``,
    ``end-users``, ``TRL 7+`` (shares 0-1), ``median employees``."""
    described = describe_groups(profiles, labels)
    roles = profiles.multi["roles"]
    employees = 10 ** profiles.numeric["log_employees"] - 1
    rows = []
    for row in described.itertuples():
        members = labels == row.group
        if members.sum() < MIN_GROUP:
            continue
        rows.append(
            {
                "group": f"G{row.group + 1}",
                "companies": int(members.sum()),
                "description": row.description,
                "suppliers": roles["supplier"][members].mean(),
                "integrators": roles["integrator"][members].mean(),
                "end-users": roles["end_user"][members].mean(),
                "TRL 7+": float((profiles.numeric["max_trl"][members] >= 7).mean()),
                "median employees": _median_of_enough(employees[members]),
            }
        )
    return pd.DataFrame(rows)


def display_names(data: Dataset, internal: bool) -> pd.Series:
    """How companies appear on the page: by id (pseudonymous), or "name (id)" when ``internal``."""
    ids = data.companies["id"]
    shown = data.companies["name"] + " (" + ids + ")" if internal else ids
    return pd.Series(shown.to_numpy(), index=ids.to_numpy())


CASE_TABLE_COLUMNS = (
    "rank",
    "supplier",
    "integrator",
    "end_user",
    "clusters",
    "score",
    "gaps_filled",
    "shared_segment",
    "shared_markets",
    "bonus",
    "markets",
)


def case_table(cases: pd.DataFrame, profiles: Profiles, names: pd.Series) -> pd.DataFrame:
    """The chosen triples with their reasons, ranked. Columns ``rank``, ``supplier``,
    ``integrator``, ``end_user`` (as ``names`` shows them), ``clusters``, ``score``,
    ``gaps_filled`` (the supplier's technology uses that fill the integrator's gaps),
    ``shared_segment`` and ``shared_markets`` (of integrator and end-user, text), ``bonus``,
    ``markets`` (shared market ids)."""
    use_names, market_names, segment_names = (reference.names(t) for t in ("technology_uses", "markets", "segments"))
    uses = profiles.multi["technology_uses"].to_numpy(bool)
    use_ids = profiles.multi["technology_uses"].columns
    needs = _needs(profiles)
    seg, mkt = profiles.multi["segments"].to_numpy(bool), profiles.multi["target_markets"].to_numpy(bool)
    seg_ids, mkt_ids = profiles.multi["segments"].columns, profiles.multi["target_markets"].columns
    cluster = profiles.categorical["cluster"].to_numpy(object)
    ids = profiles.ids
    rows = []
    for rank, case in enumerate(cases.itertuples(), start=1):
        s, i, e = int(case.supplier), int(case.integrator), int(case.end_user)
        filled = [use_names[u] for u, fills in zip(use_ids, uses[s] & needs[i]) if fills]
        shared_seg = list(seg_ids[seg[i] & seg[e]])
        shared_mkt = list(mkt_ids[mkt[i] & mkt[e]])
        bonus = [
            b for b, on in (("cross-cluster", case.cross_cluster), ("photonics x health", case.cross_sector)) if on
        ]
        rows.append(
            {
                "rank": rank,
                "supplier": names[ids[s]],
                "integrator": names[ids[i]],
                "end_user": names[ids[e]],
                "clusters": f"{cluster[s]} > {cluster[i]} > {cluster[e]}",
                "score": case.score,
                "gaps_filled": "; ".join(filled[:3]) + (" ..." if len(filled) > 3 else ""),
                "shared_segment": "; ".join(segment_names[c] for c in shared_seg) or "-",
                "shared_markets": "; ".join(market_names[c] for c in shared_mkt) or "-",
                "bonus": ", ".join(bonus) or "-",
                "markets": shared_mkt,
            }
        )
    return pd.DataFrame(rows, columns=CASE_TABLE_COLUMNS)


def cases_by_mission(cases: pd.DataFrame, per_market: int = 3) -> pd.DataFrame:
    """Per mission market (roadmap §2.6, mission order), the best ``per_market`` chosen cases
    (:func:`case_table`) whose integrator and end-user both target it, with the mission's lead
    cluster: company-level, for the internal edition only. One row per market and case, a
    placeholder row (no companies, ``why`` saying so) for a market no case targets.
    Columns ``mission``, ``market``, ``lead cluster``, ``supplier``, ``integrator``, ``end_user``
    (as :func:`case_table` shows them), ``clusters``, ``score``, ``why``."""
    missions = reference.missions().sort_values("mission")
    rows = []
    for mission in missions.itertuples():
        targets = np.array([mission.market in markets for markets in cases["markets"]], dtype=bool)
        here = cases[targets].head(per_market)
        place = {"mission": mission.mission, "market": mission.name, "lead cluster": mission.lead}
        if here.empty:
            rows.append({**place, "why": "no chosen case targets this market"})
        for case in here.itertuples():
            rows.append(
                {
                    **place,
                    "supplier": case.supplier,
                    "integrator": case.integrator,
                    "end_user": case.end_user,
                    "clusters": case.clusters,
                    "score": case.score,
                    "why": f"supplier fills: {case.gaps_filled}; segment: {case.shared_segment}"
                    + (f"; {case.bonus}" if case.bonus != "-" else ""),
                }
            )
    columns = ["mission", "market", "lead cluster", *ROLE_COLUMNS, "clusters", "score", "why"]
    return pd.DataFrame(rows, columns=columns)


CASE_MIX_COLUMNS = ("combination", "combinations", "cases", "distinct_companies", "mean_score")


def _case_figures(combination: str, combinations: int, trio: np.ndarray, scores: np.ndarray, k: int) -> dict:
    """One row of :func:`case_mix`: the cases ``trio`` (positions) and their ``scores``, the
    figures suppressed (NA) when they involve fewer than ``k`` distinct companies."""
    companies = len(np.unique(trio))
    shown = companies >= k
    return {
        "combination": combination,
        "combinations": combinations,
        "cases": len(trio) if shown else pd.NA,
        "distinct_companies": companies if shown else pd.NA,
        "mean_score": float(scores.mean()) if shown else pd.NA,
    }


def case_mix(chosen: pd.DataFrame, profiles: Profiles, by: str = "cluster", k: int = MIN_COMPANIES) -> pd.DataFrame:
    """The chosen cases (:func:`match_cases`) counted by the clusters (``by="cluster"``) or the
    sectors (``by="sector"``) of their supplier > integrator > end-user, most cases first, with
    the distinct companies they involve and their mean score. No row rests on fewer than ``k``
    distinct companies (roadmap §2.2; :mod:`lasergo.privacy`): the combinations under ``k`` are
    pooled into one ``OTHER_COMBINATIONS`` row, last; while the pool rests on fewer than ``k``
    the smallest other combination joins it (so its figures cannot be had by difference from the
    total); a pool still under ``k`` (fewer than ``k`` companies in all) has its figures
    suppressed (NA). Columns ``combination`` (codes joined by " > ", or ``OTHER_COMBINATIONS``),
    ``combinations`` (how many combinations the row holds), ``cases``, ``distinct_companies``
    (Int64) and ``mean_score`` (Float64)."""
    if by not in ("cluster", "sector"):
        raise ParameterError(f"case_mix counts by 'cluster' or 'sector', not {by!r}")
    cluster = profiles.categorical["cluster"]
    values = cluster if by == "cluster" else cluster.map(reference.clusters().set_index("id")["sector"])
    trio = chosen[ROLE_COLUMNS].to_numpy(int)
    scores = chosen["score"].to_numpy(float)
    names = pd.Series([" > ".join(map(str, values.to_numpy(object)[t])) for t in trio], dtype=object)
    rows_of = {name: np.flatnonzero(names == name) for name in names.unique()}

    def companies(names_: list[str]) -> int:
        return len(np.unique(trio[np.concatenate([rows_of[n] for n in names_])])) if names_ else 0

    ranked = sorted(rows_of, key=lambda n: (-len(rows_of[n]), -companies([n]), n))
    own = [n for n in ranked if companies([n]) >= k]
    pooled = [n for n in ranked if companies([n]) < k]
    while pooled and own and companies(pooled) < k:
        pooled.append(own.pop())
    rows = [_case_figures(n, 1, trio[rows_of[n]], scores[rows_of[n]], k) for n in own]
    if pooled:
        where = np.concatenate([rows_of[n] for n in pooled])
        rows.append(_case_figures(OTHER_COMBINATIONS, len(pooled), trio[where], scores[where], k))
    table = pd.DataFrame(rows, columns=list(CASE_MIX_COLUMNS))
    return table.astype({"combinations": int, "cases": "Int64", "distinct_companies": "Int64", "mean_score": "Float64"})


def mission_summary(chosen: pd.DataFrame, profiles: Profiles, k: int = MIN_COMPANIES) -> pd.DataFrame:
    """Per mission market (roadmap §2.6, mission order, with the mission's lead cluster), the
    chosen cases (:func:`match_cases`) whose integrator and end-user both target it, the distinct
    companies they involve and their mean score; figures resting on fewer than ``k`` distinct
    companies are suppressed (NA; roadmap §2.2, :mod:`lasergo.privacy`). Columns ``mission``,
    ``market``, ``lead cluster``, ``cases``, ``distinct_companies`` (Int64), ``mean_score``
    (Float64), ``suppressed`` (bool)."""
    trio = chosen[ROLE_COLUMNS].to_numpy(int)
    scores = chosen["score"].to_numpy(float)
    targets = profiles.multi["target_markets"]
    rows = []
    for mission in reference.missions().sort_values("mission").itertuples():
        market = targets[mission.market].to_numpy(bool)
        here = market[trio[:, 1]] & market[trio[:, 2]]
        companies = len(np.unique(trio[here]))
        hidden = 0 < companies < k
        rows.append(
            {
                "mission": mission.mission,
                "market": mission.name,
                "lead cluster": mission.lead,
                "cases": pd.NA if hidden else int(here.sum()),
                "distinct_companies": pd.NA if hidden else companies,
                "mean_score": pd.NA if hidden or not here.any() else float(scores[here].mean()),
                "suppressed": hidden,
            }
        )
    return pd.DataFrame(rows).astype({"cases": "Int64", "distinct_companies": "Int64", "mean_score": "Float64"})


@dataclass(frozen=True)
class PartnersAnalysis:
    """Everything the partnership-fit page shows.

    ``grouping``: :func:`fit_groups`; ``labels``: group per company after merging;
    ``groups``: reviewer-facing group profiles (:func:`group_profiles`, no group under
    ``MIN_GROUP`` companies); ``group_notes``: merges or suppressions made for that; ``map``:
    :func:`group_map`; ``complementarity``: :func:`group_complementarity` of the merged groups,
    cells resting on fewer than ``MIN_COMPANIES`` suppliers or integrators suppressed (NaN);
    ``complementarity_support``: :func:`complementarity_support`; ``candidates``:
    :func:`candidate_cases`; ``matching``: :func:`match_cases`; ``cases``: the chosen business
    cases with reasons (:func:`case_table`) and ``cases_by_mission``: :func:`cases_by_mission`,
    both company-level (the internal edition only); ``mix_by_cluster``, ``mix_by_sector``:
    :func:`case_mix` of the chosen cases; ``missions``: :func:`mission_summary`; ``max_cases``:
    cases a company may take part in at most; ``internal``: whether this is the internal edition
    (company names and company-level lists shown).
    """

    profiles: Profiles
    grouping: Grouping
    labels: np.ndarray
    groups: pd.DataFrame
    group_notes: list[str]
    map: GroupMap
    complementarity: pd.DataFrame
    complementarity_support: pd.DataFrame
    candidates: pd.DataFrame
    matching: Matching
    cases: pd.DataFrame
    cases_by_mission: pd.DataFrame
    mix_by_cluster: pd.DataFrame
    mix_by_sector: pd.DataFrame
    missions: pd.DataFrame
    max_cases: int
    internal: bool


def analyse_partners(
    data: Dataset,
    max_cases: int = 2,
    internal: bool = False,
    seed: int = 1,
    n_boot: int = 20,
    k_range=K_RANGE,
    method: str = "kmeans",
    solver: str = "auto",
) -> PartnersAnalysis:
    """The whole partnership-fit page from a validated data folder: groups (:func:`fit_groups`,
    then :func:`merge_small_groups`), map, complementarity, candidate and chosen business cases,
    and their counts by combination and mission market."""
    profiles = company_profiles(data)
    grouping = fit_groups(profiles, k_range, method, seed, n_boot)
    labels, notes = merge_small_groups(grouping.labels, embedding(profiles))
    candidates = candidate_cases(profiles)
    matching = match_cases(candidates, len(profiles), max_cases, solver)
    cases = case_table(matching.cases, profiles, display_names(data, internal))
    support = complementarity_support(profiles, labels)
    return PartnersAnalysis(
        profiles=profiles,
        grouping=grouping,
        labels=labels,
        groups=group_profiles(profiles, labels),
        group_notes=notes,
        map=group_map(profiles, labels, seed),
        complementarity=suppress_small(group_complementarity(profiles, labels), support),
        complementarity_support=support,
        candidates=candidates,
        matching=matching,
        cases=cases,
        cases_by_mission=cases_by_mission(cases),
        mix_by_cluster=case_mix(matching.cases, profiles, "cluster"),
        mix_by_sector=case_mix(matching.cases, profiles, "sector"),
        missions=mission_summary(matching.cases, profiles),
        max_cases=max_cases,
        internal=internal,
    )
