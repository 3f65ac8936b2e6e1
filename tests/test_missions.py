"""Missions, roadshows and matchmaking: the roadmap's plan, statuses at a date, what followed."""

import pandas as pd
import pytest

from lasergo.analysis import missions
from lasergo.analysis.missions import VerdictRule
from lasergo.data import reference
from lasergo.errors import AnalysisError
from tests.conftest import SAMPLE

AS_OF = pd.Timestamp("2026-09-30 23:59:59")


def _plan() -> pd.DataFrame:
    """A hand-made plan of five items in the plan's columns."""
    return pd.DataFrame(
        {
            "plan_id": ["M1", "M2", "M3", "M4", "E-OV"],
            "kind": ["mission", "mission", "mission", "mission", "matchmaking"],
            "name": ["Canada", "Japan", "Israel", "Australia", "Matchmaking with US counterparts"],
            "market": ["canada", "japan", "israel", "australia", pd.NA],
            "lead": ["OV", "BIOCAT", "MEDICEN", "LITEK", "OV"],
            "co_organisers": [["BIOCAT"], ["MEDICEN"], ["BIOCAT"], ["OPTENCE"], []],
            "new_market": [False, True, True, True, False],
            "source": "hand-made",
        }
    )


def _activities(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(missions.ACTIVITY_COLUMNS))
    for column in ("planned", "held"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


ACTIVITIES = [
    # done: held before the date (planned earlier still)
    {
        "plan_id": "M1",
        "kind": "mission",
        "name": "Canada 2025",
        "lead": "OV",
        "planned": "2025-05-01",
        "held": "2025-05-10",
        "participants": 12,
    },
    # planned: after the date
    {"plan_id": "M2", "kind": "mission", "name": "Japan 2027", "lead": "BIOCAT", "planned": "2027-03-01"},
    # overdue: planned 2026-06-01, not held (held after the date counts as not held)
    {
        "plan_id": "M3",
        "kind": "mission",
        "name": "Israel",
        "lead": "MEDICEN",
        "planned": "2026-06-01",
        "held": "2026-11-02",
    },
    # M4 has no row: no date set; E-OV has a row without dates: no date set
    {"plan_id": "E-OV", "kind": "matchmaking", "name": "Brussels", "lead": "OV"},
    # unplanned, held
    {
        "plan_id": None,
        "kind": "other",
        "name": "Trade fair stand",
        "market": "usa_west",
        "lead": "HTS",
        "held": "2026-02-01",
    },
]


@pytest.fixture
def status() -> pd.DataFrame:
    return missions.activity_status(_plan(), _activities(ACTIVITIES), AS_OF)


# --- The roadmap's plan ----------------------------------------------------------------------


def test_the_plan_has_8_missions_4_roadshows_and_6_matchmaking_participations():
    plan = reference.activity_plan()
    assert plan["kind"].value_counts().to_dict() == {"mission": 8, "roadshow": 4, "matchmaking": 6}
    assert len(plan) == 18 and plan["plan_id"].is_unique
    assert set(plan["plan_id"]) == {f"M{i}" for i in range(1, 9)} | {f"R{i}" for i in range(1, 5)} | {
        f"E-{c}" for c in reference.CLUSTER_IDS
    }


def test_every_cluster_leads_at_least_one_mission_in_the_reference_data():
    load = missions.cluster_load(reference.activity_plan()).set_index("cluster")
    assert list(load.index) == list(reference.CLUSTER_IDS)
    assert load["leads_mission"].all()
    # §2.6 Table 2: OV leads missions 1 and 3, Optence 4 and 5, the others one each
    assert load["missions_led"].to_dict() == {"LITEK": 1, "OV": 2, "OPTENCE": 2, "HTS": 1, "MEDICEN": 1, "BIOCAT": 1}
    # co-organisers: Medicen 1 and 8, Litek 2 and 4, Biocat 3 and 6, HTS 5, Optence 7, OV none
    assert load["missions_co_organised"].to_dict() == {
        "LITEK": 2,
        "OV": 0,
        "OPTENCE": 1,
        "HTS": 1,
        "MEDICEN": 2,
        "BIOCAT": 2,
    }
    assert load["matchmaking_led"].to_dict() == dict.fromkeys(reference.CLUSTER_IDS, 1)
    assert load["missions_led"].sum() == 8


def test_four_missions_go_to_new_markets_and_four_revisit():
    novelty = missions.market_novelty(reference.activity_plan()).set_index("new_market")
    assert novelty.at[True, "missions"] == 4 and novelty.at[False, "missions"] == 4
    assert set(novelty.at[True, "markets"]) == {"south_korea", "israel", "australia", "japan"}


def test_cluster_load_counts_leads_and_co_organisations_on_a_hand_made_plan():
    load = missions.cluster_load(_plan(), ("OV", "BIOCAT", "MEDICEN", "LITEK", "OPTENCE")).set_index("cluster")
    assert load.at["OV", "missions_led"] == 1 and load.at["OV", "matchmaking_led"] == 1
    assert load.at["OV", "total"] == 2
    assert load.at["BIOCAT", "missions_co_organised"] == 2 and load.at["BIOCAT", "total"] == 3
    assert load.at["BIOCAT", "new_markets_led"] == 1 and load.at["OV", "new_markets_led"] == 0
    assert not load.at["OPTENCE", "leads_mission"] and load.at["OPTENCE", "total"] == 1


# --- Statuses at a date ----------------------------------------------------------------------


def test_each_status_on_a_hand_made_table(status):
    by_id = status[status["in_plan"]].set_index("plan_id")["status"].to_dict()
    assert by_id == {"M1": "done", "M2": "planned", "M3": "overdue", "M4": "no date set", "E-OV": "no date set"}
    late = status.set_index("plan_id").loc["M3"]
    assert late["days_overdue"] == (pd.Timestamp("2026-09-30") - pd.Timestamp("2026-06-01")).days
    assert pd.isna(late["held"])  # held after the date: not known yet


def test_an_unplanned_activity_is_shown_not_dropped(status):
    assert len(status) == 6  # 5 plan items + 1 unplanned
    unplanned = status[~status["in_plan"]].iloc[0]
    assert unplanned["status"] == "unplanned" and unplanned["name"] == "Trade fair stand"
    assert pd.isna(unplanned["plan_id"]) and unplanned["lead"] == "HTS" and unplanned["market"] == "usa_west"
    counts = missions.status_counts(status)
    assert counts.at["total", "unplanned"] == 1 and counts.at["other", "unplanned"] == 1
    assert counts.at["total", "plan items"] == 5
    assert counts.loc["mission", ["done", "planned", "overdue", "no date set"]].tolist() == [1, 1, 1, 1]


def test_the_date_moves_the_status():
    early = missions.activity_status(_plan(), _activities(ACTIVITIES), pd.Timestamp("2025-03-31"))
    by_id = early.set_index("plan_id")["status"]
    assert by_id["M1"] == "planned" and by_id["M3"] == "planned"
    late = missions.activity_status(_plan(), _activities(ACTIVITIES), pd.Timestamp("2026-12-31"))
    assert late.set_index("plan_id").at["M3", "status"] == "done"


def test_an_item_with_two_rows_takes_its_best_row():
    rows = [*ACTIVITIES, {"plan_id": "M3", "kind": "mission", "name": "Israel again", "held": "2026-09-01"}]
    status = missions.activity_status(_plan(), _activities(rows), AS_OF)
    assert (status["plan_id"] == "M3").sum() == 2  # both rows shown
    items = missions.item_status(status).set_index("plan_id")
    assert items.at["M3", "status"] == "done" and len(items) == 5


def test_an_unknown_plan_id_is_an_analysis_error():
    rows = [{"plan_id": "M9", "kind": "mission", "name": "Mars"}]
    with pytest.raises(AnalysisError, match="M9"):
        missions.activity_status(_plan(), _activities(rows), AS_OF)


def test_no_activities_recorded_leaves_every_item_without_a_date():
    status = missions.activity_status(_plan(), _activities([]), AS_OF)
    assert (status["status"] == "no date set").all() and len(status) == 5
    assert missions.plan_verdict(status).status == "on track"  # 5 undated items: at most 6
    assert missions.plan_verdict(status, VerdictRule(max_no_date=4)).status == "at risk"


# --- Verdict and next items ------------------------------------------------------------------


def test_verdict_by_the_stated_rule(status):
    verdict = missions.plan_verdict(status)
    assert verdict.status == "at risk" and verdict.overdue == 1 and verdict.most_days_overdue == 121
    assert verdict.no_date == 2
    assert missions.plan_verdict(status, VerdictRule(max_days_overdue=100)).status == "off track"
    assert missions.plan_verdict(status, VerdictRule(max_overdue=0)).status == "off track"
    rows = [r for r in ACTIVITIES if r["plan_id"] != "M3"]
    assert missions.plan_verdict(missions.activity_status(_plan(), _activities(rows), AS_OF)).status == "on track"


def test_next_and_overdue_items(status):
    assert missions.next_items(status)["plan_id"].tolist() == ["M2"]
    assert missions.overdue_items(status)["plan_id"].tolist() == ["M3"]


# --- What followed ---------------------------------------------------------------------------


def _ledger() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(
                [
                    "2025-05-10",  # the held day: in
                    "2025-06-15",  # in
                    "2025-08-08",  # the 90th day after: in
                    "2025-08-09",  # the 91st: out
                    "2025-04-20",  # before
                    "2025-06-01",  # another cluster's, in the window
                ]
            ),
            "kpi": [2, 7, 3, 2, 1, 4],
            "value": [1.0, 1.0, 2.0, 1.0, 1.0, 1.0],
            "cluster": ["OV", "OV", "OV", "OV", "OV", "HTS"],
            "evidence": ["MoU-1", None, "minutes", "x", "y", "z"],
        }
    )


