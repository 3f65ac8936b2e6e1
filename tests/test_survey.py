"""The stakeholder survey and the feedback collection: Wilson intervals against Newcombe (1998),
means' intervals against the normal-theory and Student's t intervals, Benjamini-Hochberg against Benjamini and
Hochberg (1995), planted sector differences found and no more differences than the false-discovery
rate allows on data with none, term and mention counts on a hand-made text set, the privacy rule
(no group under five respondents), rising concerns in the feedback, the sample's planted structure."""

import itertools
from math import comb

import numpy as np
import pandas as pd
import pytest

from lasergo.analysis import survey
from lasergo.data import reference
from lasergo.data import sample as sample_module
from lasergo.data.dataset import load_data
from tests.conftest import SAMPLE

# --- statistics against published and hand-computed values --------------------------------------


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [  # Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(count, n, low, high):
    result = survey.wilson_interval(count, n)
    assert result[0] == pytest.approx(low, abs=5e-5)
    assert result[1] == pytest.approx(high, abs=5e-5)


def test_the_wilson_interval_holds_its_proportion_at_every_count_up_to_200():
    # statsmodels gives a low end of 5.6e-15 for 0 of 7: an error bar of -5.6e-15, which matplotlib refuses
    n = np.concatenate([np.full(k + 1, k) for k in range(1, 201)])
    count = np.concatenate([np.arange(k + 1) for k in range(1, 201)])
    low, high = survey.wilson_interval(count, n)
    assert np.all(low <= count / n) and np.all(high >= count / n)
    assert np.all(low[count == 0] == 0) and np.all(high[count == n] == 1)


def test_the_bootstrap_interval_of_a_mean_matches_the_normal_interval_and_narrows_with_n():
    # 1..5 repeated: mean 3, standard deviation sqrt(2); for n = 500 the normal-theory interval is
    # 3 +- 1.96 sqrt(2 / 500) = 3 +- 0.124, which the bootstrap interval approaches.
    widths = []
    for n in (20, 100, 500):
        values = np.tile([1, 2, 3, 4, 5], n // 5)
        mean, low, high = survey.mean_interval(values, seed=3)
        assert mean == 3.0
        assert low < 3.0 < high
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2]
    assert widths[2] == pytest.approx(2 * 1.96 * np.sqrt(2 / 500), rel=0.1)
    assert survey.mean_interval(np.tile([1, 2, 3, 4, 5], 4), seed=3) == survey.mean_interval(
        np.tile([1, 2, 3, 4, 5], 4), seed=3
    )


def test_above_the_bootstrap_limit_the_interval_is_students_t():
    # 1..5 repeated n = 2,005 times: mean 3, sample standard deviation sqrt(2n / (n - 1)); t(0.975, 2004)
    # = 1.96115 (tables), so the interval is 3 +- 1.96115 sqrt(2 / (n - 1)) = 3 +- 0.06196
    n = 2005
    assert n > survey.BOOTSTRAP_UP_TO
    mean, low, high = survey.mean_interval(np.tile([1, 2, 3, 4, 5], n // 5))
    assert mean == 3.0
    assert (low, high) == pytest.approx((3 - 1.96115 * np.sqrt(2 / (n - 1)), 3 + 1.96115 * np.sqrt(2 / (n - 1))))


def test_at_the_bootstrap_limit_the_bootstrap_and_t_intervals_agree_on_the_1_5_scale():
    # skewed answers: most say 4 or 5; the BCa interval at the limit and the t interval just above
    # it (the same answers and one more 4) differ by far less than the 0.1 the page shows
    rng = np.random.default_rng(7)
    answers = rng.choice([1, 2, 3, 4, 5], survey.BOOTSTRAP_UP_TO, p=[0.02, 0.03, 0.05, 0.2, 0.7])
    _, boot_low, boot_high = survey.mean_interval(answers, seed=2)
    _, t_low, t_high = survey.mean_interval(np.append(answers, 4))
    assert boot_low == pytest.approx(t_low, abs=0.01) and boot_high == pytest.approx(t_high, abs=0.01)


def test_the_page_glossary_explains_both_intervals_a_mean_may_carry_with_the_limit_between_them():
    from lasergo.pages.survey import page_glossary

    text = page_glossary().data
    limit = f"{survey.BOOTSTRAP_UP_TO:,}"
    assert "**Bootstrap interval**" in text and f"up to {limit} answers" in text
    assert "**Student's t interval**" in text and f"more than {limit} answers" in text


def test_mean_interval_of_degenerate_samples():
    assert survey.mean_interval([4, 4, 4]) == (4.0, 4.0, 4.0)
    mean, low, high = survey.mean_interval([2])
    assert mean == 2.0 and np.isnan(low) and np.isnan(high)


def test_benjamini_hochberg_matches_the_1995_example():
    # Benjamini and Hochberg (1995), JRSS B 57:289-300, section 4.2: 15 p-values; at q = 0.05 the
    # procedure rejects the four smallest (Bonferroni only three).
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240]
    p += [0.4262, 0.5719, 0.6528, 0.7590, 1.0000]
    rejected, adjusted = survey.benjamini_hochberg(np.array(p), 0.05)
    assert rejected.tolist() == [True] * 4 + [False] * 11
    assert adjusted[3] == pytest.approx(0.0095 * 15 / 4)
    rejected, adjusted = survey.benjamini_hochberg(np.array([0.001, np.nan]), 0.05)
    assert rejected.tolist() == [True, False] and np.isnan(adjusted[1])


def test_rank_biserial_by_hand():
    # x = 3, 4, 5 against y = 1, 2, 3: x wins 8 of 9 pairs and ties one, U = 8.5,
    # r = 2 * 8.5 / 9 - 1 = 8/9.
    p, r = survey.rank_biserial(np.array([3, 4, 5]), np.array([1, 2, 3]))
    assert r == pytest.approx(8 / 9)
    assert 0 < p < 1
    assert survey.rank_biserial(np.array([1, 2, 3]), np.array([3, 4, 5]))[1] == pytest.approx(-8 / 9)


# --- hand-made survey -------------------------------------------------------------------------------

QUESTIONS = pd.DataFrame(
    {
        "id": ["Q01", "Q02", "Q03", "Q04", "Q05"],
        "group": ["opportunities", "opportunities", "resources_barriers", "resources_barriers", "market_needs"],
        "type": ["likert", "single", "multiple", "likert", "text"],
        "text": [
            "The partnership is useful to us",
            "Which market is most promising?",
            "Which barriers hold you back?",
            "Regulation is a serious barrier",
            "What will you need in five years?",
        ],
        "options": [None, "japan;canada;israel", "regulation;funding;finding_partners;language", None, None],
    }
)


def generated_responses(
    rng: np.random.Generator, per_sector: int, likert_shift: float = 0.0, barrier_shift: float = 0.0
) -> pd.DataFrame:
    """Answers of ``per_sector`` respondents per sector; health technology answers Q04 higher by
    ``likert_shift`` points on average and chooses 'regulation' in Q03 more often by ``barrier_shift``."""
    rows = []
    for i in range(2 * per_sector):
        sector = ("photonics", "health_tech")[i % 2]
        health = sector == "health_tech"
        who = {
            "respondent": f"R{i:03d}",
            "respondent_type": ("sme", "stakeholder")[i % 4 // 2],
            "cluster": "HTS" if health else "LITEK",
            "sector": sector,
            "date": pd.Timestamp("2026-03-01"),
        }
        q04 = int(np.clip(np.round(rng.normal(2.5 + likert_shift * health, 1.0)), 1, 5))
        shares = {"regulation": 0.3 + barrier_shift * health, "funding": 0.4, "finding_partners": 0.4, "language": 0.2}
        picked = [o for o, p in shares.items() if rng.random() < p] or ["funding"]
        answers = {
            "Q01": str(rng.integers(1, 6)),
            "Q02": str(rng.choice(["japan", "canada", "israel"])),
            "Q03": ";".join(picked),
            "Q04": str(q04),
            "Q05": "more lasers",
        }
        rows += [{**who, "question": q, "answer": a} for q, a in answers.items()]
    return pd.DataFrame(rows)


def test_likert_summary_by_hand():
    responses = pd.DataFrame(
        {
            "respondent": [f"R{i}" for i in range(10)],
            "respondent_type": ["sme"] * 10,
            "cluster": ["LITEK"] * 5 + ["HTS"] * 5,
            "sector": ["photonics"] * 5 + ["health_tech"] * 5,
            "date": pd.Timestamp("2026-01-10"),
            "question": "Q01",
            "answer": ["1", "2", "3", "4", "5", "4", "4", "5", "5", "2"],
        }
    )
    table = survey.likert_summary(QUESTIONS, responses).set_index(["by", "level"])
    everyone = table.loc[("all", "all")]
    assert everyone["respondents"] == 10
    assert everyone["mean"] == pytest.approx(3.5)
    assert everyone["top2_pct"] == pytest.approx(60.0)  # 4, 5, 4, 4, 5, 5
    low, high = survey.wilson_interval(6, 10)
    assert (everyone["top2_low"], everyone["top2_high"]) == pytest.approx((100 * low, 100 * high))
    assert [everyone[f"n_{s}"] for s in range(1, 6)] == [1, 2, 1, 3, 3]
    assert table.loc[("sector", "health_tech"), "mean"] == pytest.approx(4.0)
    assert everyone["low"] < everyone["mean"] < everyone["high"]
    assert not table["suppressed"].any()


def test_groups_under_five_respondents_are_not_shown_on_their_own():
    responses = generated_responses(np.random.default_rng(1), 10)
    responses.loc[responses["respondent"].isin(["R000", "R001", "R002"]), "respondent_type"] = "cluster"
    likert = survey.likert_summary(QUESTIONS, responses).set_index(["question", "by", "level"])
    small = likert.loc[("Q01", "respondent_type", "cluster")]
    assert small["respondents"] == 3 and small["suppressed"]
    assert small[["mean", "low", "high", "top2_pct", "n_1", "n_5"]].isna().all()
    # with only the cluster group blanked, it would be the total minus the other two: the smaller
    # of those goes too
    others = likert.loc[("Q01", "respondent_type")].drop("cluster")
    assert others["suppressed"].sum() == 1
    assert others.loc[others["respondents"].idxmin(), "suppressed"]
    assert not likert.loc[("Q01", "all", "all"), "suppressed"]
    choices = survey.choice_summary(QUESTIONS, responses)
    hidden = choices[choices["level"] == "cluster"]
    assert hidden["suppressed"].all() and hidden["share_pct"].isna().all() and hidden["chosen"].isna().all()
    assert (choices.loc[~choices["suppressed"], "respondents"] >= 5).all()


def test_choice_summary_by_hand():
    responses = pd.DataFrame(
        {
            "respondent": [f"R{i}" for i in range(6)],
            "respondent_type": ["sme"] * 6,
            "cluster": ["OV"] * 6,
            "sector": ["photonics"] * 6,
            "date": pd.Timestamp("2026-01-10"),
            "question": "Q03",
            "answer": ["regulation;funding", "regulation", "funding", "language", "regulation; language", "funding"],
        }
    )
    table = survey.choice_summary(QUESTIONS, responses)
    everyone = table[table["by"] == "all"].set_index("option")
    assert everyone["chosen"].to_dict() == {"regulation": 3, "funding": 3, "finding_partners": 0, "language": 2}
    assert everyone.loc["language", "share_pct"] == pytest.approx(100 * 2 / 6)
    assert everyone.loc["finding_partners", "low"] == pytest.approx(0.0, abs=1e-9)
    barriers = survey.barrier_shares(QUESTIONS, table)
    assert barriers["option"].tolist()[:2] == ["funding", "regulation"]  # ties by name
    assert survey.barriers_question(QUESTIONS) == "Q03"


def test_planted_sector_differences_are_found_and_named():
    responses = generated_responses(np.random.default_rng(7), 60, likert_shift=1.0, barrier_shift=0.45)
    found = survey.sector_differences(QUESTIONS, responses)
    differences = found[found["difference"]]
    assert set(zip(differences["question"], differences["option"])) == {("Q04", ""), ("Q03", "regulation")}
    q04 = found[found["question"] == "Q04"].iloc[0]
    assert q04["test"] == "Mann-Whitney U" and q04["effect"] > 0.3  # health technology higher
    assert q04["health_tech"] - q04["photonics"] == pytest.approx(1.0, abs=0.4)
    regulation = found[found["option"] == "regulation"].iloc[0]
    assert regulation["test"] == "Fisher exact"
    assert regulation["effect"] == pytest.approx(regulation["health_tech"] - regulation["photonics"])
    single = found[found["question"] == "Q02"].iloc[0]
    assert single["test"] == "chi-square" and 0 <= single["effect"] <= 1
    assert (found["p_adjusted"] >= found["p_value"]).all()


def test_sparse_single_choice_table_takes_a_monte_carlo_p_value():
    # 6 respondents per sector over three answers: expected counts of 2-3, too few for the chi-square
    # distribution. The exact conditional p-value, all tables with the same margins enumerated
    # (multivariate hypergeometric), is what the 9,999 random tables estimate.
    answers = ["japan"] * 5 + ["canada"] + ["canada"] * 3 + ["israel"] * 3
    responses = pd.DataFrame(
        {
            "respondent": [f"R{i}" for i in range(12)],
            "respondent_type": "sme",
            "cluster": ["LITEK"] * 6 + ["HTS"] * 6,
            "sector": ["photonics"] * 6 + ["health_tech"] * 6,
            "date": pd.Timestamp("2026-01-10"),
            "question": "Q02",
            "answer": answers,
        }
    )
    row = survey.sector_differences(QUESTIONS, responses).iloc[0]
    assert row["test"] == "chi-square, Monte Carlo"
    observed = np.array([[5, 1, 0], [0, 3, 3]])
    columns, first = observed.sum(axis=0), observed[0].sum()

    def statistic(top):
        table = np.array([top, columns - np.array(top)])
        expected = np.outer(table.sum(axis=1), columns) / table.sum()
        return ((table - expected) ** 2 / expected).sum()

    exact = 0.0
    for top in itertools.product(*(range(c + 1) for c in columns)):
        if sum(top) == first and statistic(top) >= statistic(observed[0]) - 1e-9:
            exact += np.prod([comb(c, x) for c, x in zip(columns, top)]) / comb(columns.sum(), first)
    assert row["p_value"] == pytest.approx(exact, abs=0.01)


def test_no_more_differences_than_the_false_discovery_rate_allows():
    # Under the global null every reported difference is false, so Benjamini-Hochberg keeps the
    # chance of reporting any at or below q = 5% (for independent tests; the exact and rank tests on
    # discrete answers are conservative). 200 seeded trials: allow 5% plus three binomial standard
    # errors (sqrt(0.05 * 0.95 / 200) = 1.5%).
    rng = np.random.default_rng(2026)
    trials = 200
    reported = sum(
        survey.sector_differences(QUESTIONS, generated_responses(rng, 25))["difference"].any() for _ in range(trials)
    )
    assert reported / trials <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / trials)


def test_a_sector_under_five_respondents_is_not_tested():
    responses = generated_responses(np.random.default_rng(3), 10)
    few = responses["sector"].eq("health_tech") & ~responses["respondent"].isin(["R001", "R003", "R005", "R007"])
    assert survey.sector_differences(QUESTIONS, responses[~few]).empty


def test_response_rates_per_cluster():
    responses = generated_responses(np.random.default_rng(4), 8)
    table = survey.response_rates(responses, reference.clusters(), 120).set_index("cluster")
    assert table.loc["LITEK", "respondents"] == 8 and table.loc["OV", "respondents"] == 0
    assert table["expected"].sum() == pytest.approx(120)
    assert table.loc["HTS", "rate_pct"] == pytest.approx(100 * 8 / 20)


# --- free text ---------------------------------------------------------------------------------------

TEXTS = pd.Series(
    [
        "Lasers for OCT in Japan",
        "we need LASER sources and market access",
        "A laser for South Korea; Market Access is hard",
        "optical coherence tomographies and OCTs in KOREA",
        "Korean partners, doctors and lenses",
        "one lens",
        "therapies: a new therapy",
    ]
)


def test_term_counts_merge_case_and_plurals():
    terms = survey.term_counts(TEXTS, 1, min_answers=1)
    assert terms["laser"] == 3  # Lasers, LASER, laser: one term, three answers
    assert "lasers" not in terms
    assert terms["oct"] == 2  # OCT, OCTs
    assert terms["lens"] == 2  # lenses merges into lens; lens does not lose its s
    assert terms["therapy"] == 1  # therapies and therapy in one answer count once
    assert "for" not in terms and "and" not in terms  # English stop words
    phrases = survey.term_counts(TEXTS, 2, min_answers=1)
    assert phrases["market access"] == 2
    assert phrases["laser sources"] == 1
    assert survey.term_counts(TEXTS, 1).empty  # nothing used by five answers: rare terms stay hidden


def test_mentions_are_case_and_plural_insensitive_whole_words():
    names = {
        "T20": ["Optical coherence tomography", "OCT", "OCT scanner"],
        "south_korea": ["South Korea", "Korea", "Seoul"],
        "japan": ["Japan", "Tokyo"],
        "T35": ["General laser components and systems", "laser sources"],
    }
    counts = survey.mentions(TEXTS, names)
    assert counts["T20"] == 2  # 'OCT', 'optical coherence tomographies ... OCTs'; not 'dOCTors'
    assert counts["south_korea"] == 2  # 'South Korea', 'KOREA'; 'Korean' is not the market
    assert counts["japan"] == 1
    assert counts["T35"] == 1  # 'LASER sources' only
    assert survey.mentions(pd.Series(["light sheet microscopy"]), {"T23": ["light-sheet microscopy"]})["T23"] == 1


def test_mention_counts_by_sector():
    texts = pd.DataFrame({"sector": ["photonics", "health_tech", "health_tech"], "answer": TEXTS[:3]})
    table = survey.mention_counts(texts, {"T20": ["OCT"]}, {"japan": ["Japan"]}, {"T20": "OCT", "japan": "Japan"})
    assert table.to_dict("records") == [
        {"kind": "technology use", "id": "T20", "name": "OCT", "answers": 1, "photonics": 1, "health_tech": 0},
        {"kind": "market", "id": "japan", "name": "Japan", "answers": 1, "photonics": 1, "health_tech": 0},
    ]


def test_text_terms_per_group():
    responses = generated_responses(np.random.default_rng(5), 5)
    terms = survey.text_terms(QUESTIONS, responses)
    # ten answers 'more lasers': 'more' is a stop word, so one term and no two-word phrase
    assert terms.to_dict("records") == [{"group": "market_needs", "kind": "term", "term": "lasers", "answers": 10}]


# --- the report and its results --------------------------------------------------------------------------


def report(responses: pd.DataFrame) -> survey.SurveyReport:
    return survey.survey_report(
        QUESTIONS, responses, reference.clusters(), {"T35": ["laser"]}, {"japan": ["Japan"]}, {}, 120
    )


def test_sentiment_averages_each_respondent_first():
    responses = generated_responses(np.random.default_rng(6), 20)
    result = report(responses).sentiment
    assert result is not None and result.questions == ("Q01",)
    q01 = responses.loc[responses["question"] == "Q01", "answer"].astype(int)
    assert result.mean == pytest.approx(q01.mean())
    assert result.low < result.mean < result.high and result.respondents == 40


def test_an_empty_survey_gives_an_empty_report():
    empty = report(generated_responses(np.random.default_rng(0), 1).iloc[:0])
    assert empty.empty and empty.respondents == 0 and empty.sentiment is None
    assert empty.likert.empty and empty.choices.empty and empty.differences.empty and empty.barriers.empty
    assert empty.response["respondents"].sum() == 0


# --- feedback ---------------------------------------------------------------------------------------------


def generated_feedback(rng: np.random.Generator, rising: float) -> pd.DataFrame:
    """40 forms a quarter for 10 quarters; 'regulation' named by 10% at first, rising by ``rising``
    a quarter; 'funding' by a flat 20%."""
    rows = []
    for q, start in enumerate(pd.period_range("2024Q1", periods=10, freq="Q")):
        for i in range(40):
            draw = rng.random()
            regulation = 0.1 + rising * q
            concern = "regulation" if draw < regulation else "funding" if draw < regulation + 0.2 else None
            rows.append(
                {
                    "date": start.start_time + pd.Timedelta(days=2 * i),
                    "cluster": "OV",
                    "contact_type": "customer",
                    "usefulness": int(rng.integers(3, 6)),
                    "concern": concern,
                    "text": None,
                }
            )
    return pd.DataFrame(rows)


def test_a_rising_concern_is_found_and_a_flat_one_is_not():
    result = survey.feedback_report(generated_feedback(np.random.default_rng(8), 0.05))
    trends = result.trends.set_index("concern")
    assert trends.loc["regulation", "trend"] == "rising"
    assert trends.loc["regulation", "slope_pts_per_year"] == pytest.approx(20, abs=8)  # 5 points a quarter
    flat = survey.feedback_report(generated_feedback(np.random.default_rng(9), 0.0)).trends
    assert (flat["trend"] == "no clear trend").all()


def test_trend_test_is_cochran_armitage():
    # For a 2 x K table the linear-by-linear statistic is (N - 1) r^2 with r the Pearson correlation
    # of the quarter's score and the 0/1 concern (Agresti 2002, §3.4.6).
    feedback = generated_feedback(np.random.default_rng(10), 0.03)
    shares = survey.concern_shares(feedback)
    z = survey.concern_trends(shares).set_index("concern").loc["regulation", "z"]
    quarters = feedback["date"].dt.to_period("Q").map(lambda q: q.ordinal)
    r = np.corrcoef(quarters, feedback["concern"].eq("regulation"))[0, 1]
    assert z == pytest.approx(r * np.sqrt(len(feedback) - 1))


def test_feedback_ratings_and_concern_totals():
    feedback = generated_feedback(np.random.default_rng(11), 0.02)
    result = survey.feedback_report(feedback)
    first = result.ratings.iloc[0]
    values = feedback.loc[feedback["date"] < "2024-04-01", "usefulness"]
    assert first["forms"] == 40 and first["mean"] == pytest.approx(values.mean())
    assert first["low"] < first["mean"] < first["high"]
    concerns = result.concerns.set_index("concern")
    assert concerns.index[0] == "regulation"
    assert concerns.loc["funding", "named"] == feedback["concern"].eq("funding").sum()
    assert survey.feedback_report(feedback.iloc[:3]).ratings["suppressed"].all()
    assert survey.feedback_report(feedback.iloc[:0]).empty


# --- the sample's planted structure ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_data():
    return load_data(SAMPLE)


def test_sample_planted_survey_differences_are_found(sample_data):
    result = survey.analyse_survey(sample_data)
    found = result.differences[result.differences["difference"]]
    planted = {
        (question, "" if what == "mean answer" else what): values
        for question, (what, values) in sample_module.SURVEY_DIFFERENCES.items()
    }
    assert set(zip(found["question"], found["option"])) == set(planted)
    for (question, option), values in planted.items():
        row = found[(found["question"] == question) & (found["option"] == option)].iloc[0]
        higher = max(values, key=values.get)
        assert (row["health_tech"] > row["photonics"]) == (higher == "health_tech")
    assert result.respondents <= result.expected == sample_module.SURVEY_EXPECTED
    assert result.sentiment is not None
    assert result.sentiment.questions == (sample_module.SURVEY_SENTIMENT_QUESTION,)
    assert survey.barriers_question(result.questions) == sample_module.SURVEY_BARRIERS_QUESTION
    top = result.mentions.sort_values("answers", ascending=False).groupby("kind")["id"].first()
    assert top["technology use"] == sample_module.SURVEY_TOP_MENTIONS["technology_use"]
    assert top["market"] == sample_module.SURVEY_TOP_MENTIONS["market"]


def test_sample_rising_concern_is_found(sample_data):
    trends = survey.analyse_feedback(sample_data).trends.set_index("concern")
    assert trends.loc[sample_module.FEEDBACK_RISING_CONCERN, "trend"] == "rising"


# --- the page ------------------------------------------------------------------------------------------------


def test_page_says_an_empty_survey_is_empty_and_builds():
    from lasergo.pages import survey as page

    empty = report(generated_responses(np.random.default_rng(0), 1).iloc[:0])
    no_forms = survey.feedback_report(generated_feedback(np.random.default_rng(0), 0.0).iloc[:0])
    text = page.findings(empty, no_forms, pd.Period("2024Q4")).data
    assert "No survey responses recorded yet by the end of 2024Q4" in text
    assert "No feedback forms recorded yet" in text
    for chart in (page.plot_response, page.plot_barriers, page.plot_likert, page.plot_mentions):
        assert chart(empty) is None
    assert page.plot_feedback(no_forms) is None
    assert page.choice_table(empty) is None and page.differences_table(empty) is None


def test_page_finding_names_only_the_surviving_differences():
    from lasergo.pages import survey as page

    responses = generated_responses(np.random.default_rng(7), 60, likert_shift=1.0, barrier_shift=0.45)
    result = report(responses)
    text = page.findings(result, survey.feedback_report(generated_feedback(np.random.default_rng(8), 0.05)), "2026Q3")
    line = next(x for x in text.data.splitlines() if "differ" in x)
    assert "2 of" in line and "Regulation is a serious barrier" in line and "regulation more often" in line
    assert "Which market is most promising" not in line
    assert "concern rising: regulation" in text.data


def test_a_one_sector_edition_charts_list_only_the_sector_it_has():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lasergo.pages import survey as survey_page

    data = load_data(SAMPLE).for_cluster("OV")
    report = survey.analyse_survey(data)
    sectors = set(data.survey_responses["sector"].dropna())
    assert sectors == {"photonics"}
    charts = (survey_page.plot_response, survey_page.plot_barriers, survey_page.plot_likert, survey_page.plot_mentions)
    for draw in charts:
        fig = draw(report)
        labels = {t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
        assert "health technology" not in labels and "photonics" in labels, draw.__name__
        plt.close(fig)


def test_each_cluster_edition_counts_its_respondents_against_its_share_and_the_shares_add_up():
    data = load_data(SAMPLE)
    whole = survey.analyse_survey(data)
    editions = {c: survey.analyse_survey(data.for_cluster(c)) for c in reference.CLUSTER_IDS}
    assert whole.expected == 120  # roadmap §2.5
    for cluster, report in editions.items():
        assert report.cluster == cluster and report.expected == 20
        assert report.response["cluster"].tolist() == [cluster]
        assert report.response["respondents"].iloc[0] == report.respondents
    assert sum(r.expected for r in editions.values()) == whole.expected
    assert sum(r.respondents for r in editions.values()) == whole.respondents
