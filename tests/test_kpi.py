"""KPI status, survey indicators and the roadmap's funnel, on hand-made data with known answers."""

import dataclasses
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


def hand_choice(chosen: str = "naive"):
    """A Choice with a hand-made back-test, the count model and the naive forecast scored 1 and 2
    quarters ahead, and two paths over two future quarters: (1, 2) and (3, 4)."""
    from lasergo.analysis.forecast import Choice, Forecast

    backtest = pd.DataFrame({"method": ["count model", "naive"], "mase": [1.2, 0.9], "origins": [2, 2]})
    by_horizon = pd.DataFrame(
        {
            "method": ["count model", "count model", "naive", "naive"],
            "horizon": [1, 2, 1, 2],
            "mase": [1.0, 1.4, 0.7, 1.1],
            "origins": [3, 2, 3, 2],
        }
    )
    future = pd.period_range("2027Q3", periods=2, freq="Q")
    forecast = Forecast("naive", pd.Series([1.0, 2.0]), np.array([[1.0, 2.0], [3.0, 4.0]]), future)
    return Choice(forecast, backtest, by_horizon, chosen, False, "")


def test_path_outcomes_add_up_counts_and_keep_a_levels_last_value():
    from lasergo.analysis.kpi import path_outcomes

    choice = hand_choice()
    assert path_outcomes(choice, 10.0, cumulative=True).tolist() == [13.0, 17.0]  # 10 + 1 + 2, 10 + 3 + 4
    assert path_outcomes(choice, 10.0, cumulative=False).tolist() == [2.0, 4.0]
    assert path_outcomes(None, 10.0, cumulative=True).size == 0


def test_backtest_rows_flag_the_chosen_method_and_give_each_horizon_a_column():
    from lasergo.analysis.kpi import backtest_rows

    table = backtest_rows(hand_choice("naive"))
    assert list(table.columns) == ["method", "mase", "origins", "chosen", "mase_1", "mase_2"]
    assert table["chosen"].tolist() == [False, True]
    assert table.set_index("method").loc["naive", ["mase_1", "mase_2"]].tolist() == [0.7, 1.1]
    assert table.set_index("method").loc["count model", ["mase_1", "mase_2"]].tolist() == [1.0, 1.4]


def test_choice_reason_states_the_back_test_or_why_there_is_none():
    choice = hand_choice("naive")
    assert kpi_page.choice_reason(choice, "11 quarters") == (
        ", chosen by back-test: its error (MASE) averaged over 1 to 2 quarters ahead was 0.90, against 1.20 "
        "for the constant rate (average pace so far)."
    )
    untested = dataclasses.replace(choice, backtest=choice.backtest.iloc[:0], by_horizon=choice.by_horizon.iloc[:0])
    assert kpi_page.choice_reason(untested, "5 quarters") == (
        "; not back-tested: 5 quarters so far, and a back-test needs at least 9 (8 to fit, 1 to score)."
    )


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


# --- Issue 15: the two monitored indicators, R&D funding, the verdict and the recorded results ------

PANEL_COMPANIES = pd.DataFrame(
    {
        "id": ["D1", "D2", "D3", "D4", "D5", "I1", "I2"],
        "cluster": ["OV", "HTS", "LITEK", "BIOCAT", "OPTENCE", "OV", "HTS"],
        "target_group": ["direct"] * 5 + ["indirect"] * 2,
    }
)


