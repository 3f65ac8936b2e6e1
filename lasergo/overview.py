"""The partnership at a glance: clusters, missions, KPI targets and the target group.

Roadmap figures come from ``data/reference`` (LASER-GO D5.1, 2017); target-group
figures come from the data folder of the report.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Patch
import pandas as pd
import seaborn as sns

from lasergo import reference
from lasergo.io import Dataset
from lasergo.plots import SECTOR_COLOURS, SECTOR_NAMES, add_source
from lasergo.schemas import ROLES, ROLE_NAMES, split_codes


def cluster_sizes() -> pd.DataFrame:
    """SMEs and RTOs per cluster as stated in the roadmap, largest first.

    Columns: id, name, country, sector, specialisation, smes, rtos, sme_share (of all listed SMEs).
    """
    clusters = reference.clusters()
    table = clusters[["id", "name", "country", "sector", "specialisation", "smes", "rtos", "source"]].copy()
    table["sme_share"] = table["smes"] / table["smes"].sum()
    return table.sort_values("smes", ascending=False).reset_index(drop=True)


def plot_cluster_sizes(sizes: pd.DataFrame) -> plt.Figure:
    """Horizontal bars of SMEs per cluster, coloured by sector; the title names the largest."""
    top = sizes.iloc[0]
    ordered = sizes.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    ax.barh(ordered["name"], ordered["smes"], color=ordered["sector"].map(SECTOR_COLOURS))
    for y, row in enumerate(ordered.itertuples()):
        ax.text(row.smes + 5, y, f"{row.smes:,} SMEs, {row.rtos} RTOs", va="center", fontsize=9)
    ax.set(xlabel="SMEs in the cluster (approximate, as stated)", ylabel="",
           xlim=(0, sizes["smes"].max() * 1.35),
           title=f"{top['name']} brings {top['sme_share']:.0%} of the {sizes['smes'].sum():,} SMEs listed")
    ax.legend(handles=[Patch(color=colour, label=SECTOR_NAMES[sector]) for sector, colour in SECTOR_COLOURS.items()],
              title="sector", loc="lower right")
    add_source(fig, "LASER-GO D5.1 (2017) §1.2.1, §2.3; figures as stated per cluster")
    return fig


def mission_roles() -> pd.DataFrame:
    """Who leads and who co-organises each mission: rows missions, columns clusters.

    Cells: ``lead``, ``co-organiser`` or empty.
    """
    missions = reference.missions()
    roles = pd.DataFrame("", index=missions["name"], columns=list(reference.clusters()["id"]))
    for _, row in missions.iterrows():
        roles.at[row["name"], row["lead"]] = "lead"
        roles.at[row["name"], row["co_organiser"]] = "co-organiser"
    return roles


def plot_mission_roles(roles: pd.DataFrame) -> plt.Figure:
    """A grid of missions by cluster; the title says how evenly leading is shared."""
    code = roles.replace({"lead": 2, "co-organiser": 1, "": 0}).astype(int)
    leads = (roles == "lead").sum()
    fig, ax = plt.subplots(figsize=(8, 4))
    sns.heatmap(code, cmap=sns.color_palette(["#f4f4f4", "#9ecae1", "#08519c"], as_cmap=True),
                cbar=False, linewidths=1, linecolor="white", annot=roles, fmt="", ax=ax,
                annot_kws={"fontsize": 8})
    ax.set(xlabel="cluster", ylabel="",
           title=f"Every cluster has a mission role; leads range from {leads.min()} to {leads.max()} per cluster")
    add_source(fig, "LASER-GO D5.1 (2017) §2.6 Table 2")
    return fig


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
        rows.append({
            "target_group": group,
            "companies": len(frame),
            "employees": int(frame["employees"].sum()),
            "revenue_eur_m": frame["revenue_eur_m"].sum(),
            "rd_share_pct": revenue_weighted(frame, "rd_share_pct"),
            "export_share_pct": revenue_weighted(frame, "export_share_pct"),
        })
    rows.append({
        "target_group": "direct, as planned (roadmap §2.3)",
        "companies": int(reference.funnel_value("direct_smes")),
        "employees": int(reference.funnel_value("direct_employees")),
        "revenue_eur_m": reference.funnel_value("direct_sales_eur_m"),
        "rd_share_pct": 100 * reference.funnel_value("rd_share_of_revenue"),
        "export_share_pct": float("nan"),
    })
    return pd.DataFrame(rows)


def role_mix(dataset: Dataset) -> pd.DataFrame:
    """Companies per cluster and value-network role (a company with two roles counts in both)."""
    exploded = dataset.companies.assign(role=dataset.companies["roles"].map(split_codes)).explode("role")
    table = pd.crosstab(exploded["cluster"], exploded["role"]).reindex(columns=list(ROLES), fill_value=0)
    table = table.reindex(list(reference.clusters()["id"]), fill_value=0)
    return table.rename(columns=ROLE_NAMES)


def plot_role_mix(mix: pd.DataFrame, synthetic: bool) -> plt.Figure:
    """Stacked bars of roles per cluster; the title names the sector split of suppliers."""
    sectors = reference.clusters().set_index("id")["sector"]
    suppliers = mix[ROLE_NAMES["supplier"]]
    photonics_share = suppliers[sectors[mix.index] == "photonics"].sum() / max(suppliers.sum(), 1)
    fig, ax = plt.subplots(figsize=(8, 3.8))
    mix.plot(kind="bar", stacked=True, ax=ax, width=0.7)
    ax.set(xlabel="cluster", ylabel="companies (a company may have two roles)",
           title=f"{photonics_share:.0%} of technology suppliers sit in the photonics clusters")
    ax.tick_params(axis="x", rotation=0)
    ax.legend(title="value-network role", fontsize=8)
    add_source(fig, "companies table of the data folder" + (" (synthetic sample data)" if synthetic else ""))
    return fig
