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
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch
from scipy.stats import rankdata

from lasergo import reference
from lasergo.io import Dataset, InputError, Problem, read_checked_table
from lasergo.plots import add_source
from lasergo.reference import REFERENCE_DIR, segment_uses, split_codes
from lasergo.schemas import MARKET_PARAMETERS

BASE_SEGMENT = "medical_devices"  # the market figures the model starts from
PERCENT = 100.0
ASSUMPTION_KEY = ["parameter", "market", "of_market", "segment"]
STAGES = ("segment_value", "photonics_value", "partnership_sales")
STAGE_NAMES = {"segment_value": "1. segment value", "photonics_value": "2. photonics value",
               "partnership_sales": "3. partnership sales"}


def _with_origin(frame: pd.DataFrame, file: str, own: bool) -> pd.DataFrame:
    return frame.assign(file=file, row=frame.index + 2, own=own)


def _merge(reference_rows: pd.DataFrame, own_rows: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Reference rows, with a researcher's rows replacing those of the same key and adding the rest."""
    if own_rows.empty:
        return reference_rows.reset_index(drop=True)
    def keys(frame: pd.DataFrame) -> pd.Series:
        return frame[key].apply(lambda row: "|".join("" if pd.isna(v) else str(v) for v in row), axis=1)

    kept = reference_rows[~keys(reference_rows).isin(set(keys(own_rows)))]
    return pd.concat([kept, own_rows], ignore_index=True)


@dataclass(frozen=True)
class MarketTables:
    """The model's input tables after merging reference and research data; each row keeps its
    ``file`` and spreadsheet ``row`` so problems can be located."""

    figures: pd.DataFrame      # market_figures columns + file, row, own (from the data folder)
    assumptions: pd.DataFrame  # market_assumptions columns + file, row, own
    rates: pd.DataFrame        # currency_rates columns + file, row, own


def market_tables(dataset: Dataset | None = None, reference_dir: Path = REFERENCE_DIR) -> MarketTables:
    """Reference market figures, assumptions and euro rates, overridden by the dataset's own tables."""
    reference_dir = Path(reference_dir)
    figures = _with_origin(reference.read_table("market_figures", reference_dir),
                           str(reference_dir / "market_figures.csv"), own=False)
    assumptions = _with_origin(read_checked_table(reference_dir / "market_assumptions.csv", "market_assumptions"),
                               str(reference_dir / "market_assumptions.csv"), own=False)
    rates = _with_origin(read_checked_table(reference_dir / "currency_rates.csv", "currency_rates"),
                         str(reference_dir / "currency_rates.csv"), own=False)
    if dataset is not None:
        own = lambda name: _with_origin(getattr(dataset, name), str(dataset.files.get(name, name)), own=True)  # noqa: E731
        figures = _merge(figures, own("market_figures"), ["market", "segment", "year"])
        assumptions = _merge(assumptions, own("market_assumptions"), ASSUMPTION_KEY)
        rates = _merge(rates, own("currency_rates"), ["currency", "year"])
    return MarketTables(figures, assumptions, rates)


@dataclass(frozen=True)
class MarketModel:
    """Everything the Monte Carlo needs, resolved from the tables for one report year.

    ``inputs``: one row per random input, columns ``input`` (label), ``parameter``, ``market``,
    ``of_market``, ``segment``, ``low``, ``mode``, ``high`` (unit of the parameter: percent, or
    million of ``currency`` for sizes), ``distribution``, ``kind`` (published, assumption,
    definition), ``source``, ``note``, ``year``, ``currency``, ``per_eur``, ``rate_source``.
    ``parts``: one row per (market, of_market) part of a target market, with the input positions
    of its share, size and growth, ``years`` of growth and the euro ``per_eur`` rate.
    ``segment_input`` etc.: input positions per (market, segment), shape (markets, segments).
    ``addressable``: fraction 0-1 per (market, segment), from the data.
    """

    report_year: int
    markets: tuple[str, ...]
    segments: tuple[str, ...]
    inputs: pd.DataFrame
    parts: pd.DataFrame
    segment_input: np.ndarray
    photonics_input: np.ndarray
    attainable_input: np.ndarray
    addressable: np.ndarray

    @property
    def modes(self) -> np.ndarray:
        return self.inputs["mode"].to_numpy(float)


def _label(parameter: str, market: str | None, of_market: str | None, segment: str | None) -> str:
    names = reference.names("markets", "segments")
    what = {"market_size": "market size", "regional_share": "regional share", "growth": "growth a year",
            "segment_share": "segment share", "photonics_share": "photonics share",
            "attainable_share": "attainable share"}[parameter]
    where = [names.get(market, market) if isinstance(market, str) else "all markets"]
    if isinstance(of_market, str):
        where = [f"{names.get(market, market)} of {names.get(of_market, of_market)}"]
    if isinstance(segment, str):
        where.append(names.get(segment, segment))
    elif parameter in ("segment_share", "photonics_share", "attainable_share"):
        where.append("all segments")
    return f"{what}: {', '.join(where)}"


def _pick(assumptions: pd.DataFrame, parameter: str, market: str | None = None,
          segment: str | None = None) -> pd.Series | None:
    """The most specific assumption row for (market, segment): exact beats blank (= all)."""
    rows = assumptions[assumptions["parameter"] == parameter]
    best, best_score = None, -1
    for _, row in rows.iterrows():
        m_ok = pd.isna(row["market"]) or row["market"] == market
        s_ok = pd.isna(row["segment"]) or row["segment"] == segment
        if m_ok and s_ok:
            score = (0 if pd.isna(row["market"]) else 2) + (0 if pd.isna(row["segment"]) else 1)
            if score > best_score:
                best, best_score = row, score
    return best


def build_model(tables: MarketTables, dataset: Dataset, report_year: int, min_trl: int = 7) -> MarketModel:
    """Resolve the tables into a :class:`MarketModel` for ``report_year``, with the addressable
    shares of ``dataset``; InputError as :func:`market_input_problems` describes."""
    model = _resolve(tables, report_year)
    share = addressable_share(dataset, model.markets, model.segments, min_trl)["share"].to_numpy()
    return replace(model, addressable=share.reshape(len(model.markets), len(model.segments)))


def market_input_problems(dataset: Dataset) -> list[Problem]:
    """What stops the market model, each located by file, row and column: a target market without a
    size, a currency without a euro rate for the figure's year, a factor without any range."""
    try:
        _resolve(market_tables(dataset), report_year=2000)  # the checks do not depend on the year
    except InputError as err:
        return err.problems
    return []


def _resolve(tables: MarketTables, report_year: int) -> MarketModel:
    """The model's inputs and structure (addressable shares left at 1).

    A market's size is its newest published figure; a ``market_size`` assumption stands in where
    there is none, and replaces a reference figure only when it is the researchers' own row."""
    markets = reference.TARGET_MARKET_IDS
    segments = reference.THEMATIC_SEGMENT_IDS
    figures, assumptions, rates = tables.figures, tables.assumptions, tables.rates
    problems: list[Problem] = []
    inputs: list[dict] = []
    position: dict[tuple, int] = {}

    def add(row: pd.Series) -> int:
        key = (row["file"], row["row"])
        if key not in position:
            position[key] = len(inputs)
            base = {c: row.get(c) for c in ("parameter", "market", "of_market", "segment", "low", "mode", "high",
                                            "distribution", "kind", "source", "note", "year", "currency")}
            base["distribution"] = base["distribution"] if isinstance(base["distribution"], str) else "pert"
            base["input"] = _label(base["parameter"], base["market"], base["of_market"], base["segment"])
            inputs.append(base)
        return position[key]

    figure_range = _pick(assumptions, "figure_range")
    spread = (figure_range["low"], figure_range["high"]) if figure_range is not None else (0.0, 0.0)

    def size_input(market: str, where: Problem) -> tuple[int, int, float] | None:
        """Input position of the size of ``market``, its year and euro rate."""
        published = figures[(figures["market"] == market) & (figures["segment"] == BASE_SEGMENT)]
        assumed = assumptions[(assumptions["parameter"] == "market_size") & (assumptions["market"] == market)]
        if len(assumed) and assumed.iloc[0]["own"] and not published["own"].any():
            published = published.iloc[:0]
        if len(published):
            row = published.sort_values("year").iloc[-1]
            low = row["low_m"] if pd.notna(row["low_m"]) else row["value_m"] * (1 + spread[0] / PERCENT)
            high = row["high_m"] if pd.notna(row["high_m"]) else row["value_m"] * (1 + spread[1] / PERCENT)
            entry = dict(parameter="market_size", market=market, of_market=None, segment=None,
                         low=low, mode=row["value_m"], high=high, distribution="pert", kind="published",
                         source=row["source"], note=row["note"], year=row["year"], currency=row["currency"],
                         file=row["file"], row=row["row"])
            index = add(pd.Series(entry))
        elif len(assumed):
            row = assumed.iloc[0]
            index = add(row)
        else:
            problems.append(where)
            return None
        if row["currency"] == "EUR":
            return index, int(row["year"]), 1.0
        rate = rates[(rates["currency"] == row["currency"]) & (rates["year"] == row["year"])]
        if rate.empty:
            problems.append(Problem(row["file"], int(row["row"]), "currency",
                                    f"no euro rate for {row['currency']} in {row['year']}: add it to "
                                    "currency_rates (data/reference/currency_rates.csv)"))
            return None
        inputs[index]["per_eur"] = float(rate.iloc[0]["per_eur"])
        inputs[index]["rate_source"] = rate.iloc[0]["source"]
        return index, int(row["year"]), float(rate.iloc[0]["per_eur"])

    parts = []
    for market in markets:
        regional = assumptions[(assumptions["parameter"] == "regional_share") & (assumptions["market"] == market)]
        bases = [(row["of_market"], row) for _, row in regional.iterrows()] or [(market, None)]
        for basis, share_row in bases:
            missing = Problem(str(share_row["file"]) if share_row is not None else
                              str(REFERENCE_DIR / "market_assumptions.csv"),
                              int(share_row["row"]) if share_row is not None else None,
                              "of_market" if share_row is not None else "market",
                              f"no size for market {basis}: add a {BASE_SEGMENT} figure to market_figures "
                              "or a market_size row to market_assumptions")
            size = size_input(basis, missing)
            growth = _pick(assumptions, "growth", basis)
            if growth is None:
                problems.append(Problem(str(REFERENCE_DIR / "market_assumptions.csv"), None, "parameter",
                                        f"no growth range for market {basis}"))
            if size is None or growth is None:
                continue
            size_index, year, per_eur = size
            parts.append({"market": market, "of_market": basis,
                          "share_input": add(share_row) if share_row is not None else -1,
                          "size_input": size_index, "growth_input": add(growth),
                          "years": report_year - year, "per_eur": per_eur})

    def factor_inputs(parameter: str) -> np.ndarray:
        grid = np.full((len(markets), len(segments)), -1)
        for i, market in enumerate(markets):
            for j, segment in enumerate(segments):
                row = _pick(assumptions, parameter, market, segment)
                if row is None:
                    problems.append(Problem(str(REFERENCE_DIR / "market_assumptions.csv"), None, "parameter",
                                            f"no {parameter} range for {market}, {segment}"))
                else:
                    grid[i, j] = add(row)
        return grid

    segment_input = factor_inputs("segment_share")
    photonics_input = factor_inputs("photonics_share")
    attainable_input = factor_inputs("attainable_share")
    if problems:
        raise InputError(sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "")))
    table = pd.DataFrame(inputs)
    for column in ("per_eur", "rate_source"):
        if column not in table:
            table[column] = np.nan
    table = table[["input", "parameter", "market", "of_market", "segment", "low", "mode", "high",
                   "distribution", "kind", "source", "note", "year", "currency", "per_eur", "rate_source"]]
    return MarketModel(report_year=report_year, markets=markets, segments=segments, inputs=table,
                       parts=pd.DataFrame(parts), segment_input=segment_input, photonics_input=photonics_input,
                       attainable_input=attainable_input,
                       addressable=np.ones((len(markets), len(segments))))


