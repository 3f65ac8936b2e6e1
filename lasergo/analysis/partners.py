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
  (:func:`candidate_cases`): five parts (the supplier filling the integrator's gaps, the
  integrator and end-user sharing segments and target markets, product maturity (TRL), joining
  clusters and sectors), each scaled 0-1 over the candidates and weighted by
  :data:`SCORE_WEIGHTS`, rated good, fair or weak (:func:`rating`), and chooses the business
  cases by an integer program (:func:`match_cases`, scipy.optimize.milp / HiGHS);
* assigns the chosen cases to the roadmap's missions (§2.6), each case to one mission at most
  and each mission up to :data:`CASES_PER_MISSION` cases, by a second integer program that
  maximises market fit times score (:func:`assign_missions`);
* lists the assigned cases per mission (:func:`cases_by_mission`, company-level: the internal
  edition only);
* counts the chosen cases by cluster and sector combination (:func:`case_mix`), the assigned
  cases per mission (:func:`mission_summary`) and the scores by bin (:func:`score_spread`) so
  that no row rests on fewer than :data:`lasergo.privacy.MIN_COMPANIES` companies (roadmap §2.2:
  company data are confidential and aggregated anonymously);
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
#: Weights of the parts of a business case's score: assumptions, summing to 1. Each part is
#: scaled 0-1 over the candidate cases first (:func:`scaled_parts`). ``gap_fill``: the supplier
#: fills the integrator's gaps (:func:`supplier_integrator_scores`); ``segment_overlap`` and
#: ``market_overlap``: Jaccard overlap of the integrator's and the end-user's segments and target
#: markets; ``maturity``: mean highest product TRL of the supplier and the integrator;
#: ``bridge``: half for companies from more than one cluster, half for joining photonics and
#: health-technology companies.
SCORE_WEIGHTS = {
    "gap_fill": 0.30,
    "segment_overlap": 0.20,
    "market_overlap": 0.20,
    "maturity": 0.20,
    "bridge": 0.10,
}
SCORE_PARTS = tuple(SCORE_WEIGHTS)
GOOD_CASE = 0.75  # score at or above which a case is rated good (assumption)
FAIR_CASE = 0.60  # score at or above which a case is rated fair, below GOOD_CASE (assumption)
RATINGS = ("good", "fair", "weak")
NO_PRODUCT_TRL = 1  # the maturity of a company without products: TRL 1 (basic principles)
CASES_PER_MISSION = 5  # business cases a mission takes at most (assumption: about 15 companies)
SCORE_BINS = np.linspace(0.0, 1.0, 21)  # bins of :func:`score_spread`, 0.05 wide
CANDIDATES_PER_INTEGRATOR = 5  # best suppliers and best end-users kept per integrator
MILP_LIMIT = 1_000_000  # candidate triples above which "auto" uses the greedy solver
MILP_SECONDS = 300  # time limit of the integer program; the gap to its bound is then reported
#: The matching's integer program stops once its choice is proven within this share of the best
#: possible total (HiGHS ``mip_rel_gap``; the page reports the gap). At 48,000 SMEs (660,000
#: candidates) closing HiGHS's default 0.01% took 95 s, 1% 16 s; small programs still close fully.
MILP_GAP = 0.01
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


