"""A data folder: one CSV or XLSX file per input table, read, checked and held as a Dataset.

All problems of a folder are collected before anything fails, each as
``file:row:column: message`` (:mod:`lasergo.data.reader`); :func:`load_data`
raises InputError listing every one, or returns the validated
:class:`Dataset`.
"""

from __future__ import annotations

import difflib
import json
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from lasergo.data import reference
from lasergo.data.market_inputs import market_input_problems
from lasergo.data.reader import SUFFIXES, empty_table, find_table_file, read_table_file
from lasergo.data.schemas import TABLES
from lasergo.data.validation import check_foreign_keys, check_network_tables, check_survey_tables, check_swot_tables
from lasergo.errors import InputError, Problem

DATASET_FILE = "dataset.json"


@dataclass(frozen=True)
class Dataset:
    """The validated input tables of one data folder, columns as in :mod:`lasergo.data.schemas`.
    The optional tables (market figures to R&D funding) are empty, with their columns, when the
    folder has no file for them.

    ``synthetic`` is true when the folder says so in ``dataset.json`` (as the
    output of ``lasergo sample-data`` does); reports then label every page.

    ``on_read``, when set (:meth:`watched`), is called with a table's name each time a table is
    read: the pipeline learns which tables a page depends on.
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
    scouting: pd.DataFrame
    affiliates: pd.DataFrame
    ties: pd.DataFrame
    activities: pd.DataFrame
    survey_questions: pd.DataFrame
    survey_responses: pd.DataFrame
    feedback: pd.DataFrame
    rd_funding: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    synthetic: bool = False
    description: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    cluster: str = ""  # one cluster's rows only (:meth:`for_cluster`), for its edition
    on_read: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    def __getattribute__(self, name: str) -> Any:
        if name in TABLES:
            on_read = object.__getattribute__(self, "on_read")
            if on_read is not None:
                on_read(name)
        return object.__getattribute__(self, name)

    def _tables(self) -> dict[str, pd.DataFrame]:
        """Every table, read without telling ``on_read`` (for the methods that filter them all)."""
        return {name: object.__getattribute__(self, name) for name in TABLES}

    def _with(self, **changes: object) -> Dataset:
        """A copy with ``changes``, made without reading the tables through ``on_read``."""
        values = {f.name: object.__getattribute__(self, f.name) for f in fields(self)}
        return Dataset(**{**values, **changes})

    def watched(self, on_read: Callable[[str], None]) -> Dataset:
        """The same data, calling ``on_read(table)`` on every read of a table."""
        return self._with(on_read=on_read)

    def latest_date(self) -> pd.Timestamp | None:
        """The newest dated record (KPI ledger entry or survey wave)."""
        dates = pd.concat([self.kpi_ledger["date"], self.survey_waves["wave_date"]]).dropna()
        return dates.max() if len(dates) else None

    def first_date(self) -> pd.Timestamp | None:
        """The oldest dated record (a company joining, a KPI ledger entry or a survey wave)."""
        dates = pd.concat([self.companies["joined"], self.kpi_ledger["date"], self.survey_waves["wave_date"]]).dropna()
        return dates.min() if len(dates) else None

    def cut(self, until: pd.Timestamp) -> Dataset:
        """The data as known at ``until``: later entries, waves and companies removed.

        Dated rows after ``until`` go (scouting, ties, survey responses, feedback, R&D funding;
        affiliates shortlisted later); an affiliate's later interview or MoU date is blanked.
        An activity held later keeps its plan and planned date but loses ``held``,
        ``participants`` and ``evidence``; one with neither plan item nor planned date was
        not known before it was held and goes.
        """
        t = self._tables()
        companies = t["companies"][t["companies"]["joined"] <= until]
        known = set(companies["id"])
        affiliates = t["affiliates"][t["affiliates"]["shortlisted"] <= until].copy()
        for step in ("interviewed", "mou_signed"):
            affiliates[step] = affiliates[step].where(affiliates[step] <= until)
        activities = t["activities"]
        later = activities["held"] > until
        activities = activities[~(later & activities["plan_id"].isna() & activities["planned"].isna())].copy()
        later = activities["held"] > until
        activities.loc[later, "held"] = pd.NaT
        activities.loc[later, "participants"] = pd.NA
        activities.loc[later, "evidence"] = None
        waves = t["survey_waves"]
        return self._with(
            companies=companies,
            products=t["products"][t["products"]["company"].isin(known)],
            survey_waves=waves[(waves["wave_date"] <= until) & waves["company"].isin(known)],
            kpi_ledger=t["kpi_ledger"][t["kpi_ledger"]["date"] <= until],
            scouting=t["scouting"][t["scouting"]["date"] <= until],
            affiliates=affiliates,
            ties=t["ties"][t["ties"]["date"] <= until],
            activities=activities,
            survey_responses=t["survey_responses"][t["survey_responses"]["date"] <= until],
            feedback=t["feedback"][t["feedback"]["date"] <= until],
            rd_funding=t["rd_funding"][t["rd_funding"]["date"] <= until],
        )

    def for_cluster(self, cluster: str) -> Dataset:
        """The rows that belong to one cluster, for its edition of the reports (``--by cluster``).

        Its companies with their products and survey waves; its KPI ledger entries, scouting
        findings, survey respondents, feedback forms and R&D funding; the activities it leads;
        the ties it owns (a tie belongs to the cluster of its first end that is a cluster or a
        company, so that each tie counts in one edition; another cluster's company at its other
        end shows as that cluster). Rows without a cluster (a finding whose scout is not named, a
        tie between two affiliates) belong to no cluster's edition. Affiliates, the SWOT and the
        market tables are the partnership's and stay whole.
        """
        t = self._tables()
        companies = t["companies"][t["companies"]["cluster"] == cluster]
        known = set(companies["id"])
        company_cluster = dict(zip(t["companies"]["id"], t["companies"]["cluster"], strict=True))
        owner = {**company_cluster, **{c: c for c in reference.CLUSTER_IDS}}
        ties = t["ties"]
        tie_owner = ties["source"].map(owner).fillna(ties["target"].map(owner))
        ties = ties[tie_owner == cluster].copy()
        for end in ("source", "target"):  # another cluster's company shows as its cluster
            clusters = ties[end].map(company_cluster)
            other = clusters.notna() & (clusters != cluster)
            ties.loc[other, end] = clusters[other]
        return self._with(
            cluster=cluster,
            companies=companies,
            products=t["products"][t["products"]["company"].isin(known)],
            survey_waves=t["survey_waves"][t["survey_waves"]["company"].isin(known)],
            kpi_ledger=t["kpi_ledger"][t["kpi_ledger"]["cluster"] == cluster],
            scouting=t["scouting"][t["scouting"]["cluster"] == cluster],
            ties=ties,
            activities=t["activities"][t["activities"]["lead"] == cluster],
            survey_responses=t["survey_responses"][t["survey_responses"]["cluster"] == cluster],
            feedback=t["feedback"][t["feedback"]["cluster"] == cluster],
            rd_funding=t["rd_funding"][t["rd_funding"]["cluster"] == cluster],
        )


def save_snapshot(dataset: Dataset, path: Path) -> None:
    """Write the validated dataset for the pages of one run to read instead of validating the
    folder again (pickle: the run's own file, read only by the run's notebooks)."""
    path.write_bytes(pickle.dumps(dataset._with(on_read=None), protocol=pickle.HIGHEST_PROTOCOL))


def load_snapshot(path: str | Path) -> Dataset:
    """The dataset :func:`save_snapshot` wrote."""
    dataset = pickle.loads(Path(path).read_bytes())
    if not isinstance(dataset, Dataset):
        raise TypeError(f"{path} holds no dataset")
    return dataset


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
    problems += check_network_tables(tables, where)
    problems += check_survey_tables(tables, where)
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
