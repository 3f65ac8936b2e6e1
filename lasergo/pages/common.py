"""What a notebook needs to read as a report: the quarter's data, headline figures, labels.

Headline figures are displayed in the notebook and also carried in a
machine-readable output (``HEADLINE_MIME``) that :mod:`lasergo.pipeline`
collects for the quarter index and the manifest. Results (``RESULT_MIME``)
are the figures other pages read (the viability scorecard, the executive
summary): recorded, not shown; a page's verdict is both.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display
from pandas.io.formats.style import Styler

from lasergo.analysis.rounding import shown_with_range
from lasergo.data import reference
from lasergo.data.dataset import Dataset, load_data, load_snapshot
from lasergo.errors import ParameterError
from lasergo.privacy import public_table
from lasergo.quarter import quarter_end, report_quarter

HEADLINE_MIME = "application/vnd.lasergo.headline+json"
RESULT_MIME = "application/vnd.lasergo.result+json"
READS_MIME = "application/vnd.lasergo.reads+json"
#: A page's verdict on its question, worst last.
VERDICTS = ("on track", "at risk", "off track")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def escape_markdown(text: object) -> str:
    """Text from a data or reference table, shown literally inside Markdown: HTML special
    characters escaped (no tag, no script) and Markdown punctuation backslashed (no link, no
    emphasis)."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(str(text), quote=False))


def load_quarter(
    data_dir: str | Path, quarter: str | None, snapshot: str = "", cluster: str = ""
) -> tuple[Dataset, pd.Period]:
    """The validated data as known at the end of ``quarter`` (default: the newest in the data).

    ``snapshot`` is the dataset the pipeline validated once for the whole run (a notebook opened
    on its own reads and validates ``data_dir``); ``cluster`` keeps one cluster's rows, for its
    edition. Every table the page then reads is recorded for the pipeline (``READS_MIME``), which
    rebuilds a page only when a table it read has changed.
    """
    dataset = load_snapshot(snapshot) if snapshot else load_data(data_dir)
    period = report_quarter(quarter, dataset.latest_date(), str(dataset.directory))
    dataset = dataset.cut(quarter_end(period))
    if cluster:
        if cluster not in reference.CLUSTER_IDS:
            raise ParameterError(f"cluster {cluster!r} is not one of {', '.join(reference.CLUSTER_IDS)}")
        dataset = dataset.for_cluster(cluster)
    return dataset.watched(_read_recorder()), period


def _read_recorder() -> Callable[[str], None]:
    """A function recording, once per table and page, that the page read ``table`` (an output the
    page does not show). Each loaded dataset has its own, so a kernel kept from one page to the next
    records every page's reads afresh."""
    recorded: set[str] = set()

    def record(table: str) -> None:
        if table not in recorded:
            recorded.add(table)
            display({READS_MIME: table, "text/plain": ""}, raw=True)

    return record


@dataclass(frozen=True)
class Headline:
    """A figure worth a line on the quarter index: label, value, unit and where it comes from."""

    label: str
    value: float | int | str
    unit: str = ""
    source: str = ""

    def formatted(self) -> str:
        value = self.value
        if isinstance(value, float):
            value = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
        elif isinstance(value, int):
            value = f"{value:,}"
        return f"{value} {self.unit}".strip()


def headline(label: str, value: float | int | str, unit: str = "", source: str = "") -> Headline:
    """Show a headline figure in the notebook and record it for the quarter index."""
    item = Headline(label, value, unit, source)
    text = f"**{escape_markdown(label)}: {escape_markdown(item.formatted())}**" + (
        f"  \n<small>Source: {escape_markdown(source)}</small>" if source else ""
    )
    display({HEADLINE_MIME: asdict(item), "text/markdown": text}, raw=True)
    return item


def record_result(key: str, value: object) -> None:
    """Record a JSON value under ``key`` for the pages that read this one's results; nothing shows.

    The pipeline collects the results of every page into the manifest; a key is recorded once per page.
    """
    display({RESULT_MIME: {"key": key, "value": value}, "text/plain": ""}, raw=True)


def verdict(status: str, reason: str) -> None:
    """Show the page's answer to its question (one of :data:`VERDICTS`) and record it as the
    result ``verdict`` for the quarter's front page."""
    if status not in VERDICTS:
        raise ValueError(f"verdict {status!r} is not one of {', '.join(VERDICTS)}")
    display(Markdown(f"**Verdict: {status}.** {escape_markdown(reason)}"))
    record_result("verdict", {"status": status, "reason": reason})


def table_id(frame: pd.DataFrame) -> str:
    """A styled table's id (its CSS selectors' prefix), from its contents: pandas would draw a random
    one, and a page built twice from the same data would then not be the same file."""
    return hashlib.sha256(frame.to_csv().encode()).hexdigest()[:10]


def show_table(frame: pd.DataFrame, formats: dict[str, str] | None = None, internal: bool = False) -> Styler:
    """A table for the report: no index, text left-aligned, numbers formatted, blanks as '-', every
    cell and header HTML-escaped (text from the data shows as text, never as markup). A table that
    names companies is refused unless the page is the ``internal`` edition
    (:func:`lasergo.privacy.public_table`)."""
    if not internal:
        public_table(frame)
    text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    numeric = {
        c: "{:,.0f}" if pd.api.types.is_integer_dtype(frame[c]) else "{:,.1f}"
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    }
    return (
        frame.style.set_uuid(table_id(frame))
        .hide(axis="index")
        .format(na_rep="-", escape="html")
        .format({**numeric, **(formats or {})}, na_rep="-", escape="html")
        .format_index(escape="html", axis=1)
        .set_properties(subset=text_columns, **{"text-align": "left"})
        .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}])
    )


