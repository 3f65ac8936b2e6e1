"""Load and validate a data folder: one CSV or XLSX file per input table.

All problems of a folder are collected before anything fails, each as
``file:row:column: message``. Rows are counted as a spreadsheet shows them:
the header is row 1, the first record row 2. ``-`` stands for "not about one
row" or "not about one column".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from lasergo import reference
from lasergo.schemas import ROW_CHECK_COLUMNS, SWOT_GROUPS, SWOT_MATRICES, TABLES, Table, comparison_groups

SUFFIXES = (".csv", ".xlsx")
DATASET_FILE = "dataset.json"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as it can be."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        return f"{self.file}:{row}:{self.column or '-'}: {self.message}"


class InputError(Exception):
    """The input folder has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the input:\n"
                         + "\n".join(str(p) for p in problems))


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

    def latest_date(self) -> pd.Timestamp | None:
        """The newest dated record (KPI ledger entry or survey wave)."""
        dates = pd.concat([self.kpi_ledger["date"], self.survey_waves["wave_date"]]).dropna()
        return dates.max() if len(dates) else None

    def cut(self, until: pd.Timestamp) -> Dataset:
        """The data as known at ``until``: later entries, waves and companies removed."""
        companies = self.companies[self.companies["joined"] <= until]
        known = set(companies["id"])
        return replace(
            self,
            companies=companies,
            products=self.products[self.products["company"].isin(known)],
            survey_waves=self.survey_waves[(self.survey_waves["wave_date"] <= until)
                                           & self.survey_waves["company"].isin(known)],
            kpi_ledger=self.kpi_ledger[self.kpi_ledger["date"] <= until],
        )


def find_table_file(directory: Path, table: Table) -> tuple[Path | None, list[Problem]]:
    """The file holding ``table`` in ``directory`` (``name.csv`` or ``name.xlsx``)."""
    found = [directory / f"{table.name}{suffix}" for suffix in SUFFIXES
             if (directory / f"{table.name}{suffix}").is_file()]
    if len(found) > 1:
        return None, [Problem(str(found[0]), None, None,
                              f"both {table.name}.csv and {table.name}.xlsx exist; keep one")]
    if not found:
        if not table.required:
            return None, []
        return None, [Problem(str(directory / f"{table.name}.csv"), None, None,
                              f"missing file (expected {table.name}.csv or {table.name}.xlsx)")]
    return found[0], []


