"""Shared fixtures: a small valid data folder written row by row, to be broken by each test."""

from pathlib import Path

import pytest

from lasergo.data.dataset import load_data
from lasergo.errors import InputError

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = PROJECT / "data" / "sample"

VALID_TABLES = {
    "companies.csv": (
        "id,cluster,name,roles,employees,revenue_eur_m,rd_share_pct,export_share_pct,"
        "technology_uses,segments,target_markets,target_group,joined\n"
        "C1,LITEK,Alpha Lasers,supplier,12,2.5,15,40,T08;T35,diagnostics_imaging,japan;canada,direct,2024-02-01\n"
        "C2,MEDICEN,Beta Diagnostics,end_user;integrator,30,6.0,12,20,T20,diagnostics_imaging,israel,direct,"
        "2024-03-01\n"
        "C3,HTS,Gamma Devices,integrator,8,1.1,,10,T12,sensing,,indirect,2025-01-15\n"
    ),
    "products.csv": (
        "id,company,name,technology_use,trl,segment,novelty\n"
        "P1,C1,Q-switch module,T08,7,diagnostics_imaging,3\n"
        "P2,C2,OCT reader,T20,6,diagnostics_imaging,2\n"
    ),
    "survey_waves.csv": (
        "company,wave_date,wave,revenue_eur_m,export_share_pct,rd_share_pct,employees\n"
        "C1,2024-02-01,entry,2.5,40,15,12\n"
        "C1,2025-06-30,yearly,2.8,43,15,13\n"
        "C2,2024-03-01,entry,6.0,20,12,30\n"
    ),
    "kpi_ledger.csv": (
        "date,kpi,value,cluster,evidence,note\n"
        "2024-05-10,3,1,OV,minutes-2024-05,workshop\n"
        "2025-02-01,2,1,LITEK,MoU-2025-001,\n"
        "2025-03-01,4,2,HTS,,unverified meeting\n"
    ),
}


def write_tables(folder: Path, tables: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[str]:
    """The located problems ``load_data`` raises for ``folder``, as text."""
    with pytest.raises(InputError) as caught:
        load_data(folder)
    return [str(p) for p in caught.value.problems]


def replace_in(folder: Path, file: str, old: str, new: str) -> None:
    """Replace the first ``old`` in one of the folder's files (which must hold it)."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def valid_dir(tmp_path: Path) -> Path:
    return write_tables(tmp_path / "data", VALID_TABLES)
