"""The workbook's one family of errors.

Everything the workbook raises on purpose derives from :class:`LasergoError`,
so the ``lasergo`` command can print it as one line and exit with status 2;
any other exception is a bug and keeps its traceback. The family follows the
layers: bad input tables (:class:`InputError`, with every located
:class:`Problem`), bad requests (:class:`ParameterError`), an analysis that
cannot run on valid input (:class:`AnalysisError`) and a run that cannot start
or finish (:class:`PipelineError`).
"""

from __future__ import annotations

from dataclasses import dataclass


class LasergoError(Exception):
    """Base of every error the workbook raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as it can be.

    ``row`` counts as a spreadsheet shows it (header = row 1); None means the
    problem is not about one row, and a None ``column`` not about one column.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        return f"{self.file}:{row}:{self.column or '-'}: {self.message}"


class InputError(LasergoError):
    """The input tables have problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the input:\n" + "\n".join(str(p) for p in problems)
        )


class ParameterError(LasergoError):
    """A request the workbook cannot serve: a malformed quarter, an unknown parameter."""


class AnalysisError(LasergoError):
    """An analysis cannot produce its result from the (valid) input it was given."""


class PipelineError(LasergoError):
    """The report run cannot start or finish (no notebooks, an unsafe output folder)."""
