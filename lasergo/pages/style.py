"""One seaborn style for every report chart, and the source line under each chart.

A chart's title states its finding; axes carry units; the source goes under
the plot (``add_source``), so a reader of the HTML never needs the code.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import seaborn as sns
from IPython import get_ipython
from matplotlib.figure import Figure

SECTOR_COLOURS = {"photonics": "#1f77b4", "health_tech": "#d62728"}
SECTOR_NAMES = {"photonics": "photonics", "health_tech": "health technology"}


def set_style() -> None:
    """The workbook's chart style: seaborn whitegrid, readable sizes, PNG at 110 dpi."""
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    plt.rcParams.update(
        {
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "figure.figsize": (8, 4.2),
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
        }
    )
    shell = get_ipython()
    if shell is not None:  # a chart's plain-text form, the page's alternative text, is its title
        plt.close(plt.figure())  # the inline backend, set up by the first figure, resets the formatters
        shell.display_formatter.formatters["text/plain"].for_type(
            Figure, lambda fig, printer, cycle: printer.text(chart_title(fig))
        )
        if "inline" in matplotlib.get_backend():
            # The inline backend shows (draws) every figure after each cell; pyplot's own hook
            # would first draw it once more for a screen the inline backend does not have.
            plt.uninstall_repl_displayhook()


def chart_title(fig: Figure) -> str:
    """The title that states the chart's finding: the figure's title, else its first axes' title."""
    if fig.get_suptitle():
        return fig.get_suptitle()
    titles = [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right") if ax.get_title(loc)]
    return titles[0] if titles else "Chart"


def add_source(fig: plt.Figure, text: str) -> None:
    """Write ``Source: text`` under the figure, left-aligned, in small grey type."""
    fig.text(0.01, -0.02, f"Source: {text}", ha="left", va="top", fontsize=8, color="#555555", wrap=True)


def finish(fig: plt.Figure, title: str, source: str, tight: bool = True) -> plt.Figure:
    """Title the figure with its finding (left-aligned, bold), lay it out (unless its layout is
    already constrained) and write the source under it."""
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    if tight:
        fig.tight_layout()
    add_source(fig, source)
    return fig