def _products_with_markets(dataset: Dataset) -> pd.DataFrame:
    companies = dataset.companies[["id", "cluster", "target_markets"]].rename(columns={"id": "company"})
    products = dataset.products.merge(companies, on="company", how="inner")
    products["markets"] = products["target_markets"].map(split_codes)
    return products


def addressable_share(dataset: Dataset, markets: tuple[str, ...], segments: tuple[str, ...],
                      min_trl: int = 7) -> pd.DataFrame:
    """Per market and segment: the segment's technology uses covered by at least one product of
    TRL >= ``min_trl`` in that segment from a company that targets the market, and their share.

    Columns: ``market``, ``segment``, ``covered`` (list of use ids), ``uses`` (count of the
    segment's uses), ``share`` (covered / uses, 0-1).
    """
    uses = segment_uses(segments)
    products = _products_with_markets(dataset)
    ready = products[products["trl"] >= min_trl].explode("markets")
    rows = []
    for market in markets:
        in_market = ready[ready["markets"] == market]
        for segment in segments:
            offered = set(in_market.loc[in_market["segment"] == segment, "technology_use"])
            covered = [u for u in uses[segment] if u in offered]
            rows.append({"market": market, "segment": segment, "covered": covered,
                         "uses": len(uses[segment]), "share": len(covered) / len(uses[segment])})
    return pd.DataFrame(rows)


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
        draws[:, triangular] = rng.triangular(low[triangular], mode[triangular], high[triangular],
                                              size=(n_draws, int(triangular.sum())))
    return draws


