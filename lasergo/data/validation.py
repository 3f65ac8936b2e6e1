"""Checks across the tables of a data folder: references between tables, the SWOT inputs the
analysis could not use, the value network's nodes and the plan items of activities, the survey's
answers against their questions, and the market model's inputs (:mod:`lasergo.data.market_inputs`).

Each check returns located problems; :func:`lasergo.data.dataset.load_data` collects them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from lasergo.data import reference
from lasergo.data.codes import LIKERT_SCALE, RESPONDENT_TYPES, SECTORS, SWOT_GROUPS, SWOT_MATRICES, split_codes
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
    from scipy.sparse.csgraph import connected_components  # imported here: a run on validated data needs none of scipy

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
            listed = f"not in {Path(where[target]).name}" if target in where else f"there is no {target} table"
            for index in unknown[unknown].index:
                problems.append(
                    Problem(
                        where[name],
                        spreadsheet_row(index),
                        column,
                        f"unknown {column} id {frame.at[index, column]!r} ({listed})",
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


def _located(file: str, rows: pd.Series, column: str, message: object) -> list[Problem]:
    """One problem per true cell of ``rows``; ``message`` is a text or a function of the row's index."""
    return [
        Problem(file, spreadsheet_row(i), column, message(i) if callable(message) else str(message))
        for i in rows[rows].index
    ]


def check_network_tables(tables: dict[str, pd.DataFrame], where: dict[str, str]) -> list[Problem]:
    """Value-network and activity rows the analyses could not place: a tie to an id that is no
    cluster, affiliate or company, a tie of a node to itself, an affiliate id that is also a
    cluster or company id, an activity naming no item of :func:`reference.activity_plan` or an
    item of another kind. Skipped when a table they need could not be read."""
    problems: list[Problem] = []
    clusters = set(reference.CLUSTER_IDS)
    if "affiliates" in where and "affiliates" in tables and "companies" in tables:
        affiliates = tables["affiliates"]
        clash = affiliates["id"].isin(clusters | set(tables["companies"]["id"]))
        problems += _located(
            where["affiliates"],
            clash,
            "id",
            lambda i: f"{affiliates.at[i, 'id']!r} is already a cluster or company id; a tie could not tell them apart",
        )
    if "ties" in where and {"ties", "affiliates", "companies"} <= set(tables):
        ties = tables["ties"]
        nodes = clusters | set(tables["affiliates"]["id"]) | set(tables["companies"]["id"])
        for end in ("source", "target"):
            problems += _located(
                where["ties"],
                ties[end].notna() & ~ties[end].isin(nodes),
                end,
                lambda i, end=end: f"unknown node {ties.at[i, end]!r}: not a cluster, affiliate or company id",
            )
        problems += _located(where["ties"], ties["source"] == ties["target"], "target", "a tie of a node to itself")
    if "activities" in where and "activities" in tables:
        activities = tables["activities"]
        plan = reference.activity_plan()
        kind_of = dict(zip(plan["plan_id"], plan["kind"]))
        named = activities["plan_id"].notna()
        problems += _located(
            where["activities"],
            named & ~activities["plan_id"].isin(kind_of),
            "plan_id",
            lambda i: (
                f"unknown plan id {activities.at[i, 'plan_id']!r}; allowed: {', '.join(kind_of)} "
                "or blank for an unplanned activity"
            ),
        )
        planned_kind = activities["plan_id"].map(kind_of)
        problems += _located(
            where["activities"],
            planned_kind.notna() & (planned_kind != activities["kind"]),
            "kind",
            lambda i: (
                f"plan item {activities.at[i, 'plan_id']} is a {planned_kind[i]}, not a {activities.at[i, 'kind']}"
            ),
        )
    return problems


def _answer_problem(answer: str, question: pd.Series) -> str | None:
    """What is wrong with ``answer`` to ``question`` (a row of survey_questions), or None."""
    kind, qid = question["type"], question["id"]
    options = split_codes(question["options"])
    if kind in ("single", "multiple") and len(options) < 2:
        return None  # the question itself is reported
    if kind == "likert" and answer not in LIKERT_SCALE:
        return f"answer {answer!r} is outside the scale 1-5 of likert question {qid}"
    if kind == "single" and answer not in options:
        return f"answer {answer!r} is not one option of question {qid} (options: {', '.join(options)})"
    if kind == "multiple":
        chosen = split_codes(answer)
        outside = [choice for choice in chosen if choice not in options]
        if outside or not chosen:
            return (
                f"{', '.join(map(repr, outside)) or 'no option'} not among the options of question {qid} "
                f"(options: {', '.join(options)}; separate several with ';')"
            )
    return None


def check_survey_tables(tables: dict[str, pd.DataFrame], where: dict[str, str]) -> list[Problem]:
    """Survey answers that do not fit their question (likert 1-5, one option of a single question,
    options of a multiple question) and rows whose respondent type, cluster or sector differs from
    the one most of the respondent's rows give. Answers to unknown questions are left to the
    foreign-key check, unknown codes to the schema."""
    if "survey_responses" not in where or "survey_responses" not in tables:
        return []
    file, responses = where["survey_responses"], tables["survey_responses"]
    problems: list[Problem] = []
    questions = tables.get("survey_questions")
    if questions is not None:
        by_id = {row["id"]: row for _, row in questions.drop_duplicates("id").iterrows()}
        checked = responses["question"].isin(by_id) & responses["answer"].notna()
        pairs = list(zip(responses.loc[checked, "question"], responses.loc[checked, "answer"].astype(str), strict=True))
        verdicts = {(q, a): _answer_problem(a, by_id[q]) for q, a in set(pairs)}  # few distinct answers
        for index, pair in zip(responses.index[checked], pairs, strict=True):
            if message := verdicts[pair]:
                problems.append(Problem(file, spreadsheet_row(index), "answer", message))
    allowed = {"respondent_type": RESPONDENT_TYPES, "cluster": reference.CLUSTER_IDS, "sector": SECTORS}
    for column, codes in allowed.items():
        valid = responses[column].where(responses[column].isin(codes))
        usual = responses["respondent"].map(_most_common(responses["respondent"], valid))
        problems += _located(
            file,
            valid.notna() & usual.notna() & (valid != usual),
            column,
            lambda i, column=column, usual=usual: (
                f"respondent {responses.at[i, 'respondent']} has {column} {usual[i]!r} in most of its rows"
            ),
        )
    return problems


def _most_common(keys: pd.Series, values: pd.Series) -> pd.Series:
    """Each key's most common non-blank value (of equally common ones, the one met first), indexed
    by key; keys whose values are all blank are missing."""
    rows = pd.DataFrame({"key": keys, "value": values, "position": np.arange(len(values))}).dropna()
    counted = rows.groupby(["key", "value"], sort=False, observed=True)["position"].agg(["size", "min"]).reset_index()
    counted = counted.sort_values(["key", "size", "min"], ascending=[True, False, True])
    return counted.drop_duplicates("key").set_index("key")["value"]
