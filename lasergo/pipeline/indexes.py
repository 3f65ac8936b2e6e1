"""The index pages: one per quarter and one over every published quarter.

A quarter's index is its front page: the summary page's answer first (the viability reading,
its headline figures with their change since the previous published quarter, the biggest risks
and the next steps, all as that page recorded them), then every page with what it found (its
verdict where it gives one; "built" where it only ran) and its headline figures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lasergo.pages.common import Headline
from lasergo.pipeline.manifest import Manifest, NotebookResult, published_manifests
from lasergo.pipeline.render import render_template


@dataclass(frozen=True)
class IndexHeadline:
    """A headline as the index shows it: the formatted value and its change (``+3``, ``-1.2``)."""

    label: str
    value: str
    delta: str
    source: str


def headline_change(now: Headline, before: Headline | None) -> str:
    """The signed change of a numeric headline since ``before``; empty when it is not a number."""
    if before is None or isinstance(now.value, str) or isinstance(before.value, str):
        return ""
    change = now.value - before.value
    return f"{change:+,}" if isinstance(change, int) else f"{change:+,.1f}"


def _index_headlines(nb: NotebookResult, previous: Manifest | None) -> list[IndexHeadline]:
    return [
        IndexHeadline(
            h.label,
            h.formatted(),
            headline_change(h, previous.headline(nb.name, h.label) if previous else None),
            h.source,
        )
        for h in nb.headlines
    ]


def page_status(nb: NotebookResult) -> str:
    """What a page found: "failed", its verdict (on track, at risk, off track) or "built"."""
    if nb.status != "ok":
        return "failed"
    found = nb.results.get("verdict")
    return found["status"] if isinstance(found, dict) and found.get("status") else "built"


def summary_of(manifest: Manifest) -> NotebookResult | None:
    """The page that answers the quarter (it records a viability ``reading``), if it built."""
    return next((nb for nb in manifest.notebooks if nb.status == "ok" and "reading" in nb.results), None)


def quarter_index(manifest: Manifest, previous: Manifest | None, clusters: list[str] | None = None) -> str:
    """The quarter's front page: the summary page's answer, then each page's status (what it
    found), link and headline figures, with the page's sources once under its figures; the
    partnership's front page links the ``clusters``' editions built beside it."""
    summary = summary_of(manifest)
    pages = [
        {
            "name": nb.name,
            "title": nb.title,
            "status": page_status(nb),
            "error": nb.error,
            "reason": (nb.results.get("verdict") or {}).get("reason", ""),
            "headlines": _index_headlines(nb, previous),
            "sources": list(dict.fromkeys(h.source for h in nb.headlines if h.source)),
        }
        for nb in manifest.notebooks
        if nb is not summary
    ]
    return render_template(
        "quarter_index.html.j2",
        manifest=manifest,
        pages=pages,
        previous=previous.quarter if previous else "",
        summary=summary,
        summary_headlines=_index_headlines(summary, previous) if summary else [],
        clusters=[] if manifest.cluster else (clusters or []),
    )


def overall_index(out_dir: Path) -> str:
    """The index over every published quarter, newest first."""
    return render_template("reports_index.html.j2", manifests=published_manifests(out_dir)[::-1])
