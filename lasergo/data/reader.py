"""The one reader of table files: input tables and reference tables alike.

A table file (CSV in UTF-8, or XLSX) is read with every cell as text, each
column parsed to the type its pandera schema declares, then checked against
the schema. Every problem of a file is collected, each as
``file:row:column: message``, rows counted as a spreadsheet shows them (the
header is row 1, the first record row 2).
"""

from __future__ import annotations

import difflib
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from lasergo.data.columns import ROW_CHECK_COLUMNS
from lasergo.errors import Problem

SUFFIXES = (".csv", ".xlsx")
BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class Table:
    """A table: its file stem, schema, and the columns that refer to other tables."""

    name: str
    schema: Callable[[], pa.DataFrameSchema]
    required: bool
    description: str
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, table whose `id` it names)


def _close_file(directory: Path, name: str) -> str:
    """``; company.csv is there`` when a file of the folder has a name close to ``name``."""
    files = {p.stem: p.name for p in directory.iterdir() if p.suffix in SUFFIXES}
    close = difflib.get_close_matches(name, list(files), n=1, cutoff=0.75)
    return f"; {files[close[0]]} is there: a misspelling?" if close else ""


def find_table_file(directory: Path, table: Table) -> tuple[Path | None, list[Problem]]:
    """The file holding ``table`` in ``directory`` (``name.csv`` or ``name.xlsx``)."""
    found = [
        directory / f"{table.name}{suffix}" for suffix in SUFFIXES if (directory / f"{table.name}{suffix}").is_file()
    ]
    if len(found) > 1:
        return None, [
            Problem(str(found[0]), None, None, f"both {table.name}.csv and {table.name}.xlsx exist; keep one")
        ]
    if not found:
        if not table.required:
            return None, []
        return None, [
            Problem(
                str(directory / f"{table.name}.csv"),
                None,
                None,
                f"missing file (expected {table.name}.csv or {table.name}.xlsx{_close_file(directory, table.name)})",
            )
        ]
    return found[0], []


#: Cells of an XLSX file formatted as percent, as (index, column), kept in ``frame.attrs``.
PERCENT_CELLS = "percent_cells"
_BAD_LINE = re.compile(r"line (\d+): expected (\d+) fields, saw (\d+)")
_TOKENIZER_PLACE = re.compile(r"(?:row|line) (\d+)")


def _csv_frame(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A CSV file's cells as text, indexed by line number - 2 (the header is line 1), blank lines
    included in the count; lines with the wrong number of fields become problems and are skipped."""
    where = str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        row = raw[: err.start].count(b"\n") + 1
        return None, [
            Problem(where, row, None, f"not UTF-8 text (byte 0x{raw[err.start]:02x}); save the file as 'CSV UTF-8'")
        ]
    if not text.strip():
        return None, [Problem(where, None, None, "empty file (no header row)")]
    header = text.lstrip().splitlines()[0]
    if header.count(";") > header.count(","):
        return None, [
            Problem(
                where,
                1,
                None,
                "the columns are separated by semicolons (a European Excel export?); "
                "save the file as 'CSV UTF-8 (comma delimited)' or as .xlsx",
            )
        ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            # header=None: the header line sets the number of fields, so a longer line anywhere
            # (the first data line included) is reported, not taken for an index column
            cells = pd.read_csv(
                io.StringIO(text),
                header=None,
                dtype=str,
                skipinitialspace=True,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                on_bad_lines="warn",
            )
        except pd.errors.ParserError as err:
            place = _TOKENIZER_PLACE.search(str(err))
            message = str(err).splitlines()[0].removeprefix("Error tokenizing data. C error: ")
            return None, [
                Problem(where, int(place.group(1)) if place else None, None, f"cannot read the file: {message}")
            ]
    skipped = {}
    for warning in caught:
        for line, expected, saw in _BAD_LINE.findall(str(warning.message)):
            skipped[int(line)] = f"{saw} fields where the header has {expected} (a comma inside a value needs quotes)"
    problems = [Problem(where, line, None, message) for line, message in sorted(skipped.items())]
    frame = cells.iloc[1:].set_axis([str(c) for c in cells.iloc[0].fillna("")], axis=1)
    lines = [n for n in range(2, 2 + len(frame) + len(skipped)) if n not in skipped][: len(frame)]
    frame.index = pd.Index(lines) - 2
    return frame, problems


def _xlsx_text(value: object) -> str | None:
    """A cell's value as the text a CSV export would hold: dates as YYYY-MM-DD, 12.0 as 12."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_frame(path: Path) -> pd.DataFrame:
    """The first sheet's cells as text, indexed by spreadsheet row - 2; the cells formatted as
    percent are listed in ``frame.attrs[PERCENT_CELLS]``."""
    import openpyxl  # imported for a spreadsheet only: most data folders hold CSV files

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows())
    finally:
        workbook.close()
    if not rows:
        return pd.DataFrame()
    header = [_xlsx_text(cell.value) or f"Unnamed: {k}" for k, cell in enumerate(rows[0])]
    records = {}
    percent = set()
    for number, row in enumerate(rows[1:], start=2):
        values = [_xlsx_text(cell.value) for cell in row][: len(header)]
        records[number - 2] = values + [None] * (len(header) - len(values))
        for name, cell in zip(header, row):
            if isinstance(cell.value, int | float) and "%" in str(getattr(cell, "number_format", "")):
                percent.add((number - 2, name))
    frame = pd.DataFrame.from_dict(records, orient="index", columns=header, dtype=object)
    frame.attrs[PERCENT_CELLS] = percent
    return frame


