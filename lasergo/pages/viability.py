"""The viability page: the scorecard, the overall reading, the biggest risks and the next steps,
read from the results the quarter's other pages recorded (:mod:`lasergo.analysis.viability`).

Its headline figures and recorded results are what the quarter's front page shows.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
from IPython.display import Markdown
from pandas.io.formats.style import Styler

from lasergo.analysis import viability
from lasergo.analysis.rounding import rounded_to_range
from lasergo.analysis.viability import PageOutcome, Pages
from lasergo.errors import AnalysisError
from lasergo.pages.common import (
    escape_markdown,
    flag_cells,
    glossary,
    headline,
    record_result,
    show_table,
)

#: Where a published quarter keeps its pages' results, relative to the notebooks.
PUBLISHED_MANIFEST = "../reports/{quarter}/manifest.json"

READING_WORDS = {
    "grow": "**Grow the partnership.**",
    "sustain": "**Sustain the partnership.**",
    "end": "**Consider ending the partnership.**",
    "missing": "**No reading:** the KPI page did not build.",
}
#: A cluster's edition: its figures against the partnership's targets would read as failure, so the
#: reading, the risks and the next steps are left to the partnership's edition.
PARTNERSHIP_ONLY = "partnership only"
CLUSTER_NOTE = (
    "**The reading, the risks and the next steps are the partnership's**: the thresholds are set on the "
    "partnership's targets, which one cluster's figures are not measured against. See the partnership's "
    "edition; this page shows the cluster's own figures."
)


def page_outcomes(page_results: str, quarter: pd.Period) -> tuple[dict[str, PageOutcome], str]:
    """The quarter's pages and where they were read from: the file the pipeline wrote
    (``page_results``), else the published quarter's manifest; no page at all when neither exists."""
    path = Path(page_results) if page_results else Path(PUBLISHED_MANIFEST.format(quarter=quarter))
    if not path.is_file():
        return {}, f"no results found ({path.name} is missing): build the quarter with `lasergo report`"
    try:
        notebooks = json.loads(path.read_text(encoding="utf-8"))["notebooks"]
        pages = {
            nb["name"]: PageOutcome(nb["name"], nb["title"], nb["status"], nb.get("results", {})) for nb in notebooks
        }
    except (ValueError, KeyError, TypeError) as err:
        raise AnalysisError(f"{path}: not a list of page results ({err})") from None
    source = "this run's pages" if page_results else f"the published quarter {quarter}"
    return pages, source


def summary_headlines(pages: Pages) -> None:
    """The quarter's figures a funder reads first, each as its page recorded it ("missing" when the
    page did not build)."""
    kpis = viability.result(pages, viability.KPI_PAGE, "kpis")
    if isinstance(kpis, list):
        fine = sum(k["status"] in ("reached", "on track") for k in kpis)
        headline("KPIs reached or on track", fine, f"of {len(kpis)}", "KPI page")
    else:
        headline("KPIs reached or on track", "missing", source="KPI page")
    potential = viability.result(pages, viability.MARKET_PAGE, "potential")
    if isinstance(potential, dict):
        low, high = potential["p10"], potential["p90"]
        headline(
            f"Partnership sales potential {potential['year']}, median",
            rounded_to_range(potential["p50"], low, high),
            f"EUR m (P10-P90 {rounded_to_range(low, low, high):,g}-{rounded_to_range(high, low, high):,g})",
            "market page",
        )
    else:
        headline("Partnership sales potential, median", "missing", source="market page")
    for key, label in (("ties", "Ties in the value network"), ("affiliates", "Affiliates with an MoU")):
        found = viability.result(pages, viability.NETWORK_PAGE, key)
        if isinstance(found, dict):
            headline(label, found["count"], f"of {found['target']}", "value network page")
        else:
            headline(label, "missing", source="value network page")
    cases = viability.result(pages, viability.PARTNERS_PAGE, "business_cases")
    headline(
        "Business cases under way",
        cases["count"] if isinstance(cases, dict) else "missing",
        source="partnership-fit page",
    )
    responses = viability.result(pages, viability.SURVEY_PAGE, "responses")
    expected = viability.result(pages, viability.SURVEY_PAGE, "expected")
    headline(
        "Survey responses",
        responses if isinstance(responses, int) else "missing",
        f"of {expected}" if isinstance(responses, int) else "",
        "stakeholder survey page",
    )
    funding = viability.result(pages, viability.KPI_PAGE, "rd_funding")
    if isinstance(funding, dict):
        attracted = funding.get("attracted_eur_m")
        headline(
            "R&D funding attracted",
            "not collected" if attracted is None else round(attracted, 1),
            "" if attracted is None else f"EUR m of {funding.get('expected_eur_m', 20):,.0f}",
            "KPI page",
        )
    else:
        headline("R&D funding attracted", "missing", source="KPI page")


