"""The synthetic sample panel: schema, calibration on roadmap §2.3, reproducibility, scaling."""

import json
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lasergo.data import reference, sample
from lasergo.data.codes import split_list
from lasergo.data.dataset import load_data
from lasergo.data.sample import SampleSpec, generate_sample, write_sample
from lasergo.errors import InputError
from tests.conftest import SAMPLE

#: Acceptable most common role per cluster, from its specialisation (roadmap §1.1, §2.3).
EXPECTED_MAIN_ROLE = {
    "LITEK": {"supplier"},
    "OV": {"supplier", "integrator"},
    "OPTENCE": {"integrator", "supplier"},
    "HTS": {"integrator"},
    "MEDICEN": {"end_user", "integrator"},
    "BIOCAT": {"integrator", "end_user"},
}


@pytest.fixture(scope="module")
def default() -> dict[str, pd.DataFrame]:
    return generate_sample(SampleSpec())


def entry_totals(tables: dict[str, pd.DataFrame], group: str) -> dict[str, float]:
    """Employees, revenue and revenue-weighted R&D share of a target group at its entry wave."""
    companies, waves = tables["companies"], tables["survey_waves"]
    ids = companies.loc[companies["target_group"] == group, "id"]
    entry = waves[(waves["wave"] == "entry") & waves["company"].isin(ids)]
    answered = entry.dropna(subset=["revenue_eur_m", "rd_share_pct"])
    return {
        "companies": len(ids),
        "employees": float(entry["employees"].sum()),
        "revenue": float(entry["revenue_eur_m"].sum()),
        "rd": float(np.average(answered["rd_share_pct"], weights=answered["revenue_eur_m"])),
    }


def test_default_sample_validates(tmp_path):
    folder = write_sample(SampleSpec(), tmp_path / "sample")
    try:
        dataset = load_data(folder)
    except InputError as err:
        pytest.fail("\n".join(map(str, err.problems)))
    assert dataset.synthetic
    assert sorted(p.name for p in folder.iterdir()) == [
        "activities.csv",
        "affiliates.csv",
        "companies.csv",
        "dataset.json",
        "feedback.csv",
        "kpi_ledger.csv",
        "products.csv",
        "rd_funding.csv",
        "scouting.csv",
        "survey_questions.csv",
        "survey_responses.csv",
        "survey_waves.csv",
        "swot_judgements.csv",
        "ties.csv",
    ]
    description = json.loads((folder / "dataset.json").read_text(encoding="utf-8"))
    assert description["generator"] == "lasergo sample-data"
    assert description["spec"] == {
        "companies": 120,
        "indirect": 120,
        "seed": 1,
        "start": "2024-01-01",
        "end": "2026-09-30",
    }
    assert len(dataset.companies) == 240


def test_direct_group_is_calibrated_on_the_roadmap(default):
    direct = entry_totals(default, "direct")
    assert direct["companies"] == 120
    assert 800 <= direct["employees"] <= 1200
    assert 240 <= direct["revenue"] <= 360
    assert 13 <= direct["rd"] <= 17


def test_indirect_group_is_similar_but_smaller(default):
    direct, indirect = entry_totals(default, "direct"), entry_totals(default, "indirect")
    assert indirect["companies"] == 120
    assert 0.6 * direct["revenue"] <= indirect["revenue"] < direct["revenue"]
    assert 0.6 * direct["employees"] <= indirect["employees"] < direct["employees"]


def test_twenty_direct_smes_per_cluster(default):
    companies = default["companies"]
    counts = companies[companies["target_group"] == "direct"]["cluster"].value_counts()
    assert counts.to_dict() == dict.fromkeys(reference.CLUSTER_IDS, 20)


def test_main_role_matches_cluster_specialisation(default):
    companies = default["companies"]
    roles = companies.assign(role=split_list(companies["roles"])).explode("role")
    for cluster, group in roles.groupby("cluster"):
        assert group["role"].value_counts().idxmax() in EXPECTED_MAIN_ROLE[cluster], cluster


def test_technology_uses_follow_cluster_preferences(default):
    companies = default["companies"]
    uses = companies.assign(use=split_list(companies["technology_uses"])).explode("use")
    counts = split_list(companies["technology_uses"]).map(len)
    assert counts.between(1, 4).all()
    preferred = [use in sample.TECHNOLOGY_PREFERENCES[c] for c, use in zip(uses["cluster"], uses["use"])]
    assert np.mean(preferred) > 0.5


