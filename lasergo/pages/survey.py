"""The stakeholder-survey page: what SMEs and stakeholders ask of the partnership, where photonics and
health technology differ, what the free text names, and the feedback after interactions, over a
:class:`lasergo.analysis.survey.SurveyReport` and a :class:`lasergo.analysis.survey.FeedbackReport`.

The page is public: no free-text answer is shown (answers may name people or companies), only
counts; no group of fewer than five respondents is described on its own (the analysis blanks it).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display
from matplotlib.lines import Line2D
from pandas.io.formats.style import Styler

from lasergo.analysis.survey import BOOTSTRAP_UP_TO, MIN_GROUP, FeedbackReport, SurveyReport, barriers_question
from lasergo.data import reference
from lasergo.data.codes import QUESTION_GROUPS, RESPONDENT_TYPES, SECTORS
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.common import glossary, headline, record_result, show_table, yes_no
from lasergo.pages.style import SECTOR_COLOURS, SECTOR_NAMES, finish

SOURCES = "roadmap §2.5; stakeholder survey"
FEEDBACK_SOURCES = "roadmap §2.5; feedback forms"
GROUP_NAMES = {
    "market_needs": "Market needs in five years",
    "opportunities": "Opportunities in the target markets",
    "resources_barriers": "Resources and barriers",
}
RESPONDENT_NAMES = {"sme": "SMEs", "cluster": "cluster organisations", "stakeholder": "other stakeholders"}
LEVEL_NAMES = {"all": "all respondents", **RESPONDENT_NAMES, **SECTOR_NAMES}
TEST_NAMES = {
    "Mann-Whitney U": "Mann-Whitney",
    "Fisher exact": "Fisher's exact",
    "chi-square": "chi-square",
    "chi-square, Monte Carlo": "chi-square (Monte Carlo p-value)",
}
CONCERN_NAMES = {"language_culture": "language and culture", "other": "other concerns"}
TREND_COLOURS = {"rising": "#b00020", "falling": "#1b7a3a"}
PCT = "{:.0f}"
#: A cluster with a response rate below this (percent of its expected respondents) is named as short.
SHORT_PCT = 75
MEAN = "{:.1f}"
TITLE_WIDTH = 90  # characters of a chart title's line


def label(code: object) -> str:
    """A code as a reader reads it: a market's or technology use's name, else the code in words."""
    text = str(code)
    names = reference.names("markets", "technology_uses", "segments")
    return names.get(text, CONCERN_NAMES.get(text, text.replace("_", " ")))


def _short(text: str, width: int = 48) -> str:
    return textwrap.fill(str(text), width)


def _question_texts(report: SurveyReport) -> dict[str, str]:
    return dict(zip(report.questions["id"], report.questions["text"]))


def _interval(low: float, high: float, fmt: str = PCT) -> str:
    return f"{fmt.format(low)}-{fmt.format(high)}"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _empty(text: str) -> None:
    display(Markdown(text))


# --- the finding --------------------------------------------------------------------------------------


def _barrier_line(report: SurveyReport) -> str | None:
    top = report.barriers.dropna(subset=["share_pct"]).head(3)
    if top.empty:
        return None
    parts = [
        f"{md(label(r['option']))} ({r['share_pct']:.0f}%{' of respondents' if i == 0 else ''}, 95% interval "
        f"{_interval(r['low'], r['high'])}%)"
        for i, (_, r) in enumerate(top.iterrows())
    ]
    return f"- **Tackle the barriers they name most:** {_listing(parts)}."


def leaders(rows: pd.DataFrame) -> pd.DataFrame:
    """The answers of a choice question that lead: the most chosen one and every other whose share lies
    within its 95% interval (no clear difference from the first), most chosen first."""
    ranked = rows.dropna(subset=["share_pct"]).sort_values(["share_pct", "option"], ascending=[False, True])
    return ranked[ranked["share_pct"] >= ranked["low"].iloc[0]] if len(ranked) else ranked


def _opportunity_line(report: SurveyReport) -> str | None:
    texts = _question_texts(report)
    parts = []
    for question in report.questions.loc[
        (report.questions["group"] == "opportunities") & report.questions["type"].isin(["single", "multiple"]), "id"
    ]:
        rows = report.choices[(report.choices["question"] == question) & (report.choices["by"] == "all")]
        if rows.empty:
            continue
        lead = leaders(rows)
        if lead.empty:
            continue
        answers = [f"{md(label(o))} ({p:.0f}%)" for o, p in zip(lead["option"], lead["share_pct"])]
        tie = " (within each other's 95% interval)" if len(lead) > 1 else ""
        parts.append(f'asked "{md(texts[question])}", they choose {_listing(answers)} most often{tie}')
    named = []
    for kind in ("market", "technology use"):
        rows = report.mentions[(report.mentions["kind"] == kind) & (report.mentions["answers"] > 0)]
        top = rows.sort_values(["answers", "name"], ascending=[False, True]).head(3)
        if len(top):
            items = [f"{md(name)} ({count})" for name, count in zip(top["name"], top["answers"])]
            named.append(f"the {kind}s {_listing(items)}")
    if named:
        parts.append(f"in their own words they name {' and '.join(named)} most often (answers mentioning)")
    return f"- **Where they see opportunities:** {'; '.join(parts)}." if parts else None


def _difference_text(row: pd.Series, texts: dict[str, str]) -> str:
    question = md(texts[row["question"]])
    higher = "health-technology" if row["health_tech"] > row["photonics"] else "photonics"
    if row["test"] == "Mann-Whitney U":
        return (
            f'{higher} respondents answer "{question}" higher (mean {row["health_tech"]:.1f} in health '
            f"technology against {row['photonics']:.1f} in photonics; rank-biserial {row['effect']:+.2f})"
        )
    if row["test"].startswith("chi-square"):
        return (
            f'the sectors answer "{question}" differently (Cramér\'s V {row["effect"]:.2f}); the widest gap: '
            f"{md(label(row['option']))}, {row['health_tech']:.0f}% in health technology against "
            f"{row['photonics']:.0f}% in photonics"
        )
    return (
        f'{higher} respondents choose {md(label(row["option"]))} more often for "{question}" '
        f"({row['health_tech']:.0f}% in health technology against {row['photonics']:.0f}% in photonics)"
    )


def _differences_line(report: SurveyReport) -> str | None:
    tests = report.differences
    if tests.empty:
        return None
    found = tests[tests["difference"]]
    if found.empty:
        return (
            f"- **Photonics and health technology agree:** none of the {len(tests)} comparisons shows a "
            "difference that survives the correction for testing many questions at once."
        )
    texts = _question_texts(report)
    parts = [_difference_text(r, texts) for _, r in found.iterrows()]
    return (
        f"- **Where photonics and health technology differ** ({len(found)} of {len(tests)} comparisons survive "
        f"the correction for testing many questions at once; the others are not called differences): "
        f"{'; '.join(parts)}."
    )


def _sentiment_line(report: SurveyReport) -> str | None:
    s = report.sentiment
    if s is None:
        return None
    return (
        f"- **How useful they find the partnership:** mean {s.mean:.1f} on the 1-5 scale (95% interval "
        f'{_interval(s.low, s.high, MEAN)}) from {s.respondents} respondents, on "{md(s.text)}".'
    )


def _feedback_line(feedback: FeedbackReport) -> str | None:
    if feedback.empty:
        return None
    shown = feedback.ratings.dropna(subset=["mean"])
    parts = []
    if len(shown):
        last = shown.iloc[-1]
        before = f"; {shown.iloc[-2]['quarter']}: {shown.iloc[-2]['mean']:.1f}" if len(shown) > 1 else ""
        parts.append(
            f"usefulness rated {last['mean']:.1f} of 5 in {last['quarter']} (95% interval "
            f"{_interval(last['low'], last['high'], MEAN)}, {last['forms']} forms{before})"
        )
    for trend in ("rising", "falling"):
        rows = feedback.trends[feedback.trends["trend"] == trend]
        if len(rows):
            items = [
                f"{md(label(r['concern']))} ({r['first_pct']:.0f}% of forms in the first quarter, "
                f"{r['last_pct']:.0f}% in the latest)"
                for _, r in rows.iterrows()
            ]
            parts.append(f"concern {trend}: {_listing(items)}")
    if not any(t in set(feedback.trends["trend"]) for t in ("rising", "falling")):
        parts.append("no concern clearly rising or falling")
    top = feedback.concerns.head(3)
    if len(top):
        parts.append(f"named most often: {_listing([md(label(c)) for c in top['concern']])}")
    return f"- **Feedback after interactions:** {'; '.join(parts)}."


def findings(report: SurveyReport, feedback: FeedbackReport, quarter: pd.Period) -> Markdown:
    """The page's answer: what the respondents ask the partnership to do, where the sectors differ, how
    useful they find it, what the feedback forms say, and how many answered."""
    lines = []
    if report.empty:
        lines.append(
            f"**No survey responses recorded yet by the end of {quarter}.** The roadmap's survey of about "
            f"{_roadmap_survey()} SMEs and stakeholders (§2.5) has not been answered or entered yet; the survey "
            "sections below are empty until it is."
        )
    else:
        share = 100 * report.respondents / report.expected
        lines.append(
            f"**What the {report.respondents} respondents ask of the partnership** ({share:.0f}% of "
            f"{_expected(report)}, by the end of {quarter}):"
        )
        lines += [
            line
            for line in (
                _barrier_line(report),
                _opportunity_line(report),
                _differences_line(report),
                _sentiment_line(report),
            )
            if line
        ]
    feedback_line = _feedback_line(feedback)
    if feedback_line:
        lines.append(feedback_line)
    elif feedback.empty:
        lines.append(f"No feedback forms recorded yet by the end of {quarter}.")
    return Markdown("\n".join(lines))


def summary_headlines(report: SurveyReport, feedback: FeedbackReport) -> None:
    """Headlines: responses against the expected, sentiment, the top barrier, sector differences, the
    latest feedback rating and a rising concern."""
    headline("Survey responses", f"{report.respondents} of about {report.expected} expected", "", SOURCES)
    if report.sentiment is not None:
        s = report.sentiment
        headline(
            "Usefulness of the partnership (1-5)",
            f"{s.mean:.1f} (95% interval {_interval(s.low, s.high, MEAN)})",
            "",
            SOURCES,
        )
    if not report.barriers.dropna(subset=["share_pct"]).empty:
        top = report.barriers.iloc[0]
        headline(
            "Barrier named most often", f"{label(top['option'])} ({top['share_pct']:.0f}% of respondents)", "", SOURCES
        )
    if not report.differences.empty:
        found = int(report.differences["difference"].sum())
        headline(
            "Photonics vs health-technology differences", f"{found} of {len(report.differences)} tested", "", SOURCES
        )
    shown = feedback.ratings.dropna(subset=["mean"])
    if len(shown):
        last = shown.iloc[-1]
        headline(
            f"Feedback usefulness, {last['quarter']} (1-5)",
            f"{last['mean']:.1f} (95% interval {_interval(last['low'], last['high'], MEAN)})",
            "",
            FEEDBACK_SOURCES,
        )
    rising = feedback.trends[feedback.trends["trend"] == "rising"]
    if len(rising):
        headline("Concern rising in feedback", ", ".join(label(c) for c in rising["concern"]), "", FEEDBACK_SOURCES)


def record_results(report: SurveyReport) -> None:
    """The results the viability scorecard and the front page read: sentiment (mean, 95% interval, scale,
    question), the top 3 barriers with their shares, responses and the expected number."""
    s = report.sentiment
    record_result(
        "sentiment",
        None if s is None else {"mean": s.mean, "low": s.low, "high": s.high, "scale": "1-5", "question": s.text},
    )
    top = report.barriers.dropna(subset=["share_pct"]).head(3)
    record_result(
        "barriers", [{"barrier": label(o), "share_pct": float(p)} for o, p in zip(top["option"], top["share_pct"])]
    )
    record_result("responses", report.respondents)
    record_result("expected", report.expected)


# --- who answered ------------------------------------------------------------------------------------------


def _roadmap_survey() -> int:
    """The roadmap's expected survey respondents (§2.5)."""
    return int(reference.funnel_value("roadmap_survey_smes"))