def _ties() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["OV", "C1", "A01", "LITEK", "C2"],
            "target": ["A09", "A05", "LITEK", "HTS", "A01"],
            "type": "cooperation",
            "date": pd.to_datetime(["2025-05-20", "2025-06-01", "2025-07-01", "2025-07-02", "2025-12-01"]),
        }
    )


def test_the_follow_up_window_counts_the_right_ledger_entries_and_ties(status):
    companies = pd.DataFrame({"id": ["C1", "C2"], "cluster": ["OV", "HTS"]})
    affiliates = pd.DataFrame({"id": ["A01", "A05", "A09"], "market": ["canada", "japan", "israel"]})
    follow = missions.follow_up(status, _ledger(), _ties(), AS_OF, 90, companies, affiliates)
    canada = follow.set_index("plan_id").loc["M1"]
    assert canada["ledger_entries"] == 3 and canada["verified"] == 2 and canada["kpis"] == [2, 3, 7]
    assert canada["ledger_before"] == 1 and canada["ledger_all"] == 4
    # OV-A09 (the lead), C1-A05 (a company of the lead), A01-LITEK (an affiliate in Canada); LITEK-HTS not
    assert canada["ties"] == 3 and canada["ties_all"] == 4 and canada["ties_before"] == 0
    assert not canada["window_open"] and canada["window_end"] == pd.Timestamp("2025-08-08")
    shorter = missions.follow_up(status, _ledger(), _ties(), AS_OF, 40, companies, affiliates)
    assert shorter.set_index("plan_id").at["M1", "ledger_entries"] == 2


