"""The overview page: charts of the clusters, missions and roles, and the roadmap-check table,
over the results of :mod:`lasergo.analysis.overview` and :mod:`lasergo.analysis.roadmap`.

The page is public: a figure about the companies of the data folder that rests on fewer than
:data:`lasergo.privacy.MIN_COMPANIES` companies (but on at least one) is withheld, and the page
says so (roadmap §2.2: company data are confidential and aggregated anonymously).
"""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import Markdown
from matplotlib.patches import Patch
from pandas.io.formats.style import Styler

from lasergo.analysis.overview import RoleMix, public_target_group_summary
from lasergo.data.codes import ROLE_NAMES
from lasergo.pages.common import escape_markdown as md
from lasergo.pages.common import flag_cells, glossary, show_table, yes_no
from lasergo.pages.style import SECTOR_COLOURS, SECTOR_NAMES, add_source
from lasergo.privacy import MIN_COMPANIES, too_small

#: The count column of :func:`lasergo.analysis.overview.target_group_summary` as the table heads it
#: (a column named ``companies`` would be taken for a list of companies, :mod:`lasergo.privacy`).
COUNT_COLUMN = "Number of companies"
#: The roadmap-check table's pass/fail column (Yes/No, a No in red).
CONSISTENT_COLUMN = "Consistent"
#: Words of the roadmap checks' short names (``photonics_smes``) as a reader writes them.
CHECK_WORDS = {"smes": "SMEs", "rtos": "RTOs", "nuts": "NUTS", "rd": "R&D", "vna": "value-network analysis"}


def findings(sizes: pd.DataFrame, targets: pd.DataFrame, checks: pd.DataFrame) -> str:
    """The page's answer in Markdown: whether the roadmap's figures hold together (what a funder
    should ask for), then the partnership's size and its main target."""
    failed = checks.loc[~checks["consistent"], "check"]
    kpis = [f"KPI {number}" for number in failed.str.extract(r"^kpi(\d+)", expand=False).dropna()]
    if len(failed):
        lead = (
            f"**The roadmap contradicts itself in {len(failed)} of {len(checks)} checks"
            + (f", among them the targets of {_and(kpis)}" if kpis else "")
            + ": agree with the partnership which figures hold before judging progress against them.**"
        )
    else:
        lead = f"**The roadmap's figures agree with each other in all {len(checks)} checks.**"
    top = sizes.iloc[0]
    kpi5 = targets.set_index("kpi").loc[5]
    return (
        f"{lead} The six clusters list {int(sizes['smes'].sum()):,} SMEs and {int(sizes['rtos'].sum()):,} RTOs "
        f"({md(top['name'])} alone brings {top['sme_share']:.0%} of the SMEs). The partnership has promised "
        f"{len(targets)} KPI targets, among them {int(kpi5['target']):,} SMEs whose international share of "
        "turnover rises (KPI 5). Where the roadmap disagrees with itself, the reports use the per-cluster figures."
    )


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def clusters_table(sizes: pd.DataFrame) -> Styler:
    """The clusters of :func:`lasergo.analysis.overview.cluster_sizes` with plain headers."""
    return show_table(
        pd.DataFrame(
            {
                "Cluster": sizes["id"],
                "Name": sizes["name"],
                "Country": sizes["country"],
                "Sector": sizes["sector"].map(SECTOR_NAMES).fillna(sizes["sector"]),
                "Specialisation": sizes["specialisation"],
                "SMEs": sizes["smes"],
                "RTOs": sizes["rtos"],
                "Source": sizes["source"],
            }
        )
    )


def missions_table(missions: pd.DataFrame) -> Styler:
    """The missions of :func:`lasergo.analysis.overview.mission_table` with plain headers, Yes/No."""
    return show_table(
        pd.DataFrame(
            {
                "Mission": missions["mission"],
                "Market": missions["name"],
                "Lead cluster": missions["lead"],
                "Co-organiser": missions["co_organiser"],
                "Business roadshow": yes_no(missions["roadshow"]),
                "New market": yes_no(missions["new_market"]),
                "Note": missions["note"],
                "Source": missions["source"],
            }
        )
    )