def _expected(report: SurveyReport) -> str:
    """Whom the respondents are counted against: the roadmap's total, or in one cluster's edition its
    even share of it."""
    if report.cluster:
        return f"the about {report.expected} expected of this cluster (the roadmap's {_roadmap_survey()} spread evenly)"
    return f"the about {report.expected} the roadmap expects"


def response_table(report: SurveyReport) -> Styler | None:
    """Respondents per cluster against the expected share of the ~120 (one cluster's edition: its row only)."""
    if report.empty:
        return None
    names = reference.names("clusters")
    table = pd.DataFrame(
        {
            "Cluster": [names.get(c, c) for c in report.response["cluster"]],
            "Sector": report.response["sector"].map(SECTOR_NAMES),
            "Respondents": report.response["respondents"],
            "Expected (120 spread evenly)": report.response["expected"],
            "Response rate (%)": report.response["rate_pct"],
        }
    )
    total = pd.DataFrame(
        {
            "Cluster": ["All clusters"],
            "Sector": ["both"],
            "Respondents": [report.respondents],
            "Expected (120 spread evenly)": [float(report.expected)],
            "Response rate (%)": [100 * report.respondents / report.expected],
        }
    )
    if not report.cluster:
        table = pd.concat([table, total], ignore_index=True)
    return show_table(table, {"Expected (120 spread evenly)": "{:.0f}", "Response rate (%)": PCT})