def _jaccard_pairs(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Jaccard overlap of each row of ``x`` with the same row of ``y`` (0 where both are empty)."""
    common = (x & y).sum(1).astype(float)
    union = (x | y).sum(1).astype(float)
    return np.divide(common, union, out=np.zeros_like(common), where=union > 0)


CANDIDATE_COLUMNS = (*ROLE_COLUMNS, *SCORE_PARTS, "cross_cluster", "cross_sector", "score")


def _not_all_equal(values: np.ndarray) -> np.ndarray:
    """Per row of ``values`` (no NA): whether it holds more than one distinct value."""
    return (values != values[:, :1]).any(axis=1)


def case_parts(profiles: Profiles, trio: np.ndarray, gap_fill: np.ndarray) -> pd.DataFrame:
    """The parts of the score of the triples ``trio`` (positions: supplier, integrator, end-user),
    on their own scales: ``gap_fill`` as given (:func:`supplier_integrator_scores`, 0-1),
    ``segment_overlap`` and ``market_overlap`` (Jaccard, 0-1), ``maturity`` (mean of the supplier's
    and the integrator's highest product TRL, 1-9, ``NO_PRODUCT_TRL`` without products), ``bridge``
    (0.5 x more than one cluster + 0.5 x photonics and health-technology companies, 0, 0.5 or 1),
    with the two flags ``cross_cluster`` and ``cross_sector``."""
    s, i, e = trio.T
    seg = profiles.multi["segments"].to_numpy(bool)
    mkt = profiles.multi["target_markets"].to_numpy(bool)
    trl = profiles.numeric["max_trl"].fillna(NO_PRODUCT_TRL).to_numpy(float)
    cluster = profiles.categorical["cluster"]
    sector = cluster.map(reference.clusters().set_index("id")["sector"]).to_numpy(object)
    cross_cluster = _not_all_equal(cluster.to_numpy(object)[trio])
    cross_sector = _not_all_equal(sector[trio])
    return pd.DataFrame(
        {
            "gap_fill": gap_fill,
            "segment_overlap": _jaccard_pairs(seg[i], seg[e]),
            "market_overlap": _jaccard_pairs(mkt[i], mkt[e]),
            "maturity": (trl[s] + trl[i]) / 2,
            "bridge": 0.5 * cross_cluster + 0.5 * cross_sector,
            "cross_cluster": cross_cluster,
            "cross_sector": cross_sector,
        }
    )


def scaled_parts(parts: pd.DataFrame) -> pd.DataFrame:
    """Each column of ``parts`` scaled 0-1 by min-max over its rows: 0 for the lowest value, 1 for
    the highest; a column on which every row is equal cannot rank them and scales to 0."""
    low, spread = parts.min(), parts.max() - parts.min()
    return ((parts - low) / spread.where(spread > 0)).fillna(0.0)


def check_weights(weights: dict[str, float]) -> pd.Series:
    """``weights`` as a Series over ``SCORE_PARTS``; ParameterError unless they name exactly those
    parts, none is negative and they sum to 1."""
    if set(weights) != set(SCORE_PARTS):
        raise ParameterError(f"score weights must name the parts {', '.join(SCORE_PARTS)}, got {', '.join(weights)}")
    series = pd.Series(weights, dtype=float)[list(SCORE_PARTS)]
    if (series < 0).any() or not np.isclose(series.sum(), 1.0):
        raise ParameterError(f"score weights must be non-negative and sum to 1, got {series.sum():g}")
    return series


def case_scores(parts: pd.DataFrame, weights: dict[str, float] = SCORE_WEIGHTS) -> np.ndarray:
    """The score of each row of ``parts`` (the raw parts of :func:`case_parts`): each part scaled
    0-1 over the rows (:func:`scaled_parts`), weighted by ``weights`` (sum 1), so 0-1."""
    return scaled_parts(parts[list(SCORE_PARTS)]).to_numpy() @ check_weights(weights).to_numpy()


def rating(scores: pd.Series) -> pd.Series:
    """ "good" at or above ``GOOD_CASE``, "fair" at or above ``FAIR_CASE``, else "weak"."""
    values = np.select([scores >= GOOD_CASE, scores >= FAIR_CASE], RATINGS[:2], RATINGS[2])
    return pd.Series(values, index=scores.index, dtype=object)


def candidate_cases(
    profiles: Profiles,
    per_integrator: int = CANDIDATES_PER_INTEGRATOR,
    chunk: int = 500,
    weights: dict[str, float] = SCORE_WEIGHTS,
) -> pd.DataFrame:
    """Supplier-integrator-end-user triples worth considering: for each integrator its
    ``per_integrator`` best suppliers by gap filling (:func:`supplier_integrator_scores`) and best
    end-users by shared segments and markets (:func:`integrator_user_scores`), three different
    companies, both above 0. Score: :func:`case_scores` of the parts (:func:`case_parts`) over
    the candidates. Columns
    ``supplier``, ``integrator``, ``end_user`` (positions), the raw parts ``gap_fill``,
    ``segment_overlap``, ``market_overlap``, ``maturity`` (TRL), ``bridge``, the flags
    ``cross_cluster``, ``cross_sector``, and ``score``; best first. Integrators are scored ``chunk`` at
    a time, so that memory holds suppliers x ``chunk`` and users x ``chunk`` scores."""
    check_weights(weights)
    roles = profiles.multi["roles"]
    suppliers = np.flatnonzero(roles["supplier"].to_numpy())
    integrators = np.flatnonzero(roles["integrator"].to_numpy())
    users = np.flatnonzero(roles["end_user"].to_numpy())
    if not (len(suppliers) and len(integrators) and len(users)):
        return pd.DataFrame(columns=list(CANDIDATE_COLUMNS))
    keep = min(per_integrator + 2, len(suppliers)), min(per_integrator + 2, len(users))
    rows = []
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
            rows += [
                (s_idx[a], integrator, u_idx[b], s_scores[a]) for a in s_best for b in u_best if s_idx[a] != u_idx[b]
            ]
    if not rows:
        return pd.DataFrame(columns=list(CANDIDATE_COLUMNS))
    found = pd.DataFrame(rows, columns=[*ROLE_COLUMNS, "gap_fill"])
    cases = pd.concat(
        [found[ROLE_COLUMNS], case_parts(profiles, found[ROLE_COLUMNS].to_numpy(int), found["gap_fill"].to_numpy())],
        axis=1,
    )
    cases["score"] = case_scores(cases, weights)
    return cases.sort_values("score", ascending=False, ignore_index=True, kind="stable")


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
    than ``max_cases`` cases. ``solver``: "milp" (integer program, scipy.optimize.milp / HiGHS,
    solved to within ``MILP_GAP`` of the best total, without HiGHS's presolve, which here only drops
    the companies in no candidate, at 10 s for 660,000 candidates), "greedy" (best remaining triple
    first while all three companies have room), or "auto" (milp up to ``MILP_LIMIT`` candidates)."""
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
            options={"time_limit": MILP_SECONDS, "mip_rel_gap": MILP_GAP, "presolve": False},
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


def _companies(chosen: pd.DataFrame, rows) -> int:
    """Distinct companies in the cases at positions ``rows`` of ``chosen``."""
    return len(np.unique(chosen[ROLE_COLUMNS].to_numpy(int)[np.asarray(rows, dtype=int)]))


def score_parts(
    candidates: pd.DataFrame, chosen: pd.DataFrame, weights: dict[str, float] = SCORE_WEIGHTS
) -> pd.DataFrame:
    """Per part of the score (``SCORE_PARTS`` order), its weight and, on the part's own scale
    (:func:`case_parts`), the P10, median and P90 over the candidate cases and the median over the
    chosen ones. Columns ``part``, ``weight``, ``candidates_p10``, ``candidates_median``,
    ``candidates_p90``, ``chosen_median``."""
    weight = check_weights(weights)
    rows = []
    for part in SCORE_PARTS:
        values = candidates[part].astype(float)
        rows.append(
            {
                "part": part,
                "weight": float(weight[part]),
                "candidates_p10": values.quantile(0.1),
                "candidates_median": values.median(),
                "candidates_p90": values.quantile(0.9),
                "chosen_median": chosen[part].astype(float).median(),
            }
        )
    return pd.DataFrame(rows)


def score_summary(candidates: pd.DataFrame, chosen: pd.DataFrame, k: int = MIN_COMPANIES) -> pd.DataFrame:
    """The scores of the candidate and of the chosen cases: rows ``candidates`` and ``chosen``
    (index ``set``); columns ``cases``, ``good``, ``fair``, ``weak`` (cases by :func:`rating`)
    and ``p10``, ``median``, ``p90`` of the score. A count, or the quantiles of a set, whose cases
    involve fewer than ``k`` distinct companies is suppressed (NA; :mod:`lasergo.privacy`)."""
    rows = {}
    for name, cases in (("candidates", candidates), ("chosen", chosen)):
        scores = cases["score"].astype(float).reset_index(drop=True)
        rated = rating(scores)
        enough = _companies(cases, np.arange(len(cases))) >= k
        row: dict[str, object] = {"cases": len(cases)}
        for band in RATINGS:
            where = np.flatnonzero(rated == band)
            row[band] = len(where) if len(where) == 0 or _companies(cases, where) >= k else pd.NA
        for column, q in (("p10", 0.1), ("median", 0.5), ("p90", 0.9)):
            row[column] = float(scores.quantile(q)) if enough else pd.NA
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("set")
    return table.astype(
        {**dict.fromkeys(["cases", *RATINGS], "Int64"), **dict.fromkeys(["p10", "median", "p90"], "Float64")}
    )


def score_spread(
    candidates: pd.DataFrame, chosen: pd.DataFrame, bins: np.ndarray = SCORE_BINS, k: int = MIN_COMPANIES
) -> pd.DataFrame:
    """A histogram of the scores of the candidate and of the chosen cases: one row per bin
    [``low``, ``high``) (the last one closed), columns ``low``, ``high``, ``candidates``, ``chosen``
    (cases, Int64) and ``candidates_share``, ``chosen_share`` (of all the set's cases, 0-1,
    Float64). A bin whose cases involve fewer than ``k`` distinct companies is suppressed (NA;
    :mod:`lasergo.privacy`)."""
    table = pd.DataFrame({"low": bins[:-1], "high": bins[1:]})
    for name, cases in (("candidates", candidates), ("chosen", chosen)):
        where = np.clip(np.digitize(cases["score"].astype(float), bins[1:-1]), 0, len(bins) - 2)
        counts, shares = [], []
        for b in range(len(bins) - 1):
            rows = np.flatnonzero(where == b)
            shown = len(rows) == 0 or _companies(cases, rows) >= k
            counts.append(len(rows) if shown else pd.NA)
            shares.append(len(rows) / len(cases) if shown and len(cases) else pd.NA)
        table[name] = pd.array(counts, dtype="Int64")
        table[f"{name}_share"] = pd.array(shares, dtype="Float64")
    return table


def mission_fit(chosen: pd.DataFrame, profiles: Profiles) -> np.ndarray:
    """Market fit of each chosen case (rows) for each mission (columns, roadmap §2.6, mission
    order): the share of its three companies that target the mission's market (2/3 or 1), 0 unless
    its integrator and its end-user both do (a case is sold and used there or not at all)."""
    markets = reference.missions().sort_values("mission")["market"]
    targets = profiles.multi["target_markets"][list(markets)].to_numpy(bool)  # companies x missions
    trio = chosen[ROLE_COLUMNS].to_numpy(int)
    fit = targets[trio].mean(axis=1)  # cases x missions
    return np.where(targets[trio[:, 1]] & targets[trio[:, 2]], fit, 0.0)


ASSIGNMENT_COLUMNS = ("case", "mission", "market", "market_fit", "score")


def assign_missions(
    chosen: pd.DataFrame,
    profiles: Profiles,
    per_mission: int = CASES_PER_MISSION,
    min_score: float = FAIR_CASE,
) -> pd.DataFrame:
    """The chosen cases of score ``min_score`` or more, each assigned to at most one mission
    (roadmap §2.6), each mission taking up to ``per_mission`` cases, so that the total of market
    fit (:func:`mission_fit`) x score is the highest: an integer program (scipy.optimize.milp,
    HiGHS) over the case-mission pairs with a positive fit. Columns ``case`` (row of ``chosen``),
    ``mission``, ``market`` (id), ``market_fit``, ``score``; mission order, best score first."""
    if per_mission < 1:
        raise ParameterError(f"a mission takes at least one case, got per_mission = {per_mission}")
    missions = reference.missions().sort_values("mission")
    scores = chosen["score"].to_numpy(float)
    fit = mission_fit(chosen, profiles) * (scores >= min_score)[:, None]
    case, where = np.nonzero(fit > 0)
    if not len(case):
        return pd.DataFrame(columns=list(ASSIGNMENT_COLUMNS))
    pairs = np.arange(len(case))
    per_case = sparse.csr_matrix((np.ones(len(case)), (case, pairs)), shape=(len(chosen), len(case)))
    per_place = sparse.csr_matrix((np.ones(len(case)), (where, pairs)), shape=(len(missions), len(case)))
    result = milp(
        -(fit[case, where] * scores[case]),
        constraints=[LinearConstraint(per_case, 0, 1), LinearConstraint(per_place, 0, per_mission)],
        integrality=np.ones(len(case)),
        bounds=Bounds(0, 1),
        options={"time_limit": MILP_SECONDS},
    )
    if result.x is None:
        raise AnalysisError(f"the mission assignment integer program failed: {result.message}")
    taken = result.x > 0.5
    table = pd.DataFrame(
        {
            "case": case[taken],
            "mission": missions["mission"].to_numpy()[where[taken]],
            "market": missions["market"].to_numpy()[where[taken]],
            "market_fit": fit[case[taken], where[taken]],
            "score": scores[case[taken]],
        }
    )
    return table.sort_values(["mission", "score", "case"], ascending=[True, False, True], ignore_index=True)


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
    "rating",
    "gaps_filled",
    "shared_segment",
    "shared_markets",
    "bridges",
    "markets",
)


def case_table(cases: pd.DataFrame, profiles: Profiles, names: pd.Series) -> pd.DataFrame:
    """The chosen triples with their reasons, ranked. Columns ``rank``, ``supplier``,
    ``integrator``, ``end_user`` (as ``names`` shows them), ``clusters``, ``score``, ``rating``
    (:func:`rating`), ``gaps_filled`` (the supplier's technology uses that fill the integrator's
    gaps), ``shared_segment`` and ``shared_markets`` (of integrator and end-user, text),
    ``bridges`` (cross-cluster, photonics x health), ``markets`` (shared market ids)."""
    use_names, market_names, segment_names = (reference.names(t) for t in ("technology_uses", "markets", "segments"))
    uses = profiles.multi["technology_uses"].to_numpy(bool)
    use_ids = profiles.multi["technology_uses"].columns
    needs = _needs(profiles)
    seg, mkt = profiles.multi["segments"].to_numpy(bool), profiles.multi["target_markets"].to_numpy(bool)
    seg_ids, mkt_ids = profiles.multi["segments"].columns, profiles.multi["target_markets"].columns
    cluster = profiles.categorical["cluster"].to_numpy(object)
    ids = profiles.ids
    rated = rating(cases["score"].astype(float))
    rows = []
    for rank, case in enumerate(cases.itertuples(), start=1):
        s, i, e = int(case.supplier), int(case.integrator), int(case.end_user)
        filled = [use_names[u] for u, fills in zip(use_ids, uses[s] & needs[i]) if fills]
        shared_seg = list(seg_ids[seg[i] & seg[e]])
        shared_mkt = list(mkt_ids[mkt[i] & mkt[e]])
        bridges = [
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
                "rating": rated.iloc[rank - 1],
                "gaps_filled": "; ".join(filled[:3]) + (" ..." if len(filled) > 3 else ""),
                "shared_segment": "; ".join(segment_names[c] for c in shared_seg) or "-",
                "shared_markets": "; ".join(market_names[c] for c in shared_mkt) or "-",
                "bridges": ", ".join(bridges) or "-",
                "markets": shared_mkt,
            }
        )
    return pd.DataFrame(rows, columns=CASE_TABLE_COLUMNS)


