"""The roadmap's self-contradictions are flagged from the reference tables, with their numbers."""

import pandas as pd
import pytest

from lasergo.analysis import roadmap
from lasergo.analysis.roadmap import nuts_problems, roadmap_consistency
from lasergo.data import reference

FLAGGED = {
    "photonics_smes",
    "health_tech_smes",
    "health_tech_rtos",
    "all_smes",
    "all_rtos",
    "vna_companies_per_cluster",
    "kpi6_turnover_rise",
    # Issue 16: KPI 2 (6 agreements) and KPI 5 (240 SMEs) against the target-group text's 21 and 120.
    "kpi2_agreements",
    "kpi5_rising_smes",
    "ties_as_cluster_pairs",
    "nuts_codes_MEDICEN",
    "nuts_codes_BIOCAT",
}


@pytest.fixture(scope="module")
def checks() -> pd.DataFrame:
    return roadmap_consistency().set_index("check")


def test_columns_and_one_row_per_check(checks):
    assert list(roadmap_consistency().columns) == list(roadmap.COLUMNS)
    assert checks.index.is_unique
    assert checks["consistent"].dtype == bool
    assert checks["source"].str.startswith("LASER-GO D5.1 (2017) §").all()
    assert (checks["explanation"].str.len() > 20).all()


def test_flags_exactly_the_known_inconsistencies(checks):
    assert set(checks.index[~checks["consistent"]]) == FLAGGED
    for check in (
        "photonics_rtos",
        "agreements",
        "rd_investment",
        "ties_clusters_x_nodes",
        "direct_smes",
        "target_smes",
        "affiliate_nodes",
        "agreement_versions",
        "nuts_codes_LITEK",
        "nuts_codes_OV",
        "nuts_codes_OPTENCE",
        "nuts_codes_HTS",
    ):
        assert checks.at[check, "consistent"], check


@pytest.mark.parametrize(
    "check, stated, computed, numbers",
    [
        ("photonics_smes", "342", "292", ["292", "342", "50"]),
        ("photonics_rtos", "25", "25", ["25"]),
        ("health_tech_smes", "650", "800", ["800", "650", "150"]),
        ("health_tech_rtos", "75", "117", ["117", "75", "42"]),
        ("all_smes", "1600", "1092", ["1092", "1600", "1000"]),
        ("all_rtos", "100", "142", ["142", "100", "120"]),
        ("vna_companies_per_cluster", "30", "20", ["30", "20"]),
        ("kpi6_turnover_rise", "20%", "15%", ["20%", "15%"]),
        ("kpi2_agreements", "KPI 2: 6", "120 x 0.125 + 120 x 0.05 = 21", ["6", "21", "1 in 8", "1 in 20"]),
        ("kpi5_rising_smes", "KPI 5: 240", "50% x 240 = 120", ["240", "50%", "(120)", "15%"]),
        ("agreements", "21", "= 21", ["15", "6", "21"]),
        ("rd_investment", "EUR 20 m", "EUR 21 m", ["10.5", "EUR 21 m", "EUR 20 m", "EUR 22 m", "rounded-down"]),
        ("ties_clusters_x_nodes", "36 -> 96", "6 x 16 = 96", ["36", "96", "6 x 6", "6 x 16"]),
        ("ties_as_cluster_pairs", "36", "15", ["15", "36"]),
    ],
)
def test_stated_computed_and_explanation_carry_the_numbers(checks, check, stated, computed, numbers):
    row = checks.loc[check]
    assert stated in row["stated"]
    assert computed in row["computed"]
    for number in numbers:
        assert number in row["explanation"], (check, number)


def test_all_smes_points_at_the_company_count(checks):
    assert "counts companies" in checks.at["all_smes", "explanation"]
    assert "§1.1" in checks.at["all_rtos", "source"] and "§3 Conclusions" in checks.at["all_rtos", "source"]


def test_nuts_checks_name_the_wrong_codes(checks):
    medicen = checks.loc["nuts_codes_MEDICEN"]
    assert medicen["stated"] == "FR101;FR02;FR106"
    assert "FR02" in medicen["explanation"] and "FR102" in medicen["explanation"]
    assert "FR101" not in medicen["computed"]
    biocat = checks.loc["nuts_codes_BIOCAT"]
    assert "DE142" in biocat["explanation"] and "Germany" in biocat["explanation"]
    assert "ES51" in biocat["explanation"] and "Spain" in biocat["explanation"]


def test_nuts_problems():
    assert nuts_problems(["AT221", "AT223"], "Austria", ["AT22"]) == {}
    assert nuts_problems(["DE71", "DEB3"], "Germany", ["DE7", "DEB"]) == {}
    found = nuts_problems(["FR101", "FR02", "FR106"], "France", ["FR10"])
    assert list(found) == ["FR02"]
    assert any("most likely FR102" in problem for problem in found["FR02"])
    found = nuts_problems(["DE142"], "Spain", ["ES51"])
    assert any("prefix DE (Germany) instead of ES (Spain)" in p for p in found["DE142"])
    assert "is not a NUTS code" in nuts_problems(["F-101"], "France", ["FR10"])["F-101"][0]
    assert "is not a NUTS code" in nuts_problems(["FR1010"], "France", ["FR10"])["FR1010"][0]


def test_checks_are_computed_from_the_tables(monkeypatch):
    clusters = reference.clusters()
    clusters.loc[clusters["id"] == "LITEK", "smes"] = 110  # photonics now sums to the stated 342
    clusters.loc[clusters["id"] == "MEDICEN", "nuts_codes"] = "FR101;FR102;FR106"
    monkeypatch.setattr(reference, "clusters", lambda: clusters.copy())
    funnel = reference.funnel()
    funnel.loc[funnel["parameter"] == "turnover_share_rise_percent", "value"] = 20.0
    funnel.loc[funnel["parameter"] == "agreements_stated", "value"] = 6.0  # as KPI 2
    funnel.loc[funnel["parameter"] == "turnover_rise_smes_share", "value"] = 1.0  # all 240, as KPI 5
    monkeypatch.setattr(reference, "funnel", lambda: funnel.copy())
    table = roadmap_consistency().set_index("check")
    assert table.at["photonics_smes", "consistent"]
    assert "342" in table.at["photonics_smes", "computed"]
    assert table.at["all_smes", "computed"].startswith("1142")
    assert table.at["nuts_codes_MEDICEN", "consistent"]
    assert table.at["kpi6_turnover_rise", "consistent"]
    assert table.at["kpi2_agreements", "consistent"] and table.at["kpi5_rising_smes", "consistent"]
    assert "= 240" in table.at["kpi5_rising_smes", "computed"]
