"""The overview page: charts of the clusters, missions and roles, and the roadmap-check table,
over the results of :mod:`lasergo.analysis.overview` and :mod:`lasergo.analysis.roadmap`.

The page is public: a figure about the companies of the data folder that rests on fewer than
:data:`lasergo.privacy.MIN_COMPANIES` companies (but on at least one) is withheld, and the page
says so (roadmap §2.2: company data are confidential and aggregated anonymously).
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch
from pandas.io.formats.style import Styler

from lasergo.analysis.overview import RoleMix, public_target_group_summary
from lasergo.data.codes import ROLE_NAMES
from lasergo.pages.common import flag_cells, show_table
from lasergo.pages.style import SECTOR_COLOURS, SECTOR_NAMES, add_source
from lasergo.privacy import MIN_COMPANIES, too_small

#: The count column of :func:`lasergo.analysis.overview.target_group_summary` as the table heads it
#: (a column named ``companies`` would be taken for a list of companies, :mod:`lasergo.privacy`).
COUNT_COLUMN = "number of companies"


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


def target_group_table(summary: pd.DataFrame) -> Styler:
    """The target-group summary as the public page shows it
    (:func:`lasergo.analysis.overview.public_target_group_summary`), the count headed ``COUNT_COLUMN``."""
    return show_table(public_target_group_summary(summary).rename(columns={"companies": COUNT_COLUMN}))


def privacy_note(summary: pd.DataFrame, mix: RoleMix) -> str:
    """Markdown: what the page withholds about small groups of companies; empty if nothing."""
    groups = int(too_small(summary["companies"]).sum())
    cells = int(mix.public_counts.isna().to_numpy().sum())
    if not groups and not cells:
        return ""
    withheld = [
        *([f"the employees, revenue and shares of {groups} target group(s)"] if groups else []),
        *([f"{cells} counts of companies by cluster and role (marked <{MIN_COMPANIES} on the chart)"] if cells else []),
    ]
    return (
        f"**Withheld (confidentiality).** Figures resting on fewer than {MIN_COMPANIES} companies are not "
        f"shown (roadmap §2.2): {' and '.join(withheld)}."
    )


def plot_role_mix(mix: RoleMix, synthetic: bool) -> plt.Figure:
    """Stacked bars of roles per cluster (``mix.public_counts``: a withheld count is left out and
    named above its bar); the title gives the photonics clusters' share of the suppliers shown."""
    counts = mix.public_counts
    fig, ax = plt.subplots(figsize=(8, 3.8))
    counts.fillna(0).astype(int).plot(kind="bar", stacked=True, ax=ax, width=0.7)
    for x, (_, row) in enumerate(counts.iterrows()):
        withheld = row.index[row.isna()]
        if len(withheld):
            label = "\n".join(textwrap.fill(f"{role}: <{MIN_COMPANIES}", 14) for role in withheld)
            ax.text(x, row.fillna(0).sum() + 0.5, label, ha="center", va="bottom", fontsize=7, color="dimgray")
    ax.set(
        xlabel="cluster",
        ylabel="companies (a company may have two roles)",
        title=f"{mix.public_photonics_supplier_share:.0%} of technology suppliers "
        + ("shown " if counts[ROLE_NAMES["supplier"]].isna().any() else "")
        + "sit in the photonics clusters",
    )
    ax.tick_params(axis="x", rotation=0)
    if counts.isna().any().any():  # room for the labels above the bars, the legend above them
        ax.set_ylim(top=counts.fillna(0).sum(axis=1).max() * 1.55)
        ax.legend(title="value-network role", fontsize=8, loc="upper center", ncols=3, title_fontsize=9)
    else:
        ax.legend(title="value-network role", fontsize=8)
    add_source(fig, "companies table of the data folder" + (" (synthetic sample data)" if synthetic else ""))
    return fig


def consistency_table(checks: pd.DataFrame) -> Styler:
    """The roadmap's checks against itself, the failed ones flagged in the ``consistent`` column."""
    return flag_cells(show_table(checks), lambda value: value is False, ["consistent"])