def kpi_table(targets: pd.DataFrame) -> Styler:
    """The KPI targets of :func:`lasergo.analysis.overview.kpi_target_table` with plain headers."""
    return show_table(
        pd.DataFrame(
            {
                "KPI": targets["kpi"],
                "What is counted": targets["description"],
                "Target": targets["target"],
                "Unit": targets["unit"].replace({"count": "number", "percent": "%"}),
                "Source": targets["source"],
            }
        )
    )


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
        annot_kws={"fontsize": 9},
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
    (:func:`lasergo.analysis.overview.public_target_group_summary`), plain headers, the count headed
    ``COUNT_COLUMN``."""
    headers = {
        "target_group": "Target group",
        "companies": COUNT_COLUMN,
        "employees": "Employees",
        "revenue_eur_m": "Revenue (EUR m)",
        "rd_share_pct": "R&D share of revenue (%, weighted by revenue)",
        "export_share_pct": "Export share of revenue (%, weighted by revenue)",
    }
    return show_table(public_target_group_summary(summary).rename(columns=headers))


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
    totals = counts.fillna(0).sum(axis=1)
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    counts.fillna(0).astype(int).plot(kind="bar", stacked=True, ax=ax, width=0.7)
    for x, (_, row) in enumerate(counts.iterrows()):
        withheld = row.index[row.isna()]
        if len(withheld):
            label = "\n".join(textwrap.fill(f"{role}: <{MIN_COMPANIES}", 16) for role in withheld)
            ax.annotate(
                label,
                (x, totals.iloc[x]),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9,
                color="dimgray",
            )
    suppliers = counts[ROLE_NAMES["supplier"]]
    if suppliers.fillna(0).sum() > 0:
        title = (
            f"{mix.public_photonics_supplier_share:.0%} of technology suppliers "
            + ("shown " if suppliers.isna().any() else "")
            + "sit in the photonics clusters"
        )
    else:
        title = f"No count of technology suppliers rests on {MIN_COMPANIES} or more companies"
    ax.set(xlabel="cluster", ylabel="companies (a company may have two roles)", title=title)
    ax.tick_params(axis="x", rotation=0)
    if counts.isna().any().any():  # room for the labels of withheld counts above the bars
        ax.set_ylim(0, max(totals.max() * 1.35, 10))
    # below the plot, so that it covers no bar
    ax.legend(
        title="value-network role",
        fontsize=9,
        title_fontsize=9,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncols=3,
    )
    fig.tight_layout()
    add_source(fig, "companies table of the data folder" + (" (synthetic sample data)" if synthetic else ""))
    return fig


def check_label(check: str) -> str:
    """A roadmap check's short name as a reader writes it: ``health_tech_smes`` -> ``Health-technology
    SMEs``, ``kpi6_turnover_rise`` -> ``KPI 6 turnover rise``."""
    text = re.sub(r"kpi(\d+)", r"KPI \1", check.replace("health_tech", "health-technology"))
    words = [CHECK_WORDS.get(word, word) for word in text.split("_")]
    label = " ".join(words)
    return label[0].upper() + label[1:]


def consistency_table(checks: pd.DataFrame) -> Styler:
    """The roadmap's checks against itself (:func:`lasergo.analysis.roadmap.roadmap_consistency`) with
    plain headers, the contradictions first, ``CONSISTENT_COLUMN`` as Yes/No and a No in red."""
    checks = checks.sort_values("consistent", kind="stable")
    shown = pd.DataFrame(
        {
            "Check": checks["check"].map(check_label),
            "The roadmap states": checks["stated"],
            "Its own tables give": checks["computed"],
            CONSISTENT_COLUMN: yes_no(checks["consistent"]),
            "Explanation": checks["explanation"],
            "Source": checks["source"],
        }
    )
    return flag_cells(show_table(shown), lambda value: value == "No", [CONSISTENT_COLUMN])


def page_glossary() -> Markdown:
    """The page's glossary: the shared terms it uses and its own."""
    return glossary(
        "KPI",
        "MoU",
        "NUTS",
        "RTO",
        "SME",
        extra={
            "Affiliate": "An organisation in a target market that joins the partnership's network there "
            "(at least two per market, roadmap §2.5).",
            "Business roadshow": "A mission that two clusters run together as a roadshow for their companies "
            "(roadmap §2.6 Table 3).",
            "Cluster": "A regional association of companies, research organisations and support bodies of one sector.",
            "COSME": "The EU programme for the competitiveness of enterprises and SMEs (2014-2020).",
            "Direct and indirect target group": "Direct: the 20 SMEs per cluster shortlisted for the "
            "action; indirect: at least as many SMEs again, reached indirectly (roadmap §2.3).",
            "Mission": "A joint visit of the clusters and their companies to a target market.",
            "Weighted by revenue": "Of a share: averaged over the companies in proportion to their revenue, "
            "so that a large company counts for more.",
            "Value-network role": "What a company does in the chain from photonics to health care: technology "
            "supplier, system integrator or system user / end-user.",
        },
    )