def answer(card: pd.DataFrame, cluster: str = "") -> Markdown:
    """The overall reading, the rule that gives it, and the dimensions behind it (for the
    partnership; a cluster's edition defers to the partnership's)."""
    if cluster:
        record_result("reading", PARTNERSHIP_ONLY)
        record_result("rule", CLUSTER_NOTE.replace("**", ""))
        return Markdown(CLUSTER_NOTE)
    reading = viability.overall_reading(card)
    counts = card["reading"].value_counts()
    parts = [f"{counts[r]} {r}" for r in (*viability.READINGS, "missing", "not collected") if r in counts]
    record_result("reading", reading)
    record_result("rule", viability.OVERALL_RULE)
    return Markdown(
        f"{READING_WORDS[reading]} Of the six dimensions: {', '.join(parts)}.\n\n"
        f"*Rule:* {escape_markdown(viability.OVERALL_RULE)}"
    )


def scorecard_table(card: pd.DataFrame, titles: dict[str, str], cluster: str = "") -> Styler:
    """The scorecard as a reader sees it: dimension, figure, reading, threshold and page title (a
    cluster's edition: its figures, not read against the partnership's thresholds)."""
    if cluster:
        card = card.assign(reading=PARTNERSHIP_ONLY)
    record_result("scorecard", card.to_dict(orient="records"))
    shown = pd.DataFrame(
        {
            "Dimension": card["dimension"],
            "Figure": card["figure"],
            "Reading": card["reading"].str.capitalize(),
            "Threshold": card["rule"],
            "From the page": card["page"].map(lambda name: titles.get(name, name)),
        }
    )
    return flag_cells(show_table(shown), lambda value: value in ("Weak", "Missing"), ["Reading"])


def risks_list(pages: Pages, cluster: str = "") -> Markdown:
    """The biggest risks as a list, each with the result it comes from (none in a cluster's edition)."""
    if cluster:
        record_result("risks", [])
        return Markdown("See the partnership's edition.")
    risks = viability.biggest_risks(pages)
    record_result("risks", [asdict(r) for r in risks])
    if not risks:
        return Markdown("No risk could be read: the KPI, SWOT and survey pages recorded none.")
    lines = [
        f"{k}. {escape_markdown(r.risk)} <small>({escape_markdown(r.source)})</small>" for k, r in enumerate(risks, 1)
    ]
    sources = {r.source for r in risks}
    absent = [s for s in ("KPI forecasts", "weighted SWOT", "stakeholder survey") if s not in sources]
    if absent:
        lines.append(f"\nNo risk read from: {', '.join(absent)} (page missing or nothing behind target).")
    return Markdown("\n".join(lines))


def steps_list(pages: Pages, cluster: str = "") -> Markdown:
    """The next steps, each with the result that calls for it and its rule (none in a cluster's edition)."""
    if cluster:
        record_result("next_steps", [])
        return Markdown("See the partnership's edition.")
    steps = viability.next_steps(pages)
    record_result("next_steps", [asdict(s) for s in steps])
    if not steps:
        return Markdown("No rule calls for a step this quarter: nothing is behind target, overdue or short.")
    return Markdown(
        "\n".join(
            f"{k}. **{escape_markdown(s.step)}**: {escape_markdown(s.because)}. "
            f"<small>Rule: {escape_markdown(s.rule)}.</small>"
            for k, s in enumerate(steps, 1)
        )
    )


def pages_read(pages: Pages, source: str) -> Markdown:
    """Which pages the summary read, and which were missing or failed."""
    wanted = [
        viability.KPI_PAGE,
        viability.MARKET_PAGE,
        viability.SWOT_PAGE,
        viability.PARTNERS_PAGE,
        viability.SCOUTING_PAGE,
        viability.NETWORK_PAGE,
        viability.SURVEY_PAGE,
        viability.MISSIONS_PAGE,
    ]
    missing = [name for name in wanted if name not in pages]
    failed = [name for name in wanted if name in pages and pages[name].status != "ok"]
    text = f"Read from {escape_markdown(source)}: {len(wanted) - len(missing) - len(failed)} of {len(wanted)} pages."
    if missing:
        text += f" Missing: {', '.join(missing)}."
    if failed:
        text += f" Failed: {', '.join(failed)}."
    return Markdown(text)


def page_glossary() -> Markdown:
    return glossary(
        "KPI",
        "MoU",
        "P10, P50, P90",
        "TRL",
        extra={
            "Reading": "good, watch or weak against the threshold written beside each dimension; missing when "
            "the page that computes it did not build; not collected when the data has no such input.",
            "Sustain, grow, end": "The viability assessment's three outcomes (roadmap §2.5).",
        },
    )
