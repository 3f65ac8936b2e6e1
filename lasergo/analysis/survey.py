"""The stakeholder survey and the feedback collection (LASER-GO D5.1 (2017) §2.5).

The roadmap updates itself with a survey of about 120 SMEs and stakeholders in three question
groups (market needs in five years, opportunities in the target markets, resources and barriers)
and measures its performance with a short feedback form after each interaction. This module

* summarises each Likert question (answers 1-5) by its mean with a bootstrap interval (BCa,
  Efron 1987; scipy.stats.bootstrap, seeded; Student's t interval above :data:`BOOTSTRAP_UP_TO` answers,
  :func:`mean_interval`) and its share answering 4 or 5 (the top two boxes) with a Wilson (1927)
  interval, for all respondents, by respondent type and by sector (:func:`likert_summary`);
* summarises each choice question by the share choosing each option, with Wilson intervals
  (statsmodels proportion_confint; Newcombe 1998 recommends it for small samples)
  (:func:`choice_summary`);
* compares photonics and health-technology respondents (:func:`sector_differences`): Likert
  questions by the Mann-Whitney U test with the rank-biserial correlation as effect size (Kerby
  2014); single-choice questions by the chi-square test of the sector x option table with
  Cramér's V (Fisher's exact test for a 2 x 2 table; a Monte Carlo p-value over random tables with
  the same margins where an expected count is under :data:`MIN_EXPECTED`); each option of a multiple-choice question
  by Fisher's exact test with the difference in shares. The p-values of all tests form one family
  corrected by Benjamini and Hochberg (1995) at the false-discovery rate :data:`FDR`; only the
  tests that survive are differences;
* counts respondents per cluster against the roadmap's ~120 (:func:`response_rates`);
* counts the most frequent terms and two-word phrases of the free-text answers per question group
  (scikit-learn CountVectorizer, English stop words, plural forms merged) (:func:`text_terms`) and
  the answers that mention each technology use and target market by name or synonym, case and
  plural insensitive (:func:`mention_counts`);
* for the feedback forms: the mean usefulness rating per quarter with its interval, the
  share of forms naming each concern, and whether each concern is rising or falling over the
  quarters by the linear-by-linear association (Cochran-Armitage trend) test (Agresti 2002 §3.4.6;
  statsmodels), corrected by Benjamini-Hochberg across concerns (:func:`analyse_feedback`).

No group of fewer than :data:`lasergo.privacy.MIN_COMPANIES` respondents is described on its own:
its figures are blanked, and so is the smallest other group of the same breakdown when a single
group would otherwise be recoverable from the total (:func:`_suppress`). Free-text answers are
counted, never returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import association
from sklearn.feature_extraction.text import CountVectorizer
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from lasergo.data import reference
from lasergo.data.codes import CONCERNS, QUESTION_GROUPS, RESPONDENT_TYPES, SECTORS, split_codes
from lasergo.data.dataset import Dataset
from lasergo.errors import AnalysisError
from lasergo.privacy import MIN_COMPANIES

#: Confidence level of every interval.
LEVEL = 0.95
#: False-discovery rate of the Benjamini-Hochberg correction.
FDR = 0.05
#: Bootstrap resamples per interval.
N_RESAMPLES = 2000
#: The most values whose mean gets the BCa bootstrap interval; more get Student's t interval. The
#: bootstrap's jackknife step grows with the square of the values (8 GB and 80 s for the survey of
#: 48,000 SMEs), while the BCa interval differs from the t interval by terms of order 1/n
#: (DiCiccio and Efron 1996): at 2,000 answers on the 1-5 scale by about 0.005.
BOOTSTRAP_UP_TO = 2000
#: Below this expected count in any cell (Cochran 1954) a chi-square test takes its p-value from
#: ``N_TABLES`` random tables with the observed margins (scipy MonteCarloMethod), not from the
#: chi-square distribution.
MIN_EXPECTED = 5
N_TABLES = 9999
#: A Likert answer at or above this is in the top two boxes (4 or 5 on the 1-5 scale).
TOP_TWO = 4
#: The fewest respondents (or forms) a shown group may rest on.
MIN_GROUP = MIN_COMPANIES
#: The breakdowns of every distribution, each with its levels in order.
BREAKDOWNS = {"all": ("all",), "respondent_type": RESPONDENT_TYPES, "sector": SECTORS}
#: Words of a Likert question's text that mark it as asking about the partnership itself
#: (its usefulness or outlook): the questions averaged into the survey's sentiment.
SENTIMENT_WORDS = ("partnership",)


# --- statistics ----------------------------------------------------------------------------------


def wilson_interval(count: int | np.ndarray, n: int | np.ndarray, level: float = LEVEL) -> tuple:
    """Wilson (1927) score interval of the proportion count / n (statsmodels proportion_confint).

    The interval holds count / n; statsmodels' floating point can put an end a hair beyond it (a
    low end of 5.6e-15 for 0 of 7), which is set back to count / n."""
    low, high = proportion_confint(count, n, alpha=1 - level, method="wilson")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.divide(count, n)
    return np.minimum(low, share), np.maximum(high, share)


def mean_interval(
    values: np.ndarray | pd.Series, level: float = LEVEL, seed: int = 1, n_resamples: int = N_RESAMPLES
) -> tuple[float, float, float]:
    """The mean and its interval: the bootstrap's (BCa, scipy.stats.bootstrap with a seeded
    generator) for at most :data:`BOOTSTRAP_UP_TO` values, Student's t interval (scipy.stats.t) for more.

    A single value has no interval (NaN); values all alike give the value as both ends."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, np.nan, np.nan
    if np.all(x == x[0]):
        return mean, mean, mean
    if len(x) > BOOTSTRAP_UP_TO:
        low, high = stats.t.interval(level, len(x) - 1, loc=mean, scale=stats.sem(x))
        return mean, float(low), float(high)
    result = stats.bootstrap(
        (x,),
        np.mean,
        confidence_level=level,
        n_resamples=n_resamples,
        method="BCa",
        rng=np.random.default_rng(seed),
    )
    return mean, float(result.confidence_interval.low), float(result.confidence_interval.high)