def test_products_use_their_company_technologies(default):
    companies = default["companies"].set_index("id")
    products = default["products"]
    per_company = products["company"].value_counts()
    assert per_company.between(1, 3).all() and len(per_company) == len(companies)
    own = split_list(companies.loc[products["company"], "technology_uses"]).to_numpy()
    assert all(use in codes for use, codes in zip(products["technology_use"], own))
    segments = reference.technology_uses().set_index("id")["segments"]
    assert all(
        seg in reference.split_codes(segments[use]) for use, seg in zip(products["technology_use"], products["segment"])
    )


def test_survey_waves_follow_joining(default):
    companies, waves = default["companies"].set_index("id"), default["survey_waves"]
    joined = waves["company"].map(companies["joined"])
    entry, yearly = waves["wave"] == "entry", waves["wave"] == "yearly"
    assert (waves.loc[entry, "wave_date"] == joined[entry]).all()
    assert entry.sum() == len(companies)
    assert (
        (waves.loc[yearly, "wave_date"].dt.strftime("%m-%d") == "06-30")
        & (waves.loc[yearly, "wave_date"] > joined[yearly])
    ).all()
    direct = companies["target_group"] == "direct"
    assert companies.loc[direct, "joined"].max() < pd.Timestamp("2024-07-01")
    assert companies.loc[~direct, "joined"].max() < pd.Timestamp("2026-01-01")
    assert 0 < waves[["revenue_eur_m", "employees"]].isna().mean().max() < 0.05


def test_export_share_rises_more_for_direct_smes(default):
    companies, waves = default["companies"].set_index("id"), default["survey_waves"]
    first = waves.groupby("company")["export_share_pct"].first()
    last = waves.groupby("company")["export_share_pct"].last()
    rise = (last - first).groupby(companies["target_group"]).mean()
    assert rise["direct"] > rise["indirect"] > 0


def test_companies_hold_the_latest_answers(default):
    companies, waves = default["companies"].set_index("id"), default["survey_waves"]
    latest = waves.groupby("company")[["revenue_eur_m", "employees"]].last()
    pd.testing.assert_frame_equal(companies.loc[latest.index, latest.columns], latest, check_names=False)


def test_names_are_visibly_synthetic(default):
    assert default["companies"]["name"].str.startswith("Synthetic SME ").all()
    assert default["products"]["name"].str.startswith("Synthetic ").all()


def test_same_seed_same_sample_other_seed_different(default):
    again = generate_sample(SampleSpec())
    for name, frame in default.items():
        pd.testing.assert_frame_equal(frame, again[name])
    other = generate_sample(SampleSpec(seed=2))
    assert not default["companies"].equals(other["companies"])
    assert not default["survey_waves"].equals(other["survey_waves"])


def test_totals_scale_with_companies(default):
    big = generate_sample(SampleSpec(companies=2400))
    small_direct, big_direct = entry_totals(default, "direct"), entry_totals(big, "direct")
    assert big_direct["companies"] == 2400
    assert len(big["companies"]) == 4800
    for key in ("employees", "revenue"):
        assert 18 <= big_direct[key] / small_direct[key] <= 22, key
    assert 13 <= big_direct["rd"] <= 17


def test_kpi_ledger_dates_and_evidence(default):
    ledger = default["kpi_ledger"]
    assert ledger["date"].between(pd.Timestamp("2024-01-01"), pd.Timestamp("2026-09-30")).all()
    assert set(ledger["kpi"]) == {1, 2, 3, 4, 7}  # KPIs 5 and 6 come from the survey waves
    missing = ledger["evidence"].isna()
    assert 0 < missing.sum() < 0.25 * len(ledger)
    assert ledger.loc[~missing, "evidence"].str.fullmatch(r"[A-Za-z]+-\d{4}-\d{3}").all()
    assert not ledger.loc[ledger["kpi"] == 1, "cluster"].duplicated().any()