def test_follow_up_totals_count_an_entry_in_two_windows_once():
    rows = [
        *ACTIVITIES,
        {"plan_id": "E-OV", "kind": "matchmaking", "name": "Paris", "lead": "OV", "held": "2025-06-01"},
    ]
    rows = [r for r in rows if not (r["plan_id"] == "E-OV" and "held" not in r)]
    status = missions.activity_status(_plan(), _activities(rows), AS_OF)
    follow = missions.follow_up(status, _ledger(), _ties(), AS_OF, 90).set_index("plan_id")
    # M1's window (2025-05-10..08-08) holds 3 OV entries, E-OV's (2025-06-01..08-30) 06-15 and 08-08
    # of the same and 08-09: 4 distinct
    assert follow.at["M1", "ledger_entries"] == 3 and follow.at["E-OV", "ledger_entries"] == 3
    totals = missions.follow_up_totals(status, _ledger(), _ties(), AS_OF, 90)
    assert totals.activities == 3 and totals.ledger_after == 4
    # before: M1's 2025-04-20; E-OV's window before (2025-03-03..05-31) holds it and 2025-05-10
    assert follow.at["E-OV", "ledger_before"] == 2 and totals.ledger_before == 2
    assert totals.ties_after == 1  # OV-A09 only: no companies or affiliates given


def test_the_follow_up_lists_held_activities_only_unplanned_included(status):
    follow = missions.follow_up(status, _ledger(), _ties(), AS_OF, 90)
    assert follow["plan_id"].tolist()[0] == "M1" and len(follow) == 2  # M1 and the unplanned trade fair
    fair = follow.iloc[1]
    assert pd.isna(fair["plan_id"]) and fair["lead"] == "HTS" and fair["ledger_entries"] == 0


def test_a_window_still_open_is_cut_at_the_date(status):
    follow = missions.follow_up(status, _ledger(), _ties(), pd.Timestamp("2025-06-30 23:59:59"), 90)
    canada = follow.set_index("plan_id").loc["M1"]
    assert canada["window_open"] and canada["window_end"] == pd.Timestamp("2025-06-30")
    assert canada["ledger_entries"] == 2


def test_a_window_shorter_than_a_day_is_refused(status):
    with pytest.raises(AnalysisError, match="at least one day"):
        missions.follow_up(status, _ledger(), _ties(), AS_OF, 0)


# --- The sample ------------------------------------------------------------------------------


def test_the_samples_planted_overdue_item_is_overdue_at_2026q3():
    from lasergo.data import sample
    from lasergo.data.dataset import load_data

    quarter = pd.Period("2026Q3", freq="Q")
    data = load_data(SAMPLE)
    report = missions.missions_report(data.cut(quarter.end_time), quarter)
    items = report.items.set_index("plan_id")
    assert items.at[sample.OVERDUE_PLAN_ID, "status"] == "overdue"
    assert sample.OVERDUE_PLAN_ID in set(missions.overdue_items(report.status)["plan_id"])
    assert (~report.status["in_plan"]).sum() >= 1  # the planted unplanned activity is kept
    assert report.planned_total == 18
