"""The eight optional tables of the partnership's activities: read when present, empty with their
columns when absent, checked within and across tables, cut at a date."""

from pathlib import Path

import pandas as pd
import pytest

from lasergo.data.dataset import load_data
from lasergo.data.schemas import TABLES
from tests.conftest import VALID_TABLES, problems_of, replace_in, write_tables

ACTIVITY_TABLES = {
    "scouting.csv": (
        "date,cluster,technology_use,market,organisation_type,organisation,trl,novelty,market_need,source\n"
        "2025-04-14,OV,T20,japan,system_maker,Tokyo Eye Devices,6,4,5,MEDTEC Japan 2025\n"
        "2025-07-02,,T08,canada,research,,3,2,3,\n"
    ),
    "affiliates.csv": (
        "id,name,market,type,sector,shortlisted,interviewed,mou_signed\n"
        "A01,Japan Photonics Council,japan,cluster_association,both,2024-06-01,2024-09-15,2025-02-20\n"
        "A02,Korea Med Agency,south_korea,business_support_agency,health_tech,2024-07-01,2025-05-10,\n"
        "A03,Sydney Optics,australia,distributor,photonics,2025-08-01,,\n"
    ),
    "ties.csv": (
        "source,target,type,date,evidence\n"
        "LITEK,OV,cooperation,2024-01-15,\n"
        "C1,A01,distribution,2025-05-20,contract-7\n"
        "MEDICEN,C2,joint_project,2025-08-01,\n"
    ),
    "activities.csv": (
        "plan_id,kind,name,market,lead,planned,held,participants,evidence\n"
        "M8,mission,Innovation mission to Japan,japan,BIOCAT,2027-10-12,,,\n"
        "R1,roadshow,Roadshow Canada,canada,OV,2025-05-01,2025-05-03,7,report-R1\n"
        "E-LITEK,matchmaking,Matchmaking Denmark,,LITEK,2025-09-01,2025-09-02,5,report-E\n"
        ",other,Webinar,,HTS,,2025-10-01,30,\n"
    ),
    "survey_questions.csv": (
        "id,group,type,text,options\n"
        "Q01,opportunities,likert,How useful is the partnership?,\n"
        "Q02,opportunities,single,Which market first?,japan;canada;israel\n"
        "Q03,resources_barriers,multiple,Which barriers?,regulation;funding;finding_partners\n"
        "Q04,market_needs,text,What else?,\n"
    ),
    "survey_responses.csv": (
        "respondent,respondent_type,cluster,sector,date,question,answer\n"
        "R001,sme,HTS,health_tech,2026-03-02,Q01,4\n"
        "R001,sme,HTS,health_tech,2026-03-02,Q02,japan\n"
        "R001,sme,HTS,health_tech,2026-03-02,Q03,regulation;funding\n"
        "R001,sme,HTS,health_tech,2026-03-02,Q04,OCT in Korea\n"
        "R002,stakeholder,OV,photonics,2025-03-05,Q01,2\n"
    ),
    "feedback.csv": (
        "date,cluster,contact_type,usefulness,concern,text\n"
        "2025-11-03,MEDICEN,customer,4,certification,asked about CE marking\n"
        "2025-05-04,OV,partner,5,,\n"
    ),
    "rd_funding.csv": (
        "date,cluster,project,amount_eur_m,cofunding_eur_m,evidence\n"
        "2026-01-15,OPTENCE,OCT-Screen,1.8,0.6,GA-1\n"
        "2025-02-01,HTS,Sens,0.9,,\n"
    ),
}
NEW = [name.removesuffix(".csv") for name in ACTIVITY_TABLES]


@pytest.fixture
def full_dir(tmp_path: Path) -> Path:
    return write_tables(tmp_path / "data", {**VALID_TABLES, **ACTIVITY_TABLES})


def test_the_new_tables_are_optional_and_empty_with_their_columns(valid_dir):
    data = load_data(valid_dir)
    for name in NEW:
        assert not TABLES[name].required
        frame = getattr(data, name)
        assert frame.empty
        assert list(frame.columns) == list(TABLES[name].schema().columns), name
    assert data.scouting["date"].dtype == "datetime64[ns]"
    assert data.scouting["trl"].dtype == "Int64"


