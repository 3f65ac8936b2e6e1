"""The overview page: charts of the clusters, missions and roles, and the roadmap-check table,
over the results of :mod:`lasergo.analysis.overview` and :mod:`lasergo.analysis.roadmap`."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch
from pandas.io.formats.style import Styler

from lasergo.analysis.overview import RoleMix
from lasergo.pages.common import flag_cells, show_table
from lasergo.pages.style import SECTOR_COLOURS, SECTOR_NAMES, add_source


def plot_cluster_sizes(sizes: pd.DataFrame) -> plt.Figure:
    """Horizontal bars of SMEs per cluster, coloured by sector; the title names the largest."""
    top = sizes.iloc[0]
    ordered = sizes.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    ax.barh(ordered["name"], ordered["smes"], color=ordered["sector"].map(SECTOR_COLOURS))
    for y, row in enumerate(ordered.itertuples()):
        ax.text(row.smes + 5, y, f"{row.smes:,} SMEs, {row.rtos} RTOs", va="center", fontsize=9)
    ax.set(
        xlabel="SMEs in the cluster (approximate, as stated)",
        ylabel="",
        xlim=(0, sizes["smes"].max() * 1.35),
        title=f"{top['name']} brings {top['sme_share']:.0%} of the {sizes['smes'].sum():,} SMEs listed",
    )
    ax.legend(
        handles=[Patch(color=colour, label=SECTOR_NAMES[sector]) for sector, colour in SECTOR_COLOURS.items()],
        title="sector",
        loc="lower right",
    )
    add_source(fig, "LASER-GO D5.1 (2017) §1.2.1, §2.3; figures as stated per cluster")
    return fig


def plot_mission_roles(roles: pd.DataFrame) -> plt.Figure:
    """A grid of missions by cluster; the title says how evenly leading is shared."""
    code = roles.replace({"lead": 2, "co-organiser": 1, "": 0}).astype(int)
    leads = (roles == "lead").sum()
    fig, ax = plt.subplots(figsize=(8, 4))
    sns.heatmap(
        code,
        cmap=sns.color_palette(["#f4f4f4", "#9ecae1", "#08519c"], as_cmap=True),
        cbar=False,
        linewidths=1,
        linecolor="white",
        annot=roles,
        fmt="",
        ax=ax,
        annot_kws={"fontsize": 8},
    )
    ax.set(
        xlabel="cluster",
        ylabel="",
        title=f"Every cluster has a mission role; leads range from {leads.min()} to {leads.max()} per cluster",
    )
    add_source(fig, "LASER-GO D5.1 (2017) §2.6 Table 2")
    return fig


def plot_role_mix(mix: RoleMix, synthetic: bool) -> plt.Figure:
    """Stacked bars of roles per cluster; the title gives the photonics clusters' share of suppliers."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    mix.counts.plot(kind="bar", stacked=True, ax=ax, width=0.7)
    ax.set(
        xlabel="cluster",
        ylabel="companies (a company may have two roles)",
        title=f"{mix.photonics_supplier_share:.0%} of technology suppliers sit in the photonics clusters",
    )
    ax.tick_params(axis="x", rotation=0)
    ax.legend(title="value-network role", fontsize=8)
    add_source(fig, "companies table of the data folder" + (" (synthetic sample data)" if synthetic else ""))
    return fig


def consistency_table(checks: pd.DataFrame) -> Styler:
    """The roadmap's checks against itself, the failed ones flagged in the ``consistent`` column."""
    return flag_cells(show_table(checks), lambda value: value is False, ["consistent"])