def test_short_action_stays_inside_its_dates(tmp_path):
    spec = SampleSpec(companies=12, indirect=6, seed=5, start=date(2025, 3, 15), end=date(2025, 11, 30))
    tables = generate_sample(spec)
    start, end = pd.Timestamp(spec.start), pd.Timestamp(spec.end)
    assert tables["kpi_ledger"]["date"].between(start, end).all()
    assert tables["survey_waves"]["wave_date"].between(start, end).all()
    assert len(tables["companies"]) == 18
    load_data(write_sample(spec, tmp_path / "short"))


def test_failed_write_leaves_existing_folder(tmp_path, monkeypatch):
    folder = tmp_path / "sample"
    folder.mkdir()
    (folder / "keep.txt").write_text("old", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sample.json, "dumps", broken)
    with pytest.raises(RuntimeError):
        write_sample(SampleSpec(companies=6, indirect=0), folder)
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample"]


def test_write_replaces_existing_folder(tmp_path):
    folder = tmp_path / "sample"
    folder.mkdir()
    (folder / "stale.csv").write_text("x", encoding="utf-8")
    write_sample(SampleSpec(companies=6, indirect=0), folder)
    assert not (folder / "stale.csv").exists()
    assert (folder / "companies.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample"]


@pytest.mark.parametrize(
    "kwargs", [{"companies": 0}, {"indirect": -1}, {"start": date(2025, 1, 1), "end": date(2024, 1, 1)}]
)
def test_bad_spec_is_refused(kwargs):
    with pytest.raises(ValueError):
        SampleSpec(**kwargs)


def test_the_committed_sample_is_what_the_generator_writes(tmp_path):
    folder = write_sample(SampleSpec(), tmp_path / "sample")
    for path in sorted(folder.iterdir()):
        assert path.read_bytes() == (SAMPLE / path.name).read_bytes(), path.name


def test_activity_tables_do_not_change_the_panel(default, monkeypatch):
    """The activity tables draw from streams of their own: the panel is the same without them."""
    assert len(set(sample.STREAMS.values())) == len(sample.STREAMS)
    monkeypatch.setattr(sample, "_activity_tables", lambda *args: {})
    alone = generate_sample(SampleSpec())
    assert list(alone) == ["companies", "products", "survey_waves", "kpi_ledger", "swot_judgements"]
    for name, frame in alone.items():
        pd.testing.assert_frame_equal(frame, default[name])


def test_activity_dates_stay_inside_the_period(default):
    start, end = pd.Timestamp("2024-01-01"), pd.Timestamp("2026-09-30")
    for name, column in [
        ("scouting", "date"),
        ("ties", "date"),
        ("survey_responses", "date"),
        ("feedback", "date"),
        ("rd_funding", "date"),
        ("affiliates", "shortlisted"),
        ("affiliates", "interviewed"),
        ("affiliates", "mou_signed"),
        ("activities", "held"),
    ]:
        assert default[name][column].dropna().between(start, end).all(), (name, column)
    assert default["activities"]["planned"].max() > end  # planned dates may lie ahead


def test_scouting_hotspots_and_mature_uses(default):
    findings = default["scouting"]
    assert 250 <= len(findings) <= 350
    pair = findings["technology_use"] + "/" + findings["market"]
    hot = pair.isin([f"{u}/{m}" for u, m in sample.SCOUTING_HOTSPOTS])
    per_pair = pair.value_counts()
    assert set(per_pair.index[: len(sample.SCOUTING_HOTSPOTS)]) == {f"{u}/{m}" for u, m in sample.SCOUTING_HOTSPOTS}
    assert findings.loc[hot, "trl"].between(5, 8).all()
    assert (findings.loc[hot, ["novelty", "market_need"]] >= 4).all().all()
    mature = findings["technology_use"].isin(sample.SCOUTING_MATURE_USES)
    assert mature.sum() / len(sample.SCOUTING_MATURE_USES) < 0.5 * len(findings) / len(reference.TECHNOLOGY_IDS)
    assert findings.loc[mature, "trl"].min() >= 7 and findings.loc[mature, "novelty"].max() <= 2
    # the partnership's own products in those uses are mature
    products = default["products"]
    assert products.loc[products["technology_use"].isin(sample.SCOUTING_MATURE_USES), "trl"].mean() >= 7