def cases_by_mission(cases: pd.DataFrame, assignment: pd.DataFrame) -> pd.DataFrame:
    """Per mission (roadmap §2.6, mission order) the cases :func:`assign_missions` gives it, best
    first, with the mission's lead cluster and why: company-level, for the internal edition only.
    ``cases``: :func:`case_table` of the chosen cases (same rows). One row per mission and case, and
    one row without companies (``why`` saying so) for a mission without a case. Columns
    ``mission``, ``market``, ``lead cluster``, ``supplier``, ``integrator``, ``end_user`` (as
    :func:`case_table` shows them), ``clusters``, ``score``, ``rating``, ``market_fit``, ``why``."""
    missions = reference.missions().sort_values("mission")
    rows = []
    for mission in missions.itertuples():
        here = assignment[assignment["mission"] == mission.mission]
        place = {"mission": mission.mission, "market": mission.name, "lead cluster": mission.lead}
        if here.empty:
            rows.append({**place, "why": "no chosen case is assigned to this mission"})
        for pick in here.itertuples():
            case = cases.iloc[int(pick.case)]
            rows.append(
                {
                    **place,
                    "supplier": case["supplier"],
                    "integrator": case["integrator"],
                    "end_user": case["end_user"],
                    "clusters": case["clusters"],
                    "score": case["score"],
                    "rating": case["rating"],
                    "market_fit": pick.market_fit,
                    "why": f"supplier fills: {case['gaps_filled']}; segment: {case['shared_segment']}"
                    + (f"; {case['bridges']}" if case["bridges"] != "-" else ""),
                }
            )
    columns = ["mission", "market", "lead cluster", *ROLE_COLUMNS, "clusters", "score", "rating", "market_fit", "why"]
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