def plot_response(report: SurveyReport) -> plt.Figure | None:
    """Respondents per cluster, coloured by sector, against the expected number per cluster."""
    if report.empty:
        _empty("No survey responses recorded yet.")
        return None
    names = reference.names("clusters")
    rows = report.response
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.bar(
        rows["cluster"],
        rows["respondents"],
        color=[SECTOR_COLOURS[s] for s in rows["sector"]],
    )
    per_cluster = float(rows["expected"].iloc[0])
    share = 100 * report.respondents / report.expected
    ax.axhline(per_cluster, color="#333333", lw=1.2, ls="--")
    ax.annotate(
        f"expected per cluster ({per_cluster:.0f})",
        (1, per_cluster),
        xycoords=("axes fraction", "data"),
        xytext=(-4, 4),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=9,
    )
    ax.set_ylabel("respondents")
    ax.set_ylim(0, max(per_cluster, rows["respondents"].max()) * 1.25)
    ax.legend(
        handles=[
            Line2D([], [], color=SECTOR_COLOURS[s], lw=8, label=SECTOR_NAMES[s])
            for s in SECTORS
            if s in set(rows.loc[rows["respondents"] > 0, "sector"])
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        borderaxespad=0,
        fontsize=9,
    )
    short = rows.loc[rows["rate_pct"] < SHORT_PCT, "cluster"].tolist()
    if report.cluster:  # one cluster's edition: the title's share says it all
        verdict = ""
    elif short:
        named = ", ".join(names.get(c, c) if len(short) < 3 else c for c in short)
        verdict = f"; under {SHORT_PCT}% of the expected: {named}"
    else:
        verdict = f"; every cluster at {SHORT_PCT}% or more of its {per_cluster:.0f}"
    title = f"{report.respondents} of about {report.expected} expected answered ({share:.0f}%){verdict}"
    return finish(fig, title, SOURCES)


def privacy_note(report: SurveyReport) -> Markdown | None:
    """Which groups are too small to be shown on their own, if any."""
    hidden = pd.concat([report.likert, report.choices])
    hidden = hidden[hidden["suppressed"]].drop_duplicates(["by", "level"])
    if hidden.empty:
        return None
    groups = _listing([LEVEL_NAMES.get(str(x), str(x)) for x in hidden["level"]])
    return Markdown(
        f"*Not shown on their own:* {md(groups)}: a group of fewer than {MIN_GROUP} respondents is not described "
        "on its own, and where that alone would let it be worked out from the total, the next smallest group "
        "of the same breakdown is left out too (marked '-')."
    )


# --- choices and Likert answers ---------------------------------------------------------------------------


def _sector_pivot(rows: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    return rows[rows["by"] == "sector"].pivot_table(index=keys, columns="level", values=value, dropna=False)


def plot_barriers(report: SurveyReport) -> plt.Figure | None:
    """The barriers question: the share of respondents naming each barrier with its Wilson interval, and the
    share in each sector."""
    if report.barriers.dropna(subset=["share_pct"]).empty:
        _empty(
            "No answers to the choice questions recorded yet."
            if report.choices.empty
            else "The questionnaire has no barriers question."
        )
        return None
    barriers = report.barriers.iloc[::-1].reset_index(drop=True)
    question = barriers_question(report.questions)
    rows = report.choices[(report.choices["question"] == question) & (report.choices["by"] == "sector")]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(barriers) + 1.6))
    y = np.arange(len(barriers))
    ax.barh(y, barriers["share_pct"], color="#bbbbbb", label="all respondents (95% interval)")
    ax.errorbar(
        barriers["share_pct"],
        y,
        xerr=[barriers["share_pct"] - barriers["low"], barriers["high"] - barriers["share_pct"]],
        fmt="none",
        ecolor="#333333",
        capsize=3,
        lw=1,
    )
    for offset, sector in zip((-0.18, 0.18), SECTORS):
        shares = rows[rows["level"] == sector].set_index("option")["share_pct"].reindex(barriers["option"])
        if shares.notna().any():  # a sector without respondents (one cluster's edition) gets no legend entry
            ax.scatter(shares, y + offset, color=SECTOR_COLOURS[sector], s=30, zorder=3, label=SECTOR_NAMES[sector])
    ax.set_yticks(y, [label(o) for o in barriers["option"]], fontsize=10)
    ax.set_xlabel("respondents naming the barrier (%)")
    ax.set_xlim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, borderaxespad=0)
    top = report.barriers.iloc[0]
    title = (
        f"{label(top['option']).capitalize()} is the barrier named most often: {top['share_pct']:.0f}% of respondents"
    )
    return finish(fig, title, SOURCES)