def test_affiliates_progress_and_leave_a_gap_market(default):
    affiliates = default["affiliates"]
    counts = affiliates["market"].value_counts()
    assert counts.between(1, 3).all() and set(counts.index) == set(reference.TARGET_MARKET_IDS)
    assert counts[counts == 1].index.tolist() == [sample.AFFILIATE_GAP_MARKET]
    assert (affiliates["interviewed"].dropna() > affiliates.loc[affiliates["interviewed"].notna(), "shortlisted"]).all()
    signed = affiliates["mou_signed"].notna()
    assert affiliates.loc[signed, "interviewed"].notna().all()
    assert 6 <= signed.sum() < 16  # short of the roadmap's 16


def test_ties_start_with_the_15_cluster_pairs_and_grow(default):
    ties = default["ties"]
    clusters = set(reference.CLUSTER_IDS)
    first = ties[ties["date"] == pd.Timestamp("2024-01-01")]
    assert len(first) == 15 and set(first["source"]) | set(first["target"]) == clusters
    assert not ties[["source", "target"]].apply(lambda r: tuple(sorted(r)), axis=1).duplicated().any()
    per_year = ties[ties["date"] > pd.Timestamp("2024-01-01")].groupby(ties["date"].dt.year).size()
    assert per_year[2024] < per_year[2025]  # growing
    assert 50 <= len(ties) < 96
    nodes = clusters | set(default["affiliates"]["id"]) | set(default["companies"]["id"])
    assert set(ties["source"]) | set(ties["target"]) <= nodes


def test_broker_cluster_has_most_cross_sector_and_cross_market_ties(default):
    ties, companies = default["ties"], default["companies"].set_index("id")
    sector = dict(zip(reference.clusters()["id"], reference.clusters()["sector"]))
    own_markets = reference.missions()
    later = ties[ties["date"] > pd.Timestamp("2024-01-01")]
    crossing = {}
    for cluster in reference.CLUSTER_IDS:
        mine = later[(later["source"] == cluster) | (later["target"] == cluster)]
        other = mine["target"].where(mine["source"] == cluster, mine["source"])
        in_companies = other[other.isin(companies.index)]
        cross_sector = (companies.loc[in_companies, "cluster"].map(sector) != sector[cluster]).sum()
        markets = set(
            own_markets.loc[(own_markets["lead"] == cluster) | (own_markets["co_organiser"] == cluster), "market"]
        )
        affiliate_market = default["affiliates"].set_index("id")["market"]
        cross_market = (~other[other.isin(affiliate_market.index)].map(affiliate_market).isin(markets)).sum()
        crossing[cluster] = cross_sector + cross_market
    assert max(crossing, key=crossing.get) == sample.BROKER_CLUSTER
    assert crossing[sample.BROKER_CLUSTER] >= 2 * sorted(crossing.values())[-2]


def test_activities_follow_the_plan_with_one_overdue_and_one_unplanned(default):
    activities = default["activities"]
    plan = reference.activity_plan()
    planned_items = activities[activities["plan_id"].notna()]
    assert planned_items["plan_id"].tolist() == plan["plan_id"].tolist()
    assert planned_items["kind"].tolist() == plan["kind"].tolist()
    end = pd.Timestamp("2026-09-30")
    overdue = planned_items[(planned_items["planned"] <= end) & planned_items["held"].isna()]
    assert overdue["plan_id"].tolist() == [sample.OVERDUE_PLAN_ID]
    held = activities[activities["held"].notna()]
    assert held["participants"].notna().all() and (held["participants"] > 0).all()
    assert activities.loc[activities["held"].isna(), ["participants", "evidence"]].isna().all().all()
    assert planned_items["planned"].dt.year.min() == 2024 and planned_items["planned"].dt.year.max() == 2027
    assert activities["plan_id"].isna().sum() == 1


