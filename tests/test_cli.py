"""The command line: help, validate's exit status, parameter checks before anything runs."""

import subprocess
import sys

import pytest

from lasergo import cli
from lasergo.cli import main, parse_parameter
from lasergo.errors import AnalysisError
from tests.conftest import SAMPLE


def test_help_explains_every_command():
    out = subprocess.run([sys.executable, "-m", "lasergo.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("report", "validate", "sample-data"):
        assert command in out.stdout


def test_parameters_are_read_as_the_type_of_their_default():
    from lasergo.pipeline.parameters import checked_value

    assert parse_parameter("n_draws=20000") == ("n_draws", "20000")
    assert checked_value("n_draws", "20000", 2000) == 20000
    assert checked_value("internal", "True", False) is True
    assert parse_parameter("label=Q4 draft") == ("label", "Q4 draft")
    assert checked_value("label", "Q4 draft", "draft") == "Q4 draft"


def test_validate_sample_is_ok(capsys):
    assert main(["validate", "--data", str(SAMPLE)]) == 0
    assert "OK" in capsys.readouterr().out


def test_validate_broken_folder_lists_every_problem_and_exits_2(valid_dir, capsys):
    (valid_dir / "products.csv").write_text(
        "id,company,name,technology_use,trl,segment,novelty\n"
        "P1,C1,a,T08,12,diagnostics_imaging,3\n"
        "P1,C9,b,T77,5,diagnostics_imaging,3\n",
        encoding="utf-8",
    )
    (valid_dir / "kpi_ledger.csv").write_text("", encoding="utf-8")
    assert main(["validate", "--data", str(valid_dir)]) == 2
    err = capsys.readouterr().err.splitlines()
    products = str(valid_dir / "products.csv")
    expected_prefixes = [
        f"{products}:2:trl:",
        f"{products}:3:id:",
        f"{products}:3:technology_use:",
        f"{products}:3:company:",
        f"{valid_dir / 'kpi_ledger.csv'}:-:-:",
    ]
    for prefix in expected_prefixes:
        assert any(line.startswith(prefix) for line in err), prefix
    assert err[-1] == "5 problem(s) in the input; nothing was written."


def test_report_rejects_undeclared_parameter_before_running(tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "--out", str(out), "-p", "no_such_parameter=1"]) == 2
    assert "no_such_parameter" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())


def test_report_on_bad_data_writes_nothing(valid_dir, tmp_path):
    (valid_dir / "companies.csv").unlink()
    out = tmp_path / "reports"
    assert main(["report", "--data", str(valid_dir), "--out", str(out)]) == 2
    assert not out.exists()


def test_report_rejects_bad_quarter(tmp_path, capsys):
    assert main(["report", "--quarter", "2026Q5", "--out", str(tmp_path / "r")]) == 2
    assert "not a quarter" in capsys.readouterr().err


def test_report_with_bad_swot_judgements_exits_2_and_writes_nothing(tmp_path, capsys):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    path = data / "swot_judgements.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("expert A,groups,S,W,2,", "expert A,groups,S,W,12,", 1),
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    assert main(["report", "--data", str(data), "--out", str(out)]) == 2
    assert f"{path}:2:value: judgement must be between 1/9 and 9 (got 12)" in capsys.readouterr().err
    assert not out.exists()


def test_report_with_a_market_figure_without_euro_rate_exits_2_and_writes_nothing(tmp_path, capsys):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    path = data / "market_figures.csv"
    path.write_text(
        "market,segment,year,value_m,low_m,high_m,currency,source,note\n"
        "israel,medical_devices,2018,7000,,,ILS,a survey,\n",
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    assert main(["report", "--data", str(data), "--out", str(out)]) == 2
    assert f"{path}:2:currency: no euro rate for ILS in 2018" in capsys.readouterr().err
    assert not out.exists()


def test_workbook_errors_are_one_line_and_exit_2(monkeypatch, capsys):
    def fails(directory):
        raise AnalysisError("the SWOT matrix of group W cannot be completed")

    monkeypatch.setattr(cli, "load_data", fails)
    assert main(["validate", "--data", str(SAMPLE)]) == 2
    assert capsys.readouterr().err == "lasergo: error: the SWOT matrix of group W cannot be completed\n"


def test_other_exceptions_are_bugs_and_keep_their_traceback(monkeypatch):
    def breaks(directory):
        raise KeyError("bug")

    monkeypatch.setattr(cli, "load_data", breaks)
    with pytest.raises(KeyError):
        main(["validate", "--data", str(SAMPLE)])