def test_the_new_tables_load_with_types(full_dir):
    data = load_data(full_dir)
    assert [len(getattr(data, name)) for name in NEW] == [2, 3, 3, 4, 4, 5, 2, 2]
    assert data.scouting["trl"].tolist() == [6, 3]
    assert pd.isna(data.scouting.loc[1, "cluster"])
    assert data.affiliates["mou_signed"].dtype == "datetime64[ns]"
    assert data.activities["planned"].max() == pd.Timestamp("2027-10-12")  # planned dates may be ahead
    assert data.activities["participants"].dtype == "Int64"
    assert data.rd_funding["amount_eur_m"].sum() == pytest.approx(2.7)
    assert data.survey_responses["answer"].tolist()[:3] == ["4", "japan", "regulation;funding"]


def test_latest_date_still_ignores_the_new_tables(full_dir):
    # the report quarter comes from the KPI ledger and survey waves only
    assert load_data(full_dir).latest_date() == pd.Timestamp("2025-06-30")


def test_cut_drops_later_rows_and_blanks_later_steps(full_dir):
    cut = load_data(full_dir).cut(pd.Timestamp("2025-06-30"))
    assert cut.scouting["date"].tolist() == [pd.Timestamp("2025-04-14")]
    assert cut.ties["date"].max() == pd.Timestamp("2025-05-20")
    assert cut.survey_responses["respondent"].tolist() == ["R002"]
    assert cut.feedback["date"].tolist() == [pd.Timestamp("2025-05-04")]
    assert cut.rd_funding["project"].tolist() == ["Sens"]
    affiliates = cut.affiliates.set_index("id")
    assert list(affiliates.index) == ["A01", "A02"]  # A03 shortlisted later
    assert affiliates.at["A01", "mou_signed"] == pd.Timestamp("2025-02-20")
    assert affiliates.at["A02", "interviewed"] == pd.Timestamp("2025-05-10")
    activities = cut.activities.set_index("plan_id", drop=False)
    # the plan and planned dates are known before; what happened later is not
    assert activities["plan_id"].tolist() == ["M8", "R1", "E-LITEK"]
    assert activities.at["R1", "participants"] == 7
    assert pd.isna(activities.at["E-LITEK", "held"])
    assert pd.isna(activities.at["E-LITEK", "participants"]) and pd.isna(activities.at["E-LITEK", "evidence"])
    assert activities.at["E-LITEK", "planned"] == pd.Timestamp("2025-09-01")
    earlier = load_data(full_dir).cut(pd.Timestamp("2025-03-31")).affiliates.set_index("id")
    assert pd.isna(earlier.at["A02", "interviewed"])