def choice_table(report: SurveyReport) -> Styler | None:
    """Every choice question: the share choosing each option, over all respondents with its 95% interval,
    and per sector (blank where a group is too small)."""
    if report.choices.empty:
        return None
    everyone = report.choices[report.choices["by"] == "all"].set_index(["question", "option"])
    sectors = _sector_pivot(report.choices, ["question", "option"], "share_pct").reindex(
        index=everyone.index, columns=list(SECTORS)
    )  # a sector without respondents (one cluster's edition) gives a blank column
    texts = _question_texts(report)
    table = pd.DataFrame(
        {
            "Question": [texts[q] for q, _ in everyone.index],
            "Answer": [label(o) for _, o in everyone.index],
            "Respondents": everyone["respondents"].to_numpy(),
            "Share choosing it (%)": everyone["share_pct"].to_numpy(),
            "95% interval (%)": [
                "-" if pd.isna(lo) else _interval(lo, hi) for lo, hi in zip(everyone["low"], everyone["high"])
            ],
            **{f"{SECTOR_NAMES[s].capitalize()} (%)": sectors[s].to_numpy() for s in SECTORS},
        }
    )
    repeated = table["Question"].duplicated()
    table["Respondents"] = table["Respondents"].astype(float).mask(repeated)
    table.loc[repeated, "Question"] = ""
    formats = {c: PCT for c in table.columns if c.endswith("(%)") and pd.api.types.is_numeric_dtype(table[c])}
    return show_table(table, {**formats, "Respondents": "{:.0f}"})