def data_banner(dataset: Dataset, quarter: pd.Period) -> None:
    """State which data the page is built on; synthetic data are labelled as such. Only the
    companies are counted here: each page counts what it reads itself (a page depends on the
    tables it reads, which decides when the pipeline rebuilds it)."""
    counts = f"{len(dataset.companies):,} companies"
    if dataset.cluster:
        counts += (
            f". **Edition of cluster {escape_markdown(dataset.cluster)}**: its companies, its ledger entries, "
            f"findings, ties, activities it leads, survey respondents, feedback forms and funding only; targets "
            f"are the partnership's unless the page gives the cluster's share"
        )
    if dataset.synthetic:
        display(
            Markdown(
                f"> **Synthetic sample data.** Every company, product, survey answer, KPI entry and activity record on "
                f"this page is generated by `lasergo sample-data` for demonstration; none describes a "
                f"real SME. Roadmap facts and public figures are real and cited. "
                f"Data as of the end of {quarter}: {counts}."
            )
        )
    else:
        name = escape_markdown(dataset.directory.name)
        display(Markdown(f"> Data folder **{name}** as of the end of {quarter}: {counts}."))


FLAG_STYLE = "color: #b00020; font-weight: bold"


def flag_cells(table: Styler, test: Callable[[object], bool], subset: list[str]) -> Styler:
    """Red bold text in the cells of ``subset`` whose value passes ``test`` (a failed check)."""
    return table.map(lambda value: FLAG_STYLE if test(value) else "", subset=subset)


def flag_rows(table: Styler, rows: pd.Series, subset: list[str]) -> Styler:
    """Red bold text in the ``subset`` columns of the rows where ``rows`` is true (an assumption)."""
    marked = rows.to_numpy()
    return table.apply(lambda column: [FLAG_STYLE if m else "" for m in marked], subset=subset)


#: Terms of art and their meaning in plain words, for each page's glossary (:func:`glossary`).
GLOSSARY = {
    "A'WOT": "AHP applied to a SWOT (Kurttila et al. 2000): factors weighted by experts' pairwise comparisons.",
    "AHP": "Analytic hierarchy process (Saaty 1980): weights from pairwise comparisons on a 1-9 scale.",
    "ARI": "Adjusted Rand index: agreement of two groupings, 1 the same, 0 no better than chance.",
    "Back-test": "Forecasts made from the past data alone and compared with what happened next.",
    "Beta-PERT": "A distribution over a range (low, most likely, high) that favours the most likely value.",
    "CR": "Consistency ratio (Saaty): how far an expert's comparisons contradict each other; above 0.10 is flagged.",
    "ETS": "Exponential smoothing: a forecast that weighs recent quarters more than older ones.",
    "Expected": "The mean of the simulated values; the middle value is called the median (P50).",
    "Gower distance": "A distance for companies described by numbers, categories and lists at once (Gower 1971).",
    "Jaccard overlap": "The share of two lists' items that both hold, from 0 (none) to 1 (the same).",
    "k-means": "Groups companies around k centres so that members are close to their group's centre.",
    "KPI": "Key performance indicator: one of the seven targets of the roadmap (§2.4).",
    "MASE": "Mean absolute scaled error: a forecast's error relative to the naive forecast's; below 1 beats naive.",
    "Monte Carlo": "Many random draws of every uncertain input, each giving one possible answer.",
    "MoU": "Memorandum of understanding: a signed, non-binding agreement to cooperate.",
    "Naive forecast": "The last quarter's pace continues: each future quarter repeats the latest one.",
    "NUTS": "The EU's statistical regions (NUTS 1-3), coded by country and number.",
    "P10, P50, P90": "Of the simulated values, 10% lie below P10, half below P50 (the median), 90% below P90.",
    "RTO": "Research and technology organisation.",
    "Silhouette": "How much closer a company is to its own group than to the next (-1 to 1; 0.25 or less: "
    "no real structure, Kaufman and Rousseeuw 1990).",
    "SME": "Small or medium-sized enterprise (fewer than 250 employees).",
    "Spearman rank correlation": "How closely two quantities rise and fall together, from -1 to 1.",
    "TOWS": "Strategies that pair SWOT factors (Weihrich 1982): SO, ST, WO and WT.",
    "Tornado chart": "Each input set to its low and its high in turn, the others at their most likely value.",
    "TRL": "Technology readiness level, 1 (basic principle) to 9 (proven in operation); 7 and up are "
    "market-ready here.",
}


def glossary(*terms: str, extra: dict[str, str] | None = None) -> Markdown:
    """A page's glossary: the named terms of :data:`GLOSSARY` and the page's own, alphabetical."""
    entries = {term: GLOSSARY[term] for term in terms}
    entries.update(extra or {})
    lines = [
        f"- **{escape_markdown(term)}**: {escape_markdown(meaning)}"
        for term, meaning in sorted(entries.items(), key=lambda e: e[0].lower())
    ]
    return Markdown("\n".join(lines))


def yes_no(values: pd.Series) -> pd.Series:
    """True/False as Yes/No for a reader."""
    return values.map({True: "Yes", False: "No"}).fillna("-")


def about(value: float, low: float, high: float, unit: str = "") -> str:
    """A figure rounded to what its range supports, with the range: ``about 80 EUR m (P10-P90 40-140)``.

    The rounding step is the power of ten at or below half the range's width, so the figure carries
    no digit the range does not support.
    """
    shown = shown_with_range(value, low, high)
    unit = f" {unit}" if unit else ""
    return f"about {shown[0]}{unit} (P10-P90 {shown[1]}-{shown[2]})"
