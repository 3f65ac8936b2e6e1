"""The market model's input rows: reference figures, ranges and euro rates merged with a
data folder's own, and resolved into the random inputs of the three-step estimate.

Which row applies where is a question about the tables, so it is answered
here, once, for validation and for the analysis alike
(:func:`market_input_problems`, :func:`resolve_inputs`): a target market
without a size, a currency without a euro rate for the figure's year or a
factor without any range is an input problem located by file, row and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from lasergo.data import reference
from lasergo.data.reference import REFERENCE_DIR
from lasergo.errors import InputError, Problem

BASE_SEGMENT = "medical_devices"  # the market figures the model starts from
PERCENT = 100.0
ASSUMPTION_KEY = ["parameter", "market", "of_market", "segment"]
ROW_COLUMNS = [
    "parameter",
    "market",
    "of_market",
    "segment",
    "low",
    "mode",
    "high",
    "distribution",
    "kind",
    "source",
    "note",
    "year",
    "currency",
]
INPUT_COLUMNS = ["input", *ROW_COLUMNS, "per_eur", "rate_source"]


class OwnMarketTables(Protocol):
    """A data folder's own market tables (a :class:`lasergo.data.dataset.Dataset`)."""

    @property
    def market_figures(self) -> pd.DataFrame: ...

    @property
    def market_assumptions(self) -> pd.DataFrame: ...

    @property
    def currency_rates(self) -> pd.DataFrame: ...

    @property
    def files(self) -> Mapping[str, Path]: ...


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

    figures: pd.DataFrame  # market_figures columns + file, row, own (from the data folder)
    assumptions: pd.DataFrame  # market_assumptions columns + file, row, own
    rates: pd.DataFrame  # currency_rates columns + file, row, own


def market_tables(dataset: OwnMarketTables | None = None, reference_dir: Path = REFERENCE_DIR) -> MarketTables:
    """Reference market figures, assumptions and euro rates, overridden by the dataset's own tables."""
    reference_dir = Path(reference_dir)
    figures = _with_origin(
        reference.read_table("market_figures", reference_dir), str(reference_dir / "market_figures.csv"), own=False
    )
    assumptions = _with_origin(
        reference.read_table("market_assumptions", reference_dir),
        str(reference_dir / "market_assumptions.csv"),
        own=False,
    )
    rates = _with_origin(
        reference.read_table("currency_rates", reference_dir), str(reference_dir / "currency_rates.csv"), own=False
    )
    if dataset is not None:
        own = lambda name: _with_origin(getattr(dataset, name), str(dataset.files.get(name, name)), own=True)
        figures = _merge(figures, own("market_figures"), ["market", "segment", "year"])
        assumptions = _merge(assumptions, own("market_assumptions"), ASSUMPTION_KEY)
        rates = _merge(rates, own("currency_rates"), ["currency", "year"])
    return MarketTables(figures, assumptions, rates)


def _label(parameter: str, market: str | None, of_market: str | None, segment: str | None) -> str:
    names = reference.names("markets", "segments")
    what = {
        "market_size": "market size",
        "regional_share": "regional share",
        "growth": "growth a year",
        "segment_share": "segment share",
        "photonics_share": "photonics share",
        "attainable_share": "attainable share",
    }[parameter]
    where = [names.get(market, market) if isinstance(market, str) else "all markets"]
    if isinstance(of_market, str) and isinstance(market, str):
        where = [f"{names.get(market, market)} of {names.get(of_market, of_market)}"]
    if isinstance(segment, str):
        where.append(names.get(segment, segment))
    elif parameter in ("segment_share", "photonics_share", "attainable_share"):
        where.append("all segments")
    return f"{what}: {', '.join(where)}"


def _pick(
    assumptions: pd.DataFrame, parameter: str, market: str | None = None, segment: str | None = None
) -> pd.Series | None:
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


