"""A data folder: one CSV or XLSX file per input table, read, checked and held as a Dataset.

All problems of a folder are collected before anything fails, each as
``file:row:column: message`` (:mod:`lasergo.data.reader`); :func:`load_data`
raises InputError listing every one, or returns the validated
:class:`Dataset`.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from lasergo.data.market_inputs import market_input_problems
from lasergo.data.reader import SUFFIXES, empty_table, find_table_file, read_table_file
from lasergo.data.schemas import TABLES
from lasergo.data.validation import check_foreign_keys, check_swot_tables
from lasergo.errors import InputError, Problem

DATASET_FILE = "dataset.json"


@dataclass(frozen=True)
class Dataset:
    """The validated input tables of one data folder, columns as in :mod:`lasergo.schemas`.

    ``synthetic`` is true when the folder says so in ``dataset.json`` (as the
    output of ``lasergo sample-data`` does); reports then label every page.
    """

    directory: Path
    companies: pd.DataFrame
    products: pd.DataFrame
    survey_waves: pd.DataFrame
    kpi_ledger: pd.DataFrame
    market_figures: pd.DataFrame
    market_assumptions: pd.DataFrame
    currency_rates: pd.DataFrame
    swot_judgements: pd.DataFrame
    swot_ratings: pd.DataFrame
    swot_factors: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    synthetic: bool = False
    description: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def latest_date(self) -> pd.Timestamp | None:
        """The newest dated record (KPI ledger entry or survey wave)."""
        dates = pd.concat([self.kpi_ledger["date"], self.survey_waves["wave_date"]]).dropna()
        return dates.max() if len(dates) else None

    def first_date(self) -> pd.Timestamp | None:
        """The oldest dated record (a company joining, a KPI ledger entry or a survey wave)."""
        dates = pd.concat([self.companies["joined"], self.kpi_ledger["date"], self.survey_waves["wave_date"]]).dropna()
        return dates.min() if len(dates) else None

    def cut(self, until: pd.Timestamp) -> Dataset:
        """The data as known at ``until``: later entries, waves and companies removed."""
        companies = self.companies[self.companies["joined"] <= until]
        known = set(companies["id"])
        return replace(
            self,
            companies=companies,
            products=self.products[self.products["company"].isin(known)],
            survey_waves=self.survey_waves[
                (self.survey_waves["wave_date"] <= until) & self.survey_waves["company"].isin(known)
            ],
            kpi_ledger=self.kpi_ledger[self.kpi_ledger["date"] <= until],
        )


def unread_files(directory: Path) -> list[str]:
    """Warnings for the table files of ``directory`` that no table reads but whose name is close
    to a table's (``market_figure.csv`` for ``market_figures``): a misspelled optional table
    would otherwise be ignored without a word."""
    names = list(TABLES)
    found = []
    for path in sorted(directory.iterdir()):
        if path.suffix not in SUFFIXES or path.stem in TABLES or path.name.startswith("."):
            continue
        close = difflib.get_close_matches(path.stem, names, n=1, cutoff=0.75)
        if close:
            found.append(f"{path.name} is not read: no table has that name (did you mean {close[0]}{path.suffix}?)")
    return found


def _read_description(directory: Path) -> tuple[dict, list[Problem]]:
    path = directory / DATASET_FILE
    if not path.is_file():
        return {}, []
    try:
        description = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        return {}, [Problem(str(path), None, None, f"not a JSON object: {err}")]
    if not isinstance(description, dict):
        return {}, [Problem(str(path), None, None, "not a JSON object")]
    return description, []


def load_data(directory: str | Path) -> Dataset:
    """Read and validate every input table of ``directory``; raise InputError listing all problems.

    Problems name the rows as the files show them; the Dataset's tables are then indexed 0..n-1.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError([Problem(str(directory), None, None, "data folder not found")])
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    for table in TABLES.values():
        path, found_problems = find_table_file(directory, table)
        problems += found_problems
        if path is None:
            if not table.required:
                tables[table.name] = empty_table(table)
            continue
        files[table.name] = path
        typed, table_problems = read_table_file(path, table)
        problems += table_problems
        if typed is not None:
            tables[table.name] = typed
    where = {name: str(p) for name, p in files.items()}
    problems += check_foreign_keys(tables, where)
    problems += check_swot_tables(tables, where)
    description, description_problems = _read_description(directory)
    problems += description_problems
    if problems:
        raise InputError(problems)
    if description:
        files["dataset"] = directory / DATASET_FILE
    dataset = Dataset(
        directory=directory,
        files=files,
        synthetic=bool(description.get("synthetic")),
        description=description,
        warnings=tuple(unread_files(directory)),
        **tables,
    )
    problems = market_input_problems(dataset)
    if problems:
        raise InputError(problems)
    return replace(dataset, **{name: frame.reset_index(drop=True) for name, frame in tables.items()})
