"""The index pages: one per quarter (each page's status and headline figures, with their change
since the previous published quarter) and one over every published quarter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lasergo.pages.common import Headline
from lasergo.pipeline.manifest import Manifest, published_manifests
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


def quarter_index(manifest: Manifest, previous: Manifest | None) -> str:
    """The quarter's index page: each notebook's status, link and headline figures, with the
    page's sources once under its figures."""
    pages = [
        {
            "name": nb.name,
            "title": nb.title,
            "status": nb.status,
            "error": nb.error,
            "headlines": [
                IndexHeadline(
                    h.label,
                    h.formatted(),
                    headline_change(h, previous.headline(nb.name, h.label) if previous else None),
                    h.source,
                )
                for h in nb.headlines
            ],
            "sources": list(dict.fromkeys(h.source for h in nb.headlines if h.source)),
        }
        for nb in manifest.notebooks
    ]
    return render_template(
        "quarter_index.html.j2", manifest=manifest, pages=pages, previous=previous.quarter if previous else ""
    )


def overall_index(out_dir: Path) -> str:
    """The index over every published quarter, newest first."""
    return render_template("reports_index.html.j2", manifests=published_manifests(out_dir)[::-1])
