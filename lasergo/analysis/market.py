"""Market segment estimation: the roadmap's three steps with Monte Carlo uncertainty.

The New Product Analysis of the roadmap (LASER-GO D5.1 (2017) §2.2) values the
market in three steps; for each target market m and thematic segment s, in EUR
million of the report year Y:

1. segment value      V(m, s) = sum over the markets b that make up m of
                      regional_share(m, b) x size(b) / rate(b) x (1 + growth(b))^(Y - year(b))
                      x segment_share(s)
2. photonics value    P(m, s) = V(m, s) x photonics_share(s)
3. partnership sales  S(m, s) = P(m, s) x addressable(m, s) x attainable_share(s)

``size(b)`` is the newest published medical-device figure of market b
(``market_figures``) or, where none exists, a ``market_size`` assumption;
``rate`` is the euro rate of the figure's year (``currency_rates``).
``addressable(m, s)`` comes from the data: the share of the segment's technology
uses that products of TRL >= ``min_trl`` of companies targeting m cover.
Every other factor is a range (low, mode, high) drawn from a Beta-PERT
(Vose 2008, ch. 9) or triangular distribution; each row of the assumption table
is one random input shared by every market and segment it applies to.

The screening guide ranks the clusters of each market and segment by their
market-partnership fit (:mod:`lasergo.analysis.market_fit`).

Company data are confidential (roadmap §2.2). Each result that rests on companies carries
how many (``companies``), and the public variants (``public_*`` of :class:`MarketAnalysis`)
withhold or merge what rests on fewer than ``k`` = :data:`lasergo.privacy.MIN_COMPANIES`
companies (the threshold rule with complementary suppression; Hundepool et al. 2012,
*Statistical Disclosure Control*, ch. 4) and name no company.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from lasergo.analysis.market_fit import fit_scores, small_fit_cells
from lasergo.data import reference
from lasergo.data.codes import split_codes
from lasergo.data.dataset import Dataset
from lasergo.data.market_inputs import PERCENT, MarketTables, ResolvedInputs, market_tables, resolve_inputs
from lasergo.data.reference import MARKET_PARAMETERS, segment_uses
from lasergo.errors import AnalysisError, ParameterError
from lasergo.privacy import MIN_COMPANIES

STAGES = ("segment_value", "photonics_value", "partnership_sales")
#: The least share of expected partnership sales that the markets to prioritise hold together
#: (:func:`priority_markets`; an assumption of the workbook).
PRIORITY_SHARE = 0.75
#: Why a public page withholds a market x segment cell (:func:`withheld_cells`).
SMALL, COMPLEMENT = "small", "complement"


def other_uses(k: int = MIN_COMPANIES) -> str:
    """The label of the row into which a public table merges the technology uses with products
    from fewer than ``k`` companies each."""
    return f"other uses, fewer than {k} companies each"


@dataclass(frozen=True)
class MarketModel(ResolvedInputs):
    """Everything the Monte Carlo needs for one report year: the resolved inputs and where each
    enters (:class:`lasergo.data.market_inputs.ResolvedInputs`), and ``addressable``, the
    fraction 0-1 per (market, segment) of the segment's technology uses the partnership's
    market-ready products cover, from the data, and ``makers``, the set of companies (ids) per
    (market, segment) whose products give that share.
    """

    addressable: np.ndarray
    makers: np.ndarray

    @property
    def companies(self) -> np.ndarray:
        """The number of companies behind each addressable share, per (market, segment)."""
        return np.vectorize(len, otypes=[int])(self.makers)

    @property
    def modes(self) -> np.ndarray:
        return self.inputs["mode"].to_numpy(float)


def build_model(tables: MarketTables, dataset: Dataset, report_year: int, min_trl: int = 7) -> MarketModel:
    """Resolve the tables into a :class:`MarketModel` for ``report_year``, with the addressable
    shares of ``dataset``; InputError as
    :func:`lasergo.data.market_inputs.market_input_problems` describes."""
    resolved = resolve_inputs(tables, report_year)
    markets, segments = resolved.markets, resolved.segments
    share = addressable_share(dataset, markets, segments, min_trl)
    shape = (len(markets), len(segments))
    resolved_fields = {f.name: getattr(resolved, f.name) for f in fields(resolved)}
    return MarketModel(
        **resolved_fields,
        addressable=share["share"].to_numpy().reshape(shape),
        makers=share["makers"].to_numpy().reshape(shape),
    )


def _products_with_markets(dataset: Dataset) -> pd.DataFrame:
    companies = dataset.companies[["id", "cluster", "target_markets"]].rename(columns={"id": "company"})
    products = dataset.products.merge(companies, on="company", how="inner")
    products["markets"] = products["target_markets"].map(split_codes)
    return products


def addressable_share(
    dataset: Dataset, markets: tuple[str, ...], segments: tuple[str, ...], min_trl: int = 7
) -> pd.DataFrame:
    """Per market and segment: the segment's technology uses covered by at least one product of
    TRL >= ``min_trl`` in that segment from a company that targets the market, and their share.

    Columns: ``market``, ``segment``, ``covered`` (list of use ids), ``uses`` (count of the
    segment's uses), ``share`` (covered / uses, 0-1), ``makers`` (the ids of the companies whose
    products cover them, a frozenset), ``companies`` (their number).
    """
    uses = segment_uses(segments)
    products = _products_with_markets(dataset)
    ready = products[products["trl"] >= min_trl].explode("markets")
    rows = []
    for market in markets:
        in_market = ready[ready["markets"] == market]
        for segment in segments:
            in_cell = in_market[in_market["segment"] == segment]
            offered = set(in_cell["technology_use"])
            covered = [u for u in uses[segment] if u in offered]
            rows.append(
                {
                    "market": market,
                    "segment": segment,
                    "covered": covered,
                    "uses": len(uses[segment]),
                    "share": len(covered) / len(uses[segment]),
                    "makers": frozenset(in_cell.loc[in_cell["technology_use"].isin(covered), "company"]),
                }
            )
    frame = pd.DataFrame(rows, columns=["market", "segment", "covered", "uses", "share", "makers"])
    return frame.assign(companies=frame["makers"].map(len).astype(int))


def draw_inputs(inputs: pd.DataFrame, n_draws: int, seed: int) -> np.ndarray:
    """Draws of every input, shape (n_draws, inputs): Beta-PERT, scaled to [low, high] with
    alpha = 1 + 4 (mode - low) / (high - low), beta = 1 + 4 (high - mode) / (high - low)
    (Vose 2008), or triangular; an input with low == high is that constant."""
    rng = np.random.default_rng(seed)
    low, mode, high = (inputs[c].to_numpy(float) for c in ("low", "mode", "high"))
    draws = np.repeat(mode[None, :], n_draws, axis=0)
    spread = high - low
    pert = (spread > 0) & (inputs["distribution"].to_numpy() == "pert")
    if pert.any():
        a = 1 + 4 * (mode[pert] - low[pert]) / spread[pert]
        b = 1 + 4 * (high[pert] - mode[pert]) / spread[pert]
        draws[:, pert] = low[pert] + spread[pert] * rng.beta(a, b, size=(n_draws, int(pert.sum())))
    triangular = (spread > 0) & (inputs["distribution"].to_numpy() == "triangular")
    if triangular.any():
        draws[:, triangular] = rng.triangular(
            low[triangular], mode[triangular], high[triangular], size=(n_draws, int(triangular.sum()))
        )
    return draws


def evaluate(model: MarketModel, values: np.ndarray) -> dict[str, np.ndarray]:
    """The three steps for each row of input ``values`` (shape (n, inputs)); arrays in EUR million:
    ``market_value`` (n, markets) and each of STAGES (n, markets, segments)."""
    parts = model.parts
    share = np.where(
        parts["share_input"].to_numpy() >= 0, values[:, parts["share_input"].clip(lower=0).to_numpy()], PERCENT
    )
    size_eur = values[:, parts["size_input"].to_numpy()] / parts["per_eur"].to_numpy()
    growth = (1 + values[:, parts["growth_input"].to_numpy()] / PERCENT) ** parts["years"].to_numpy()
    contribution = share / PERCENT * size_eur * growth
    membership = (parts["market"].to_numpy()[:, None] == np.array(model.markets)[None, :]).astype(float)
    market_value = contribution @ membership
    segment_value = market_value[:, :, None] * (values[:, model.segment_input] / PERCENT)
    photonics_value = segment_value * (values[:, model.photonics_input] / PERCENT)
    sales = photonics_value * model.addressable[None, :, :] * (values[:, model.attainable_input] / PERCENT)
    return {
        "market_value": market_value,
        "segment_value": segment_value,
        "photonics_value": photonics_value,
        "partnership_sales": sales,
    }


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo result: the input draws and the three stages per draw (EUR million)."""

    model: MarketModel
    draws: np.ndarray
    stages: dict[str, np.ndarray]
    seed: int

    @property
    def total_sales(self) -> np.ndarray:
        """Partnership sales over all markets and segments, per draw."""
        return self.stages["partnership_sales"].sum(axis=(1, 2))


