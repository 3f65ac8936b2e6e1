"""The partnership at a glance: clusters, missions, KPI targets and the target group.

Roadmap figures come from ``data/reference`` (LASER-GO D5.1, 2017); target-group
figures come from the data folder of the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lasergo.data import reference
from lasergo.data.codes import ROLE_NAMES, ROLES, split_codes
from lasergo.data.dataset import Dataset


def cluster_sizes() -> pd.DataFrame:
    """SMEs and RTOs per cluster as stated in the roadmap, largest first.

    Columns: id, name, country, sector, specialisation, smes, rtos, source, sme_share (of all listed SMEs).
    """
    clusters = reference.clusters()
    table = clusters[["id", "name", "country", "sector", "specialisation", "smes", "rtos", "source"]].copy()
    table["sme_share"] = table["smes"] / table["smes"].sum()
    return table.sort_values("smes", ascending=False).reset_index(drop=True)


def mission_roles() -> pd.DataFrame:
    """Who leads and who co-organises each mission: rows missions, columns clusters.

    Cells: ``lead``, ``co-organiser`` or empty.
    """
    missions = reference.missions()
    roles = pd.DataFrame("", index=missions["name"], columns=list(reference.CLUSTER_IDS))
    for _, row in missions.iterrows():
        roles.at[row["name"], row["lead"]] = "lead"
        roles.at[row["name"], row["co_organiser"]] = "co-organiser"
    return roles


def mission_table() -> pd.DataFrame:
    """The eight missions as the roadmap plans them (§2.6 Tables 2 and 3).

    Columns: mission, name, lead, co_organiser, roadshow, new_market, note (blank as missing), source.
    """
    return reference.missions()[["mission", "name", "lead", "co_organiser", "roadshow", "new_market", "note", "source"]]


def kpi_target_table() -> pd.DataFrame:
    """The seven KPIs and their targets (roadmap §2.4)."""
    return reference.kpi_targets()[["kpi", "description", "target", "unit", "source"]]


def revenue_weighted(frame: pd.DataFrame, column: str) -> float:
    """Revenue-weighted mean of a share over the companies that report both; NaN if none do."""
    known = frame[[column, "revenue_eur_m"]].dropna()
    total = known["revenue_eur_m"].sum()
    return float((known[column] * known["revenue_eur_m"]).sum() / total) if total > 0 else float("nan")


def target_group_summary(dataset: Dataset) -> pd.DataFrame:
    """Companies, employees, revenue and R&D share per target group, from the data folder.

    Columns: target_group, companies, employees, revenue_eur_m, rd_share_pct (revenue-weighted),
    export_share_pct (revenue-weighted), with a ``roadmap`` row for the direct group's stated figures.
    """
    rows = []
    for group, frame in dataset.companies.groupby("target_group"):
        rows.append(
            {
                "target_group": group,
                "companies": len(frame),
                "employees": int(frame["employees"].sum()),
                "revenue_eur_m": frame["revenue_eur_m"].sum(),
                "rd_share_pct": revenue_weighted(frame, "rd_share_pct"),
                "export_share_pct": revenue_weighted(frame, "export_share_pct"),
            }
        )
    rows.append(
        {
            "target_group": "direct, as planned (roadmap §2.3)",
            "companies": int(reference.funnel_value("direct_smes")),
            "employees": int(reference.funnel_value("direct_employees")),
            "revenue_eur_m": reference.funnel_value("direct_sales_eur_m"),
            "rd_share_pct": 100 * reference.funnel_value("rd_share_of_revenue"),
            "export_share_pct": float("nan"),
        }
    )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class RoleMix:
    """Value-network roles per cluster (see :func:`role_mix`)."""

    counts: pd.DataFrame  # companies per cluster (rows, in reference order) and role (columns, role names)
    photonics_supplier_share: float  # share of technology suppliers in the photonics clusters


def role_mix(dataset: Dataset) -> RoleMix:
    """Companies per cluster and value-network role (a company with two roles counts in both),
    and the share of technology suppliers that sit in the photonics clusters."""
    exploded = dataset.companies.assign(role=dataset.companies["roles"].map(split_codes)).explode("role")
    table = pd.crosstab(exploded["cluster"], exploded["role"]).reindex(columns=list(ROLES), fill_value=0)
    table = table.reindex(list(reference.CLUSTER_IDS), fill_value=0)
    sectors = reference.clusters().set_index("id")["sector"]
    suppliers = table["supplier"]
    photonics_share = suppliers[sectors[table.index] == "photonics"].sum() / max(suppliers.sum(), 1)
    return RoleMix(table.rename(columns=ROLE_NAMES), float(photonics_share))