def plot_likert(report: SurveyReport) -> plt.Figure | None:
    """Each Likert question: the mean answer with its 95% interval, over all respondents and per
    sector; the scale's middle (3) as a labelled line."""
    rows = report.likert
    if rows.empty:
        _empty("No answers to the 1-5 questions recorded yet.")
        return None
    texts = _question_texts(report)
    questions = list(dict.fromkeys(rows["question"]))
    fig, ax = plt.subplots(figsize=(11, 0.8 * len(questions) + 2.0))
    y = np.arange(len(questions))[::-1]
    series = [("all", "all", "#333333", 0.0)] + [
        ("sector", s, SECTOR_COLOURS[s], off) for s, off in zip(SECTORS, (-0.2, 0.2))
    ]
    for by, level, colour, offset in series:
        part = rows[(rows["by"] == by) & (rows["level"] == level)].set_index("question").reindex(questions)
        if part["mean"].isna().all():  # a sector without respondents (one cluster's edition)
            continue
        ax.errorbar(
            part["mean"],
            y + offset,
            xerr=[part["mean"] - part["low"], part["high"] - part["mean"]],
            fmt="o",
            color=colour,
            ms=5,
            capsize=3,
            lw=1.2,
            label=LEVEL_NAMES[level],
        )
    ax.axvline(3, color="#777777", lw=1, ls=":")
    ax.annotate(
        "middle of the scale (3)",
        (3, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, -3),
        textcoords="offset points",
        fontsize=9,
        va="top",
        color="#555555",
    )
    ax.set_yticks(y, [_short(texts[q], 40) for q in questions], fontsize=9)
    ax.set_xlim(1, 5)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_xlabel("mean answer (1 = lowest, 5 = highest) with 95% interval")
    ax.set_ylim(-0.6, len(questions) - 0.4 + 0.4)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, borderaxespad=0)
    return finish(fig, _likert_title(report), SOURCES)


def _likert_title(report: SurveyReport) -> str:
    texts = _question_texts(report)
    found = report.differences[report.differences["difference"] & (report.differences["test"] == "Mann-Whitney U")]
    if len(found):
        row = found.sort_values("p_adjusted").iloc[0]
        higher = "Health-technology" if row["health_tech"] > row["photonics"] else "Photonics"
        return textwrap.fill(f'{higher} respondents answer "{texts[row["question"]]}" higher', TITLE_WIDTH)
    everyone = report.likert[report.likert["by"] == "all"].sort_values("mean", ascending=False)
    top = everyone.iloc[0]
    return textwrap.fill(f'Highest answers: "{texts[top["question"]]}" (mean {top["mean"]:.1f} of 5)', TITLE_WIDTH)


def likert_table(report: SurveyReport) -> Styler | None:
    """Each Likert question: respondents, mean with its interval, share answering 4 or 5 with its interval,
    and the mean per respondent type and sector."""
    rows = report.likert
    if rows.empty:
        return None
    everyone = rows[rows["by"] == "all"].set_index("question")
    groups = rows[rows["by"] != "all"].pivot_table(index="question", columns="level", values="mean", dropna=False)
    texts = _question_texts(report)
    levels = [lv for lv in (*RESPONDENT_TYPES, *SECTORS) if lv in set(rows["level"])]
    table = pd.DataFrame(
        {
            "Question": [texts[q] for q in everyone.index],
            "Respondents": everyone["respondents"].to_numpy(),
            "Mean (1-5)": everyone["mean"].to_numpy(),
            "95% interval": [_interval(lo, hi, MEAN) for lo, hi in zip(everyone["low"], everyone["high"])],
            "Answering 4 or 5 (%)": everyone["top2_pct"].to_numpy(),
            "95% interval (%)": [_interval(lo, hi) for lo, hi in zip(everyone["top2_low"], everyone["top2_high"])],
            **{
                f"Mean, {LEVEL_NAMES[lv]}": groups.get(lv, pd.Series(np.nan, index=groups.index))
                .reindex(everyone.index)
                .to_numpy()
                for lv in levels
            },
        }
    )
    means = {c: MEAN for c in table.columns if c.startswith("Mean")}
    return show_table(table, {**means, "Answering 4 or 5 (%)": PCT})