def mission_summary(chosen: pd.DataFrame, assignment: pd.DataFrame, k: int = MIN_COMPANIES) -> pd.DataFrame:
    """Per mission (roadmap §2.6, mission order, with its lead cluster), the chosen cases
    :func:`assign_missions` gives it, how many are rated good, the distinct companies they involve,
    their mean score and mean market fit; figures resting on fewer than ``k`` distinct companies
    are suppressed (NA; roadmap §2.2, :mod:`lasergo.privacy`). Columns ``mission``, ``market``,
    ``lead cluster``, ``cases``, ``good_cases``, ``distinct_companies`` (Int64), ``mean_score``,
    ``market_fit`` (Float64), ``suppressed`` (bool)."""
    rows = []
    for mission in reference.missions().sort_values("mission").itertuples():
        here = assignment[assignment["mission"] == mission.mission]
        companies = _companies(chosen, here["case"]) if len(here) else 0
        hidden = 0 < companies < k
        scores = here["score"].astype(float)
        rows.append(
            {
                "mission": mission.mission,
                "market": mission.name,
                "lead cluster": mission.lead,
                "cases": pd.NA if hidden else len(here),
                "good_cases": pd.NA if hidden else int((scores >= GOOD_CASE).sum()),
                "distinct_companies": pd.NA if hidden else companies,
                "mean_score": pd.NA if hidden or here.empty else float(scores.mean()),
                "market_fit": pd.NA if hidden or here.empty else float(here["market_fit"].astype(float).mean()),
                "suppressed": hidden,
            }
        )
    return pd.DataFrame(rows).astype(
        {
            "cases": "Int64",
            "good_cases": "Int64",
            "distinct_companies": "Int64",
            "mean_score": "Float64",
            "market_fit": "Float64",
        }
    )