def test_survey_has_about_110_of_120_respondents_and_the_barriers_question(default):
    questions, responses = default["survey_questions"], default["survey_responses"]
    assert 10 <= len(questions) <= 14
    assert set(questions["group"]) == {"market_needs", "opportunities", "resources_barriers"}
    assert set(questions["type"]) == {"likert", "single", "multiple", "text"}
    barriers = questions.set_index("id").loc[sample.SURVEY_BARRIERS_QUESTION]
    assert (barriers["group"], barriers["type"]) == ("resources_barriers", "multiple")
    assert sample.SURVEY_EXPECTED == 120
    assert 100 <= responses["respondent"].nunique() <= 120
    per_sector = responses.groupby("sector")["respondent"].nunique()
    assert abs(per_sector["photonics"] - per_sector["health_tech"]) <= 3  # clusters take turns
    assert "partnership" in questions.set_index("id").at[sample.SURVEY_SENTIMENT_QUESTION, "text"]


def test_survey_differs_between_sectors_only_where_planted(default):
    from scipy import stats

    questions = default["survey_questions"].set_index("id")
    responses = default["survey_responses"]
    p_values = {}
    for qid, question in questions.iterrows():
        answers = responses[responses["question"] == qid]
        if question["type"] == "likert":
            scores = answers["answer"].astype(int)
            p_values[qid] = stats.mannwhitneyu(
                scores[answers["sector"] == "photonics"], scores[answers["sector"] == "health_tech"]
            ).pvalue
        elif question["type"] in ("single", "multiple"):
            for option in split_list(pd.Series([question["options"]]))[0]:
                chosen = answers["answer"].map(lambda cell, option=option: option in reference.split_codes(cell))
                table = pd.crosstab(chosen, answers["sector"]).to_numpy()
                if table.shape == (2, 2):
                    p_values[f"{qid}:{option}"] = stats.fisher_exact(table).pvalue
    significant = {key for key, p in p_values.items() if p < 0.05 / len(p_values)}  # Bonferroni
    planted = {"Q08", "Q09:certification"}
    assert set(sample.SURVEY_DIFFERENCES) == {"Q08", "Q09"}
    assert significant == planted
    q08 = responses[responses["question"] == "Q08"]
    means = q08["answer"].astype(int).groupby(q08["sector"]).mean()
    assert 0.7 <= means["health_tech"] - means["photonics"] <= 1.3


def test_survey_text_names_uses_and_markets_in_many_forms(default):
    responses, questions = default["survey_responses"], default["survey_questions"]
    text = responses[responses["question"].isin(questions.loc[questions["type"] == "text", "id"])]["answer"]
    assert len(text) > 100

    def mentions(names: list[str]) -> int:
        pattern = "|".join(re.escape(name) for name in names)
        return int(text.str.contains(rf"\b(?:{pattern})(?:s|es)?\b", case=False, regex=True).sum())

    for table, top in (("technology_uses", "technology_use"), ("markets", "market")):
        counts = {code: mentions(names) for code, names in reference.synonyms(table).items()}
        assert max(counts, key=counts.get) == sample.SURVEY_TOP_MENTIONS[top]
    # forms the matching must handle: a synonym, a plural, other casing
    assert text.str.contains(r"\bOCT scanners\b").any()
    assert text.str.contains("KOREA").any() and text.str.contains("toronto").any()
    assert text.str.contains(r"\bIVDs\b").any()


def test_feedback_has_about_40_forms_a_quarter_and_a_rising_concern(default):
    feedback = default["feedback"]
    quarter = feedback["date"].dt.to_period("Q")
    assert feedback.groupby(quarter).size().between(30, 50).all()
    assert quarter.min() == pd.Period("2024Q2")
    stated = feedback[feedback["concern"].notna()]
    share = (stated["concern"] == sample.FEEDBACK_RISING_CONCERN).groupby(stated["date"].dt.to_period("Q")).mean()
    assert share.is_monotonic_increasing and share.iloc[-1] > 3 * share.iloc[0]


def test_rd_funding_stays_below_the_20_m_expectation(default):
    funding = default["rd_funding"]
    assert 3 <= len(funding) <= 10
    assert 0 < funding["amount_eur_m"].sum() < reference.funnel_value("rd_investment_stated_eur_m")


def test_activity_tables_scale_with_companies(default):
    big = generate_sample(SampleSpec(companies=480))
    for name in ("scouting", "ties", "feedback", "rd_funding"):
        assert len(big[name]) > 2 * len(default[name]), name
    assert 380 <= big["survey_responses"]["respondent"].nunique() <= 480
    assert len(big["affiliates"]) == len(default["affiliates"])  # set by the markets, not the SMEs
