"""End-to-end runs of the report pipeline on the committed sample and on a failing notebook."""

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from lasergo.analysis.rounding import rounded_to_range
from lasergo.cli import main
from lasergo.data.dataset import load_data
from lasergo.errors import ParameterError, PipelineError
from lasergo.pipeline.run import build_reports
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory) -> tuple[Path, int]:
    out = tmp_path_factory.mktemp("reports")
    status = main(["report", "--data", str(SAMPLE), "--out", str(out)])  # default: the newest quarter
    return out, status


def test_every_notebook_succeeds(sample_reports):
    out, status = sample_reports
    assert status == 0
    manifest = json.loads((out / "2026Q3" / "manifest.json").read_text())
    notebooks = sorted(p.stem for p in (Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
    assert [nb["name"] for nb in manifest["notebooks"]] == notebooks
    assert all(nb["status"] == "ok" for nb in manifest["notebooks"])
    for name in notebooks:
        assert (out / "2026Q3" / f"{name}.html").is_file()


@pytest.mark.parametrize("quarter", ["2024Q1", "2024Q4"])
def test_every_notebook_succeeds_in_an_early_quarter(tmp_path, quarter):
    assert main(["report", "--data", str(SAMPLE), "--out", str(tmp_path), "--quarter", quarter]) == 0
    manifest = json.loads((tmp_path / quarter / "manifest.json").read_text())
    assert [(nb["name"], nb["status"]) for nb in manifest["notebooks"]] == [
        (p.stem, "ok") for p in sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
    ]


def test_manifest_records_parameters_and_input_hashes(sample_reports):
    out, _ = sample_reports
    manifest = json.loads((out / "2026Q3" / "manifest.json").read_text())
    assert manifest["parameters"]["quarter"] == "2026Q3"
    assert manifest["parameters"]["seed"] == 1
    assert manifest["synthetic"] is True
    assert any(key.endswith("companies.csv") for key in manifest["inputs"])
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in manifest["inputs"].values())
    assert manifest["package_version"]
    assert manifest["started"] <= manifest["finished"]


def test_html_has_no_code_and_loads_nothing_from_other_hosts(sample_reports):
    out, _ = sample_reports
    pages = list((out / "2026Q3").glob("*.html")) + [out / "index.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'src="http' not in text and "src='http" not in text, page
        assert not re.search(r'<link[^>]+href="https?:', text), page
        body = re.sub(r"<style.*?</style>", "", text, flags=re.S)
        assert "hl-ipython3" not in body, page  # the class nbconvert gives highlighted code input
        assert "import " not in body, page


def test_overview_shows_clusters_and_target(sample_reports):
    out, _ = sample_reports
    text = (out / "2026Q3" / "00_overview.html").read_text(encoding="utf-8")
    for name in (
        "Lithuanian Laser and Engineering Technology Cluster",
        "OpticsValley",
        "Optence",
        "Human.technology Styria",
        "Medicen Paris Region",
        "Biocat",
    ):
        assert name in text, name
    assert "240" in text
    assert "Synthetic sample data" in text
    assert "data:image/png;base64" in text


def test_indexes_link_the_quarter_and_headlines(sample_reports):
    out, _ = sample_reports
    quarter_index = (out / "2026Q3" / "index.html").read_text(encoding="utf-8")
    assert "00_overview.html" in quarter_index
    assert "240" in quarter_index  # the KPI 5 target, a headline of the overview
    overall = (out / "index.html").read_text(encoding="utf-8")
    assert "2026Q3/index.html" in overall


KERNEL = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
GOOD = nbformat.v4.new_notebook(
    metadata=KERNEL,
    cells=[
        nbformat.v4.new_markdown_cell("# A page that works"),
        nbformat.v4.new_code_cell("quarter = None\ndata_dir = None\nseed = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print('quarter', quarter)"),
    ],
)
BAD = nbformat.v4.new_notebook(
    metadata=KERNEL,
    cells=[
        nbformat.v4.new_markdown_cell("# A page that breaks"),
        nbformat.v4.new_code_cell("quarter = None\ndata_dir = None\nseed = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise RuntimeError('planted failure')"),
    ],
)


def test_failing_notebook_is_reported_and_earlier_quarter_untouched(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(GOOD, notebooks / "10_good.ipynb")
    out = tmp_path / "reports"
    first = build_reports(data_dir=SAMPLE, out_dir=out, quarter="2025Q4", notebook_dir=notebooks, progress=False)
    assert first.ok
    before = {p: p.read_bytes() for p in (out / "2025Q4").iterdir()}

    nbformat.write(BAD, notebooks / "20_bad.ipynb")
    status = main(
        ["report", "--data", str(SAMPLE), "--out", str(out), "--quarter", "2026Q4", "--notebooks", str(notebooks)]
    )
    assert status == 1
    assert (out / "2026Q4" / "10_good.html").is_file()
    failure_page = (out / "2026Q4" / "20_bad.html").read_text(encoding="utf-8")
    assert "planted failure" in failure_page and "hl-ipython3" in failure_page  # error and the code shown
    assert (out / "2026Q4" / "20_bad.ipynb").is_file()
    manifest = json.loads((out / "2026Q4" / "manifest.json").read_text())
    assert {nb["name"]: nb["status"] for nb in manifest["notebooks"]} == {"10_good": "ok", "20_bad": "failed"}
    assert "failed" in (out / "2026Q4" / "index.html").read_text(encoding="utf-8")
    assert {p: p.read_bytes() for p in (out / "2025Q4").iterdir()} == before
    assert not list(out.glob(".build-*"))


def test_rebuild_replaces_quarter_and_leaves_no_temporary_folders(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(GOOD, notebooks / "10_good.ipynb")
    out = tmp_path / "reports"
    for _ in range(2):
        assert build_reports(data_dir=SAMPLE, out_dir=out, quarter="2026Q3", notebook_dir=notebooks, progress=False).ok
    assert sorted(p.name for p in out.iterdir()) == [".cache", "2026Q3", "index.html"]  # .cache: the data


def test_unknown_only_name_is_an_error_before_running(tmp_path):
    with pytest.raises(PipelineError, match="no notebook named nope"):
        build_reports(data_dir=SAMPLE, out_dir=tmp_path / "r", only=["nope"], progress=False)
    assert not (tmp_path / "r").exists()


def test_quarter_index_shows_change_since_previous_quarter(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    counting = nbformat.v4.new_notebook(
        metadata=KERNEL,
        cells=[
            nbformat.v4.new_markdown_cell("# Ledger size"),
            nbformat.v4.new_code_cell("quarter = None\ndata_dir = None\nseed = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(
                "from lasergo.pages.common import headline, load_quarter\n"
                "data, _ = load_quarter(data_dir, quarter)\n"
                "headline('KPI ledger entries', len(data.kpi_ledger), 'entries')"
            ),
        ],
    )
    nbformat.write(counting, notebooks / "10_count.ipynb")
    out = tmp_path / "reports"
    sizes = {}
    for quarter in ("2026Q1", "2026Q2"):
        build_reports(data_dir=SAMPLE, out_dir=out, quarter=quarter, notebook_dir=notebooks, progress=False)
        manifest = json.loads((out / quarter / "manifest.json").read_text())
        sizes[quarter] = manifest["notebooks"][0]["headlines"][0]["value"]
    assert sizes["2026Q2"] > sizes["2026Q1"]
    index = (out / "2026Q2" / "index.html").read_text(encoding="utf-8")
    assert f"({sizes['2026Q2'] - sizes['2026Q1']:+,} since 2026Q1)" in index
    assert "since" not in (out / "2026Q1" / "index.html").read_text(encoding="utf-8")


def test_indexes_escape_text_from_the_pages(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    hostile = nbformat.v4.new_notebook(
        metadata=KERNEL,
        cells=[
            nbformat.v4.new_markdown_cell("# A <script>alert(1)</script> title"),
            nbformat.v4.new_code_cell("quarter = None\ndata_dir = None\nseed = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(
                "from lasergo.pages.common import headline\n"
                "headline('<img src=x onerror=alert(1)>', '<b>bold</b>', '', '<script>x</script>')"
            ),
        ],
    )
    nbformat.write(hostile, notebooks / "10_hostile.ipynb")
    out = tmp_path / "reports"
    assert build_reports(data_dir=SAMPLE, out_dir=out, quarter="2026Q3", notebook_dir=notebooks, progress=False).ok
    for page in (out / "2026Q3" / "index.html", out / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>" not in text and "<img" not in text and "<b>bold" not in text, page
    assert "&lt;img src=x onerror=alert(1)&gt;" in (out / "2026Q3" / "index.html").read_text(encoding="utf-8")


def test_market_page_publishes_its_screening_guide_beside_the_page(sample_reports):
    out, _ = sample_reports
    guide = out / "2026Q3" / "02_market_screening_guide.csv"
    assert guide.is_file()
    text = guide.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("market,segment,")
    assert "Synthetic SME" not in text  # companies appear by pseudonymous id only
    assert 'href="02_market_screening_guide.csv"' in (out / "2026Q3" / "02_market.html").read_text(encoding="utf-8")


def test_output_dir_is_set_by_the_pipeline_only(tmp_path):
    with pytest.raises(ParameterError, match="pipeline sets it"):
        build_reports(data_dir=SAMPLE, out_dir=tmp_path, parameters={"output_dir": "/tmp"}, progress=False)


def test_fit_page_names_companies_only_when_internal(sample_reports, tmp_path):
    import pandas as pd

    names = pd.read_csv(SAMPLE / "companies.csv")["name"]
    out, _ = sample_reports
    html = (out / "2026Q3" / "03_partnership_fit.html").read_text(encoding="utf-8")
    assert not any(name in html for name in names)
    ids = pd.read_csv(SAMPLE / "companies.csv")["id"]
    for page in (out / "2026Q3").glob("*.html"):
        text = re.sub(r"data:image/png;base64,[^\"']+", "", page.read_text(encoding="utf-8"))
        assert not [i for i in ids if re.search(rf"\b{i}\b", text)], page  # no company id on a public page
    build_reports(
        data_dir=SAMPLE, out_dir=tmp_path, only=["03_partnership_fit"], parameters={"internal": True}, progress=False
    )
    html = (tmp_path / "2026Q3" / "03_partnership_fit.html").read_text(encoding="utf-8")
    assert any(name in html for name in names)


def test_internal_pages_are_refused_in_the_public_reports_folder():
    from lasergo.pipeline.run import PUBLIC_REPORTS

    with pytest.raises(PipelineError, match="outside"):
        build_reports(data_dir=SAMPLE, out_dir=PUBLIC_REPORTS, parameters={"internal": True}, progress=False)


def test_exports_land_beside_the_page_with_a_relative_reports_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--data", str(SAMPLE), "--out", "reports", "--only", "02_market"]) == 0
    assert (tmp_path / "reports" / "2026Q3" / "02_market_screening_guide.csv").is_file()


def test_every_page_has_the_same_navigation_and_charts_carry_their_title_as_alt_text(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    chart = (
        "import matplotlib.pyplot as plt\n"
        "from lasergo.pages.style import finish, set_style\n"
        "set_style()\n"
        "fig, ax = plt.subplots()\n"
        "ax.plot([1, 2, 3])\n"
        "finish(fig, 'Sales <b>triple</b> by 2027', 'a source');"
    )
    for name, title in (("10_one", "One"), ("20_two", "Two"), ("30_three", "Three")):
        page = nbformat.v4.new_notebook(
            metadata=KERNEL,
            cells=[
                nbformat.v4.new_markdown_cell(f"# {title}"),
                nbformat.v4.new_code_cell(
                    "quarter = None\ndata_dir = None\nseed = 1", metadata={"tags": ["parameters"]}
                ),
                nbformat.v4.new_markdown_cell("## First part"),
                nbformat.v4.new_code_cell(chart),
                nbformat.v4.new_markdown_cell("## Second part"),
            ],
        )
        nbformat.write(page, notebooks / f"{name}.ipynb")
    out = tmp_path / "reports"
    assert build_reports(data_dir=SAMPLE, out_dir=out, quarter="2026Q3", notebook_dir=notebooks, progress=False).ok
    middle = (out / "2026Q3" / "20_two.html").read_text(encoding="utf-8")
    assert 'previous: <a href="10_one.html">One</a>' in middle and 'next: <a href="30_three.html">Three</a>' in middle
    assert re.search(r'class="lasergo-toc">On this page: <a href="#First-part">First part</a>', middle)
    assert 'alt="Sales &lt;b&gt;triple&lt;/b&gt; by 2027"' in middle
    assert "No description has been provided" not in middle
    assert "previous:" not in (out / "2026Q3" / "10_one.html").read_text(encoding="utf-8")


def _results(manifest: dict, name: str) -> dict:
    return next(nb for nb in manifest["notebooks"] if nb["name"] == name)["results"]


def test_summary_figures_equal_the_pages_results(sample_reports):
    out, _ = sample_reports
    manifest = json.loads((out / "2026Q3" / "manifest.json").read_text())
    summary = next(nb for nb in manifest["notebooks"] if nb["name"] == "09_viability")
    shown = {h["label"]: h["value"] for h in summary["headlines"]}
    kpis = _results(manifest, "04_kpi")["kpis"]
    assert shown["KPIs reached or on track"] == sum(k["status"] in ("reached", "on track") for k in kpis)
    potential = _results(manifest, "02_market")["potential"]
    median = rounded_to_range(potential["p50"], potential["p10"], potential["p90"])
    assert shown[f"Partnership sales potential {potential['year']}, median"] == median  # as the market page shows it
    network = _results(manifest, "06_value_network")
    assert shown["Ties in the value network"] == network["ties"]["count"]
    assert shown["Affiliates with an MoU"] == network["affiliates"]["count"]
    assert shown["Business cases under way"] == _results(manifest, "03_partnership_fit")["business_cases"]["count"]
    assert shown["Survey responses"] == _results(manifest, "07_stakeholder_survey")["responses"]
    funding = _results(manifest, "04_kpi")["rd_funding"]["attracted_eur_m"]
    assert shown["R&D funding attracted"] == (round(funding, 1) if funding is not None else "not collected")
    card = {row["dimension"]: row for row in summary["results"]["scorecard"]}
    assert card["KPI progress"]["figure"].startswith(f"{shown['KPIs reached or on track']} of {len(kpis)} KPIs")
    assert {row["reading"] for row in card.values()} <= {"good", "watch", "weak", "not collected"}
    index = (out / "2026Q3" / "index.html").read_text(encoding="utf-8")
    assert f"reading-{summary['results']['reading']}" in index
    for step in summary["results"]["next_steps"]:
        assert html.escape(step["step"], quote=False) in index
    for risk in summary["results"]["risks"]:
        assert html.escape(risk["risk"], quote=False) in index
    assert index.index("The answer") < index.index("The pages")


def _recording(title: str, code: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(
        metadata=KERNEL,
        cells=[
            nbformat.v4.new_markdown_cell(f"# {title}"),
            nbformat.v4.new_code_cell("quarter = None\ndata_dir = None\nseed = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("from lasergo.pages.common import record_result, verdict\n" + code),
        ],
    )


def test_the_summary_runs_after_the_pages_and_reads_a_failed_page_as_missing(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    kpis = [
        {
            "kpi": k,
            "description": f"KPI {k}",
            "status": "off track" if k == 4 else "on track",
            "chance_pct": 10.0 if k == 4 else 90.0,
            "value": 1.0,
            "target": 6.0,
        }
        for k in range(1, 8)
    ]
    nbformat.write(
        _recording(
            "KPIs",
            f"record_result('kpis', {kpis!r})\nrecord_result('rd_funding', {{'attracted_eur_m': None}})\n"
            "verdict('at risk', 'one KPI off track')",
        ),
        notebooks / "04_kpi.ipynb",
    )
    nbformat.write(BAD, notebooks / "02_market.ipynb")
    shutil.copy(Path(__file__).parent.parent / "notebooks" / "09_viability.ipynb", notebooks)
    out = tmp_path / "reports"
    result = build_reports(data_dir=SAMPLE, out_dir=out, quarter="2026Q3", notebook_dir=notebooks, progress=False)
    assert not result.ok  # the market page failed
    manifest = json.loads((out / "2026Q3" / "manifest.json").read_text())
    card = {row["dimension"]: row for row in _results(manifest, "09_viability")["scorecard"]}
    assert card["KPI progress"]["figure"].startswith("6 of 7 KPIs")
    assert card["Market potential"]["reading"] == "missing"
    assert card["R&D funding"]["reading"] == "not collected"
    assert _results(manifest, "09_viability")["reading"] in ("grow", "sustain", "end")
    assert not (out / "2026Q3" / "page_results.json").exists()
    index = (out / "2026Q3" / "index.html").read_text(encoding="utf-8")
    assert "status-at-risk" in index and "status-failed" in index and "(first quarter)" in index

    built = next(nb["built"] for nb in manifest["notebooks"] if nb["name"] == "09_viability")
    build_reports(
        data_dir=SAMPLE, out_dir=out, quarter="2026Q3", notebook_dir=notebooks, only=["04_kpi"], progress=False
    )
    again = json.loads((out / "2026Q3" / "manifest.json").read_text())
    assert next(nb["built"] for nb in again["notebooks"] if nb["name"] == "09_viability") >= built
    assert _results(again, "09_viability")["scorecard"] == _results(manifest, "09_viability")["scorecard"]
    assert [nb["name"] for nb in again["notebooks"]] == ["02_market", "04_kpi", "09_viability"]


def test_page_results_is_set_by_the_pipeline_only(tmp_path):
    with pytest.raises(ParameterError, match="results of the quarter's other pages"):
        build_reports(data_dir=SAMPLE, out_dir=tmp_path / "r", parameters={"page_results": "x.json"}, progress=False)


def test_every_page_builds_for_one_cluster_edition_without_another_clusters_companies(tmp_path):
    from lasergo.pipeline.executors import LocalProcesses
    from lasergo.pipeline.jobs import Job
    from lasergo.pipeline.notebooks import NOTEBOOK_DIR

    data = load_data(SAMPLE)
    others = data.companies[data.companies["cluster"] != "OPTENCE"]
    jobs = [
        Job(
            nb,
            {"quarter": "2026Q3", "data_dir": str(SAMPLE), "cluster": "OPTENCE", "internal": True},
            tmp_path,
            "2026Q3",
        )
        for nb in sorted(NOTEBOOK_DIR.glob("0[0-8]*.ipynb"))
        if "internal" in nb.read_text(encoding="utf-8")  # the pages with an internal edition name companies
    ]
    jobs += [
        Job(nb, {"quarter": "2026Q3", "data_dir": str(SAMPLE), "cluster": "OPTENCE"}, tmp_path, "2026Q3")
        for nb in sorted(NOTEBOOK_DIR.glob("0[0-8]*.ipynb"))
        if "internal" not in nb.read_text(encoding="utf-8")
    ]
    with LocalProcesses(2) as runner:
        pages = runner.run(jobs, timeout=600, progress=False)
    assert [(page.name, page.status, page.error) for page in pages if page.status != "ok"] == []
    for page in pages:
        text = (tmp_path / f"{page.name}.html").read_text(encoding="utf-8")
        assert "Edition of cluster OPTENCE" in text
        assert not [c for c in others["id"] if f">{c}<" in text or c + " " in text], page.name
        assert not [n for n in others["name"] if n in text], page.name
    own = data.companies.loc[data.companies["cluster"] == "OPTENCE", "name"]
    internal = (tmp_path / "03_partnership_fit.html").read_text(encoding="utf-8")
    assert any(name in internal for name in own)  # the check above could have found names
