"""Market-partnership fit: coverage, links and the weighted score on hand-made data folders."""

import pytest

from lasergo.analysis import market_fit
from lasergo.data import reference
from lasergo.data.dataset import load_data
from tests.conftest import VALID_TABLES, write_tables


def companies_csv(rows: list[str]) -> str:
    return VALID_TABLES["companies.csv"].splitlines()[0] + "\n" + "\n".join(rows) + "\n"


def test_fit_ranks_a_cluster_covering_all_uses_above_one_covering_none(tmp_path):
    sensing = reference.segment_uses()["sensing"]
    imaging_only = [u for u in reference.segment_uses()["diagnostics_imaging"] if u not in sensing][0]
    folder = write_tables(
        tmp_path / "d",
        {
            **VALID_TABLES,
            "companies.csv": companies_csv(
                [
                    f"C1,LITEK,A,supplier,5,1,10,10,{';'.join(sensing)},sensing,israel,direct,2024-01-01",
                    f"C2,OV,B,supplier,5,1,10,10,{imaging_only},sensing,israel,direct,2024-01-01",
                ]
            ),
            "products.csv": "id,company,name,technology_use,trl,segment,novelty\n",
            "survey_waves.csv": "company,wave_date,wave,revenue_eur_m,export_share_pct,rd_share_pct,employees\n",
        },
    )
    fit = (
        market_fit.fit_scores(load_data(folder))
        .query("segment == 'sensing' and market == 'israel'")
        .set_index("cluster")
    )
    assert fit.loc["LITEK", "coverage"] == 1 and fit.loc["OV", "coverage"] == 0
    assert fit.loc["LITEK", "links"] == fit.loc["OV", "links"] == 0  # neither has a tie to Israel
    assert fit.loc["LITEK", "score"] == pytest.approx(100 * market_fit.FIT_WEIGHTS["coverage"])
    assert fit.loc["LITEK", "score"] > fit.loc["OV", "score"] == 0


def test_mission_lead_has_the_strongest_link():
    links = market_fit.cluster_links_to_markets().set_index(["cluster", "market"])
    for mission in reference.missions().itertuples():
        assert links.loc[(mission.lead, mission.market), "links"] == 1.0
        evidence = links.loc[(mission.lead, mission.market), "link_evidence"]
        assert f"leads mission {mission.mission}" in evidence