def simulate(model: MarketModel, n_draws: int = 20_000, seed: int = 1) -> Simulation:
    """Seeded Monte Carlo of the model with ``n_draws`` draws of every input."""
    if n_draws < 1:
        raise ParameterError(f"n_draws must be at least 1, got {n_draws}")
    draws = draw_inputs(model.inputs, n_draws, seed)
    return Simulation(model, draws, evaluate(model, draws), seed)


def deterministic(model: MarketModel) -> dict[str, np.ndarray]:
    """The three steps with every input at its mode (the point estimate)."""
    return {k: v[0] for k, v in evaluate(model, model.modes[None, :]).items()}


def _quantiles(values: np.ndarray) -> dict[str, np.ndarray]:
    p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9], axis=0)
    return {"p10": p10, "p50": p50, "p90": p90, "mean": values.mean(axis=0)}


def cell_summary(sim: Simulation) -> pd.DataFrame:
    """P10, P50, P90 and mean (EUR million) per market, segment and stage.

    Columns: ``market``, ``segment``, ``stage``, ``p10``, ``p50``, ``p90``, ``mean``.
    """
    frames = []
    m, s = sim.model.markets, sim.model.segments
    for stage in STAGES:
        q = _quantiles(sim.stages[stage])
        frame = pd.DataFrame({"market": np.repeat(m, len(s)), "segment": np.tile(s, len(m)), "stage": stage})
        for name, values in q.items():
            frame[name] = values.ravel()
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def totals(sim: Simulation) -> pd.DataFrame:
    """P10, P50, P90 and mean over all markets and segments, per stage (the funnel of the three steps)."""
    rows = []
    for stage in STAGES:
        q = _quantiles(sim.stages[stage].sum(axis=(1, 2)))
        rows.append({"stage": stage, **{k: float(v) for k, v in q.items()}})
    return pd.DataFrame(rows)