@dataclass(frozen=True)
class PartnersAnalysis:
    """Everything the partnership-fit page shows.

    ``grouping``: :func:`fit_groups`; ``labels``: group per company after merging;
    ``groups``: reviewer-facing group profiles (:func:`group_profiles`, no group under
    ``MIN_GROUP`` companies); ``group_notes``: merges or suppressions made for that; ``map``:
    :func:`group_map`; ``complementarity``: :func:`group_complementarity` of the merged groups,
    cells resting on fewer than ``MIN_COMPANIES`` suppliers or integrators suppressed (NaN);
    ``complementarity_support``: :func:`complementarity_support`; ``candidates``:
    :func:`candidate_cases`; ``matching``: :func:`match_cases`; ``weights``: the score's weights
    (``SCORE_WEIGHTS`` by default); ``score_parts``, ``score_summary``, ``score_spread``:
    :func:`score_parts`, :func:`score_summary`, :func:`score_spread` of the candidate and chosen
    cases; ``assignment``: :func:`assign_missions`; ``cases``: the chosen business cases with
    reasons (:func:`case_table`) and ``cases_by_mission``: :func:`cases_by_mission`, both
    company-level (the internal edition only); ``mix_by_cluster``, ``mix_by_sector``:
    :func:`case_mix` of the chosen cases; ``missions``: :func:`mission_summary`; ``max_cases``:
    cases a company may take part in at most; ``per_mission``: cases a mission takes at most;
    ``internal``: whether this is the internal edition (company names and company-level lists
    shown).
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
    weights: dict[str, float]
    score_parts: pd.DataFrame
    score_summary: pd.DataFrame
    score_spread: pd.DataFrame
    assignment: pd.DataFrame
    cases: pd.DataFrame
    cases_by_mission: pd.DataFrame
    mix_by_cluster: pd.DataFrame
    mix_by_sector: pd.DataFrame
    missions: pd.DataFrame
    max_cases: int
    per_mission: int
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
    per_mission: int = CASES_PER_MISSION,
    weights: dict[str, float] = SCORE_WEIGHTS,
) -> PartnersAnalysis:
    """The whole partnership-fit page from a validated data folder: groups (:func:`fit_groups`,
    then :func:`merge_small_groups`), map, complementarity, candidate and chosen business cases,
    their scores, their assignment to missions, and their counts by combination and mission."""
    profiles = company_profiles(data)
    grouping = fit_groups(profiles, k_range, method, seed, n_boot)
    labels, notes = merge_small_groups(grouping.labels, embedding(profiles))
    candidates = candidate_cases(profiles, weights=weights)
    matching = match_cases(candidates, len(profiles), max_cases, solver)
    chosen = matching.cases
    cases = case_table(chosen, profiles, display_names(data, internal))
    assignment = assign_missions(chosen, profiles, per_mission)
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
        weights=dict(weights),
        score_parts=score_parts(candidates, chosen, weights),
        score_summary=score_summary(candidates, chosen),
        score_spread=score_spread(candidates, chosen),
        assignment=assignment,
        cases=cases,
        cases_by_mission=cases_by_mission(cases, assignment),
        mix_by_cluster=case_mix(chosen, profiles, "cluster"),
        mix_by_sector=case_mix(chosen, profiles, "sector"),
        missions=mission_summary(chosen, assignment),
        max_cases=max_cases,
        per_mission=per_mission,
        internal=internal,
    )