@pytest.mark.parametrize(
    "file, old, new, expected",
    [
        ("ties.csv", "C1,A01", "C1,A09", "ties.csv:3:target: unknown node 'A09'"),
        ("ties.csv", "C1,A01", "C7,A01", "ties.csv:3:source: unknown node 'C7'"),
        ("ties.csv", "MEDICEN,C2", "C2,C2", "ties.csv:4:target: a tie of a node to itself"),
        ("scouting.csv", ",6,4,5,", ",0,4,5,", "scouting.csv:2:trl: TRL must be between 1 and 9"),
        ("scouting.csv", ",6,4,5,", ",6,4,6,", "scouting.csv:2:market_need: market need must be between 1 and 5"),
        ("scouting.csv", "T20,japan", "T20,usa", "scouting.csv:2:market: not a target market"),
        (
            "affiliates.csv",
            "A02,Korea Med Agency,south_korea",
            "A02,Korea Med Agency,singapore",
            "affiliates.csv:3:market: not a target market",
        ),
        (
            "affiliates.csv",
            "2024-09-15,2025-02-20",
            "2024-09-15,2024-08-20",
            "affiliates.csv:2:mou_signed: mou_signed is before the step before it",
        ),
        (
            "affiliates.csv",
            "2024-06-01,2024-09-15",
            "2024-06-01,2024-05-15",
            "affiliates.csv:2:interviewed: interviewed is before shortlisted",
        ),
        ("affiliates.csv", "A03,Sydney", "HTS,Sydney", "affiliates.csv:4:id: 'HTS' is already a cluster or company id"),
        ("activities.csv", "M8,mission", "M9,mission", "activities.csv:2:plan_id: unknown plan id 'M9'"),
        ("activities.csv", "R1,roadshow", "M1,roadshow", "activities.csv:3:kind: plan item M1 is a mission"),
        ("activities.csv", ",7,report-R1", ",-1,report-R1", "activities.csv:3:participants: participants must be 0"),
        ("feedback.csv", ",4,certification,", ",6,certification,", "feedback.csv:2:usefulness: usefulness must be"),
        ("feedback.csv", ",4,certification,", ",4,taxes,", "feedback.csv:2:concern: unknown concern"),
        ("rd_funding.csv", ",1.8,0.6,", ",-1.8,0.6,", "rd_funding.csv:2:amount_eur_m: amount must be 0 or more"),
        ("survey_responses.csv", "Q01,4", "Q01,7", "survey_responses.csv:2:answer: answer '7' is outside the scale"),
        ("survey_responses.csv", "Q01,4", "Q01,4.0", "survey_responses.csv:2:answer: answer '4.0' is outside"),
        (
            "survey_responses.csv",
            "Q02,japan",
            "Q02,japan;canada",
            "survey_responses.csv:3:answer: answer 'japan;canada'",
        ),
        ("survey_responses.csv", "Q03,regulation;funding", "Q03,regulation;money", "survey_responses.csv:4:answer:"),
        ("survey_responses.csv", "Q04,OCT", "Q09,OCT", "survey_responses.csv:5:question: unknown question id 'Q09'"),
        ("survey_responses.csv", "R001,sme,HTS", "R001,company,HTS", "survey_responses.csv:2:respondent_type:"),
        (
            "survey_responses.csv",
            "R001,sme,HTS,health_tech,2026-03-02,Q02",
            "R001,sme,HTS,photonics,2026-03-02,Q02",
            "survey_responses.csv:3:sector: respondent R001 has sector 'health_tech' in most of its rows",
        ),
    ],
)
def test_each_bad_cell_gives_one_located_problem(full_dir, file, old, new, expected):
    replace_in(full_dir, file, old, new)
    found = problems_of(full_dir)
    assert len(found) == 1, found
    assert found[0].startswith(f"{full_dir / expected}"), found


def test_a_second_answer_to_a_question_is_a_duplicate(full_dir):
    replace_in(full_dir, "survey_responses.csv", "Q02,japan", "Q01,3")
    found = problems_of(full_dir)
    assert {p.split(": ", 1)[0] for p in found} == {f"{full_dir / 'survey_responses.csv'}:3:respondent,question"}
    assert all("duplicate" in p for p in found)


def test_bad_survey_questions_are_located(full_dir):
    replace_in(full_dir, "survey_questions.csv", "likert,How useful is the partnership?,", "likert,How?,a;b")
    replace_in(full_dir, "survey_questions.csv", "Which market first?,japan;canada;israel", "Which market first?,")
    file = full_dir / "survey_questions.csv"
    assert problems_of(full_dir) == [
        f"{file}:2:options: a likert or text question has no options",
        f"{file}:3:options: a single or multiple question needs at least two options",
    ]


def test_answers_without_a_questionnaire_are_unknown_questions(full_dir):
    (full_dir / "survey_questions.csv").unlink()
    found = problems_of(full_dir)
    assert len(found) == 5
    file = full_dir / "survey_responses.csv"
    assert found[0] == f"{file}:2:question: unknown question id 'Q01' (there is no survey_questions table)"


def test_ties_name_companies_and_affiliates_of_the_same_folder(full_dir):
    (full_dir / "affiliates.csv").unlink()
    assert problems_of(full_dir) == [
        f"{full_dir / 'ties.csv'}:3:target: unknown node 'A01': not a cluster, affiliate or company id"
    ]


def test_a_respondents_usual_value_is_its_most_common_and_of_equals_the_first_met():
    from lasergo.data.validation import check_survey_tables

    responses = pd.DataFrame(
        {
            "respondent": ["R1", "R1", "R1", "R2", "R2", "R3"],
            "respondent_type": ["sme"] * 6,
            "cluster": ["HTS"] * 6,
            "sector": ["photonics", "health_tech", "health_tech", "health_tech", "photonics", None],
        },
        index=range(6),
    )
    found = check_survey_tables({"survey_responses": responses}, {"survey_responses": "r.csv"})
    # R1: two health_tech against one photonics; R2: one each, health_tech met first; R3: blank only
    assert [(p.row, p.column, p.message) for p in found] == [
        (2, "sector", "respondent R1 has sector 'health_tech' in most of its rows"),
        (6, "sector", "respondent R2 has sector 'health_tech' in most of its rows"),
    ]
