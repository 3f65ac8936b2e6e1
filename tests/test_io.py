"""Loading and validation: every class of bad input is reported with its file, row and column."""

import pandas as pd
import pytest

from lasergo.data.dataset import load_data
from tests.conftest import VALID_TABLES, problems_of, replace_in, write_tables


def test_valid_folder_loads_with_types(valid_dir):
    data = load_data(valid_dir)
    assert list(data.companies["id"]) == ["C1", "C2", "C3"]
    assert data.companies["employees"].dtype == "Int64"
    assert data.companies["joined"].dtype == "datetime64[ns]"
    assert pd.isna(data.companies.loc[2, "rd_share_pct"])
    assert data.products["trl"].tolist() == [7, 6]
    assert data.market_figures.empty  # optional table absent
    assert not data.synthetic


def test_missing_file(valid_dir):
    (valid_dir / "products.csv").unlink()
    assert problems_of(valid_dir) == [
        f"{valid_dir / 'products.csv'}:-:-: missing file (expected products.csv or products.xlsx)"
    ]


def test_missing_column(valid_dir):
    replace_in(valid_dir, "kpi_ledger.csv", "date,kpi,value,cluster", "day,kpi,value,cluster")
    assert f"{valid_dir / 'kpi_ledger.csv'}:1:date: missing column" in problems_of(valid_dir)


def test_wrong_type_names_row_and_column(valid_dir):
    replace_in(
        valid_dir,
        "companies.csv",
        "MEDICEN,Beta Diagnostics,end_user;integrator,30,",
        "MEDICEN,Beta Diagnostics,end_user;integrator,thirty,",
    )
    assert problems_of(valid_dir) == [
        f"{valid_dir / 'companies.csv'}:3:employees: expected a whole number, got 'thirty'"
    ]


def test_bad_date(valid_dir):
    replace_in(valid_dir, "survey_waves.csv", "C1,2025-06-30", "C1,30/06/2025x")
    assert problems_of(valid_dir) == [
        f"{valid_dir / 'survey_waves.csv'}:3:wave_date: expected a date YYYY-MM-DD, got '30/06/2025x'"
    ]


def test_share_above_100_percent(valid_dir):
    replace_in(valid_dir, "companies.csv", "2.5,15,40,T08", "2.5,15,140,T08")
    [problem] = problems_of(valid_dir)
    assert problem.startswith(
        f"{valid_dir / 'companies.csv'}:2:export_share_pct: export share must be between 0 and 100"
    )


def test_trl_out_of_range(valid_dir):
    replace_in(valid_dir, "products.csv", "T20,6,", "T20,12,")
    [problem] = problems_of(valid_dir)
    assert problem.startswith(f"{valid_dir / 'products.csv'}:3:trl: TRL must be between 1 and 9")
    assert "12" in problem


def test_duplicate_id(valid_dir):
    replace_in(valid_dir, "products.csv", "P2,C2", "P1,C2")
    assert problems_of(valid_dir) == [f"{valid_dir / 'products.csv'}:3:id: duplicate 'P1'"]


def test_duplicate_company_and_wave(valid_dir):
    replace_in(valid_dir, "survey_waves.csv", "C1,2025-06-30,yearly", "C1,2024-02-01,yearly")
    problems = problems_of(valid_dir)
    assert any(p.startswith(f"{valid_dir / 'survey_waves.csv'}:3:company,wave_date: duplicate") for p in problems)


def test_unknown_cluster(valid_dir):
    replace_in(valid_dir, "kpi_ledger.csv", "2,1,LITEK", "2,1,LASERLAND")
    [problem] = problems_of(valid_dir)
    assert problem.startswith(f"{valid_dir / 'kpi_ledger.csv'}:3:cluster: unknown cluster id")
    assert "LASERLAND" in problem


def test_unknown_code_in_list_column(valid_dir):
    replace_in(valid_dir, "companies.csv", "T08;T35", "T08;T99")
    [problem] = problems_of(valid_dir)
    assert problem.startswith(f"{valid_dir / 'companies.csv'}:2:technology_uses: unknown technology use")
    assert "T99" in problem


def test_unknown_company_in_products(valid_dir):
    replace_in(valid_dir, "products.csv", "P2,C2", "P2,C9")
    assert problems_of(valid_dir) == [
        f"{valid_dir / 'products.csv'}:3:company: unknown company id 'C9' (not in companies.csv)"
    ]


def test_empty_file(valid_dir):
    (valid_dir / "kpi_ledger.csv").write_text("", encoding="utf-8")
    assert problems_of(valid_dir) == [f"{valid_dir / 'kpi_ledger.csv'}:-:-: empty file (no header row)"]


def test_unreadable_encoding(valid_dir):
    text = VALID_TABLES["companies.csv"].replace("Beta Diagnostics", "Bêta Diagnostics")
    (valid_dir / "companies.csv").write_bytes(text.encode("latin-1"))
    [problem] = problems_of(valid_dir)
    assert problem.startswith(f"{valid_dir / 'companies.csv'}:3:-: not UTF-8 text")