def read_raw(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a CSV (UTF-8) or XLSX file with every cell as text; empty cells are NA."""
    where = str(path)
    try:
        if path.suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, sheet_name=0)
        else:
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as err:
                row = raw[: err.start].count(b"\n") + 1
                return None, [Problem(where, row, None,
                                      f"not UTF-8 text (byte 0x{raw[err.start]:02x}); "
                                      "save the file as 'CSV UTF-8'")]
            if not text.strip():
                return None, [Problem(where, None, None, "empty file (no header row)")]
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", skipinitialspace=True,
                                keep_default_na=False, na_values=[""])
    except (ValueError, OSError, pd.errors.ParserError) as err:
        return None, [Problem(where, None, None, f"cannot read the file: {err}".splitlines()[0])]
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip()).replace("", pd.NA)
    frame = frame.dropna(how="all").reset_index(drop=True) if len(frame) else frame
    return frame, []


def _spreadsheet_row(index) -> int | None:
    return None if index is None or pd.isna(index) else int(index) + 2


def _parse_column(values: pd.Series, dtype: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of the cells that could not be parsed."""
    if dtype in ("int64", "float64"):
        text = values.astype("string").str.rstrip("%")
        numbers = pd.to_numeric(text, errors="coerce")
        fraction = text.str.extract(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$").astype("float64")
        numbers = numbers.astype("float64").fillna(fraction[0] / fraction[1].where(fraction[1] != 0))
        bad = values.notna() & numbers.isna()
        if dtype == "int64":
            fractional = numbers.notna() & (numbers % 1 != 0)
            bad |= fractional
            return numbers.where(~fractional).astype("Int64"), bad
        return numbers.astype("float64"), bad
    if dtype.startswith("datetime64"):
        dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
        return dates.astype("datetime64[ns]"), values.notna() & dates.isna()
    return values.astype("str").where(values.notna(), None).astype(object), pd.Series(False, index=values.index)


TYPE_WORDS = {"int64": "a whole number", "float64": "a number", "datetime64[ns]": "a date YYYY-MM-DD"}


def parse_table(frame: pd.DataFrame, table: Table, where: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Columns present and typed as the schema says; cells that fail become NA and a problem."""
    schema = table.schema()
    problems = [Problem(where, 1, name, "missing column")
                for name in schema.columns if name not in frame.columns]
    if problems:
        return frame, problems
    typed = frame.copy()
    for name, column in schema.columns.items():
        dtype = str(column.dtype).lower()
        typed[name], bad = _parse_column(frame[name], dtype)
        for index in bad[bad].index:
            problems.append(Problem(where, _spreadsheet_row(index), name,
                                    f"expected {TYPE_WORDS.get(dtype, dtype)}, got {frame.at[index, name]!r}"))
    return typed, problems


def _shown(value: object) -> str:
    """A failing value as the user typed it: dates as YYYY-MM-DD, 12.0 as 12, text quoted."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _describe_failure(case: dict) -> str:
    check = str(case["check"])
    value = case["failure_case"]
    if check == "column_in_dataframe":
        return "missing column"
    if check.startswith("not_nullable"):
        return "value is required"
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        return f"duplicate {_shown(value)}"
    if check == "dataframe_not_nullable":
        return "value is required"
    return f"{check} (got {_shown(value)})"


def validate_table(typed: pd.DataFrame, table: Table, where: str,
                   already: list[Problem] = ()) -> list[Problem]:
    """Pandera checks of one typed table, every failure as a located problem.

    Cells in ``already`` (unparseable, so now empty) are not reported a second time.
    """
    reported = {(p.row, p.column) for p in already}
    schema = table.schema()
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems = []
        for case in err.failure_cases.to_dict("records"):
            if str(case["check"]).startswith(("dtype(", "coerce_dtype(")):
                continue  # already reported by parse_table, with the cell's text
            column = case["column"] if isinstance(case["column"], str) else None
            if case["check"] == "column_in_dataframe":
                column = str(case["failure_case"])
            if case["check"] == "multiple_fields_uniqueness":
                column = ",".join(schema.unique)
            row = _spreadsheet_row(case["index"])
            if (row, column) in reported:
                continue
            if case["check"] in ROW_CHECK_COLUMNS:
                problems.append(Problem(where, row, ROW_CHECK_COLUMNS[case["check"]], case["check"]))
                continue
            problems.append(Problem(where, row, column, _describe_failure(case)))
        return sorted(set(problems), key=lambda p: (p.row or 0, p.column or ""))
    return []


def check_foreign_keys(tables: dict[str, pd.DataFrame], where: dict[str, str]) -> list[Problem]:
    """Rows that name a company (or other record) absent from the table it refers to."""
    problems = []
    for name, frame in tables.items():
        for column, target in TABLES[name].foreign_keys:
            if target not in tables:
                continue
            known = set(tables[target]["id"].dropna())
            unknown = frame[column].notna() & ~frame[column].isin(known)
            for index in unknown[unknown].index:
                problems.append(Problem(where[name], _spreadsheet_row(index), column,
                                        f"unknown {column} id {frame.at[index, column]!r} "
                                        f"(not in {Path(where[target]).name})"))
    return problems


def check_swot_tables(tables: dict[str, pd.DataFrame], where: dict[str, str]) -> list[Problem]:
    """SWOT inputs that the analysis could not use: unknown or misplaced factors, a matrix
    without any judgement, an expert's matrix whose comparisons do not link every item."""
    problems: list[Problem] = []
    factors = pd.concat([reference.swot_factors()[["id", "group"]],
                         tables.get("swot_factors", pd.DataFrame(columns=["id", "group"]))[["id", "group"]]])
    if "swot_factors" in where:
        clash = tables["swot_factors"]["id"].isin(reference.swot_factors()["id"])
        problems += [Problem(where["swot_factors"], _spreadsheet_row(i), "id",
                             f"{tables['swot_factors'].at[i, 'id']!r} is already a roadmap factor")
                     for i in clash[clash].index]
    group_of = dict(zip(factors["id"], factors["group"]))
    items_of = {"groups": list(SWOT_GROUPS), **{g: [f for f, fg in group_of.items() if fg == g] for g in SWOT_GROUPS}}
    judgements = tables.get("swot_judgements")
    if judgements is not None and len(judgements) and "swot_judgements" in where:
        file = where["swot_judgements"]
        for index, row in judgements.iterrows():
            allowed = items_of.get(row["matrix"], [])
            for column in ("row", "column"):
                if row[column] not in allowed:
                    problems.append(Problem(file, _spreadsheet_row(index), column,
                                            f"{row[column]!r} is not an item of matrix {row['matrix']} "
                                            f"(items: {', '.join(allowed)})"))
            if row["row"] == row["column"]:
                problems.append(Problem(file, _spreadsheet_row(index), "column", "compares an item with itself"))
        for matrix in SWOT_MATRICES:
            if not (judgements["matrix"] == matrix).any():
                name = "the four groups" if matrix == "groups" else SWOT_GROUPS[matrix]
                problems.append(Problem(file, None, "matrix", f"no judgements for matrix {matrix} ({name}); "
                                                              "each of groups, S, W, O and T needs comparisons"))
        for (expert, matrix), rows in judgements.groupby(["expert", "matrix"]):
            linked_sets = comparison_groups(items_of.get(matrix, []), rows[["row", "column"]].itertuples(index=False))
            unlinked = [item for other in linked_sets[1:] for item in other]
            if unlinked:
                problems.append(Problem(file, _spreadsheet_row(rows.index[0]), "row",
                                        f"{expert}: {', '.join(unlinked)} not linked by any chain of comparisons "
                                        f"to the other items of matrix {matrix}, so it cannot be completed"))
    ratings = tables.get("swot_ratings")
    if ratings is not None and "swot_ratings" in where:
        unknown = ~ratings["item"].isin(list(SWOT_GROUPS) + list(group_of))
        problems += [Problem(where["swot_ratings"], _spreadsheet_row(i), "item",
                             f"unknown SWOT group or factor {ratings.at[i, 'item']!r}") for i in unknown[unknown].index]
    return problems


def read_table_file(path: Path, table: Table) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One file read, typed and checked against ``table``'s schema: the typed frame (None when it
    cannot be read or lacks a column) and every problem found."""
    frame, problems = read_raw(path)
    if frame is None:
        return None, problems
    typed, parse_problems = parse_table(frame, table, str(path))
    if any(p.message == "missing column" for p in parse_problems):
        return None, problems + parse_problems
    return typed, problems + parse_problems + validate_table(typed, table, str(path), parse_problems)


def read_checked_table(path: Path, name: str) -> pd.DataFrame:
    """The file checked against the schema of input table ``name``; InputError if not valid.

    For reference tables that share an input table's columns (market assumptions, currency rates),
    so that both pass the same checks.
    """
    typed, problems = read_table_file(Path(path), TABLES[name])
    if problems:
        raise InputError(problems)
    return typed


def _empty_table(table: Table) -> pd.DataFrame:
    schema = table.schema()
    typed, _ = parse_table(pd.DataFrame({c: pd.Series(dtype=object) for c in schema.columns}),
                           table, "")
    return typed


def load_data(directory: str | Path) -> Dataset:
    """Read and validate every input table of ``directory``; raise InputError listing all problems."""
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
                tables[table.name] = _empty_table(table)
            continue
        files[table.name] = path
        typed, table_problems = read_table_file(path, table)
        problems += table_problems
        if typed is not None:
            tables[table.name] = typed
    where = {name: str(p) for name, p in files.items()}
    problems += check_foreign_keys(tables, where)
    problems += check_swot_tables(tables, where)
    if problems:
        raise InputError(problems)
    description = {}
    if (directory / DATASET_FILE).is_file():
        description = json.loads((directory / DATASET_FILE).read_text(encoding="utf-8"))
        files["dataset"] = directory / DATASET_FILE
    dataset = Dataset(directory=directory, files=files, synthetic=bool(description.get("synthetic")),
                      description=description, **tables)
    from lasergo.market import market_input_problems  # imported here: market builds on this module

    problems = market_input_problems(dataset)
    if problems:
        raise InputError(problems)
    return dataset
