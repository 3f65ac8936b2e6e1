"""The page cache, the validated snapshot, one edition per cluster and every quarter in one run,
on two small notebooks that each read one input table."""

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from lasergo.data.dataset import load_data
from lasergo.data.reference import CLUSTER_IDS
from lasergo.errors import InputError
from lasergo.pipeline import cache
from lasergo.pipeline.run import build_quarters, build_reports
from tests.conftest import SAMPLE

KERNEL = {"kernelspec": {"name": "lasergo", "display_name": "LASER-GO workbook", "language": "python"}}
PARAMETERS = 'quarter = None\ndata_dir = None\nsnapshot = ""\ncluster = ""\n'


def _reading(title: str, table: str, extra_parameters: str = "") -> nbformat.NotebookNode:
    """A page that counts the rows of one table."""
    return nbformat.v4.new_notebook(
        metadata=KERNEL,
        cells=[
            nbformat.v4.new_markdown_cell(f"# {title}"),
            nbformat.v4.new_code_cell(PARAMETERS + extra_parameters, metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(
                "from lasergo.pages.common import data_banner, headline, load_quarter\n"
                "data, period = load_quarter(data_dir, quarter, snapshot, cluster)\n"
                "data_banner(data, period)\n"
                f"headline('rows', len(data.{table}))"
            ),
        ],
    )


@pytest.fixture
def workbook(tmp_path) -> tuple[Path, Path]:
    """A copy of the sample (to change) and a notebook folder with a ledger page and a ties page."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(_reading("Ledger", "kpi_ledger", "threshold = 1\n"), notebooks / "10_ledger.ipynb")
    nbformat.write(_reading("Ties", "ties"), notebooks / "11_ties.ipynb")
    return data, notebooks


def _outcomes(out: Path, quarter: str = "2026Q3") -> dict[str, tuple[str, str]]:
    manifest = json.loads((out / quarter / "manifest.json").read_text())
    return {nb["name"]: (nb["outcome"], nb["reason"]) for nb in manifest["notebooks"]}


def test_a_page_is_rebuilt_exactly_when_what_it_read_changed(workbook, tmp_path):
    data, notebooks = workbook
    out = tmp_path / "reports"

    def build(**options):
        result = build_reports(data_dir=data, out_dir=out, notebook_dir=notebooks, progress=False, **options)
        assert result.ok
        return _outcomes(out)

    assert build() == {"10_ledger": ("built", "new page"), "11_ties": ("built", "new page")}
    first = json.loads((out / "2026Q3" / "manifest.json").read_text())
    assert [nb["reads"] for nb in first["notebooks"]] == [["companies", "kpi_ledger"], ["companies", "ties"]]

    again = build()
    assert {name: outcome for name, (outcome, _) in again.items()} == {"10_ledger": "reused", "11_ties": "reused"}
    assert again["10_ledger"][1].startswith("unchanged since ")
    kept = json.loads((out / "2026Q3" / "manifest.json").read_text())
    assert [nb["headlines"] for nb in kept["notebooks"]] == [nb["headlines"] for nb in first["notebooks"]]
    assert (out / "2026Q3" / "11_ties.html").is_file()

    ties = pd.read_csv(data / "ties.csv")
    ties.iloc[:-1].to_csv(data / "ties.csv", index=False)  # one tie fewer
    assert build() == {"10_ledger": ("reused", again["10_ledger"][1]), "11_ties": ("built", "data changed: ties")}

    changed = build(parameters={"threshold": 2})
    assert changed["10_ledger"] == ("built", "parameters changed") and changed["11_ties"][0] == "reused"

    page = nbformat.read(notebooks / "11_ties.ipynb", as_version=4)
    page.cells.append(nbformat.v4.new_markdown_cell("A note."))
    nbformat.write(page, notebooks / "11_ties.ipynb")
    edited = build(parameters={"threshold": 2})
    assert edited["11_ties"] == ("built", "notebook changed") and edited["10_ledger"][0] == "reused"

    assert set(build(parameters={"threshold": 2}, force=True).values()) == {("built", "--force")}

    nbformat.write(_reading("More", "feedback"), notebooks / "12_more.ipynb")  # the ties page gets a next page
    added = build(parameters={"threshold": 2})
    assert added["11_ties"] == ("built", "the pages beside it changed") and added["10_ledger"][0] == "reused"
    assert added["12_more"] == ("built", "new page")


def test_cluster_editions_add_up_to_the_partnership(workbook, tmp_path):
    data, notebooks = workbook
    out = tmp_path / "reports"
    result = build_reports(data_dir=data, out_dir=out, notebook_dir=notebooks, progress=False, by_cluster=True)
    assert result.ok and sorted(result.editions) == sorted(CLUSTER_IDS)

    def rows(pages, name):
        return next(h.value for nb in pages if nb.name == name for h in nb.headlines)

    for name in ("10_ledger", "11_ties"):
        assert sum(rows(pages, name) for pages in result.editions.values()) == rows(result.notebooks, name)
    reads = {nb.name: nb.reads for nb in result.notebooks}
    assert reads == {"10_ledger": ["companies", "kpi_ledger"], "11_ties": ["companies", "ties"]}
    for cluster, pages in result.editions.items():  # kernels run many pages each; every page records its own
        assert {nb.name: nb.reads for nb in pages} == reads, cluster
    front = (out / "2026Q3" / "index.html").read_text(encoding="utf-8")
    for cluster in CLUSTER_IDS:
        assert f'href="clusters/{cluster}/index.html"' in front
        page = (out / "2026Q3" / "clusters" / cluster / "11_ties.html").read_text(encoding="utf-8")
        assert f"Edition of cluster {cluster}" in page
        assert 'href="../../../index.html">all quarters' in page


def test_each_cluster_keeps_its_own_rows_and_the_additive_totals_hold():
    data = load_data(SAMPLE)
    editions = {cluster: data.for_cluster(cluster) for cluster in CLUSTER_IDS}
    for table in ("companies", "products", "survey_waves", "kpi_ledger", "ties", "activities"):
        assert sum(len(getattr(e, table)) for e in editions.values()) == len(getattr(data, table)), table
    for table in ("survey_responses", "feedback", "rd_funding"):
        assert sum(len(getattr(e, table)) for e in editions.values()) == len(getattr(data, table)), table
    unnamed = data.scouting["cluster"].isna().sum()  # findings whose scout is not named: no cluster's
    assert sum(len(e.scouting) for e in editions.values()) + unnamed == len(data.scouting)
    clusters = dict(zip(data.companies["id"], data.companies["cluster"], strict=True))
    for cluster, edition in editions.items():
        assert set(edition.companies["cluster"]) == {cluster}
        shown = {*edition.products["company"], *edition.survey_waves["company"], *edition.ties["source"]}
        shown |= set(edition.ties["target"])
        assert {clusters[c] for c in shown if c in clusters} <= {cluster}, cluster


def test_every_quarter_is_built_oldest_first_then_reused(workbook, tmp_path):
    data, notebooks = workbook
    (notebooks / "11_ties.ipynb").unlink()
    out = tmp_path / "reports"
    results = build_quarters(data_dir=data, out_dir=out, notebook_dir=notebooks, progress=False, all_quarters=True)
    quarters = [r.quarter for r in results]
    assert quarters == [str(q) for q in pd.period_range("2024Q1", "2026Q3", freq="Q")]
    counts = [r.notebooks[0].headlines[0].value for r in results]
    assert counts == sorted(counts)  # the ledger only grows
    again = build_quarters(data_dir=data, out_dir=out, notebook_dir=notebooks, progress=False, all_quarters=True)
    assert {nb.outcome for r in again for nb in r.notebooks} == {"reused"}
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f"{q}/index.html" in index for q in quarters)


def test_the_validated_data_is_reused_until_a_file_of_the_folder_changes(tmp_path, monkeypatch):
    data, kept = tmp_path / "data", tmp_path / ".cache"
    shutil.copytree(SAMPLE, data)
    validations = []
    monkeypatch.setattr(cache, "load_data", lambda folder: validations.append(folder) or load_data(folder))
    first, snapshot = cache.validated_data(data, kept)
    assert not kept.exists()  # nothing written until the run keeps it
    cache.keep_snapshot(first, snapshot)
    again, same = cache.validated_data(data, kept)
    assert len(validations) == 1 and same == snapshot
    assert again.companies.equals(first.companies) and again.warnings == first.warnings

    (data / "notes.txt").write_text("a file no table reads still changes the folder")
    changed, other = cache.validated_data(data, kept)
    assert len(validations) == 2 and other != snapshot
    cache.keep_snapshot(changed, other)
    assert list(kept.glob("dataset-*")) == [other]  # one snapshot kept

    (data / "companies.csv").write_text("company_id\n")  # broken: validated again, and refused
    with pytest.raises(InputError):
        cache.validated_data(data, kept)
    assert list(kept.glob("dataset-*")) == [other]  # the last good snapshot stays
