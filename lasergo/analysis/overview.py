"""The partnership at a glance: clusters, missions, KPI targets and the target group.

Roadmap figures come from ``data/reference`` (LASER-GO D5.1, 2017); target-group
figures come from the data folder of the report. Company data are confidential (roadmap
§2.2): the ``public`` variants withhold every figure resting on fewer than
:data:`lasergo.privacy.MIN_COMPANIES` companies (but on at least one).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lasergo.data import reference
from lasergo.data.codes import ROLE_NAMES, ROLES, split_codes
from lasergo.data.dataset import Dataset
from lasergo.privacy import MIN_COMPANIES, suppress_small

#: The target-group figures that describe the group's companies (withheld for a small group).
TARGET_GROUP_FIGURES = ["employees", "revenue_eur_m", "rd_share_pct", "export_share_pct"]


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


def public_target_group_summary(summary: pd.DataFrame, k: int = MIN_COMPANIES) -> pd.DataFrame:
    """:func:`target_group_summary` for a public page: the figures (``TARGET_GROUP_FIGURES``) of a
    group of fewer than ``k`` (but at least one) companies NA (:func:`lasergo.privacy.suppress_small`);
    ``employees`` as a nullable integer."""
    counts = pd.DataFrame(dict.fromkeys(TARGET_GROUP_FIGURES, summary["companies"]))
    public = summary.astype({"employees": "Int64"})
    public[TARGET_GROUP_FIGURES] = suppress_small(public[TARGET_GROUP_FIGURES], counts, k)
    return public


@dataclass(frozen=True)
class RoleMix:
    """Value-network roles per cluster (see :func:`role_mix`)."""

    counts: pd.DataFrame  # companies per cluster (rows, in reference order) and role (columns, role names)
    photonics_supplier_share: float  # share of technology suppliers in the photonics clusters
    public_counts: pd.DataFrame  # ``counts`` (nullable integers), NA where fewer than k but at least 1
    public_photonics_supplier_share: float  # the share over the suppliers ``public_counts`` shows


def _photonics_share(suppliers: pd.Series) -> float:
    """The share of the ``suppliers`` (per cluster) in the photonics clusters; NA counts left out."""
    sectors = reference.clusters().set_index("id")["sector"]
    return float(suppliers[sectors[suppliers.index] == "photonics"].sum() / max(suppliers.sum(), 1))


def role_mix(dataset: Dataset, k: int = MIN_COMPANIES) -> RoleMix:
    """Companies per cluster and value-network role (a company with two roles counts in both),
    and the share of technology suppliers that sit in the photonics clusters; for a public page,
    the counts of fewer than ``k`` companies (but at least one) withheld and the share over the
    counts shown, so that it does not give a withheld count away."""
    exploded = dataset.companies.assign(role=dataset.companies["roles"].map(split_codes)).explode("role")
    table = pd.crosstab(exploded["cluster"], exploded["role"]).reindex(columns=list(ROLES), fill_value=0)
    table = table.reindex(list(reference.CLUSTER_IDS), fill_value=0)
    public = suppress_small(table.astype("Int64"), table, k)
    return RoleMix(
        counts=table.rename(columns=ROLE_NAMES),
        photonics_supplier_share=_photonics_share(table["supplier"]),
        public_counts=public.rename(columns=ROLE_NAMES),
        public_photonics_supplier_share=_photonics_share(public["supplier"].fillna(0)),
    )
