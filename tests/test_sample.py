"""The synthetic sample panel: schema, calibration on roadmap §2.3, reproducibility, scaling."""

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lasergo.data import reference, sample
from lasergo.data.codes import split_list
from lasergo.data.dataset import load_data
from lasergo.data.sample import SampleSpec, generate_sample, write_sample
from lasergo.errors import InputError

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
        "companies.csv",
        "dataset.json",
        "kpi_ledger.csv",
        "products.csv",
        "survey_waves.csv",
        "swot_judgements.csv",
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