def panel_waves():
    """Entry answers of all seven SMEs, a yearly 2024 wave of the direct ones (D1 answering twice),
    nothing in 2025."""
    rows = [
        ("D1", "2024-02-01", "entry", 10, 5),
        ("D2", "2024-02-01", "entry", 20, 10),
        ("D3", "2024-02-01", "entry", 30, 15),
        ("D4", "2024-02-01", "entry", 40, 20),
        ("D5", "2024-02-01", "entry", 50, None),  # no R&D share: 4 answers, withheld on the page
        ("I1", "2024-03-01", "entry", 60, 8),
        ("I2", "2024-03-01", "entry", 70, 9),
        ("D1", "2024-06-30", "yearly", 12, 6),
        ("D2", "2024-06-30", "yearly", 22, 11),
        ("D3", "2024-06-30", "yearly", 32, 16),
        ("D4", "2024-06-30", "yearly", 42, 21),
        ("D5", "2024-06-30", "yearly", 52, 26),
        ("D1", "2024-07-15", "yearly", 14, 6),  # a second 2024 answer: the latest counts
    ]
    frame = pd.DataFrame(rows, columns=["company", "wave_date", "wave", "export_share_pct", "rd_share_pct"])
    frame["wave_date"] = pd.to_datetime(frame["wave_date"])
    return frame


def test_indicator_waves_on_a_hand_made_panel():
    """Issue 15: both §2.3 indicators per target group and wave; every scheduled wave has a row, a wave
    not held yet or without answers says so."""
    from lasergo.analysis.kpi import indicator_waves

    table = indicator_waves(PANEL_COMPANIES, panel_waves(), pd.Timestamp("2025-12-31"), "2024-01-01", "2026-12-31")
    # Entry, yearly 2024-2026, exit at the end of the action, then five yearly waves after it (2027-2031).
    waves = table.drop_duplicates("wave")
    assert waves["wave"].tolist() == [
        "entry",
        "yearly 2024",
        "yearly 2025",
        "yearly 2026",
        "exit",
        *[f"yearly {y}" for y in range(2027, 2032)],
    ]
    assert waves["status"].tolist() == ["held", "held", "no answers"] + ["not yet held"] * 7
    assert waves.set_index("wave").loc["yearly 2026", "due"] == pd.Timestamp("2026-06-30")
    assert waves.set_index("wave").loc["exit", "due"] == pd.Timestamp("2026-12-31")
    rows = table.set_index(["wave", "group"])
    entry = rows.loc[("entry", "direct")]
    assert (entry["smes"], entry["export_n"], entry["rd_n"]) == (5, 5, 4)
    assert entry["export_mean_pct"] == 30 and entry["rd_mean_pct"] == 12.5
    yearly = rows.loc[("yearly 2024", "direct")]
    assert yearly["smes"] == 5 and yearly["export_mean_pct"] == pytest.approx((14 + 22 + 32 + 42 + 52) / 5)
    assert yearly["rd_mean_pct"] == pytest.approx(16)
    assert rows.loc[("entry", "indirect"), "export_mean_pct"] == 65
    assert rows.loc[("yearly 2024", "indirect"), "smes"] == 0
    assert math.isnan(rows.loc[("yearly 2024", "indirect"), "export_mean_pct"])

    html = kpi_page.indicators_table(table).to_html()
    shown = kpi_page.indicators_table(table).data.set_index("Survey wave")
    assert list(shown.index) == [
        "Entry",
        "Yearly 2024",
        "Yearly 2025",
        "Yearly 2026",
        "Exit",
        "Yearly 2027 to 2031 (after the action)",
    ]
    assert shown.loc["Entry", "Direct: export share of sales, mean (%)"] == "30.0"
    assert shown.loc["Entry", "Direct: R&D share of revenue, mean (%)"] == "fewer than 5 answers"
    assert shown.loc["Entry", "Indirect: export share of sales, mean (%)"] == "fewer than 5 answers"
    assert shown.loc["Yearly 2024", "Direct: export share of sales, mean (%)"] == "32.4"
    assert shown.loc["Yearly 2024", "Indirect: R&D share of revenue, mean (%)"] == "no answers"
    assert (shown.loc["Yearly 2025"].iloc[2:] == "no answers").all()
    for wave in ("Yearly 2026", "Exit", "Yearly 2027 to 2031 (after the action)"):
        assert (shown.loc[wave].iloc[2:] == "not yet held").all()
    assert shown.loc["Exit", "Due"] == "31 Dec 2026 (end of the action)"
    assert "_" not in "".join(shown.columns) and "nan" not in html
    note = kpi_page.indicators_note(table).data
    assert "export share of sales 30.0% at entry, 32.4% in the yearly 2024 wave" in note
    assert "R&D share of revenue: no comparison yet" in note  # the entry mean rests on 4 answers
    assert "Next wave: yearly 2026, due 30 Jun 2026." in note


