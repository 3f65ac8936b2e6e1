"""KPI status, survey indicators and the roadmap's funnel, on hand-made data with known answers."""

import math

import numpy as np
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
    funnel = kpi_page.funnel_table(funnel_comparison(data, Funnel.from_reference(), elapsed), report)
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


def assert_one_set_of_paths(report):
    """The forecast, its interval and the chance of every KPI come from the same simulated paths."""
    status = report.status_table().set_index("kpi")
    for f in report.forecasts:
        if f.choice is None:
            assert np.isnan(f.probability) and status.loc[f.kpi, "forecast"] != status.loc[f.kpi, "forecast"]
            continue
        paths = f.choice.forecast.paths
        final = f.actual + paths.sum(axis=1) if f.cumulative else paths[:, -1]  # the KPI at the target date
        share = np.mean(final >= f.target)
        assert f.probability == share == status.loc[f.kpi, "p_target"]
        start = f.actual if f.cumulative else 0.0
        assert f.probability == f.choice.forecast.probability_at_least(f.target, start, cumulative=f.cumulative)
        p10, median, p90 = np.quantile(final, [0.1, 0.5, 0.9])
        row = status.loc[f.kpi]
        assert (row["forecast_low"], row["forecast"], row["forecast_high"]) == (p10, median, p90)
        assert row["expected"] == pytest.approx(final.mean())
        # The chart's last point is the table's forecast.
        assert f.path_summary().iloc[-1][["lower", "median", "upper"]].tolist() == pytest.approx([p10, median, p90])
        # Consistency of the three figures with each other.
        if p10 >= f.target:
            assert f.probability >= 0.9, f.kpi
        if p90 < f.target:
            assert f.probability <= 0.1, f.kpi
        if median >= f.target:
            assert f.probability >= 0.5, f.kpi
        else:
            assert f.probability <= 0.5, f.kpi


@pytest.mark.parametrize("quarter", ["2025Q2", "2026Q3"])
def test_forecast_interval_and_chance_come_from_the_same_paths(quarter):
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, quarter)
    assert_one_set_of_paths(kpi_report(data, period, "2027-12-31", "2024-01-01", n_paths=2000))


def test_same_paths_on_a_planted_ledger():
    # KPI 3: 3 a quarter, far above target (P10 above it); KPI 2: nothing yet (P90 below it).
    quarters = pd.period_range("2024Q1", "2026Q3", freq="Q")
    rows = [(q.start_time + pd.Timedelta(days=10), 3, 3, "OV", f"EVT-{i}") for i, q in enumerate(quarters)]
    report = kpi_report(sample_with_ledger(rows), pd.Period("2026Q3"), "2027-12-31", "2024-01-01", n_paths=2000)
    at = {f.kpi: f.at_target() for f in report.forecasts}
    assert at[3]["p10"] > 4 and at[2]["p90"] < 6
    assert_one_set_of_paths(report)


def test_the_sample_forecast_no_longer_contradicts_its_chance():
    """Issue 16: KPI 1 in 2026Q3 showed a forecast of 7 (5-9) against a target of 6 with a 45% chance:
    the mean of a skewed total. The median of the same paths stays below the target."""
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, "2026Q3")
    report = kpi_report(data, period, "2027-12-31", "2024-01-01")
    kpi1 = report.status_table().set_index("kpi").loc[1]
    assert kpi1["p_target"] < 0.5 and kpi1["forecast"] < kpi1["target"] <= kpi1["forecast_high"]


def test_back_tests_score_every_horizon_the_history_allows():
    """2026Q3: 11 quarters of ledger, 8 to fit, the target 5 quarters away: horizons 1 to 3."""
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, "2026Q3")
    report = kpi_report(data, period, "2027-12-31", "2024-01-01", n_paths=500)
    for f in report.forecasts:
        if f.cumulative:
            assert len(f.history) == 11 and len(f.choice.forecast.index) == 5
            assert f.choice.horizons == 3
            assert f.choice.by_horizon.groupby("horizon")["origins"].first().tolist() == [3, 2, 1]
    table = report.backtest_table()
    assert {"mase_1", "mase_2", "mase_3"} <= set(table.columns)
    note = kpi_page.backtest_note(report).data
    assert "from 1 to 3 quarters ahead" in note and "5 quarters away" in note
    html = kpi_page.backtest_table(report).to_html()
    assert "MASE, 3 quarters ahead" in html and "Yes" in html and "True" not in html


def test_funnel_gives_one_verdict_per_question():
    """Issue 16: the SMEs raising their share are §2.3's 50% of 240 (120) and KPI 5's 240; the funnel
    states its figure and leaves the verdict to KPI 5. The agreements row names KPI 2's own target."""
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, "2026Q3")
    report = kpi_report(data, period, "2027-12-31", "2024-01-01", n_paths=500)
    funnel = funnel_comparison(data, Funnel.from_reference(), elapsed_share(period, "2024-01-01", "2027-12-31"))
    rows = funnel.set_index("measure")
    assert rows.at["rising_smes", "recomputed"] == 120 and rows.at["rising_smes", "observed"] == 178
    assert pd.isna(rows.at["rising_smes", "holding"]) and rows.at["rising_smes", "kpi"] == 5
    assert pd.isna(rows.at["average_rise", "holding"]) and rows.at["average_rise", "kpi"] == 6
    assert rows.at["agreements", "stated"] == 21 and rows.at["agreements", "holding"] == False  # noqa: E712
    assert (rows.at["rd_investment", "stated"], rows.at["rd_investment", "recomputed"]) == (20, 21)
    html = kpi_page.funnel_table(funnel, report).to_html()
    assert "see KPI 5" in html and "about 20" in html and "own target (§2.4) is 6, not 21" in html
    assert "True" not in html and "False" not in html


def test_page_names_what_it_draws():
    """Issue 16: the naive forecast is named as the last quarter's pace, drawn as such, and the target
    date line is labelled; table headers are plain."""
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, "2026Q3")
    report = kpi_report(data, period, "2027-12-31", "2024-01-01", n_paths=500)
    naive = [f for f in report.forecasts if f.choice is not None and f.choice.chosen == "naive"]
    assert naive
    for f in naive:
        assert kpi_page.method_name(f) == f"naive: last quarter's pace ({f.history.iloc[-1]:,.0f} a quarter) continues"
    fig = kpi_page.plot_fan_charts(report, synthetic=True)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts.count("target date") == sum(f.choice is not None for f in report.forecasts)
    legend = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert "naive: last quarter's pace continues" in legend and "target date" in legend
    for ax, f in zip(fig.axes, report.forecasts):
        if f in naive:  # the dash-dotted line rises at the last quarter's count from the total so far
            [pace] = [line for line in ax.get_lines() if line.get_linestyle() == "-."]
            steps = np.diff(pace.get_ydata())
            assert (steps == f.history.iloc[-1]).all() and pace.get_ydata()[0] == f.actual
    headers = kpi_page.status_table(report).data.columns
    assert "Chance of reaching target (%)" in headers
    assert not any("_" in header for header in headers)
