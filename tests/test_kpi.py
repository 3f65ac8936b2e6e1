"""KPI status, survey indicators and the roadmap's funnel, on hand-made data with known answers."""

import math

import pandas as pd
import pytest

from lasergo.analysis.kpi import (
    Funnel,
    elapsed_share,
    export_share_changes,
    funnel_comparison,
    kpi_report,
    ledger_by_cluster,
    ledger_totals,
    previous_quarter_report,
    quarterly_counts,
    survey_kpis,
    traffic_light,
)
from lasergo.data.dataset import load_data
from lasergo.errors import InputError, ParameterError
from lasergo.pages import kpi as kpi_page
from lasergo.pages.common import load_quarter
from tests.conftest import VALID_TABLES, write_tables


def ledger(rows):
    frame = pd.DataFrame(rows, columns=["date", "kpi", "value", "cluster", "evidence"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


HAND_LEDGER = ledger(
    [
        ("2024-02-01", 3, 1, "OV", "EVT-1"),
        ("2024-05-01", 3, 2, "LITEK", "EVT-2"),
        ("2024-05-20", 3, 1, "HTS", None),  # no evidence: not counted
        ("2024-11-01", 2, 1, "OV", "MoU-1"),
        ("2025-01-15", 2, 1, "BIOCAT", "MoU-2"),
        ("2025-01-20", 7, 1, "MEDICEN", None),
    ]
)


def test_ledger_totals_count_only_entries_with_evidence():
    totals = ledger_totals(HAND_LEDGER).set_index("kpi")
    assert totals.loc[3, "verified"] == 3 and totals.loc[3, "unverified"] == 1
    assert totals.loc[2, "verified"] == 2 and totals.loc[2, "unverified"] == 0
    assert totals.loc[7, "verified"] == 0 and totals.loc[7, "unverified"] == 1
    assert totals.loc[1, "verified"] == 0 and list(totals.index) == list(range(1, 8))


def test_ledger_by_cluster_and_quarterly_counts():
    table = ledger_by_cluster(HAND_LEDGER)
    assert table.loc[3, "OV"] == 1 and table.loc[3, "LITEK"] == 2 and table.loc[3, "HTS"] == 0
    assert table.loc[3, "total"] == 3 and table.loc[2, "total"] == 2
    counts = quarterly_counts(HAND_LEDGER, 3, pd.Period("2024Q1"), pd.Period("2025Q1"))
    assert counts.tolist() == [1, 2, 0, 0, 0]


def test_roadmap_funnel_reproduces_its_arithmetic():
    funnel = Funnel.from_reference()
    assert funnel.agreements == 21  # 120 x 1/8 + 120 x 1/20 = 15 + 6
    # 21 x 1/2 x EUR 1 m x 2 (matching co-funding) = EUR 21 m: "about EUR 20 m" within 10%
    assert math.isclose(funnel.rd_investment_eur_m, 21.0)
    assert abs(funnel.rd_investment_eur_m - 20) <= 0.10 * 20
    assert funnel.rising_smes == 120  # 50% of 240


SURVEY = pd.DataFrame(
    {
        "company": ["A", "A", "B", "B", "B", "C", "D", "D"],
        "wave_date": pd.to_datetime(
            [
                "2024-01-10",
                "2025-06-30",
                "2024-02-01",
                "2024-06-30",
                "2025-06-30",
                "2024-03-01",
                "2024-01-20",
                "2025-06-30",
            ]
        ),
        "export_share_pct": [20.0, 30.0, 40.0, 42.0, 36.0, 10.0, 50.0, float("nan")],
    }
)
COMPANIES = pd.DataFrame(
    {
        "id": ["A", "B", "C", "D"],
        "cluster": ["OV", "HTS", "LITEK", "BIOCAT"],
        "target_group": ["direct", "direct", "indirect", "indirect"],
    }
)


def test_kpi5_and_kpi6_on_a_hand_made_panel():
    changes = export_share_changes(COMPANIES, SURVEY).set_index("company")
    assert changes.loc["A", "rise_pp"] == 10 and changes.loc["A", "status"] == "risen"
    assert changes.loc["B", "rise_pp"] == -4 and changes.loc["B", "status"] == "not risen"
    assert changes.loc["C", "status"] == "no later wave"  # one answer only: reported, not dropped
    assert changes.loc["D", "status"] == "no later wave"  # later answer without an export share
    result = survey_kpis(export_share_changes(COMPANIES, SURVEY))
    assert (result.smes, result.compared, result.missing, result.risen) == (4, 2, 2, 1)
    # mean share 30 -> 33: a relative rise of 10%; 3 percentage points
    assert math.isclose(result.relative_rise_pct, 10.0)
    assert math.isclose(result.rise_pp, 3.0)
    assert math.isclose(result.risers_relative_rise_pct, 50.0)  # A: 20 -> 30
    direct = survey_kpis(export_share_changes(COMPANIES, SURVEY), "direct")
    assert (direct.smes, direct.compared, direct.risen) == (2, 2, 1)


def test_traffic_light_thresholds():
    assert traffic_light(0.95, reached=True) == "reached"
    assert traffic_light(0.8, reached=False) == "on track"
    assert traffic_light(0.5, reached=False) == "at risk"
    assert traffic_light(0.39, reached=False) == "off track"


@pytest.mark.parametrize(
    "old, new, column, message",
    [
        ("2025-02-01,2,1,LITEK", "2025-02-01,8,1,LITEK", "kpi", "unknown KPI number"),
        ("2025-02-01,2,1,LITEK", "2025-02-01,2,-3,LITEK", "value", "value must be 0 or more"),
        ("2025-02-01,2,1,LITEK", "2099-02-01,2,1,LITEK", "date", "date is in the future"),
        ("2025-02-01,2,1,LITEK", "2025-02-01,2,1,NOWHERE", "cluster", "unknown cluster id"),
    ],
)
def test_bad_ledger_rows_are_located(tmp_path, old, new, column, message):
    tables = dict(VALID_TABLES)
    tables["kpi_ledger.csv"] = tables["kpi_ledger.csv"].replace(old, new)
    folder = write_tables(tmp_path / "data", tables)
    with pytest.raises(InputError) as caught:
        load_data(folder)
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith(f"{folder / 'kpi_ledger.csv'}:3:{column}: {message}")


def sample_with_ledger(rows):
    """The committed sample with its KPI ledger replaced by ``rows``."""
    from dataclasses import replace

    from tests.conftest import SAMPLE

    return replace(load_data(SAMPLE), kpi_ledger=ledger(rows))


def test_planted_pace_gives_the_expected_traffic_lights():
    # KPI 3: 3 verified events every quarter of 2024-2026Q3 (33), far above its target of 4 -> reached.
    # KPI 4: 1 event a quarter (11 so far, target 6) -> reached. KPI 2: none in 11 quarters -> off track.
    quarters = pd.period_range("2024Q1", "2026Q3", freq="Q")
    rows = [(q.start_time + pd.Timedelta(days=10), 3, 3, "OV", f"EVT-{i}") for i, q in enumerate(quarters)]
    rows += [(q.start_time + pd.Timedelta(days=20), 4, 1, "HTS", f"MTG-{i}") for i, q in enumerate(quarters)]
    # KPI 7: 1 event every other quarter (6 so far); target 6 is met -> reached.
    rows += [(q.start_time + pd.Timedelta(days=5), 7, 1, "BIOCAT", f"PRJ-{i}") for i, q in enumerate(quarters[::2])]
    data = sample_with_ledger(rows)
    report = kpi_report(data, pd.Period("2026Q3"), "2027-12-31", "2024-01-01", n_paths=2000, seed=3)
    status = report.status_table().set_index("kpi")
    assert status.loc[3, "actual"] == 33 and status.loc[3, "status"] == "reached"
    assert status.loc[4, "actual"] == 11 and status.loc[4, "status"] == "reached"
    assert status.loc[2, "actual"] == 0 and status.loc[2, "status"] == "off track"
    assert status.loc[2, "p_target"] < 0.05
    assert list(status.index) == [1, 2, 3, 4, 5, 6, 7]
    for _, row in status.iterrows():
        assert 0 <= row["p_target"] <= 1
        assert row["forecast_low"] <= row["forecast"] <= row["forecast_high"]


def test_first_quarter_of_the_action_reports_survey_kpis_as_too_early():
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, "2024Q1")
    report = kpi_report(data, period, "2027-12-31", "2024-01-01", n_paths=500)
    status = report.status_table().set_index("kpi")
    assert status.loc[[5, 6], "status"].tolist() == ["too early", "too early"]
    assert status.loc[[5, 6], "p_target"].isna().all()
    assert all(f.kpi not in (5, 6) for f in report.most_at_risk(7))
    kpi_page.plot_fan_charts(report, synthetic=True)  # draws a note instead of a fan for those KPIs


@pytest.mark.parametrize("quarter", ["2024Q4", "2025Q1"])
def test_kpi_page_builds_before_the_survey_kpis_can_be_forecast(quarter):
    """Before the third yearly wave KPIs 5 and 6 have no forecast; the page says why instead of failing."""
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, quarter)
    report = kpi_report(data, period, "2027-12-31", "2024-01-01", n_paths=500)
    previous = previous_quarter_report(data, period, "2027-12-31", "2024-01-01", n_paths=500)
    assert previous is not None and previous.quarter == period - 1
    unforecast = [f for f in report.forecasts if f.choice is None]
    assert [f.kpi for f in unforecast] == [5, 6]
    notes = kpi_page.forecast_notes(report).data.splitlines()
    assert len(notes) == 7
    for f in unforecast:
        values = len(f.history)
        assert values < 3
        assert notes[f.kpi - 1].startswith(
            f"- KPI {f.kpi}: Not forecast yet: the survey measures this KPI once a year, {values} yearly value"
        )
        assert notes[f.kpi - 1].endswith("a forecast needs at least 3.")
    elapsed = elapsed_share(period, "2024-01-01", "2027-12-31")
    funnel = kpi_page.funnel_table(funnel_comparison(data, Funnel.from_reference(), elapsed))
    for table in (
        kpi_page.status_table(report),
        kpi_page.backtest_table(report),
        funnel,
        kpi_page.changes_table(report, previous),
    ):
        assert "<table" in table.to_html()
    assert "KPI" in kpi_page.risk_summary(report).data
    assert f"end of {period}" in kpi_page.elapsed_note(period, elapsed, "2024-01-01", "2027-12-31").data


def test_elapsed_share_of_the_action():
    # 2024-01-01 to 2027-12-31 is 1460 days; the end of 2025Q4 is 731 days in: just over half.
    assert elapsed_share(pd.Period("2025Q4"), "2024-01-01", "2027-12-31") == pytest.approx(731 / 1460)
    assert elapsed_share(pd.Period("2023Q4"), "2024-01-01", "2027-12-31") == 0.0
    assert elapsed_share(pd.Period("2028Q2"), "2024-01-01", "2027-12-31") == 1.0


def test_previous_quarter_and_bad_dates():
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, "2024Q1")
    assert previous_quarter_report(data, period, "2027-12-31", "2024-01-01", n_paths=200) is None
    assert kpi_page.changes_table(kpi_report(data, period, "2027-12-31", "2024-01-01", n_paths=200), None).data == (
        "2024Q1 is the first quarter of the action: there is no previous quarter."
    )
    with pytest.raises(ParameterError, match="nothing left to forecast"):
        kpi_report(data, period, "2024-03-31", "2024-01-01", n_paths=200)
    with pytest.raises(ParameterError, match="after the report quarter"):
        kpi_report(data, period, "2027-12-31", "2024-04-01", n_paths=200)