def test_indicator_waves_on_the_sample():
    from lasergo.analysis.kpi import indicators_by_wave
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, "2026Q3")
    table = indicators_by_wave(data, period, "2024-01-01", "2027-12-31")
    held = table[table["status"] == "held"]
    assert held["wave"].unique().tolist() == ["entry", "yearly 2024", "yearly 2025", "yearly 2026"]
    assert table.loc[table["wave"] == "yearly 2027", "status"].eq("not yet held").all()
    entry = data.survey_waves[data.survey_waves["wave"] == "entry"]
    assert held.loc[held["wave"] == "entry", "smes"].sum() == entry["company"].nunique()
    direct = entry[entry["company"].isin(data.companies.loc[data.companies["target_group"] == "direct", "id"])]
    row = held[(held["wave"] == "entry") & (held["group"] == "direct")].iloc[0]
    assert row["export_mean_pct"] == pytest.approx(direct["export_share_pct"].mean())
    assert row["rd_mean_pct"] == pytest.approx(direct["rd_share_pct"].mean())


def funding(rows):
    frame = pd.DataFrame(rows, columns=["date", "cluster", "project", "amount_eur_m", "cofunding_eur_m", "evidence"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.astype({"amount_eur_m": float, "cofunding_eur_m": float})


HAND_FUNDING = funding(
    [
        ("2025-03-01", "OV", "P1", 2.0, 1.0, "GA-1"),
        ("2025-06-01", "OV", "P2", 1.5, None, "GA-2"),  # co-funding not known: counted as 0
        ("2026-01-10", "HTS", "P3", 3.0, 3.0, "GA-3"),
        ("2026-02-01", "LITEK", "P4", 4.0, 4.0, None),  # no evidence: not counted
    ]
)


def test_rd_funding_against_the_roadmaps_20_million():
    from lasergo.analysis.kpi import rd_funding_summary

    result = rd_funding_summary(HAND_FUNDING)
    assert result.expected_eur_m == 20  # the roadmap's "about EUR 20 m" (§2.3)
    # verified: 2 + 1.5 + 3 = 6.5 of funding, 1 + 0 + 3 = 4 of co-funding
    assert (result.funding_eur_m, result.cofunding_eur_m, result.total_eur_m) == (6.5, 4.0, 10.5)
    assert result.share_of_expected == pytest.approx(0.525)
    assert (result.projects, result.cofunding_unknown, result.unverified_projects) == (3, 1, 1)
    assert result.unverified_eur_m == 8.0
    assert result.by_cluster.set_index("cluster")["total_eur_m"].to_dict() == {"HTS": 6.0, "OV": 4.5}
    assert kpi_page.funding_result(result) == {"attracted_eur_m": 10.5, "expected_eur_m": 20.0}
    note = kpi_page.funding_note(result).data
    assert note.startswith("**EUR 10.5 m attracted so far, 52% of the expected about EUR 20 m**")
    assert "Co-funding not known for 1 of them" in note and "1 entry without an evidence reference" in note
    assert "Human.technology Styria" in kpi_page.funding_table(result).to_html()


def test_rd_funding_not_collected_when_the_table_is_empty():
    from lasergo.analysis.kpi import rd_funding_summary

    result = rd_funding_summary(HAND_FUNDING.iloc[0:0])
    assert not result.collected and math.isnan(result.total_eur_m)
    assert kpi_page.funding_result(result) == {"attracted_eur_m": None, "expected_eur_m": 20.0}
    assert kpi_page.funding_note(result).data.startswith("**Not collected**")
    assert kpi_page.funding_table(result) is None


def test_funnel_observes_the_recorded_rd_funding():
    from dataclasses import replace

    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, "2026Q3")
    elapsed = elapsed_share(period, "2024-01-01", "2027-12-31")
    report = kpi_report(data, period, "2027-12-31", "2024-01-01", n_paths=200)
    for table, observed, note in (
        (data.rd_funding.iloc[0:0], None, "not collected in the data yet"),
        (HAND_FUNDING, 10.5, "observed: the verified funding with co-funding so far"),
    ):
        funnel = funnel_comparison(replace(data, rd_funding=table), Funnel.from_reference(), elapsed)
        row = funnel.set_index("measure").loc["rd_investment"]
        assert pd.isna(row["observed"]) if observed is None else row["observed"] == observed
        assert pd.isna(row["holding"])  # due after the action: no verdict yet
        assert note in kpi_page.funnel_table(funnel, report).to_html()


def forecast_with(kpi, light_outcomes, actual=0.0, target=10.0):
    """A KpiForecast whose chance of reaching ``target`` is the share of ``light_outcomes`` at or above it."""
    from lasergo.analysis.kpi import KpiForecast

    return KpiForecast(
        kpi, f"KPI {kpi}", target, "count", actual, 0.0, pd.Series(dtype=float), None, True, np.array(light_outcomes)
    )


def test_page_verdict_is_the_worst_kpi_status():
    from lasergo.analysis.kpi import KpiReport

    reached = forecast_with(1, [20.0], actual=12)
    on_track = forecast_with(2, [10.0] * 9 + [0.0])  # 90%
    at_risk = forecast_with(3, [10.0] * 5 + [0.0] * 5)  # 50%
    off_track = forecast_with(4, [10.0] + [0.0] * 9)  # 10%
    too_early = forecast_with(5, [])
    quarter, date = pd.Period("2026Q3"), pd.Timestamp("2027-12-31")
    assert [f.light for f in (reached, on_track, at_risk, off_track, too_early)] == [
        "reached",
        "on track",
        "at risk",
        "off track",
        "too early",
    ]
    assert KpiReport(quarter, date, [reached, on_track, too_early]).verdict() == "on track"
    assert KpiReport(quarter, date, [reached, at_risk, on_track]).verdict() == "at risk"
    assert KpiReport(quarter, date, [off_track, at_risk, reached]).verdict() == "off track"
    results = kpi_page.kpi_results(KpiReport(quarter, date, [on_track, too_early]))
    assert results == [
        {"kpi": 2, "description": "KPI 2", "status": "on track", "chance_pct": 90.0, "value": 0.0, "target": 10.0}
        | {"unit": on_track.unit},
        {"kpi": 5, "description": "KPI 5", "status": "too early", "chance_pct": None, "value": 0.0, "target": 10.0}
        | {"unit": too_early.unit},
    ]
    assert "under 40%" in kpi_page.VERDICT_RULE and "under 80%" in kpi_page.VERDICT_RULE


def recorded(notebook) -> dict:
    """The results a run notebook recorded (RESULT_MIME outputs), by key."""
    from lasergo.pages.common import RESULT_MIME

    return {
        output["data"][RESULT_MIME]["key"]: output["data"][RESULT_MIME]["value"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if RESULT_MIME in output.get("data", {})
    }


def test_kpi_notebook_records_its_results(tmp_path):
    """Issue 15: the KPI page records its verdict, the KPIs and the R&D funding for the scorecard and
    the front page; the values are the page's own."""
    import json

    import nbformat
    import papermill

    from lasergo.analysis.kpi import rd_funding_summary
    from tests.conftest import PROJECT, SAMPLE

    out = tmp_path / "04_kpi.ipynb"
    papermill.execute_notebook(
        str(PROJECT / "notebooks" / "04_kpi.ipynb"),
        str(out),
        parameters={"quarter": "2026Q3", "data_dir": str(SAMPLE), "n_paths": 1000},
        cwd=str(PROJECT / "notebooks"),
        progress_bar=False,
    )
    results = recorded(nbformat.read(out, as_version=4))
    assert set(results) == {"verdict", "kpis", "rd_funding"}
    json.dumps(results)  # plain JSON
    data, period = load_quarter(SAMPLE, "2026Q3")
    report = kpi_report(data, period, "2027-12-31", "2024-01-01", n_paths=1000, seed=1)
    assert results["verdict"]["status"] == report.verdict()
    assert results["kpis"] == kpi_page.kpi_results(report)
    assert [k["kpi"] for k in results["kpis"]] == list(range(1, 8))
    assert results["rd_funding"] == kpi_page.funding_result(rd_funding_summary(data.rd_funding))
    assert results["rd_funding"]["expected_eur_m"] == 20


def capture_results(monkeypatch, module) -> dict:
    """Record ``module``'s results into a dict instead of the notebook's outputs."""
    captured: dict = {}
    monkeypatch.setattr(module, "record_result", lambda key, value: captured.__setitem__(key, value))
    return captured


def calls_record_results(notebook: str, module: str) -> bool:
    import nbformat

    from tests.conftest import PROJECT

    cells = nbformat.read(PROJECT / "notebooks" / notebook, as_version=4).cells
    return any(f"{module}.record_results(analysis)" in c.source for c in cells if c.cell_type == "code")


def test_swot_page_records_the_top_threats(monkeypatch):
    import json

    from lasergo.analysis.swot import analyse_swot
    from lasergo.pages import swot
    from tests.conftest import SAMPLE

    data, _ = load_quarter(SAMPLE, "2026Q3")
    analysis = analyse_swot(data, n_draws=50, seed=1)
    captured = capture_results(monkeypatch, swot)
    swot.record_results(analysis)
    threats = captured["threats"]
    weights = analysis.weights.set_index("factor_id")
    expected = weights[weights["group"] == "T"]["global_weight"].sort_values(ascending=False).head(3)
    assert [t["id"] for t in threats] == list(expected.index)
    assert [t["weight"] for t in threats] == list(expected)
    assert all(t["name"] == weights.loc[t["id"], "factor"] for t in threats)
    json.dumps(captured)
    assert calls_record_results("01_swot.ipynb", "swot")


def test_market_page_records_the_potential(monkeypatch):
    import json

    from lasergo.analysis.market import analyse_market
    from lasergo.pages import market
    from lasergo.pages.common import about
    from tests.conftest import SAMPLE

    data, period = load_quarter(SAMPLE, "2026Q3")
    analysis = analyse_market(data, period.year, n_draws=2000, seed=1)
    captured = capture_results(monkeypatch, market)
    market.record_results(analysis)
    potential = captured["potential"]
    assert (potential["unit"], potential["year"]) == ("EUR m", 2026)
    assert potential["p10"] < potential["p50"] < potential["p90"]
    # the headline's figure, from the same result
    assert market.total_sales(analysis) == about(potential["p50"], potential["p10"], potential["p90"], "EUR m")
    json.dumps(captured)
    assert calls_record_results("02_market.ipynb", "page")


def test_partners_page_records_the_business_cases(monkeypatch):
    import json

    from lasergo.analysis.partners import analyse_partners
    from lasergo.pages import partners
    from tests.conftest import SAMPLE

    data, _ = load_quarter(SAMPLE, "2026Q3")
    analysis = analyse_partners(data, n_boot=3)
    captured = capture_results(monkeypatch, partners)
    partners.record_results(analysis)
    cases = captured["business_cases"]
    missions = analysis.missions
    assert cases["count"] == len(analysis.assignment) >= int(missions["cases"].sum())  # the headline's count
    assert cases["missions_covered"] == int((missions["cases"].fillna(1) > 0).sum())  # suppressed: has cases
    json.dumps(captured)
    assert calls_record_results("03_partnership_fit.ipynb", "page")