def benjamini_hochberg(p_values: np.ndarray | pd.Series, fdr: float = FDR) -> tuple[np.ndarray, np.ndarray]:
    """Which hypotheses the Benjamini-Hochberg (1995) step-up procedure rejects at ``fdr``, and the
    adjusted p-values (statsmodels multipletests, ``fdr_bh``). NaN p-values are left out."""
    p = np.asarray(p_values, dtype=float)
    rejected = np.zeros(len(p), dtype=bool)
    adjusted = np.full(len(p), np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        rejected[tested], adjusted[tested], _, _ = multipletests(p[tested], alpha=fdr, method="fdr_bh")
    return rejected, adjusted


def rank_biserial(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mann-Whitney U test (two-sided, scipy) of x against y: the p-value and the rank-biserial
    correlation r = 2U/(n_x n_y) - 1 (Kerby 2014): the chance that an x exceeds a y minus the
    reverse, from -1 to 1, positive when x tends to be higher."""
    test = stats.mannwhitneyu(x, y, alternative="two-sided")
    return float(test.pvalue), float(2 * test.statistic / (len(x) * len(y)) - 1)


# --- the survey's answers --------------------------------------------------------------------------


def _levels(answers: pd.DataFrame) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """(breakdown, level, rows) for every breakdown of :data:`BREAKDOWNS` present in the answers."""
    for by, levels in BREAKDOWNS.items():
        for level in levels:
            rows = answers if by == "all" else answers[answers[by] == level]
            if len(rows):
                yield by, level, rows


def _suppress(table: pd.DataFrame, keys: list[str], columns: list[str]) -> pd.DataFrame:
    """Blank ``columns`` of every row resting on fewer than :data:`MIN_GROUP` respondents, and, where a
    breakdown (rows sharing ``keys`` and ``by``) would then blank a single level, its smallest other
    level too, so the blanked level cannot be recovered from the total; ``suppressed`` says which."""
    table = table.copy()
    table["suppressed"] = table["respondents"] < MIN_GROUP
    for _, rows in table[table["by"] != "all"].groupby([*keys, "by"], sort=False):
        hidden = table.loc[rows.index, "suppressed"]
        if hidden.sum() == 1 and (~hidden).any():
            table.loc[rows.loc[~hidden, "respondents"].idxmin(), "suppressed"] = True
    table.loc[table["suppressed"], columns] = np.nan
    return table


def likert_answers(questions: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """The answers to Likert questions with their ``score`` (1-5) as a number."""
    ids = questions.loc[questions["type"] == "likert", "id"]
    answers = responses[responses["question"].isin(ids)].copy()
    answers["score"] = pd.to_numeric(answers["answer"], errors="raise").astype(int)
    return answers


def likert_summary(
    questions: pd.DataFrame, responses: pd.DataFrame, level: float = LEVEL, seed: int = 1
) -> pd.DataFrame:
    """One row per Likert question and group (all respondents, each respondent type, each sector).

    Columns: question, by ("all", "respondent_type" or "sector"), level (the group), respondents,
    mean with its interval ``low``-``high`` (:func:`mean_interval`), ``top2_pct`` (share answering 4 or 5, percent)
    with its Wilson interval ``top2_low``-``top2_high``, ``n_1`` ... ``n_5`` (answers per score),
    ``suppressed`` (a group too small to show: its figures are blank)."""
    answers = likert_answers(questions, responses)
    rows = []
    for question in questions.loc[questions["type"] == "likert", "id"]:
        for by, name, group in _levels(answers[answers["question"] == question]):
            scores = group["score"].to_numpy()
            mean, low, high = mean_interval(scores, level, seed)
            top = int((scores >= TOP_TWO).sum())
            top_low, top_high = wilson_interval(top, len(scores), level)
            counts = {f"n_{s}": int((scores == s).sum()) for s in range(1, 6)}
            rows.append(
                {
                    "question": question,
                    "by": by,
                    "level": name,
                    "respondents": len(scores),
                    "mean": mean,
                    "low": low,
                    "high": high,
                    "top2_pct": 100 * top / len(scores),
                    "top2_low": 100 * top_low,
                    "top2_high": 100 * top_high,
                    **counts,
                }
            )
    columns = ["question", "by", "level", "respondents", "mean", "low", "high", "top2_pct", "top2_low"]
    columns += ["top2_high", *(f"n_{s}" for s in range(1, 6))]
    table = pd.DataFrame(rows, columns=columns)
    return _suppress(table, ["question"], columns[4:])


def chosen(answer: str, question_type: str) -> list[str]:
    """The options an answer chooses: the one option of a single-choice answer, the ';'-separated
    options of a multiple-choice answer."""
    return [answer.strip()] if question_type == "single" else split_codes(answer)


def choice_indicators(questions: pd.DataFrame, responses: pd.DataFrame, question: str) -> pd.DataFrame:
    """One row per respondent who answered a choice question, one 0/1 column per option (in the
    questionnaire's order), with the respondent's ``respondent_type`` and ``sector``."""
    spec = questions.set_index("id").loc[question]
    options = split_codes(spec["options"])
    answers = responses[responses["question"] == question]
    picked = answers["answer"].map(lambda a: set(chosen(a, spec["type"])))
    flags = pd.DataFrame({o: picked.map(lambda p, o=o: int(o in p)) for o in options}, index=answers.index)
    return pd.concat([answers[["respondent", "respondent_type", "sector"]], flags], axis=1)


def choice_summary(questions: pd.DataFrame, responses: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """One row per choice question, option and group (all, each respondent type, each sector).

    Columns: question, option, by, level, respondents (who answered the question), chosen (who
    chose the option), ``share_pct`` with its Wilson interval ``low``-``high`` (percent),
    ``suppressed``."""
    rows = []
    for question in questions.loc[questions["type"].isin(["single", "multiple"]), "id"]:
        flags = choice_indicators(questions, responses, question)
        options = [c for c in flags.columns if c not in ("respondent", "respondent_type", "sector")]
        for by, name, group in _levels(flags):
            for option in options:
                count = int(group[option].sum())
                low, high = wilson_interval(count, len(group), level)
                rows.append(
                    {
                        "question": question,
                        "option": option,
                        "by": by,
                        "level": name,
                        "respondents": len(group),
                        "chosen": count,
                        "share_pct": 100 * count / len(group),
                        "low": 100 * low,
                        "high": 100 * high,
                    }
                )
    columns = ["question", "option", "by", "level", "respondents", "chosen", "share_pct", "low", "high"]
    return _suppress(
        pd.DataFrame(rows, columns=columns), ["question", "option"], ["chosen", "share_pct", "low", "high"]
    )


# --- differences between the sectors ----------------------------------------------------------------


DIFFERENCE_COLUMNS = [
    "question",
    "option",
    "test",
    "n_photonics",
    "n_health_tech",
    "photonics",
    "health_tech",
    "effect",
    "effect_measure",
    "p_value",
    "p_adjusted",
    "difference",
]


def _likert_test(question: str, answers: pd.DataFrame) -> dict:
    health = answers.loc[answers["sector"] == "health_tech", "score"].to_numpy()
    photonics = answers.loc[answers["sector"] == "photonics", "score"].to_numpy()
    p, effect = rank_biserial(health, photonics)
    return {
        "question": question,
        "option": "",
        "test": "Mann-Whitney U",
        "photonics": photonics.mean(),
        "health_tech": health.mean(),
        "effect": effect,
        "effect_measure": "rank-biserial",
        "p_value": p,
    }


def _option_test(question: str, option: str, flags: pd.DataFrame) -> dict:
    table = pd.crosstab(flags["sector"], flags[option]).reindex(index=SECTORS, columns=[0, 1], fill_value=0)
    shares = flags.groupby("sector")[option].mean()
    return {
        "question": question,
        "option": option,
        "test": "Fisher exact",
        "photonics": 100 * shares["photonics"],
        "health_tech": 100 * shares["health_tech"],
        "effect": 100 * (shares["health_tech"] - shares["photonics"]),
        "effect_measure": "difference in shares (points)",
        "p_value": float(stats.fisher_exact(table.to_numpy())[1]),
    }


def _single_test(question: str, flags: pd.DataFrame, options: list[str], seed: int) -> dict | None:
    table = flags.groupby("sector")[options].sum().reindex(SECTORS)
    table = table.loc[:, table.sum() > 0]
    if table.shape[1] < 2:
        return None
    if table.shape[1] == 2:
        return _option_test(question, table.columns[0], flags)
    shares = 100 * flags.groupby("sector")[list(table.columns)].mean()
    gap = (shares.loc["health_tech"] - shares.loc["photonics"]).abs().idxmax()
    observed = table.to_numpy()
    sparse = bool((stats.contingency.expected_freq(observed) < MIN_EXPECTED).any())
    method = stats.MonteCarloMethod(n_resamples=N_TABLES, rng=np.random.default_rng(seed)) if sparse else None
    return {
        "question": question,
        "option": gap,
        "test": "chi-square, Monte Carlo" if sparse else "chi-square",
        "photonics": shares.loc["photonics", gap],
        "health_tech": shares.loc["health_tech", gap],
        "effect": float(association(table.to_numpy(), method="cramer")),
        "effect_measure": "Cramér's V",
        "p_value": float(stats.chi2_contingency(observed, correction=False, method=method).pvalue),
    }


def sector_differences(
    questions: pd.DataFrame, responses: pd.DataFrame, fdr: float = FDR, seed: int = 1
) -> pd.DataFrame:
    """Photonics against health-technology respondents, one row per test (see the module's text).

    Columns: question, option (the multiple-choice option tested; for a chi-square test the option
    whose shares differ most; blank for Likert), test, n_photonics, n_health_tech, photonics and
    health_tech (mean score, or share choosing the option in percent), effect (rank-biserial
    correlation, positive when health technology answers higher; Cramér's V; or the difference in
    shares health technology minus photonics, in points), effect_measure, p_value, p_adjusted
    (Benjamini-Hochberg over all the rows), difference (the test survives the correction at ``fdr``).
    A question with fewer than :data:`MIN_GROUP` respondents in either sector is not tested."""
    rows = []
    scores = likert_answers(questions, responses)
    for _, spec in questions.iterrows():
        answers = responses[responses["question"] == spec["id"]]
        sizes = answers["sector"].value_counts().reindex(SECTORS, fill_value=0)
        if sizes.min() < MIN_GROUP:
            continue
        found: list[dict | None] = []
        if spec["type"] == "likert":
            found = [_likert_test(spec["id"], scores[scores["question"] == spec["id"]])]
        elif spec["type"] in ("single", "multiple"):
            flags = choice_indicators(questions, responses, spec["id"])
            options = split_codes(spec["options"])
            if spec["type"] == "single":
                found = [_single_test(spec["id"], flags, options, seed)]
            else:
                found = [_option_test(spec["id"], option, flags) for option in options]
        for row in found:
            if row is not None:
                rows.append({**row, "n_photonics": sizes["photonics"], "n_health_tech": sizes["health_tech"]})
    table = pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)
    table["difference"], table["p_adjusted"] = benjamini_hochberg(table["p_value"], fdr)
    return table


# --- respondents ---------------------------------------------------------------------------------------


def response_rates(responses: pd.DataFrame, clusters: pd.DataFrame, expected: int) -> pd.DataFrame:
    """Respondents per cluster against the expected number, ``expected`` spread evenly over the clusters
    (an assumption: the roadmap states only the total). Columns: cluster, sector, respondents,
    expected, rate_pct (respondents / expected, percent)."""
    per_cluster = expected / len(clusters)
    counts = responses.groupby("cluster")["respondent"].nunique()
    table = pd.DataFrame(
        {
            "cluster": clusters["id"].to_numpy(),
            "sector": clusters["sector"].to_numpy(),
            "respondents": counts.reindex(clusters["id"], fill_value=0).astype(int).to_numpy(),
            "expected": per_cluster,
        }
    )
    table["rate_pct"] = 100 * table["respondents"] / table["expected"]
    return table


# --- free text ---------------------------------------------------------------------------------------------


def _singular(word: str, vocabulary: set[str]) -> str:
    """The singular of ``word`` where the text also holds it (lasers -> laser, therapies -> therapy,
    lenses -> lens), else the word itself: a word that only looks plural (lens) stays."""
    candidates = []
    if word.endswith("ies"):
        candidates.append(word[:-3] + "y")
    if word.endswith("es"):
        candidates.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        candidates.append(word[:-1])
    return next((c for c in candidates if c in vocabulary), word)


def term_counts(texts: pd.Series, ngram: int, min_answers: int = MIN_GROUP) -> pd.Series:
    """How many answers use each term (``ngram`` = 1) or two-word phrase (``ngram`` = 2), most used
    first: scikit-learn CountVectorizer, lower case, English stop words removed, plural and
    singular forms merged where both occur; terms in fewer than ``min_answers`` answers left out
    (a rare term may name a person or a company)."""
    texts = texts.dropna().astype(str)
    texts = texts[texts.str.strip() != ""]
    if texts.empty:
        return pd.Series(dtype=int)
    vectorizer = CountVectorizer(stop_words="english", ngram_range=(ngram, ngram), binary=True)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing left after the stop words
        return pd.Series(dtype=int)
    terms = vectorizer.get_feature_names_out()
    words = {w for t in terms for w in t.split()}
    merged = [" ".join(_singular(w, words) for w in t.split()) for t in terms]
    used = pd.DataFrame(matrix.toarray() > 0, columns=terms).T.groupby(merged).any().T.sum()
    used = used[used >= min_answers].astype(int)
    return used.sort_index().sort_values(ascending=False, kind="stable")


def text_terms(
    questions: pd.DataFrame, responses: pd.DataFrame, top: int = 10, min_answers: int = MIN_GROUP
) -> pd.DataFrame:
    """The ``top`` terms and two-word phrases of the free-text answers per question group
    (:func:`term_counts`). Columns: group, kind ("term" or "phrase"), term, answers."""
    texts = free_texts(questions, responses)
    rows = []
    for group in QUESTION_GROUPS:
        answers = texts.loc[texts["group"] == group, "answer"]
        for kind, ngram in (("term", 1), ("phrase", 2)):
            counts = term_counts(answers, ngram, min_answers).head(top)
            rows += [{"group": group, "kind": kind, "term": t, "answers": int(n)} for t, n in counts.items()]
    return pd.DataFrame(rows, columns=["group", "kind", "term", "answers"])


def free_texts(questions: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """The answers to free-text questions with their question ``group`` (respondent-level: never shown)."""
    spec = questions.loc[questions["type"] == "text", ["id", "group"]].rename(columns={"id": "question"})
    return responses.merge(spec, on="question")[["respondent", "sector", "question", "group", "answer"]]


def _word_pattern(word: str) -> str:
    """A regular expression for a word in its singular or plural form."""
    if word.endswith("ies"):
        return re.escape(word[:-3]) + "(?:y|ies)"
    if re.search(r"[^aeiou]y$", word):
        return re.escape(word[:-1]) + "(?:y|ies)"
    if re.search(r"(?:ss|sh|ch|x|z)es$", word):
        return re.escape(word[:-2]) + "(?:es)?"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return re.escape(word[:-1]) + "(?:s|es)?"
    if re.search(r"(?:ss|sh|ch|x|z|s)$", word):
        return re.escape(word) + "(?:es)?"
    return re.escape(word) + "s?"


def name_pattern(names: list[str]) -> re.Pattern:
    """One case-insensitive pattern matching any of ``names`` as whole words, each word in its
    singular or plural form, words separated by any spaces or punctuation ('light-sheet' matches
    'light sheet')."""
    alternatives = []
    for name in names:
        words = re.findall(r"[a-z0-9]+", name.lower())
        if words:
            alternatives.append(r"[^a-z0-9]+".join(_word_pattern(w) for w in words))
    if not alternatives:
        raise AnalysisError(f"no name to match among {names!r}")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])", re.IGNORECASE)


def mentions(texts: pd.Series, names: dict[str, list[str]]) -> pd.Series:
    """How many of ``texts`` mention each id of ``names`` (id -> its name and synonyms), by
    :func:`name_pattern`; an answer naming an id twice counts once."""
    texts = texts.fillna("").astype(str)
    return pd.Series({key: int(texts.str.contains(name_pattern(alts)).sum()) for key, alts in names.items()}, dtype=int)


def mention_counts(
    texts: pd.DataFrame, uses: dict[str, list[str]], markets: dict[str, list[str]], labels: dict[str, str]
) -> pd.DataFrame:
    """Answers mentioning each technology use and target market, overall and by sector.

    ``texts``: free-text answers with ``sector`` and ``answer`` (:func:`free_texts`); ``uses`` and
    ``markets``: id -> names (reference.synonyms). Columns: kind ("technology use" or "market"), id,
    name, answers, photonics, health_tech (answers of each sector's respondents)."""
    rows = []
    for kind, names in (("technology use", uses), ("market", markets)):
        counts = pd.DataFrame(
            {
                "answers": mentions(texts["answer"], names),
                **{s: mentions(texts.loc[texts["sector"] == s, "answer"], names) for s in SECTORS},
            }
        )
        counts.insert(0, "kind", kind)
        counts.insert(1, "id", counts.index)
        counts.insert(2, "name", [labels.get(i, i) for i in counts.index])
        rows.append(counts)
    columns = ["kind", "id", "name", "answers", *SECTORS]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)


# --- the survey's answers for other pages ------------------------------------------------------------------


@dataclass(frozen=True)
class Sentiment:
    """The respondents' mean answer to the Likert questions about the partnership itself, with its
    interval (:func:`mean_interval`): each respondent's answers averaged first, then the mean over respondents."""

    mean: float
    low: float
    high: float
    respondents: int
    questions: tuple[str, ...]
    text: str


def sentiment_questions(questions: pd.DataFrame) -> pd.DataFrame:
    """The Likert questions whose text names the partnership (:data:`SENTIMENT_WORDS`)."""
    pattern = "|".join(SENTIMENT_WORDS)
    about = questions["text"].str.contains(pattern, case=False, regex=True)
    return questions[(questions["type"] == "likert") & about]


def survey_sentiment(
    questions: pd.DataFrame, responses: pd.DataFrame, level: float = LEVEL, seed: int = 1
) -> Sentiment | None:
    """:class:`Sentiment` over :func:`sentiment_questions`; None without such questions, answers,
    or with fewer than :data:`MIN_GROUP` respondents."""
    chosen_questions = sentiment_questions(questions)
    answers = likert_answers(chosen_questions, responses)
    per_respondent = answers.groupby("respondent")["score"].mean()
    if chosen_questions.empty or len(per_respondent) < MIN_GROUP:
        return None
    mean, low, high = mean_interval(per_respondent.to_numpy(), level, seed)
    return Sentiment(
        mean, low, high, len(per_respondent), tuple(chosen_questions["id"]), "; ".join(chosen_questions["text"])
    )


def barriers_question(questions: pd.DataFrame) -> str | None:
    """The barriers question: the multiple-choice question of the resources-and-barriers group, the
    one whose text says "barrier" where there are several; None without one."""
    candidates = questions[(questions["type"] == "multiple") & (questions["group"] == "resources_barriers")]
    named = candidates[candidates["text"].str.contains("barrier", case=False)]
    pick = named if len(named) else candidates
    return None if pick.empty else str(pick["id"].iloc[0])


def barrier_shares(questions: pd.DataFrame, choices: pd.DataFrame) -> pd.DataFrame:
    """The barriers, most often named first: the rows of the barriers question over all respondents
    in :func:`choice_summary` (columns option, respondents, chosen, share_pct, low, high)."""
    question = barriers_question(questions)
    rows = choices[(choices["question"] == question) & (choices["by"] == "all")]
    columns = ["option", "respondents", "chosen", "share_pct", "low", "high"]
    return rows[columns].sort_values(["share_pct", "option"], ascending=[False, True]).reset_index(drop=True)


# --- the report --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyReport:
    """Everything the survey page shows (see the functions named for each field)."""

    questions: pd.DataFrame
    likert: pd.DataFrame
    choices: pd.DataFrame
    differences: pd.DataFrame
    response: pd.DataFrame
    terms: pd.DataFrame
    mentions: pd.DataFrame
    sentiment: Sentiment | None
    barriers: pd.DataFrame
    respondents: int
    expected: int
    level: float = LEVEL
    fdr: float = FDR
    cluster: str = ""  # one cluster's edition, whose ``expected`` is its even share of the roadmap's total

    @property
    def empty(self) -> bool:
        """No answer recorded yet."""
        return self.respondents == 0


def survey_report(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    clusters: pd.DataFrame,
    uses: dict[str, list[str]],
    markets: dict[str, list[str]],
    labels: dict[str, str],
    expected: int,
    seed: int = 1,
    fdr: float = FDR,
    level: float = LEVEL,
    cluster: str = "",
) -> SurveyReport:
    """The survey's :class:`SurveyReport` from its tables (columns as the input schemas)."""
    unknown = set(responses["question"]) - set(questions["id"])
    if unknown:
        raise AnalysisError(f"answers to questions not in the questionnaire: {', '.join(sorted(unknown))}")
    choices = choice_summary(questions, responses, level)
    return SurveyReport(
        questions=questions,
        likert=likert_summary(questions, responses, level, seed),
        choices=choices,
        differences=sector_differences(questions, responses, fdr, seed),
        response=response_rates(responses, clusters, expected),
        terms=text_terms(questions, responses),
        mentions=mention_counts(free_texts(questions, responses), uses, markets, labels),
        sentiment=survey_sentiment(questions, responses, level, seed),
        barriers=barrier_shares(questions, choices),
        respondents=int(responses["respondent"].nunique()),
        expected=expected,
        level=level,
        fdr=fdr,
        cluster=cluster,
    )


def analyse_survey(data: Dataset, seed: int = 1, fdr: float = FDR) -> SurveyReport:
    """The survey report of a dataset, with the reference lists of technology uses and target
    markets (names and synonyms) and the roadmap's ~120 expected respondents (§2.5); one cluster's
    edition is measured against that cluster's even share of them (an assumption, as for every
    cluster: the roadmap states only the total)."""
    targets = set(reference.TARGET_MARKET_IDS)
    markets = {k: v for k, v in reference.synonyms("markets").items() if k in targets}
    clusters = reference.clusters()
    expected = int(reference.funnel_value("roadmap_survey_smes"))
    if data.cluster:
        expected = round(expected / len(clusters))
        clusters = clusters[clusters["id"] == data.cluster]
    return survey_report(
        data.survey_questions,
        data.survey_responses,
        clusters,
        reference.synonyms("technology_uses"),
        markets,
        reference.names("technology_uses", "markets"),
        expected,
        seed=seed,
        fdr=fdr,
        cluster=data.cluster,
    )


# --- feedback ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackReport:
    """The feedback forms summarised.

    ``ratings``: quarter, forms, mean usefulness with its interval low-high (:func:`mean_interval`; blank below
    :data:`MIN_GROUP` forms), suppressed. ``shares``: quarter, concern, forms, named, share_pct with
    its Wilson interval low-high. ``concerns``: concern, named (all quarters), share_pct, low, high,
    latest (named in the latest quarter), most named first. ``trends``: concern, named, first_pct and
    last_pct (share in the first and the latest quarter with at least :data:`MIN_GROUP` forms),
    slope_pts_per_year (least-squares slope of the share), z, p_value, p_adjusted (Benjamini-Hochberg
    across concerns), trend ("rising", "falling" or "no clear trend")."""

    ratings: pd.DataFrame
    shares: pd.DataFrame
    concerns: pd.DataFrame
    trends: pd.DataFrame
    forms: int
    level: float = LEVEL
    fdr: float = FDR

    @property
    def empty(self) -> bool:
        return self.forms == 0


def feedback_ratings(feedback: pd.DataFrame, level: float = LEVEL, seed: int = 1) -> pd.DataFrame:
    """Mean usefulness (1-5) per quarter with its interval (:func:`mean_interval`; see :class:`FeedbackReport`)."""
    rows = []
    for quarter, forms in feedback.groupby(feedback["date"].dt.to_period("Q"), sort=True):
        mean, low, high = mean_interval(forms["usefulness"].to_numpy(), level, seed)
        rows.append({"quarter": quarter, "forms": len(forms), "mean": mean, "low": low, "high": high})
    table = pd.DataFrame(rows, columns=["quarter", "forms", "mean", "low", "high"])
    table["suppressed"] = table["forms"] < MIN_GROUP
    table.loc[table["suppressed"], ["mean", "low", "high"]] = np.nan
    return table


def concern_shares(feedback: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """The share of forms naming each concern, per quarter, with Wilson intervals."""
    quarters = feedback["date"].dt.to_period("Q")
    named = pd.crosstab(quarters, feedback["concern"]).reindex(columns=list(CONCERNS), fill_value=0)
    forms = quarters.value_counts().sort_index()
    table = named.reindex(forms.index, fill_value=0).stack().rename("named").reset_index()
    table.columns = ["quarter", "concern", "named"]
    table.insert(2, "forms", table["quarter"].map(forms).astype(int))
    low, high = wilson_interval(table["named"].to_numpy(), table["forms"].to_numpy(), level)
    table["share_pct"] = 100 * table["named"] / table["forms"]
    table["low"], table["high"] = 100 * low, 100 * high
    return table


def concern_trends(shares: pd.DataFrame, fdr: float = FDR) -> pd.DataFrame:
    """Is each named concern rising or falling? The linear-by-linear association test of the quarter
    x named table with the quarters' order numbers as scores (for two columns the Cochran-Armitage
    trend test; statsmodels Table.test_ordinal_association), Benjamini-Hochberg across concerns;
    "rising" or "falling" only where the corrected test rejects at ``fdr`` (see :class:`FeedbackReport`)."""
    rows = []
    for concern, per_quarter in shares.groupby("concern", sort=False):
        if per_quarter["named"].sum() == 0:
            continue
        order = per_quarter["quarter"].map(lambda q: q.ordinal).to_numpy(dtype=float)
        named = per_quarter["named"].to_numpy()
        forms = per_quarter["forms"].to_numpy()
        full = forms >= MIN_GROUP
        z = p = np.nan
        if len(per_quarter) >= 2:
            table = np.column_stack([named, forms - named])
            test = Table(table, shift_zeros=False).test_ordinal_association(
                row_scores=order, col_scores=np.array([1.0, 0.0])
            )
            z, p = float(test.zscore), float(test.pvalue)
        years = np.repeat(order / 4, forms)
        flags = np.concatenate([np.r_[np.ones(k), np.zeros(m - k)] for k, m in zip(named, forms)])
        slope = 100 * np.polyfit(years, flags, 1)[0] if len(set(years)) > 1 else np.nan
        rows.append(
            {
                "concern": concern,
                "named": int(named.sum()),
                "first_pct": 100 * named[full][0] / forms[full][0] if full.any() else np.nan,
                "last_pct": 100 * named[full][-1] / forms[full][-1] if full.any() else np.nan,
                "slope_pts_per_year": slope,
                "z": z,
                "p_value": p,
            }
        )
    columns = ["concern", "named", "first_pct", "last_pct", "slope_pts_per_year", "z", "p_value"]
    table = pd.DataFrame(rows, columns=columns)
    rejected, table["p_adjusted"] = benjamini_hochberg(table["p_value"], fdr)
    table["trend"] = np.where(rejected, np.where(table["z"] > 0, "rising", "falling"), "no clear trend")
    return table


def concern_totals(shares: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """Each concern named over all quarters and in the latest, most named first (see :class:`FeedbackReport`)."""
    totals = shares.groupby("concern", sort=False)[["named", "forms"]].sum()
    latest = shares[shares["quarter"] == shares["quarter"].max()].set_index("concern")["named"]
    low, high = wilson_interval(totals["named"].to_numpy(), totals["forms"].to_numpy(), level)
    table = pd.DataFrame(
        {
            "concern": totals.index,
            "named": totals["named"].to_numpy(),
            "share_pct": 100 * totals["named"].to_numpy() / totals["forms"].to_numpy(),
            "low": 100 * low,
            "high": 100 * high,
            "latest": latest.reindex(totals.index).to_numpy(),
        }
    )
    return table[table["named"] > 0].sort_values("named", ascending=False, kind="stable").reset_index(drop=True)


def feedback_report(feedback: pd.DataFrame, seed: int = 1, fdr: float = FDR, level: float = LEVEL) -> FeedbackReport:
    """The :class:`FeedbackReport` of the feedback forms (columns as the input schema)."""
    shares = concern_shares(feedback, level)
    return FeedbackReport(
        ratings=feedback_ratings(feedback, level, seed),
        shares=shares,
        concerns=concern_totals(shares, level),
        trends=concern_trends(shares, fdr),
        forms=len(feedback),
        level=level,
        fdr=fdr,
    )


def analyse_feedback(data: Dataset, seed: int = 1, fdr: float = FDR) -> FeedbackReport:
    """The feedback report of a dataset."""
    return feedback_report(data.feedback, seed=seed, fdr=fdr)