def withheld_cells(makers: np.ndarray, sales: np.ndarray, k: int = MIN_COMPANIES) -> tuple[np.ndarray, np.ndarray]:
    """Which cells of a (market, segment) grid a public page withholds, and why, by the threshold
    rule with complementary suppression (Hundepool et al. 2012, *Statistical Disclosure Control*,
    ch. 4): ``SMALL`` where the cell rests on fewer than ``k`` companies (but on at least one);
    where a market's small cells together still rest on fewer than ``k`` companies, its total
    would give their sum away, so ``COMPLEMENT`` for the market's smallest other cell with sales,
    or, without one, the market's total is withheld; "" for a cell that may be shown.

    ``makers``: the set of companies behind each cell; ``sales``: its value; both of the grid's
    shape. Returns the reasons (grid's shape) and whether each market's total is withheld."""
    companies = np.vectorize(len, otypes=[int])(makers)
    small = (companies > 0) & (companies < k)
    reasons = np.where(small, SMALL, "").astype(object)
    hidden_totals = np.zeros(len(makers), dtype=bool)
    for i in np.flatnonzero(small.any(axis=1)):
        if len(frozenset().union(*makers[i, small[i]])) >= k:
            continue
        others = np.flatnonzero(~small[i] & (sales[i] > 0))
        if len(others):
            reasons[i, others[np.argmin(sales[i, others])]] = COMPLEMENT
        else:
            hidden_totals[i] = True
    return reasons, hidden_totals