def evaluate(model: MarketModel, values: np.ndarray) -> dict[str, np.ndarray]:
    """The three steps for each row of input ``values`` (shape (n, inputs)); arrays in EUR million:
    ``market_value`` (n, markets) and each of STAGES (n, markets, segments)."""
    parts = model.parts
    n = values.shape[0]
    share = np.where(parts["share_input"].to_numpy() >= 0,
                     values[:, parts["share_input"].clip(lower=0).to_numpy()], PERCENT)
    size_eur = values[:, parts["size_input"].to_numpy()] / parts["per_eur"].to_numpy()
    growth = (1 + values[:, parts["growth_input"].to_numpy()] / PERCENT) ** parts["years"].to_numpy()
    contribution = share / PERCENT * size_eur * growth
    membership = (parts["market"].to_numpy()[:, None] == np.array(model.markets)[None, :]).astype(float)
    market_value = contribution @ membership
    segment_value = market_value[:, :, None] * (values[:, model.segment_input] / PERCENT)
    photonics_value = segment_value * (values[:, model.photonics_input] / PERCENT)
    sales = photonics_value * model.addressable[None, :, :] * (values[:, model.attainable_input] / PERCENT)
    return {"market_value": market_value, "segment_value": segment_value,
            "photonics_value": photonics_value, "partnership_sales": sales}


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
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
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