def read_raw(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a CSV (UTF-8) or XLSX file with every cell as text; empty cells are NA, blank rows are
    dropped, and the index stays the spreadsheet row - 2 so that every problem names the row an
    editor or spreadsheet shows."""
    problems: list[Problem] = []
    try:
        if path.suffix == ".xlsx":
            frame = _xlsx_frame(path)
        else:
            read, problems = _csv_frame(path)
            if read is None:
                return None, problems
            frame = read
    except (ValueError, OSError, zipfile.BadZipFile, pd.errors.ParserError) as err:
        return None, [Problem(str(path), None, None, f"cannot read the file: {err}".splitlines()[0])]
    percent = frame.attrs.get(PERCENT_CELLS, set())
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.astype("string").str.strip()).replace("", pd.NA).astype(object)
    frame = frame.dropna(how="all") if len(frame) else frame
    frame.attrs[PERCENT_CELLS] = percent
    return frame, problems


def spreadsheet_row(index) -> int | None:
    return None if index is None or pd.isna(index) else int(index) + 2


def _parse_column(values: pd.Series, dtype: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of the cells that could not be parsed.

    ``dtype`` is the schema's: ``Int64`` gives nullable whole numbers, ``int64`` plain ones
    (when no cell is blank), ``bool`` reads true/false in any case; numbers may be written
    ``50%`` or ``1/3``.
    """
    if dtype in ("Int64", "int64", "float64"):
        text = values.astype("string").str.rstrip("%")
        numbers = pd.to_numeric(text, errors="coerce")
        fraction = text.str.extract(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$").astype("float64")
        numbers = numbers.astype("float64").fillna(fraction[0] / fraction[1].where(fraction[1] != 0))
        numbers = numbers.where(~np.isinf(numbers))  # inf, Infinity, 1e999: not a measurement
        bad = values.notna() & numbers.isna()
        if dtype == "float64":
            return numbers.astype("float64"), bad
        fractional = numbers.notna() & (numbers % 1 != 0)
        whole = numbers.where(~fractional).astype("Int64")
        if dtype == "int64" and whole.notna().all():
            return whole.astype("int64"), bad | fractional
        return whole, bad | fractional
    if dtype == "bool":
        flags = values.astype("string").str.lower().map(BOOLEANS)
        bad = values.notna() & flags.isna()
        return (flags.astype(bool) if not bad.any() and flags.notna().all() else flags), bad
    if dtype.startswith("datetime64"):
        dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
        return dates.astype("datetime64[ns]"), values.notna() & dates.isna()
    return values.astype("str").where(values.notna(), None).astype(object), pd.Series(False, index=values.index)


TYPE_WORDS = {
    "Int64": "a whole number",
    "int64": "a whole number",
    "float64": "a number",
    "bool": "true or false",
    "datetime64[ns]": "a date YYYY-MM-DD",
}


def _type_word(dtype: str, text: str) -> str:
    """What a cell of ``dtype`` should hold; an infinity is named as such."""
    infinite = np.isinf(pd.to_numeric(pd.Series([str(text)]), errors="coerce")).iloc[0]
    return "a finite number" if infinite else TYPE_WORDS.get(dtype, dtype)


def parse_table(frame: pd.DataFrame, table: Table, where: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Columns present and typed as the schema says; cells that fail become NA and a problem."""
    schema = table.schema()
    problems = [Problem(where, 1, name, "missing column") for name in schema.columns if name not in frame.columns]
    if problems:
        return frame, problems
    typed = frame.copy()
    percent_cells = frame.attrs.get(PERCENT_CELLS, set())
    for name, column in schema.columns.items():
        dtype = str(column.dtype)
        typed[name], bad = _parse_column(frame[name], dtype)
        for index in bad[bad].index:
            problems.append(
                Problem(
                    where,
                    spreadsheet_row(index),
                    name,
                    f"expected {_type_word(dtype, frame.at[index, name])}, got {frame.at[index, name]!r}",
                )
            )
        if str((column.metadata or {}).get("unit", "")).startswith("percent"):
            for index in sorted(i for i, c in percent_cells if c == name and i in frame.index):
                value = float(typed.at[index, name])
                problems.append(
                    Problem(
                        where,
                        spreadsheet_row(index),
                        name,
                        f"the cell is formatted as percent ({100 * value:g}%), so it reads as {value:g}; "
                        f"write the number of percent ({100 * value:g}) in a cell formatted as a number",
                    )
                )
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


def validate_table(typed: pd.DataFrame, table: Table, where: str, already: Iterable[Problem] = ()) -> list[Problem]:
    """Pandera checks of one typed table, every failure as a located problem.

    Cells in ``already`` (unparsable, so now empty) are not reported a second time.
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
            row = spreadsheet_row(case["index"])
            if (row, column) in reported:
                continue
            if case["check"] in ROW_CHECK_COLUMNS:
                problems.append(Problem(where, row, ROW_CHECK_COLUMNS[case["check"]], case["check"]))
                continue
            problems.append(Problem(where, row, column, _describe_failure(case)))
        return sorted(set(problems), key=lambda p: (p.row or 0, p.column or ""))
    return []


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


def empty_table(table: Table) -> pd.DataFrame:
    schema = table.schema()
    typed, _ = parse_table(pd.DataFrame({c: pd.Series(dtype=object) for c in schema.columns}), table, "")
    return typed