def test_required_value_missing(valid_dir):
    replace_in(valid_dir, "products.csv", "P1,C1,Q-switch module,T08,7", "P1,C1,Q-switch module,T08,")
    assert problems_of(valid_dir) == [f"{valid_dir / 'products.csv'}:2:trl: value is required"]


def test_all_problems_collected_across_files(valid_dir):
    replace_in(valid_dir, "products.csv", "T20,6,", "T20,12,")
    replace_in(valid_dir, "kpi_ledger.csv", "2,1,LITEK", "9,1,LITEK")
    (valid_dir / "survey_waves.csv").unlink()
    problems = problems_of(valid_dir)
    assert len(problems) == 3
    assert {p.split(":-:")[0].split(":")[0] for p in problems} == {
        str(valid_dir / "products.csv"),
        str(valid_dir / "kpi_ledger.csv"),
        str(valid_dir / "survey_waves.csv"),
    }


def test_xlsx_is_accepted_and_located(tmp_path, valid_dir):
    folder = write_tables(tmp_path / "xlsx", {k: v for k, v in VALID_TABLES.items() if k != "products.csv"})
    products = pd.read_csv(valid_dir / "products.csv", dtype=str)
    products.loc[1, "trl"] = "12"
    products.to_excel(folder / "products.xlsx", index=False)
    [problem] = problems_of(folder)
    assert problem.startswith(f"{folder / 'products.xlsx'}:3:trl: TRL must be between 1 and 9")
    products.loc[1, "trl"] = "6"
    products.to_excel(folder / "products.xlsx", index=False)
    assert load_data(folder).products["trl"].tolist() == [7, 6]


def test_both_csv_and_xlsx_is_ambiguous(valid_dir):
    pd.read_csv(valid_dir / "products.csv").to_excel(valid_dir / "products.xlsx", index=False)
    [problem] = problems_of(valid_dir)
    assert "both products.csv and products.xlsx exist" in problem


def test_market_figures_low_above_value(valid_dir):
    (valid_dir / "market_figures.csv").write_text(
        "market,segment,year,value_m,low_m,high_m,currency,source,note\n"
        "japan,medical_devices,2013,30200,31000,,USD,ITA 2016,\n"
        "canada,medical_devices,2015,6200,,,XYZ,ITA 2016,\n",
        encoding="utf-8",
    )
    problems = problems_of(valid_dir)
    path = valid_dir / "market_figures.csv"
    assert any(p.startswith(f"{path}:2:") and "low_m is above value_m" in p for p in problems)
    assert any(p.startswith(f"{path}:3:currency: unknown currency") for p in problems)


def test_cut_at_quarter_end_drops_later_records(valid_dir):
    data = load_data(valid_dir).cut(pd.Timestamp("2024-12-31 23:59:59"))
    assert list(data.companies["id"]) == ["C1", "C2"]
    assert data.survey_waves["wave_date"].max() == pd.Timestamp("2024-03-01")
    assert len(data.kpi_ledger) == 1
    assert load_data(valid_dir).latest_date() == pd.Timestamp("2025-06-30")


def test_ledger_date_in_the_future(valid_dir):
    replace_in(valid_dir, "kpi_ledger.csv", "2025-02-01,2,1,LITEK", "2099-02-01,2,1,LITEK")
    assert problems_of(valid_dir) == [f"{valid_dir / 'kpi_ledger.csv'}:3:date: date is in the future (got 2099-02-01)"]


SWOT_HEADER = "expert,matrix,row,column,value,note\n"


def full_swot_judgements(expert="E1") -> str:
    """Every pair of every SWOT matrix judged 'equal' by one expert."""
    from itertools import combinations

    from lasergo.data import reference

    factors = reference.swot_factors()
    items = {"groups": ["S", "W", "O", "T"], **{g: list(factors.loc[factors["group"] == g, "id"]) for g in "SWOT"}}
    return "".join(f"{expert},{m},{a},{b},1,\n" for m, its in items.items() for a, b in combinations(its, 2))


def test_swot_judgements_accept_fractions(valid_dir):
    text = SWOT_HEADER + full_swot_judgements().replace("E1,W,W1,W2,1,", "E1,W,W1,W2,1/3,")
    (valid_dir / "swot_judgements.csv").write_text(text, encoding="utf-8")
    judgements = load_data(valid_dir).swot_judgements
    value = judgements.loc[(judgements["row"] == "W1") & (judgements["column"] == "W2"), "value"].item()
    assert value == pytest.approx(1 / 3)


def test_swot_judgement_out_of_range_unknown_factor_and_missing_group(valid_dir):
    lines = full_swot_judgements().splitlines(keepends=True)
    lines = [line for line in lines if ",T," not in line]  # no threats matrix at all
    lines[0] = lines[0].replace(",1,", ",12,")  # groups S/W judged 12
    lines[1] = lines[1].replace(",S,O,", ",S,Z9,")  # unknown item
    (valid_dir / "swot_judgements.csv").write_text(SWOT_HEADER + "".join(lines), encoding="utf-8")
    path = valid_dir / "swot_judgements.csv"
    problems = problems_of(valid_dir)
    assert f"{path}:2:value: judgement must be between 1/9 and 9 (got 12)" in problems
    assert any(p.startswith(f"{path}:3:column: 'Z9' is not an item of matrix groups") for p in problems)
    assert any(p.startswith(f"{path}:-:matrix: no judgements for matrix T (threats)") for p in problems)