def market_totals(sim: Simulation) -> pd.DataFrame:
    """Expected partnership sales per target market (high-value geographic segments), ranked.
    Columns ``market``, ``p10``, ``p50``, ``p90``, ``mean``, ``share_of_total`` (of the mean)."""
    q = _quantiles(sim.stages["partnership_sales"].sum(axis=2))
    frame = pd.DataFrame({"market": sim.model.markets, **q})
    frame["share_of_total"] = frame["mean"] / frame["mean"].sum()
    return frame.sort_values("mean", ascending=False, ignore_index=True)


def cell_ranking(sim: Simulation) -> pd.DataFrame:
    """Market x segment cells ranked by expected (mean) partnership sales, with P10-P90,
    ``addressable`` share and ``rank``."""
    cells = cell_summary(sim).query("stage == 'partnership_sales'").drop(columns="stage")
    cells["addressable"] = sim.model.addressable.ravel()
    cells = cells.sort_values("mean", ascending=False, ignore_index=True)
    cells.insert(0, "rank", np.arange(1, len(cells) + 1))
    return cells


def technology_values(sim: Simulation, dataset: Dataset, min_trl: int = 7) -> pd.DataFrame:
    """Expected partnership sales per market and technology use (submarkets): a cell's sales split
    over the technology uses the partnership covers there in proportion to its market-ready
    products of each use (an assumption: no figure gives the size of each use). Columns
    ``market``, ``segment``, ``technology_use``, ``products`` (market-ready, targeting the
    market), ``mean`` (EUR million)."""
    model = sim.model
    mean = sim.stages["partnership_sales"].mean(axis=0)
    products = _products_with_markets(dataset)
    ready = products[products["trl"] >= min_trl].explode("markets")
    counts = ready.groupby(["markets", "segment", "technology_use"]).size()
    cover = addressable_share(dataset, model.markets, model.segments, min_trl)
    rows = []
    for k, cell in cover.iterrows():
        i, j = divmod(k, len(model.segments))
        n = {use: int(counts.get((cell["market"], cell["segment"], use), 0)) for use in cell["covered"]}
        for use, count in n.items():
            rows.append({"market": cell["market"], "segment": cell["segment"], "technology_use": use,
                         "products": count, "mean": mean[i, j] * count / sum(n.values())})
    return pd.DataFrame(rows, columns=["market", "segment", "technology_use", "products", "mean"])


def product_types(sim: Simulation, dataset: Dataset, min_trl: int = 7) -> pd.DataFrame:
    """High-value product types: technology uses ranked by expected partnership sales over all
    markets, with the partnership's products of that use (count, of them market-ready, median TRL).
    Columns ``technology_use``, ``name``, ``mean``, ``products``, ``ready``, ``median_trl``."""
    values = technology_values(sim, dataset, min_trl).groupby("technology_use")["mean"].sum()
    products = dataset.products.groupby("technology_use").agg(
        products=("id", "size"), ready=("trl", lambda t: int((t >= min_trl).sum())),
        median_trl=("trl", "median"))
    names = reference.technology_uses().set_index("id")["name"]
    frame = pd.DataFrame({"mean": values}).join(products, how="left")
    frame.insert(0, "name", names.reindex(frame.index).to_numpy())
    return frame.rename_axis("technology_use").reset_index().sort_values("mean", ascending=False,
                                                                         ignore_index=True)


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


def rank_correlations(sim: Simulation) -> pd.Series:
    """Spearman rank correlation of each input's draws with total partnership sales (0 for inputs
    without a range), indexed by input label."""
    y = rankdata(sim.total_sales)
    x = rankdata(sim.draws, axis=0)
    xc, yc = x - x.mean(axis=0), y - y.mean()
    denom = np.sqrt((xc ** 2).sum(axis=0) * (yc ** 2).sum())
    rho = np.divide(xc.T @ yc, denom, out=np.zeros(x.shape[1]), where=denom > 0)
    return pd.Series(rho, index=sim.model.inputs["input"], name="rank_correlation")