@dataclass(frozen=True)
class ResolvedInputs:
    """The random inputs of the market model and where each enters, for one report year.

    ``inputs``: one row per random input, columns ``INPUT_COLUMNS``: a label, the parameter,
    market, of_market and segment it applies to, ``low``, ``mode``, ``high`` (unit of the
    parameter: percent, or million of ``currency`` for sizes), ``distribution``, ``kind``
    (published, assumption, definition), ``source``, ``note``, ``year``, ``currency``, the euro
    rate ``per_eur`` of a size and its ``rate_source``.
    ``parts``: one row per (market, of_market) part of a target market, with the input
    positions of its share (-1: all of it), size and growth, ``years`` of growth and ``per_eur``.
    ``segment_input``, ``photonics_input``, ``attainable_input``: input positions per (market,
    segment), shape (markets, segments).
    """

    report_year: int
    markets: tuple[str, ...]
    segments: tuple[str, ...]
    inputs: pd.DataFrame
    parts: pd.DataFrame
    segment_input: np.ndarray
    photonics_input: np.ndarray
    attainable_input: np.ndarray


def market_input_problems(dataset: OwnMarketTables) -> list[Problem]:
    """What stops the market model, each located by file, row and column: a target market without a
    size, a currency without a euro rate for the figure's year, a factor without any range."""
    try:
        resolve_inputs(market_tables(dataset), report_year=2000)  # the checks do not depend on the year
    except InputError as err:
        return err.problems
    return []


def resolve_inputs(tables: MarketTables, report_year: int) -> ResolvedInputs:
    """The model's random inputs and where each enters; InputError for every row that is missing.

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
            base = {c: row.get(c) for c in ROW_COLUMNS}
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
            entry = {
                "parameter": "market_size",
                "market": market,
                "of_market": None,
                "segment": None,
                "low": low,
                "mode": row["value_m"],
                "high": high,
                "distribution": "pert",
                "kind": "published",
                "source": row["source"],
                "note": row["note"],
                "year": row["year"],
                "currency": row["currency"],
                "file": row["file"],
                "row": row["row"],
            }
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
            problems.append(
                Problem(
                    row["file"],
                    int(row["row"]),
                    "currency",
                    f"no euro rate for {row['currency']} in {row['year']}: add it to "
                    "currency_rates (data/reference/currency_rates.csv)",
                )
            )
            return None
        inputs[index]["per_eur"] = float(rate.iloc[0]["per_eur"])
        inputs[index]["rate_source"] = rate.iloc[0]["source"]
        return index, int(row["year"]), float(rate.iloc[0]["per_eur"])

    parts = []
    for market in markets:
        regional = assumptions[(assumptions["parameter"] == "regional_share") & (assumptions["market"] == market)]
        bases = [(row["of_market"], row) for _, row in regional.iterrows()] or [(market, None)]
        for basis, share_row in bases:
            missing = Problem(
                str(share_row["file"]) if share_row is not None else str(REFERENCE_DIR / "market_assumptions.csv"),
                int(share_row["row"]) if share_row is not None else None,
                "of_market" if share_row is not None else "market",
                f"no size for market {basis}: add a {BASE_SEGMENT} figure to market_figures "
                "or a market_size row to market_assumptions",
            )
            size = size_input(basis, missing)
            growth = _pick(assumptions, "growth", basis)
            if growth is None:
                problems.append(
                    Problem(
                        str(REFERENCE_DIR / "market_assumptions.csv"),
                        None,
                        "parameter",
                        f"no growth range for market {basis}",
                    )
                )
            if size is None or growth is None:
                continue
            size_index, year, per_eur = size
            parts.append(
                {
                    "market": market,
                    "of_market": basis,
                    "share_input": add(share_row) if share_row is not None else -1,
                    "size_input": size_index,
                    "growth_input": add(growth),
                    "years": report_year - year,
                    "per_eur": per_eur,
                }
            )

    def factor_inputs(parameter: str) -> np.ndarray:
        grid = np.full((len(markets), len(segments)), -1)
        for i, market in enumerate(markets):
            for j, segment in enumerate(segments):
                row = _pick(assumptions, parameter, market, segment)
                if row is None:
                    problems.append(
                        Problem(
                            str(REFERENCE_DIR / "market_assumptions.csv"),
                            None,
                            "parameter",
                            f"no {parameter} range for {market}, {segment}",
                        )
                    )
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
    return ResolvedInputs(
        report_year=report_year,
        markets=markets,
        segments=segments,
        inputs=table[INPUT_COLUMNS],
        parts=pd.DataFrame(parts),
        segment_input=segment_input,
        photonics_input=photonics_input,
        attainable_input=attainable_input,
    )