def _withheld(sim: Simulation, k: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`withheld_cells` of the simulation's (market, segment) grid, by expected sales."""
    return withheld_cells(sim.model.makers, sim.stages["partnership_sales"].mean(axis=0), k)


def market_totals(sim: Simulation, k: int = MIN_COMPANIES) -> pd.DataFrame:
    """Expected partnership sales per target market (high-value geographic segments), ranked.
    Columns ``market``, ``p10``, ``p50``, ``p90``, ``mean``, ``share_of_total`` (of the mean),
    ``withheld`` (a public page withholds the total, :func:`withheld_cells`)."""
    q = _quantiles(sim.stages["partnership_sales"].sum(axis=2))
    frame = pd.DataFrame({"market": sim.model.markets, **q})
    frame["share_of_total"] = frame["mean"] / frame["mean"].sum()
    frame["withheld"] = _withheld(sim, k)[1]
    return frame.sort_values("mean", ascending=False, ignore_index=True)


def priority_markets(markets: pd.DataFrame, share: float = PRIORITY_SHARE, public: bool = True) -> pd.DataFrame:
    """The markets to prioritise: the fewest of :func:`market_totals` (ranked by expected sales)
    that together hold at least ``share`` of the expected total, a Pareto rule. On a public page
    (``public``) only the markets whose total it shows count, so they may hold less."""
    shown = markets[~markets["withheld"]] if public else markets
    before = shown["share_of_total"].cumsum() - shown["share_of_total"]
    return shown[before < share]


def cell_ranking(sim: Simulation, k: int = MIN_COMPANIES) -> pd.DataFrame:
    """Market x segment cells ranked by expected (mean) partnership sales, with P10-P90,
    ``addressable`` share, ``rank``, ``companies`` (behind the addressable share) and
    ``withheld`` (why a public page withholds the cell, :func:`withheld_cells`, or "")."""
    cells = cell_summary(sim).query("stage == 'partnership_sales'").drop(columns="stage")
    cells["addressable"] = sim.model.addressable.ravel()
    cells["companies"] = sim.model.companies.ravel()
    cells["withheld"] = _withheld(sim, k)[0].ravel()
    cells = cells.sort_values("mean", ascending=False, ignore_index=True)
    cells.insert(0, "rank", np.arange(1, len(cells) + 1))
    return cells


SUBMARKET_COLUMNS = ["market", "segment", "technology_use", "products", "mean", "companies"]


def _submarkets(sim: Simulation, dataset: Dataset, min_trl: int) -> pd.DataFrame:
    """:func:`technology_values` with ``makers`` (the set of company ids) for ``companies``."""
    model = sim.model
    mean = sim.stages["partnership_sales"].mean(axis=0)
    products = _products_with_markets(dataset)
    ready = products[products["trl"] >= min_trl].explode("markets")
    counts = ready.groupby(["markets", "segment", "technology_use"]).size()
    makers = ready.groupby(["markets", "segment", "technology_use"])["company"].agg(frozenset)
    cover = addressable_share(dataset, model.markets, model.segments, min_trl)
    rows = []
    for k, cell in cover.iterrows():
        i, j = divmod(k, len(model.segments))
        n = {use: int(counts.get((cell["market"], cell["segment"], use), 0)) for use in cell["covered"]}
        for use, count in n.items():
            rows.append(
                {
                    "market": cell["market"],
                    "segment": cell["segment"],
                    "technology_use": use,
                    "products": count,
                    "mean": mean[i, j] * count / sum(n.values()),
                    "makers": makers[(cell["market"], cell["segment"], use)],
                }
            )
    return pd.DataFrame(rows, columns=[*SUBMARKET_COLUMNS[:-1], "makers"])


def technology_values(sim: Simulation, dataset: Dataset, min_trl: int = 7) -> pd.DataFrame:
    """Expected partnership sales per market and technology use (submarkets): a cell's sales split
    over the technology uses the partnership covers there in proportion to its market-ready
    products of each use (an assumption: no figure gives the size of each use). Columns
    ``market``, ``segment``, ``technology_use``, ``products`` (market-ready, targeting the
    market), ``mean`` (EUR million), ``companies`` (that make those products)."""
    rows = _submarkets(sim, dataset, min_trl)
    return rows.assign(companies=rows["makers"].map(len))[SUBMARKET_COLUMNS]


def public_submarkets(sim: Simulation, dataset: Dataset, min_trl: int = 7, k: int = MIN_COMPANIES) -> pd.DataFrame:
    """:func:`technology_values` for a public page, ranked: in each market and segment, the uses
    whose products come from fewer than ``k`` companies merged into one row (``technology_use``
    :func:`other_uses`); left out, a merged row still resting on fewer than ``k`` companies and
    every row of a cell the page withholds (:func:`withheld_cells`), whose rows would add up to it."""
    rows = _submarkets(sim, dataset, min_trl)
    reasons = _withheld(sim, k)[0]
    shown = {
        (market, segment)
        for i, market in enumerate(sim.model.markets)
        for j, segment in enumerate(sim.model.segments)
        if not reasons[i, j]
    }
    rows = rows[[cell in shown for cell in zip(rows["market"], rows["segment"])]]
    small = rows["makers"].map(len) < k
    merged = (
        rows[small]
        .groupby(["market", "segment"], sort=False)
        .agg(products=("products", "sum"), mean=("mean", "sum"), makers=("makers", lambda m: frozenset().union(*m)))
        .reset_index()
        .assign(technology_use=other_uses(k))
    )
    frame = pd.concat([rows[~small], merged], ignore_index=True)
    frame["companies"] = frame["makers"].map(len)
    return (
        frame[frame["companies"] >= k][SUBMARKET_COLUMNS]
        .astype({"products": int, "companies": int})
        .sort_values("mean", ascending=False, ignore_index=True)
    )


def product_types(sim: Simulation, dataset: Dataset, min_trl: int = 7) -> pd.DataFrame:
    """High-value product types: technology uses ranked by expected partnership sales over all
    markets, with the partnership's products of that use (count, of them market-ready, median TRL,
    and the companies that make them). Columns ``technology_use``, ``name``, ``mean``,
    ``products``, ``ready``, ``median_trl``, ``companies``."""
    values = technology_values(sim, dataset, min_trl).groupby("technology_use")["mean"].sum()
    products = dataset.products.groupby("technology_use").agg(
        products=("id", "size"),
        ready=("trl", lambda t: int((t >= min_trl).sum())),
        median_trl=("trl", "median"),
        companies=("company", "nunique"),
    )
    names = reference.technology_uses().set_index("id")["name"]
    frame = pd.DataFrame({"mean": values}).join(products, how="left")
    frame.insert(0, "name", names.reindex(frame.index).to_numpy())
    return frame.rename_axis("technology_use").reset_index().sort_values("mean", ascending=False, ignore_index=True)


def public_product_types(sim: Simulation, dataset: Dataset, min_trl: int = 7, k: int = MIN_COMPANIES) -> pd.DataFrame:
    """:func:`product_types` for a public page: the uses whose products come from fewer than ``k``
    companies merged into one row (``technology_use`` :func:`other_uses`, ``name`` how many uses),
    left out if it still rests on fewer than ``k`` companies. Same columns, ranked."""
    types = product_types(sim, dataset, min_trl)
    small = types["companies"] < k
    if not small.any():
        return types
    products = dataset.products[dataset.products["technology_use"].isin(types.loc[small, "technology_use"])]
    merged = pd.DataFrame(
        {
            "technology_use": [other_uses(k)],
            "name": [f"{int(small.sum())} technology uses, merged"],
            "mean": [types.loc[small, "mean"].sum()],
            "products": [len(products)],
            "ready": [int((products["trl"] >= min_trl).sum())],
            "median_trl": [float(products["trl"].median())],
            "companies": [products["company"].nunique()],
        }
    )
    frame = pd.concat([types[~small], merged[merged["companies"] >= k]], ignore_index=True)
    return frame.sort_values("mean", ascending=False, ignore_index=True)


def tornado(model: MarketModel) -> pd.DataFrame:
    """One-at-a-time sensitivity of total partnership sales: each input set to its low and its high
    with every other input at its mode. Columns ``input``, ``kind``, ``low``, ``high``,
    ``sales_at_low``, ``sales_at_high``, ``swing`` (absolute difference), ranked by swing;
    inputs without a range are left out."""
    inputs = model.inputs
    ranged = np.flatnonzero(inputs["high"].to_numpy(float) > inputs["low"].to_numpy(float))
    values = np.repeat(model.modes[None, :], 2 * len(ranged), axis=0)
    values[2 * np.arange(len(ranged)), ranged] = inputs["low"].to_numpy(float)[ranged]
    values[2 * np.arange(len(ranged)) + 1, ranged] = inputs["high"].to_numpy(float)[ranged]
    total = evaluate(model, values)["partnership_sales"].sum(axis=(1, 2))
    frame = inputs.iloc[ranged][["input", "kind", "low", "high"]].reset_index(drop=True)
    frame["sales_at_low"], frame["sales_at_high"] = total[0::2], total[1::2]
    frame["swing"] = np.abs(frame["sales_at_high"] - frame["sales_at_low"])
    return frame.sort_values("swing", ascending=False, ignore_index=True)


def research_first(tornado_table: pd.DataFrame) -> pd.Series:
    """The input to research first, whose better sourcing would narrow the answer most: the
    assumption with the widest swing in :func:`tornado` (one-at-a-time sensitivity), or, where
    every input is published, the input with the widest swing. AnalysisError without a ranged input."""
    if tornado_table.empty:
        raise AnalysisError("no market input has a range (low below high): nothing decides the answer")
    assumptions = tornado_table[tornado_table["kind"] == "assumption"]
    return (assumptions if len(assumptions) else tornado_table).iloc[0]


def rank_correlations(sim: Simulation) -> pd.Series:
    """Spearman rank correlation of each input's draws with total partnership sales (0 for inputs
    without a range), indexed by input label."""
    y = rankdata(sim.total_sales)
    x = rankdata(sim.draws, axis=0)
    xc, yc = x - x.mean(axis=0), y - y.mean()
    denom = np.sqrt((xc**2).sum(axis=0) * (yc**2).sum())
    rho = np.divide(xc.T @ yc, denom, out=np.zeros(x.shape[1]), where=denom > 0)
    return pd.Series(rho, index=sim.model.inputs["input"], name="rank_correlation")


def input_table(model: MarketModel) -> pd.DataFrame:
    """Every input of the model with its range, unit, kind and source, for the report."""
    frame = model.inputs.copy()
    frame["unit"] = [
        f"{row.currency} million ({int(row.year)})"
        if row.parameter == "market_size"
        else MARKET_PARAMETERS[row.parameter][1]
        for row in frame.itertuples()
    ]
    frame["euro rate"] = [
        f"{row.per_eur:g} {row.currency}/EUR ({int(row.year)}), {row.rate_source}"
        if pd.notna(row.per_eur) and row.currency != "EUR"
        else ""
        for row in frame.itertuples()
    ]
    return frame[["input", "kind", "low", "mode", "high", "unit", "distribution", "source", "euro rate", "note"]]


def screening_guide(
    sim: Simulation,
    fit: pd.DataFrame,
    dataset: Dataset,
    min_trl: int = 7,
    segments_per_market: int = 2,
    clusters_per_segment: int = 2,
    companies_per_segment: int = 3,
    public: bool = False,
    k: int = MIN_COMPANIES,
) -> pd.DataFrame:
    """Partner-screening guide (roadmap §2.2): per target market, the segments with the highest
    expected partnership sales, the best-fitting clusters of ``fit``
    (:func:`lasergo.analysis.market_fit.fit_scores`) and the best-placed companies (by pseudonymous
    id: those targeting the market with a product in the segment, most mature first), with the
    evidence. Companies count only with a product of TRL >= ``min_trl``. One row per market and
    segment: columns ``market``, ``segment`` (display names), ``expected_sales_eur_m``,
    ``p10_eur_m``, ``p90_eur_m``, ``clusters``, ``companies``, ``fit_evidence``.

    ``public``: the guide for a public page: no ``companies`` column, and neither a cell nor a
    cluster's fit that the page withholds (resting on fewer than ``k`` companies,
    :func:`withheld_cells`, :func:`lasergo.analysis.market_fit.small_fit_cells`) is chosen."""
    cells = cell_ranking(sim, k)
    if public:
        cells = cells[cells["withheld"] == ""]
        fit = fit[~small_fit_cells(fit, k)]
    names, segment_names = reference.names("markets"), reference.names("segments")
    products = _products_with_markets(dataset).explode("markets")
    rows = []
    for market in sim.model.markets:
        best = cells[cells["market"] == market].head(segments_per_market)
        for cell in best.itertuples():
            fits = fit[(fit["market"] == market) & (fit["segment"] == cell.segment)].nlargest(
                clusters_per_segment, "score"
            )
            candidates = products[
                (products["markets"] == market) & (products["segment"] == cell.segment) & (products["trl"] >= min_trl)
            ]
            placed = (
                candidates.groupby("company")
                .agg(best_trl=("trl", "max"), n=("id", "size"))
                .sort_values(["best_trl", "n"], ascending=False)
                .head(companies_per_segment)
            )
            rows.append(
                {
                    "market": names[market],
                    "segment": segment_names[cell.segment],
                    "expected_sales_eur_m": cell.mean,
                    "p10_eur_m": cell.p10,
                    "p90_eur_m": cell.p90,
                    "clusters": ", ".join(f"{f.cluster} ({f.score:.0f})" for f in fits.itertuples())
                    or f"none resting on {k} or more companies",
                    "companies": ", ".join(f"{c} (TRL {int(t)})" for c, t in zip(placed.index, placed["best_trl"]))
                    or "none with a market-ready product",
                    "fit_evidence": "; ".join(
                        f"{f.cluster}: {f.uses_covered}/{f.uses} uses, "
                        + (f"mean TRL {f.mean_trl:.1f}" if pd.notna(f.mean_trl) else "no products")
                        + f", {f.link_evidence}"
                        for f in fits.itertuples()
                    ),
                }
            )
    guide = pd.DataFrame(rows)
    return guide.drop(columns="companies") if public else guide


# --- From a data folder to the page ----------------------------------------------------------


@dataclass(frozen=True)
class MarketAnalysis:
    """Everything the market page shows, for one data folder and report year."""

    model: MarketModel
    simulation: Simulation
    totals: pd.DataFrame  # :func:`totals`
    cells: pd.DataFrame  # :func:`cell_ranking`
    markets: pd.DataFrame  # :func:`market_totals`
    tornado: pd.DataFrame  # :func:`tornado`
    sales_at_mode: float  # total partnership sales, every input at its mode (:func:`deterministic`)
    rank_correlations: pd.Series  # :func:`rank_correlations`
    fit: pd.DataFrame  # :func:`lasergo.analysis.market_fit.fit_scores`
    guide: pd.DataFrame  # :func:`screening_guide`, naming companies: for the internal edition only
    public_guide: pd.DataFrame  # :func:`screening_guide` with ``public=True``
    submarkets: pd.DataFrame  # :func:`technology_values`, ranked
    public_submarkets: pd.DataFrame  # :func:`public_submarkets`
    product_types: pd.DataFrame  # :func:`product_types`
    public_product_types: pd.DataFrame  # :func:`public_product_types`
    min_trl: int


def analyse_market(
    data: Dataset, report_year: int, n_draws: int = 20_000, seed: int = 1, min_trl: int = 7
) -> MarketAnalysis:
    """The whole market page from a validated data folder: model, Monte Carlo, rankings, fit, guide."""
    model = build_model(market_tables(data), data, report_year, min_trl)
    sim = simulate(model, n_draws, seed)
    fit = fit_scores(data, model.markets)
    return MarketAnalysis(
        model=model,
        simulation=sim,
        totals=totals(sim),
        cells=cell_ranking(sim),
        markets=market_totals(sim),
        tornado=tornado(model),
        sales_at_mode=float(deterministic(model)["partnership_sales"].sum()),
        rank_correlations=rank_correlations(sim),
        fit=fit,
        guide=screening_guide(sim, fit, data, min_trl),
        public_guide=screening_guide(sim, fit, data, min_trl, public=True),
        submarkets=technology_values(sim, data, min_trl).sort_values("mean", ascending=False, ignore_index=True),
        public_submarkets=public_submarkets(sim, data, min_trl),
        product_types=product_types(sim, data, min_trl),
        public_product_types=public_product_types(sim, data, min_trl),
        min_trl=min_trl,
    )