def test_swot_matrix_that_cannot_be_completed(valid_dir):
    lines = [
        line for line in full_swot_judgements().splitlines(keepends=True) if not (",O," in line and "O3" in line)
    ]  # O3 compared with nothing
    (valid_dir / "swot_judgements.csv").write_text(SWOT_HEADER + "".join(lines), encoding="utf-8")
    [problem] = problems_of(valid_dir)
    assert "O3 not linked by any chain of comparisons" in problem and ":row:" in problem


# --- Rows as an editor shows them, and inputs a careless supplier writes ---------------------


def test_rows_count_blank_and_comma_only_lines(valid_dir):
    path = valid_dir / "products.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # header, P1, blank, comma-only, P2 with a bad TRL: P2 stands on line 5 of the file
    path.write_text("\n".join([lines[0], lines[1], "", ",,,,,,", lines[2].replace(",6,", ",12,")]) + "\n")
    assert problems_of(valid_dir) == [f"{path}:5:trl: TRL must be between 1 and 9 (got 12)"]


def test_line_with_too_many_fields_is_located_and_other_problems_still_listed(valid_dir):
    path = valid_dir / "products.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("P1,C1,Q-switch module", "P1,C1,Q-switch, module").replace(",6,", ",12,")
    path.write_text(text, encoding="utf-8")
    assert problems_of(valid_dir) == [
        f"{path}:2:-: 8 fields where the header has 7 (a comma inside a value needs quotes)",
        f"{path}:3:trl: TRL must be between 1 and 9 (got 12)",
    ]


def test_semicolon_separated_file_gets_one_hint(valid_dir):
    path = valid_dir / "products.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    [problem] = problems_of(valid_dir)
    assert problem.startswith(f"{path}:1:-: the columns are separated by semicolons")


@pytest.mark.parametrize("infinity", ["inf", "-inf", "1e999", "Infinity"])
def test_infinities_are_refused(valid_dir, infinity):
    replace_in(valid_dir, "companies.csv", ",2.5,15,40,", f",{infinity},15,40,")
    assert problems_of(valid_dir) == [
        f"{valid_dir / 'companies.csv'}:2:revenue_eur_m: expected a finite number, got '{infinity}'"
    ]


def test_joining_date_in_the_future(valid_dir):
    replace_in(valid_dir, "companies.csv", "direct,2024-02-01", "direct,2099-02-01")
    assert problems_of(valid_dir) == [
        f"{valid_dir / 'companies.csv'}:2:joined: joining date is in the future (got 2099-02-01)"
    ]


def test_misspelled_optional_table_is_warned_about(valid_dir):
    (valid_dir / "market_figure.csv").write_text("market,segment\n", encoding="utf-8")
    (valid_dir / "notes.csv").write_text("anything\n", encoding="utf-8")
    data = load_data(valid_dir)
    assert data.warnings == (
        "market_figure.csv is not read: no table has that name (did you mean market_figures.csv?)",
    )


def test_misspelled_required_table_is_named_in_the_problem(valid_dir):
    (valid_dir / "products.csv").rename(valid_dir / "product.csv")
    [problem] = problems_of(valid_dir)
    assert problem.endswith(
        "missing file (expected products.csv or products.xlsx; product.csv is there: a misspelling?)"
    )


def test_percent_formatted_xlsx_share_is_refused(tmp_path):
    import openpyxl

    folder = write_tables(tmp_path / "xlsx", {k: v for k, v in VALID_TABLES.items() if k != "companies.csv"})
    companies = pd.read_csv(pd.io.common.StringIO(VALID_TABLES["companies.csv"]), dtype=str)
    companies.to_excel(folder / "companies.xlsx", index=False)
    book = openpyxl.load_workbook(folder / "companies.xlsx")
    cell = book.active.cell(row=3, column=list(companies.columns).index("export_share_pct") + 1)
    cell.value, cell.number_format = 0.514, "0.0%"
    book.save(folder / "companies.xlsx")
    [problem] = problems_of(folder)
    assert problem.startswith(
        f"{folder / 'companies.xlsx'}:3:export_share_pct: the cell is formatted as percent (51.4%)"
    )


def test_xlsx_rows_count_blank_rows(tmp_path, valid_dir):
    import openpyxl

    folder = write_tables(tmp_path / "xlsx", {k: v for k, v in VALID_TABLES.items() if k != "products.csv"})
    products = pd.read_csv(valid_dir / "products.csv", dtype=str)
    products.loc[1, "trl"] = "12"
    products.to_excel(folder / "products.xlsx", index=False)
    book = openpyxl.load_workbook(folder / "products.xlsx")
    book.active.insert_rows(3)  # a blank row between P1 and P2: P2 moves to row 4
    book.save(folder / "products.xlsx")
    [problem] = problems_of(folder)
    assert problem.startswith(f"{folder / 'products.xlsx'}:4:trl: TRL must be between 1 and 9")
