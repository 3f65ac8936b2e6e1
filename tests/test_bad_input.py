"""The bad-input battery: one data folder per class of bad input, each run through
``lasergo validate`` and ``lasergo report`` against a reports folder holding a published quarter.
Each must exit 2 with a message at the right ``file:row:column`` and leave the published quarter
byte-identical. The table of cases is printed (pytest -s or -rA shows it)."""

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from lasergo.cli import main
from tests.conftest import VALID_TABLES, write_tables


def edit(file: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"case setup: {old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def write(file: str, content: str | bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / file
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content, encoding="utf-8")

    return apply


def remove(file: str) -> Callable[[Path], None]:
    return lambda folder: (folder / file).unlink()


QUESTIONS = (
    "id,group,type,text,options\n"
    "Q01,opportunities,likert,How useful is the partnership?,\n"
    "Q02,resources_barriers,multiple,Which barriers?,regulation;funding;finding_partners\n"
)
RESPONSES = "respondent,respondent_type,cluster,sector,date,question,answer\n"


def survey(*answers: str) -> Callable[[Path], None]:
    """A questionnaire and one row per answer (``type,question,answer``) of respondent R001."""

    def apply(folder: Path) -> None:
        write("survey_questions.csv", QUESTIONS)(folder)
        rows = [f"R001,{kind},HTS,health_tech,2026-03-02,{rest}\n" for kind, rest in (a.split(",", 1) for a in answers)]
        write("survey_responses.csv", RESPONSES + "".join(rows))(folder)

    return apply


def blank_lines_before_bad_trl(folder: Path) -> None:
    path = folder / "products.csv"
    header, first, second = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, first, "", ",,,,,,", second.replace(",6,", ",12,")]) + "\n", encoding="utf-8")


def percent_formatted_xlsx(folder: Path) -> None:
    import openpyxl
    import pandas as pd

    companies = pd.read_csv(folder / "companies.csv", dtype=str)
    (folder / "companies.csv").unlink()
    companies.to_excel(folder / "companies.xlsx", index=False)
    book = openpyxl.load_workbook(folder / "companies.xlsx")
    cell = book.active.cell(row=2, column=list(companies.columns).index("export_share_pct") + 1)
    cell.value, cell.number_format = 0.514, "0.0%"
    book.save(folder / "companies.xlsx")


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[Path], None]
    file: str
    place: str  # row:column as the message gives it
    message: str