# --- differences --------------------------------------------------------------------------------------------


def differences_note(report: SurveyReport) -> Markdown:
    """The surviving differences in words, or why nothing was tested."""
    if report.differences.empty:
        return Markdown(
            f"No comparison yet: each sector needs at least {MIN_GROUP} respondents to a question before the "
            "sectors are compared."
        )
    line = _differences_line(report) or ""
    return Markdown(line.removeprefix("- "))


def p_value(p: float) -> str:
    """A p-value to three decimals, 'under 0.001' below that."""
    return "-" if pd.isna(p) else "under 0.001" if p < 0.001 else f"{p:.3f}"


def _compared(test: str, option: str) -> str:
    """What a comparison sets side by side: the mean answer, or the share choosing an answer."""
    if test == "Mann-Whitney U":
        return "mean answer (1-5)"
    if test.startswith("chi-square"):
        return f"all answers; shown: share choosing {label(option)} (%), the widest gap"
    return f"share choosing {label(option)} (%)"


def differences_table(report: SurveyReport) -> Styler | None:
    """Every comparison with its test, the two sectors' figures, the effect size and the p-values before and
    after the correction; 'Difference' only where the corrected test survives."""
    tests = report.differences
    if tests.empty:
        return None
    texts = _question_texts(report)
    table = pd.DataFrame(
        {
            "Question": [texts[q] for q in tests["question"]],
            "Figure compared": [_compared(t, o) for t, o in zip(tests["test"], tests["option"])],
            "Test": tests["test"].map(TEST_NAMES),
            "Respondents, photonics": tests["n_photonics"],
            "Respondents, health technology": tests["n_health_tech"],
            "Photonics": tests["photonics"],
            "Health technology": tests["health_tech"],
            "Effect size": tests["effect"],
            "Effect measure": tests["effect_measure"],
            "p-value": tests["p_value"].map(p_value),
            "p-value after correction": tests["p_adjusted"].map(p_value),
            "Difference": yes_no(tests["difference"]),
        }
    )
    styler = show_table(table, {"Effect size": "{:+.2f}"})
    return styler.map(lambda v: "font-weight: bold" if v == "Yes" else "", subset=["Difference"])


# --- free text -----------------------------------------------------------------------------------------------


def terms_table(report: SurveyReport) -> Styler | None:
    """The most used terms and two-word phrases per question group, with the answers using each."""
    if report.terms.empty:
        _empty(
            f"No term is used in {MIN_GROUP} or more free-text answers yet (rarer terms are not shown: they may "
            "name a person or a company)."
        )
        return None
    rows = []
    for group in QUESTION_GROUPS:
        for kind, name in (("term", "Terms"), ("phrase", "Two-word phrases")):
            part = report.terms[(report.terms["group"] == group) & (report.terms["kind"] == kind)]
            if len(part):
                rows.append(
                    {
                        "Question group": GROUP_NAMES[group],
                        "Kind": name,
                        "Most used (answers using it)": ", ".join(
                            f"{t} ({n})" for t, n in zip(part["term"], part["answers"])
                        ),
                    }
                )
    return show_table(pd.DataFrame(rows))