def input_table(model: MarketModel) -> pd.DataFrame:
    """Every input of the model with its range, unit, kind and source, for the report."""
    frame = model.inputs.copy()
    frame["unit"] = [f"{row.currency} million ({int(row.year)})" if row.parameter == "market_size"
                     else MARKET_PARAMETERS[row.parameter][1] for row in frame.itertuples()]
    frame["euro rate"] = [f"{row.per_eur:g} {row.currency}/EUR ({int(row.year)}), {row.rate_source}"
                          if pd.notna(row.per_eur) and row.currency != "EUR" else "" for row in frame.itertuples()]
    return frame[["input", "kind", "low", "mode", "high", "unit", "distribution", "source", "euro rate", "note"]]


# --- market-partnership fit ------------------------------------------------------------------

LINK_STRENGTH = {"mission_lead": 1.0, "mission_co_organiser": 0.8, "roadshow": 0.8, "mission": 0.6,
                 "established_link": 0.6, "trade_show": 0.4, "planned": 0.2}
FIT_WEIGHTS = {"coverage": 0.5, "maturity": 0.25, "links": 0.25}


def cluster_links_to_markets(markets: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The strongest tie of each cluster to each target market and what it is.

    Ties (strength 0-1, ``LINK_STRENGTH``, an assumption): leads or co-organises the market's
    mission, runs its roadshow (roadmap §2.6 Tables 2-3), or has a past mission, established link,
    trade show or plan in one of the market's countries (§1.2.1, §2.6 Table 1).
    Columns ``cluster``, ``market``, ``links`` (0-1), ``link_evidence``.
    """
    markets = markets or reference.TARGET_MARKET_IDS
    countries = dict(zip(reference.markets()["id"], reference.markets()["countries"].map(split_codes)))
    missions = reference.missions().set_index("market")
    links = reference.cluster_links()
    rows = []
    for cluster in reference.CLUSTER_IDS:
        for market in markets:
            ties = []
            if market in missions.index:
                mission = missions.loc[market]
                if mission["lead"] == cluster:
                    ties.append(("mission_lead", f"leads mission {mission['mission']}"))
                if mission["co_organiser"] == cluster:
                    ties.append(("mission_co_organiser", f"co-organises mission {mission['mission']}"))
                if cluster in split_codes(mission["roadshow_clusters"]):
                    ties.append(("roadshow", "runs its business roadshow"))
            own = links[(links["cluster"] == cluster) & links["country"].isin(countries.get(market, []))]
            ties += [(kind, f"{kind.replace('_', ' ')} ({country})")
                     for kind, country in zip(own["kind"], own["country"])]
            strength = max((LINK_STRENGTH[k] for k, _ in ties), default=0.0)
            rows.append({"cluster": cluster, "market": market, "links": strength,
                         "link_evidence": "; ".join(dict.fromkeys(text for _, text in ties)) or "no tie recorded"})
    return pd.DataFrame(rows)


def fit_scores(dataset: Dataset, markets: tuple[str, ...] | None = None,
               weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Market-partnership fit per cluster, segment and market, 0-100:

    100 x (w_c coverage + w_m maturity + w_l links), weights ``FIT_WEIGHTS`` (an assumption) where
    coverage = share of the segment's technology uses that the cluster's companies (their
    technology uses, for companies serving the segment) or products (in the segment) cover;
    maturity = (mean TRL of the cluster's products in the segment - 1) / 8, 0 without products;
    links = :func:`cluster_links_to_markets`.
    Columns ``cluster``, ``segment``, ``market``, ``coverage``, ``maturity``, ``links``, ``score``,
    ``uses_covered``, ``uses``, ``products``, ``mean_trl``, ``link_evidence``.
    """
    weights = {**FIT_WEIGHTS, **(weights or {})}
    markets = markets or reference.TARGET_MARKET_IDS
    segments = reference.THEMATIC_SEGMENT_IDS
    uses = segment_uses(segments)
    companies, products = dataset.companies, dataset.products.merge(
        dataset.companies[["id", "cluster"]].rename(columns={"id": "company"}), on="company")
    rows = []
    for cluster in reference.CLUSTER_IDS:
        own = companies[companies["cluster"] == cluster]
        for segment in segments:
            serving = own.loc[own["segments"].map(lambda cell: segment in split_codes(cell)).astype(bool)]
            offered = {u for cell in serving["technology_uses"] for u in split_codes(cell)}
            in_segment = products[(products["cluster"] == cluster) & (products["segment"] == segment)]
            offered |= set(in_segment["technology_use"])
            covered = [u for u in uses[segment] if u in offered]
            mean_trl = float(in_segment["trl"].mean()) if len(in_segment) else np.nan
            rows.append({"cluster": cluster, "segment": segment, "coverage": len(covered) / len(uses[segment]),
                         "maturity": 0.0 if np.isnan(mean_trl) else (mean_trl - 1) / 8,
                         "uses_covered": len(covered), "uses": len(uses[segment]),
                         "products": len(in_segment), "mean_trl": mean_trl})
    capability = pd.DataFrame(rows)
    frame = capability.merge(cluster_links_to_markets(markets), on="cluster")
    frame["score"] = 100 * (weights["coverage"] * frame["coverage"] + weights["maturity"] * frame["maturity"]
                            + weights["links"] * frame["links"]) / sum(weights.values())
    return frame[["cluster", "segment", "market", "coverage", "maturity", "links", "score", "uses_covered",
                  "uses", "products", "mean_trl", "link_evidence"]]


def screening_guide(sim: Simulation, fit: pd.DataFrame, dataset: Dataset, min_trl: int = 7,
                    segments_per_market: int = 2, clusters_per_segment: int = 2,
                    companies_per_segment: int = 3) -> pd.DataFrame:
    """Partner-screening guide: per target market, the segments with the highest expected
    partnership sales, the best-fitting clusters and the best-placed companies (by pseudonymous
    id: those targeting the market with a product in the segment, most mature first), with the
    evidence. Companies count only with a product of TRL >= ``min_trl``. One row per market and
    segment."""
    cells = cell_ranking(sim)
    names, segment_names = reference.names("markets"), reference.names("segments")
    products = _products_with_markets(dataset).explode("markets")
    rows = []
    for market in sim.model.markets:
        best = cells[cells["market"] == market].head(segments_per_market)
        for cell in best.itertuples():
            fits = fit[(fit["market"] == market) & (fit["segment"] == cell.segment)].nlargest(
                clusters_per_segment, "score")
            candidates = products[(products["markets"] == market) & (products["segment"] == cell.segment)
                                  & (products["trl"] >= min_trl)]
            placed = (candidates.groupby("company").agg(best_trl=("trl", "max"), n=("id", "size"))
                      .sort_values(["best_trl", "n"], ascending=False).head(companies_per_segment))
            rows.append({
                "market": names[market], "segment": segment_names[cell.segment],
                "expected_sales_eur_m": cell.mean, "p10_eur_m": cell.p10, "p90_eur_m": cell.p90,
                "clusters": ", ".join(f"{f.cluster} ({f.score:.0f})" for f in fits.itertuples()),
                "companies": ", ".join(f"{c} (TRL {int(t)})" for c, t in zip(placed.index, placed["best_trl"]))
                or "none with a market-ready product",
                "fit_evidence": "; ".join(
                    f"{f.cluster}: {f.uses_covered}/{f.uses} uses, "
                    + (f"mean TRL {f.mean_trl:.1f}" if pd.notna(f.mean_trl) else "no products")
                    + f", {f.link_evidence}" for f in fits.itertuples()),
            })
    return pd.DataFrame(rows)


# --- From a data folder to the report ---------------------------------------------------------

@dataclass(frozen=True)
class MarketAnalysis:
    """Everything the market page shows, for one data folder and report year."""

    model: MarketModel
    simulation: Simulation
    totals: pd.DataFrame         # :func:`totals`
    cells: pd.DataFrame          # :func:`cell_ranking`
    markets: pd.DataFrame        # :func:`market_totals`
    tornado: pd.DataFrame        # :func:`tornado`
    rank_correlations: pd.Series  # :func:`rank_correlations`
    fit: pd.DataFrame            # :func:`fit_scores`
    guide: pd.DataFrame          # :func:`screening_guide`
    submarkets: pd.DataFrame     # :func:`technology_values`, ranked
    product_types: pd.DataFrame  # :func:`product_types`
    min_trl: int


def analyse_market(data: Dataset, report_year: int, n_draws: int = 20_000, seed: int = 1,
                   min_trl: int = 7) -> MarketAnalysis:
    """The whole market page from a validated data folder: model, Monte Carlo, rankings, fit, guide."""
    model = build_model(market_tables(data), data, report_year, min_trl)
    sim = simulate(model, n_draws, seed)
    fit = fit_scores(data, model.markets)
    return MarketAnalysis(
        model=model, simulation=sim, totals=totals(sim), cells=cell_ranking(sim), markets=market_totals(sim),
        tornado=tornado(model), rank_correlations=rank_correlations(sim), fit=fit,
        guide=screening_guide(sim, fit, data, min_trl),
        submarkets=technology_values(sim, data, min_trl).sort_values("mean", ascending=False, ignore_index=True),
        product_types=product_types(sim, data, min_trl), min_trl=min_trl)


def findings(analysis: MarketAnalysis) -> str:
    """The page's findings in a few sentences of Markdown, computed from the analysis."""
    names, segment_names = reference.names("markets"), reference.names("segments")
    total = analysis.totals.set_index("stage").loc["partnership_sales"]
    top_market = analysis.markets.iloc[0]
    top_cell = analysis.cells.iloc[0]
    driver = analysis.tornado.iloc[0]
    assumed = analysis.model.inputs.query("kind == 'assumption'")
    return "\n".join([
        f"- Expected partnership sales in {analysis.model.report_year} over the eight markets: "
        f"**EUR {total['p50']:,.0f} m** (P50; P10-P90 EUR {total['p10']:,.0f}-{total['p90']:,.0f} m).",
        f"- **{names[top_market['market']]}** holds {top_market['share_of_total']:.0%} of the expected (mean) "
        f"sales; the largest single cell is {names[top_cell['market']]} x "
        f"{segment_names[top_cell['segment']].lower()} (EUR {top_cell['mean']:,.1f} m expected, P10-P90 "
        f"{top_cell['p10']:,.1f}-{top_cell['p90']:,.1f}).",
        f"- The input that moves the total most is **{driver['input']}** ({driver['kind']}): from its low "
        f"to its high the total goes from EUR {driver['sales_at_low']:,.0f} m to {driver['sales_at_high']:,.0f} m.",
        f"- {len(assumed)} of the {len(analysis.model.inputs)} inputs are assumptions, not published figures; "
        "they are listed with their ranges at the end of the page.",
    ])


# --- Charts ----------------------------------------------------------------------------------

ASSUMPTION_HATCH = "///"


def _money(value: float) -> str:
    """EUR million as text: EUR 62.3 bn, EUR 79 m, EUR 2.4 m."""
    if value >= 1000:
        return f"EUR {value / 1000:,.1f} bn"
    return f"EUR {value:,.0f} m" if value >= 10 else f"EUR {value:,.1f} m"


def plot_funnel(analysis: MarketAnalysis, source: str) -> plt.Figure:
    """The three steps over all markets and segments: P50 bars with P10-P90 whiskers, log scale."""
    frame = analysis.totals.set_index("stage").loc[list(STAGES)]
    y = np.arange(len(frame))[::-1]
    fig, ax = plt.subplots(figsize=(10, 3.4))
    ax.barh(y, frame["p50"], color=sns.color_palette("colorblind")[0], height=0.45)
    ax.errorbar(frame["p50"], y, xerr=[frame["p50"] - frame["p10"], frame["p90"] - frame["p50"]],
                fmt="none", color="black", lw=1, capsize=4, label="P10-P90")
    for yi, row in zip(y, frame.itertuples()):
        ax.text(0.01, yi + 0.27, f"{_money(row.p50)}  (P10-P90 {_money(row.p10)} to {_money(row.p90)})",
                transform=ax.get_yaxis_transform(), va="bottom", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(frame["p10"].min() / 3, frame["p90"].max() * 3)
    ax.set_yticks(y, [STAGE_NAMES[s] for s in frame.index])
    ax.set_xlabel(f"EUR million in {analysis.model.report_year} (log scale; bar: P50)")
    ax.set_ylim(y.min() - 0.4, y.max() + 0.7)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(f"{_money(frame.loc['partnership_sales', 'p50'])} of partnership sales from a "
                 f"{_money(frame.loc['segment_value', 'p50'])} segment market (P50)")
    fig.tight_layout()
    add_source(fig, source)
    return fig


def plot_sales_heatmap(analysis: MarketAnalysis, source: str) -> plt.Figure:
    """Expected partnership sales per market (mission order) and segment, with P50 and P10-P90."""
    markets, segments = reference.names("markets"), reference.names("segments")
    cells = analysis.cells.set_index(["market", "segment"])
    mean = cells["mean"].unstack().loc[list(analysis.model.markets), list(analysis.model.segments)]
    fig, ax = plt.subplots(figsize=(10, 6.2))
    sns.heatmap(mean, cmap="Blues", vmin=0, annot=False, linewidths=0.5, ax=ax,
                cbar_kws={"label": "expected (mean) partnership sales, EUR million"})
    for i, market in enumerate(mean.index):
        for j, segment in enumerate(mean.columns):
            cell = cells.loc[(market, segment)]
            colour = "white" if cell["mean"] > 0.6 * mean.to_numpy().max() else "black"
            ax.text(j + 0.5, i + 0.42, f"{cell['mean']:,.1f}", ha="center", va="center", fontsize=10,
                    fontweight="bold", color=colour)
            ax.text(j + 0.5, i + 0.72, f"P50 {cell['p50']:,.1f} ({cell['p10']:,.1f}-{cell['p90']:,.1f})",
                    ha="center", va="center", fontsize=7, color=colour)
    ax.set_yticks(np.arange(len(mean)) + 0.5, [markets[m] for m in mean.index], rotation=0)
    ax.set_xticks(np.arange(mean.shape[1]) + 0.5, [textwrap.fill(segments[s], 20) for s in mean.columns],
                  rotation=0, fontsize=9)
    ax.set(xlabel="thematic segment (cell: mean, P50 and P10-P90, EUR million)",
           ylabel="market (mission order)")
    top = analysis.cells.iloc[0]
    fig.suptitle(f"{markets[top['market']]} x {segments[top['segment']].lower()} is worth most: "
                 f"EUR {top['mean']:,.1f} m expected", x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    add_source(fig, source)
    return fig


def _input_value(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if unit != "%" else f"{value:g}%"


def plot_tornado(analysis: MarketAnalysis, source: str, top: int = 10) -> plt.Figure:
    """One-at-a-time sensitivity of total partnership sales to the ``top`` inputs with the widest swing."""
    frame = analysis.tornado.head(top).iloc[::-1].reset_index(drop=True)
    inputs = analysis.model.inputs.set_index("input")
    units = {i: f"{inputs.at[i, 'currency']} m" if inputs.at[i, "parameter"] == "market_size" else "%"
             for i in frame["input"]}
    base = float(deterministic(analysis.model)["partnership_sales"].sum())
    colours = sns.color_palette("colorblind")
    fig, ax = plt.subplots(figsize=(10, 6))
    for y, row in frame.iterrows():
        hatch = ASSUMPTION_HATCH if row["kind"] == "assumption" else None
        for sales, colour in ((row["sales_at_low"], colours[0]), (row["sales_at_high"], colours[1])):
            ax.barh(y, sales - base, left=base, color=colour, hatch=hatch, edgecolor="white", height=0.65)
        ends = sorted([(row["sales_at_low"], row["low"]), (row["sales_at_high"], row["high"])])
        ax.text(min(ends[0][0], base), y, f"{_input_value(ends[0][1], units[row['input']])} ", ha="right",
                va="center", fontsize=8)
        ax.text(max(ends[1][0], base), y, f" {_input_value(ends[1][1], units[row['input']])}", ha="left",
                va="center", fontsize=8)
    labels = [textwrap.fill(i + (" (assumption)" if k == "assumption" else ""), 48)
              for i, k in zip(frame["input"], frame["kind"])]
    ax.set_yticks(frame.index, labels, fontsize=8)
    ax.axvline(base, color="black", lw=1)
    span = frame[["sales_at_low", "sales_at_high"]].to_numpy()
    ax.set_xlim(min(0, span.min() * 0.8), span.max() * 1.15)
    ax.set_xlabel(f"total partnership sales, EUR million (other inputs at their mode: {_money(base)})")
    ax.legend(handles=[Patch(color=colours[0], label="input at its low"),
                       Patch(color=colours[1], label="input at its high"),
                       Patch(facecolor="white", edgecolor="grey", hatch=ASSUMPTION_HATCH, label="assumption")],
              loc="lower right", fontsize=8)
    driver = analysis.tornado.iloc[0]
    fig.suptitle(f"{driver['input'].capitalize()} moves the total most: "
                 f"{_money(driver['sales_at_low'])} to {_money(driver['sales_at_high'])}",
                 x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    add_source(fig, source)
    return fig


def plot_fit_heatmap(analysis: MarketAnalysis, source: str) -> plt.Figure:
    """Market-partnership fit (0-100) of each cluster in each market, one panel per thematic segment."""
    markets, segments = reference.names("markets"), reference.names("segments")
    fit = analysis.fit
    fig, axes = plt.subplots(len(analysis.model.segments), 1, figsize=(9, 10), sharex=True,
                             layout="constrained")
    for ax, segment in zip(axes, analysis.model.segments):
        grid = (fit[fit["segment"] == segment].pivot(index="cluster", columns="market", values="score")
                .loc[list(reference.CLUSTER_IDS), list(analysis.model.markets)])
        sns.heatmap(grid, vmin=0, vmax=100, cmap="YlGn", annot=True, fmt=".0f", linewidths=0.5, ax=ax,
                    cbar=False, annot_kws={"fontsize": 9})
        ax.set_title(segments[segment], fontsize=11)
        ax.set(xlabel="", ylabel="cluster")
        ax.tick_params(axis="y", rotation=0)
    axes[-1].set_xticks(np.arange(len(analysis.model.markets)) + 0.5,
                        [textwrap.fill(markets[m], 10) for m in analysis.model.markets], rotation=0, fontsize=9)
    fig.colorbar(axes[0].collections[0], ax=axes, shrink=0.5, label="fit score (0-100, shared scale)")
    axes[-1].set_xlabel("target market (mission order)")
    best = fit.loc[fit["score"].idxmax()]
    fig.suptitle(f"{best['cluster']} in {markets[best['market']]} for {segments[best['segment']].lower()} "
                 f"fits best: {best['score']:.0f} of 100", x=0.01, ha="left", fontweight="bold")
    add_source(fig, source)
    return fig