CASES = [
    Case("missing table", remove("products.csv"), "products.csv", "-:-", "missing file"),
    Case(
        "misspelled table",
        lambda f: (f / "products.csv").rename(f / "product.csv"),
        "products.csv",
        "-:-",
        "product.csv is there",
    ),
    Case(
        "missing column",
        edit("companies.csv", "rd_share_pct", "rd_share"),
        "companies.csv",
        "1:rd_share_pct",
        "missing column",
    ),
    Case(
        "text for a number",
        edit("companies.csv", ",30,6.0,", ",thirty,6.0,"),
        "companies.csv",
        "3:employees",
        "expected a whole number",
    ),
    Case("bad date", edit("kpi_ledger.csv", "2025-02-01", "2025-02-30"), "kpi_ledger.csv", "3:date", "expected a date"),
    Case(
        "date in the future",
        edit("kpi_ledger.csv", "2025-02-01", "2099-02-01"),
        "kpi_ledger.csv",
        "3:date",
        "in the future",
    ),
    Case(
        "joining date in the future",
        edit("companies.csv", "direct,2024-02-01", "direct,2099-02-01"),
        "companies.csv",
        "2:joined",
        "in the future",
    ),
    Case(
        "share above 100",
        edit("companies.csv", ",2.5,15,40,", ",2.5,15,140,"),
        "companies.csv",
        "2:export_share_pct",
        "between 0 and 100",
    ),
    Case(
        "infinity",
        edit("companies.csv", ",2.5,15,40,", ",inf,15,40,"),
        "companies.csv",
        "2:revenue_eur_m",
        "expected a finite number",
    ),
    Case(
        "huge number",
        edit("companies.csv", ",2.5,15,40,", ",1e999,15,40,"),
        "companies.csv",
        "2:revenue_eur_m",
        "expected a finite number",
    ),
    Case("duplicate id", edit("products.csv", "P2,C2", "P1,C2"), "products.csv", "3:id", "duplicate"),
    Case(
        "unknown code",
        edit("companies.csv", "LITEK,Alpha", "LITECH,Alpha"),
        "companies.csv",
        "2:cluster",
        "unknown cluster",
    ),
    Case("unknown company", edit("products.csv", "P2,C2", "P2,C9"), "products.csv", "3:company", "unknown company id"),
    Case("empty file", write("kpi_ledger.csv", ""), "kpi_ledger.csv", "-:-", "empty file"),
    Case(
        "not UTF-8",
        write("products.csv", VALID_TABLES["products.csv"].replace("OCT", "\u00d6CT").encode("latin-1")),
        "products.csv",
        "3:-",
        "not UTF-8",
    ),
    Case(
        "semicolons",
        write("products.csv", VALID_TABLES["products.csv"].replace(",", ";")),
        "products.csv",
        "1:-",
        "separated by semicolons",
    ),
    Case("blank lines before a bad row", blank_lines_before_bad_trl, "products.csv", "5:trl", "TRL must be"),
    Case(
        "too many fields",
        edit("products.csv", "Q-switch module", "Q-switch, module"),
        "products.csv",
        "2:-",
        "8 fields where the header has 7",
    ),
    Case(
        "percent-formatted XLSX share",
        percent_formatted_xlsx,
        "companies.xlsx",
        "2:export_share_pct",
        "formatted as percent",
    ),
    Case(
        "bad SWOT judgement",
        write("swot_judgements.csv", "expert,matrix,row,column,value,note\nA,groups,S,W,12,\n"),
        "swot_judgements.csv",
        "2:value",
        "between 1/9 and 9",
    ),
    Case(
        "market figure without euro rate",
        write(
            "market_figures.csv",
            "market,segment,year,value_m,low_m,high_m,currency,source,note\n"
            "israel,medical_devices,2018,7000,,,ILS,a survey,\n",
        ),
        "market_figures.csv",
        "2:currency",
        "no euro rate for ILS in 2018",
    ),
    Case("bad dataset.json", write("dataset.json", "{synthetic: yes"), "dataset.json", "-:-", "not a JSON object"),
    Case(
        "tie to an unknown node",
        write(
            "ties.csv", "source,target,type,date,evidence\nLITEK,OV,cooperation,2024-01-15,\nC1,C9,mou,2025-05-20,\n"
        ),
        "ties.csv",
        "3:target",
        "unknown node 'C9': not a cluster, affiliate or company id",
    ),
    Case(
        "TRL 10 in scouting",
        write(
            "scouting.csv",
            "date,cluster,technology_use,market,organisation_type,organisation,trl,novelty,market_need,source\n"
            "2025-04-14,OV,T20,japan,system_maker,,10,4,5,\n",
        ),
        "scouting.csv",
        "2:trl",
        "TRL must be between 1 and 9",
    ),
    Case(
        "novelty 0 in scouting",
        write(
            "scouting.csv",
            "date,cluster,technology_use,market,organisation_type,organisation,trl,novelty,market_need,source\n"
            "2025-04-14,OV,T20,japan,system_maker,,6,4,5,\n"
            "2025-04-15,OV,T20,japan,system_maker,,6,0,5,\n",
        ),
        "scouting.csv",
        "3:novelty",
        "novelty must be between 1 and 5",
    ),
    Case(
        "feedback usefulness 6",
        write("feedback.csv", "date,cluster,contact_type,usefulness,concern,text\n2025-11-03,MEDICEN,customer,6,,\n"),
        "feedback.csv",
        "2:usefulness",
        "usefulness must be between 1 and 5",
    ),
    Case(
        "affiliate in a market not targeted",
        write(
            "affiliates.csv",
            "id,name,market,type,sector,shortlisted,interviewed,mou_signed\n"
            "A01,Council,japan,cluster_association,both,2024-06-01,,\n"
            "A02,Agency,usa,distributor,both,2024-06-01,,\n",
        ),
        "affiliates.csv",
        "3:market",
        "not a target market",
    ),
    Case(
        "survey answer outside the scale",
        survey("sme,Q01,6", "sme,Q02,funding"),
        "survey_responses.csv",
        "2:answer",
        "answer '6' is outside the scale 1-5 of likert question Q01",
    ),
    Case(
        "unknown question id",
        survey("sme,Q01,4", "sme,Q03,funding"),
        "survey_responses.csv",
        "3:question",
        "unknown question id 'Q03' (not in survey_questions.csv)",
    ),
    Case(
        "unknown respondent type",
        survey("sme,Q01,4", "company,Q02,funding"),
        "survey_responses.csv",
        "3:respondent_type",
        "unknown respondent type",
    ),
    Case(
        "choice not among the options",
        survey("sme,Q01,4", "sme,Q02,funding;taxes"),
        "survey_responses.csv",
        "3:answer",
        "'taxes' not among the options of question Q02",
    ),
]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path]:
    """A reports folder with a published quarter (from a one-page notebook folder)."""
    root = tmp_path_factory.mktemp("battery")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    page = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "lasergo", "display_name": "LASER-GO workbook", "language": "python"}},
        cells=[
            nbformat.v4.new_markdown_cell("# A page"),
            nbformat.v4.new_code_cell("quarter = None\ndata_dir = None\nseed = 1", metadata={"tags": ["parameters"]}),
        ],
    )
    nbformat.write(page, notebooks / "10_page.ipynb")
    out = root / "reports"
    data = write_tables(root / "valid", VALID_TABLES)
    assert main(["report", "--data", str(data), "--out", str(out), "--notebooks", str(notebooks)]) == 0
    return notebooks, out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_is_located_and_leaves_the_published_quarter(case, published, tmp_path, capsys):
    notebooks, out = published
    folder = write_tables(tmp_path / "data", VALID_TABLES)
    case.change(folder)
    before = snapshot(out)
    expected = f"{folder / case.file}:{case.place}: "

    assert main(["validate", "--data", str(folder)]) == 2
    validate_err = capsys.readouterr().err
    assert main(["report", "--data", str(folder), "--out", str(out), "--notebooks", str(notebooks)]) == 2
    report_err = capsys.readouterr().err
    for err in (validate_err, report_err):
        line = next((line for line in err.splitlines() if line.startswith(expected)), None)
        assert line is not None and case.message in line, (case.name, err)
    assert snapshot(out) == before
    with capsys.disabled():
        print(f"\n  {case.name:34} exit 2  {case.file}:{case.place}: {line.split(': ', 1)[1][:70]}", end="")


def test_misspelled_optional_table_is_a_warning_not_an_error(tmp_path, capsys):
    folder = write_tables(tmp_path / "data", VALID_TABLES)
    shutil.copy(folder / "products.csv", folder / "market_figure.csv")
    assert main(["validate", "--data", str(folder)]) == 0
    assert "warning: market_figure.csv is not read" in capsys.readouterr().err