def plot_mentions(report: SurveyReport, top: int = 10) -> plt.Figure | None:
    """Free-text answers naming each target market and the most named technology uses."""
    rows = report.mentions[report.mentions["answers"] > 0]
    if rows.empty:
        _empty("No free-text answer names a target market or technology use yet.")
        return None
    markets = report.mentions[report.mentions["kind"] == "market"].sort_values("answers")
    uses = rows[rows["kind"] == "technology use"].sort_values(["answers", "name"], ascending=[True, False]).tail(top)
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.42 * max(len(markets), len(uses), 4) + 1.6))
    named = {s: SECTOR_NAMES[s] if rows[s].sum() > 0 else "_nolegend_" for s in SECTORS}  # one cluster: one sector
    for ax, part, name in ((axes[0], markets, "target markets"), (axes[1], uses, f"technology uses (top {top})")):
        y = np.arange(len(part))
        ax.barh(y, part["photonics"], color=SECTOR_COLOURS["photonics"], label=named["photonics"])
        ax.barh(
            y,
            part["health_tech"],
            left=part["photonics"],
            color=SECTOR_COLOURS["health_tech"],
            label=named["health_tech"],
        )
        ax.set_yticks(y, [_short(n, 32) for n in part["name"]], fontsize=9)
        ax.set_xlabel("free-text answers naming it")
        ax.set_title(name.capitalize(), fontsize=10, loc="left")
    axes[0].legend(loc="lower right", fontsize=9, title="respondents from", title_fontsize=9)
    best = [
        rows[rows["kind"] == k].sort_values(["answers", "name"], ascending=[False, True]).iloc[0]
        for k in ("market", "technology use")
        if (rows["kind"] == k).any()
    ]
    title = "Free text names " + " and ".join(f"{r['name']} ({r['answers']} answers)" for r in best) + " most often"
    return finish(fig, title, SOURCES + " (free-text answers, counted by name and synonym)")


def mentions_table(report: SurveyReport) -> Styler | None:
    """Every target market and technology use named at least once, most named first."""
    rows = report.mentions[report.mentions["answers"] > 0].sort_values(
        ["kind", "answers", "name"], ascending=[False, False, True]
    )
    if rows.empty:
        return None
    table = pd.DataFrame(
        {
            "Named": rows["kind"].str.capitalize(),
            "Name": rows["name"],
            "Answers naming it": rows["answers"],
            "From photonics respondents": rows["photonics"],
            "From health-technology respondents": rows["health_tech"],
        }
    )
    return show_table(table)


# --- feedback ----------------------------------------------------------------------------------------------------


def _quarter_axis(ax: plt.Axes, quarters: list[pd.Period]) -> None:
    """Quarters as categories on the x axis, labelled 2024Q1 ..., every other one when there are many."""
    step = 1 if len(quarters) <= 8 else 2
    ax.set_xticks(range(0, len(quarters), step), [str(q) for q in quarters[::step]], rotation=30, fontsize=9)
    ax.set_xlim(-0.5, len(quarters) - 0.5)


def plot_feedback(feedback: FeedbackReport, top: int = 4) -> plt.Figure | None:
    """Left: the mean usefulness per quarter with its 95% interval. Right: the share of forms naming each of
    the most named concerns (and any rising or falling one) per quarter; a rising concern drawn solid and
    thick, a falling one dashed, the others thin."""
    if feedback.empty:
        _empty("No feedback forms recorded yet.")
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    quarters = list(feedback.ratings["quarter"])
    position = {q: i for i, q in enumerate(quarters)}
    ratings = feedback.ratings.dropna(subset=["mean"])
    left.errorbar(
        ratings["quarter"].map(position),
        ratings["mean"],
        yerr=[ratings["mean"] - ratings["low"], ratings["high"] - ratings["mean"]],
        fmt="o-",
        color="#333333",
        capsize=3,
        lw=1.2,
        ms=4,
    )
    left.set_ylim(1, 5)
    left.set_ylabel("mean usefulness (1-5), 95% interval")
    left.set_title("Usefulness rating per quarter", fontsize=10, loc="left")
    trends = feedback.trends.set_index("concern")
    changing = trends.index[trends["trend"] != "no clear trend"]
    shown = list(dict.fromkeys([*changing, *feedback.concerns["concern"].head(top)]))
    styles = {"rising": ("-", 2.4), "falling": ("--", 2.0), "no clear trend": (":", 1.4)}
    for concern, colour in zip(shown, sns.color_palette("colorblind", len(shown))):
        part = feedback.shares[feedback.shares["concern"] == concern]
        trend = trends.loc[concern, "trend"] if concern in trends.index else "no clear trend"
        style, width = styles[trend]
        right.plot(
            part["quarter"].map(position),
            part["share_pct"],
            marker="o",
            ms=3,
            ls=style,
            lw=width,
            color=colour,
            label=f"{label(concern)} ({trend})",
        )
    right.set_ylabel("forms naming the concern (%)")
    right.set_ylim(0, None)
    right.set_title("Concerns named per quarter", fontsize=10, loc="left")
    right.legend(loc="upper left", fontsize=9, bbox_to_anchor=(1.01, 1), borderaxespad=0)
    for ax in (left, right):
        _quarter_axis(ax, quarters)
    return finish(fig, _feedback_title(feedback), FEEDBACK_SOURCES)


