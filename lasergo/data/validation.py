"""Checks across the tables of a data folder: references between tables, the SWOT inputs the
analysis could not use, and the market model's inputs (:mod:`lasergo.data.market_inputs`).

Each check returns located problems; :func:`lasergo.data.dataset.load_data` collects them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

from lasergo.data import reference
from lasergo.data.codes import SWOT_GROUPS, SWOT_MATRICES
from lasergo.data.reader import spreadsheet_row
from lasergo.data.schemas import TABLES
from lasergo.errors import Problem


def comparison_groups(items: list[str], pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The sets of items that chains of compared ``pairs`` link (connected components of the
    comparison graph, scipy.sparse.csgraph), the set holding ``items[0]`` first. Pairs naming
    other items are ignored. A pairwise matrix can be completed only when this is one set."""
    position = {item: k for k, item in enumerate(items)}
    graph = np.zeros((len(items), len(items)), dtype=bool)
    for a, b in pairs:
        if a in position and b in position:
            graph[position[a], position[b]] = True
    _, labels = connected_components(graph, directed=False)
    order = list(dict.fromkeys(labels))
    return [[item for item, label in zip(items, labels) if label == c] for c in order]


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
                problems.append(
                    Problem(
                        where[name],
                        spreadsheet_row(index),
                        column,
                        f"unknown {column} id {frame.at[index, column]!r} (not in {Path(where[target]).name})",
                    )
                )
    return problems


def check_swot_tables(tables: dict[str, pd.DataFrame], where: dict[str, str]) -> list[Problem]:
    """SWOT inputs that the analysis could not use: unknown or misplaced factors, a matrix
    without any judgement, an expert's matrix whose comparisons do not link every item."""
    problems: list[Problem] = []
    factors = pd.concat(
        [
            reference.swot_factors()[["id", "group"]],
            tables.get("swot_factors", pd.DataFrame(columns=["id", "group"]))[["id", "group"]],
        ]
    )
    if "swot_factors" in where:
        clash = tables["swot_factors"]["id"].isin(reference.swot_factors()["id"])
        problems += [
            Problem(
                where["swot_factors"],
                spreadsheet_row(i),
                "id",
                f"{tables['swot_factors'].at[i, 'id']!r} is already a roadmap factor",
            )
            for i in clash[clash].index
        ]
    group_of = dict(zip(factors["id"], factors["group"]))
    items_of = {"groups": list(SWOT_GROUPS), **{g: [f for f, fg in group_of.items() if fg == g] for g in SWOT_GROUPS}}
    judgements = tables.get("swot_judgements")
    if judgements is not None and len(judgements) and "swot_judgements" in where:
        file = where["swot_judgements"]
        for index, row in judgements.iterrows():
            allowed = items_of.get(row["matrix"], [])
            for column in ("row", "column"):
                if row[column] not in allowed:
                    problems.append(
                        Problem(
                            file,
                            spreadsheet_row(index),
                            column,
                            f"{row[column]!r} is not an item of matrix {row['matrix']} (items: {', '.join(allowed)})",
                        )
                    )
            if row["row"] == row["column"]:
                problems.append(Problem(file, spreadsheet_row(index), "column", "compares an item with itself"))
        for matrix in SWOT_MATRICES:
            if not (judgements["matrix"] == matrix).any():
                name = "the four groups" if matrix == "groups" else SWOT_GROUPS[matrix]
                problems.append(
                    Problem(
                        file,
                        None,
                        "matrix",
                        f"no judgements for matrix {matrix} ({name}); each of groups, S, W, O and T needs comparisons",
                    )
                )
        for (expert, matrix), rows in judgements.groupby(["expert", "matrix"]):
            linked_sets = comparison_groups(items_of.get(matrix, []), rows[["row", "column"]].itertuples(index=False))
            unlinked = [item for other in linked_sets[1:] for item in other]
            if unlinked:
                problems.append(
                    Problem(
                        file,
                        spreadsheet_row(rows.index[0]),
                        "row",
                        f"{expert}: {', '.join(unlinked)} not linked by any chain of comparisons "
                        f"to the other items of matrix {matrix}, so it cannot be completed",
                    )
                )
    ratings = tables.get("swot_ratings")
    if ratings is not None and "swot_ratings" in where:
        unknown = ~ratings["item"].isin(list(SWOT_GROUPS) + list(group_of))
        problems += [
            Problem(
                where["swot_ratings"],
                spreadsheet_row(i),
                "item",
                f"unknown SWOT group or factor {ratings.at[i, 'item']!r}",
            )
            for i in unknown[unknown].index
        ]
    return problems