def _feedback_title(feedback: FeedbackReport) -> str:
    rising = feedback.trends[feedback.trends["trend"] == "rising"].sort_values("p_adjusted")
    if len(rising):
        r = rising.iloc[0]
        return (
            f"Concern about {label(r['concern'])} is rising: {r['first_pct']:.0f}% of forms in the first quarter, "
            f"{r['last_pct']:.0f}% in the latest"
        )
    if len(feedback.concerns):
        return f"No concern is clearly rising; {label(feedback.concerns['concern'].iloc[0])} is named most often"
    return "No concern named in the feedback forms"


def concerns_table(feedback: FeedbackReport) -> Styler | None:
    """Each concern named: how often over all quarters and in the latest, its share with the 95% interval,
    the change per year and the trend test."""
    if feedback.concerns.empty:
        return None
    trends = feedback.trends.set_index("concern")
    rows = feedback.concerns
    table = pd.DataFrame(
        {
            "Concern": [label(c) for c in rows["concern"]],
            "Forms naming it": rows["named"],
            "Share of forms (%)": rows["share_pct"],
            "95% interval (%)": [_interval(lo, hi) for lo, hi in zip(rows["low"], rows["high"])],
            "Forms in the latest quarter": rows["latest"],
            "Change (points a year)": trends["slope_pts_per_year"].reindex(rows["concern"]).to_numpy(),
            "p-value after correction": trends["p_adjusted"].reindex(rows["concern"]).to_numpy(),
            "Trend": trends["trend"].reindex(rows["concern"]).to_numpy(),
        }
    )
    styler = show_table(
        table, {"Share of forms (%)": PCT, "Change (points a year)": "{:+.1f}", "p-value after correction": "{:.3f}"}
    )
    return styler.map(
        lambda v: f"color: {TREND_COLOURS[v]}; font-weight: bold" if v in ("rising", "falling") else "",
        subset=["Trend"],
    )


def ratings_table(feedback: FeedbackReport) -> Styler | None:
    """The mean usefulness per quarter with its 95% interval (blank below five forms)."""
    if feedback.empty:
        return None
    rows = feedback.ratings
    table = pd.DataFrame(
        {
            "Quarter": rows["quarter"].astype(str),
            "Forms": rows["forms"],
            "Mean usefulness (1-5)": rows["mean"],
            "95% interval": [
                "-" if pd.isna(lo) else _interval(lo, hi, MEAN) for lo, hi in zip(rows["low"], rows["high"])
            ],
        }
    )
    return show_table(table, {"Mean usefulness (1-5)": MEAN})


def page_glossary() -> Markdown:
    """The page's glossary: the shared terms it uses and its own."""
    return glossary(
        "SME",
        extra={
            "95% interval": "The range that holds the true value in 95 of 100 surveys drawn alike; a wide one "
            "means few answers.",
            "Benjamini-Hochberg correction": "A correction for testing many questions at once (Benjamini and "
            "Hochberg 1995): it keeps the expected share of false differences among those reported at 5%.",
            "Bootstrap interval": "An interval for a mean found by re-drawing the answers many times with "
            f"replacement and reading off the middle 95% of the re-drawn means (Efron); used for a mean of up to "
            f"{BOOTSTRAP_UP_TO:,} answers.",
            "Chi-square test": "A test of whether two groups spread their answers over the options alike.",
            "Cochran-Armitage trend test": "A test of whether a share rises or falls steadily over ordered periods.",
            "Cramér's V": "How strongly the answer depends on the sector, from 0 (not at all) to 1 (fully).",
            "Difference in shares": "The share of health-technology respondents choosing an answer minus the share "
            "of photonics respondents, in percentage points.",
            "Fisher's exact test": "A test of whether two groups choose an answer equally often, exact for small "
            "groups.",
            "Likert question": "A question answered on a 1-5 scale, from 1 (not at all, the lowest) to 5 (very "
            "much, the highest).",
            "Mann-Whitney test": "A test of whether one group's 1-5 answers tend to be higher than the other's.",
            "p-value": "How often a gap at least this large would appear by chance alone if the groups did not "
            "differ; small values speak against chance.",
            "Rank-biserial correlation": "The chance that a health-technology answer is higher than a photonics "
            "answer minus the reverse, from -1 to 1; 0 is no difference.",
            "Response rate": "Respondents as a share of the about 120 SMEs and stakeholders the roadmap plans to "
            "survey (§2.5).",
            "Stakeholder": "A respondent who is neither an SME nor a cluster organisation.",
            "Student's t interval": f"The interval used for a mean of more than {BOOTSTRAP_UP_TO:,} answers: the "
            "mean plus or minus about two standard errors. With that many answers it agrees with the bootstrap's.",
            "Wilson interval": "An interval for a share (Wilson 1927) that stays sensible for small groups and "
            "shares near 0% or 100%.",
        },
    )
