"""Market-partnership fit: how well each cluster fits each target market in each thematic segment.

The roadmap asks which partners to screen for each market (LASER-GO D5.1 (2017)
§2.2). The fit of a cluster, segment and market is a weighted score, 0-100, of
the cluster's coverage of the segment's technology uses, the maturity (TRL) of
its products in the segment, and its strongest tie to the market (missions and
roadshows, §2.6 Tables 2-3; past missions, links, trade shows and plans,
§1.2.1, §2.6 Table 1). The weights and the strength of each tie are
assumptions (``FIT_WEIGHTS``, ``LINK_STRENGTH``).

Coverage and maturity describe a cluster's companies; each score carries the number of
companies it rests on, so that a public page can withhold the scores resting on fewer than
:data:`lasergo.privacy.MIN_COMPANIES` (:func:`small_fit_cells`; roadmap §2.2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lasergo.data import reference
from lasergo.data.codes import split_codes
from lasergo.data.dataset import Dataset
from lasergo.data.reference import segment_uses
from lasergo.privacy import MIN_COMPANIES, too_small

LINK_STRENGTH = {
    "mission_lead": 1.0,
    "mission_co_organiser": 0.8,
    "roadshow": 0.8,
    "mission": 0.6,
    "established_link": 0.6,
    "trade_show": 0.4,
    "planned": 0.2,
}
FIT_WEIGHTS = {"coverage": 0.5, "maturity": 0.25, "links": 0.25}


def cluster_links_to_markets(markets: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The strongest tie of each cluster to each target market and what it is.

    Ties (strength 0-1, ``LINK_STRENGTH``, an assumption): leads or co-organises the market's
    mission, runs its roadshow (roadmap §2.6 Tables 2-3), or has a past mission, established link,
    trade show or plan in one of the market's countries (§1.2.1, §2.6 Table 1).
    Columns ``cluster``, ``market``, ``links`` (0-1), ``link_evidence``.
    """
    markets = markets or reference.TARGET_MARKET_IDS
    countries = dict(zip(reference.markets()["id"], reference.markets()["countries"].map(split_codes)))
    missions = reference.missions().set_index("market")
    links = reference.cluster_links()
    rows = []
    for cluster in reference.CLUSTER_IDS:
        for market in markets:
            ties = []
            if market in missions.index:
                mission = missions.loc[market]
                if mission["lead"] == cluster:
                    ties.append(("mission_lead", f"leads mission {mission['mission']}"))
                if mission["co_organiser"] == cluster:
                    ties.append(("mission_co_organiser", f"co-organises mission {mission['mission']}"))
                if cluster in split_codes(mission["roadshow_clusters"]):
                    ties.append(("roadshow", "runs its business roadshow"))
            own = links[(links["cluster"] == cluster) & links["country"].isin(countries.get(market, []))]
            ties += [
                (kind, f"{kind.replace('_', ' ')} ({country})") for kind, country in zip(own["kind"], own["country"])
            ]
            strength = max((LINK_STRENGTH[k] for k, _ in ties), default=0.0)
            evidence = "; ".join(dict.fromkeys(text for _, text in ties)) or "no tie recorded"
            rows.append({"cluster": cluster, "market": market, "links": strength, "link_evidence": evidence})
    return pd.DataFrame(rows)


def fit_scores(
    dataset: Dataset, markets: tuple[str, ...] | None = None, weights: dict[str, float] | None = None
) -> pd.DataFrame:
    """Market-partnership fit per cluster, segment and market, 0-100:

    100 x (w_c coverage + w_m maturity + w_l links), weights ``FIT_WEIGHTS`` (an assumption) where
    coverage = share of the segment's technology uses that the cluster's companies (their
    technology uses, for companies serving the segment) or products (in the segment) cover;
    maturity = (mean TRL of the cluster's products in the segment - 1) / 8, 0 without products;
    links = :func:`cluster_links_to_markets`.
    Columns ``cluster``, ``segment``, ``market``, ``coverage``, ``maturity``, ``links``, ``score``,
    ``uses_covered``, ``uses``, ``products``, ``mean_trl``, ``companies`` (distinct companies behind
    coverage and maturity: the cluster's companies serving the segment or with a product in it),
    ``product_companies`` (those with a product in the segment, behind maturity and ``mean_trl``),
    ``link_evidence``.
    """
    weights = {**FIT_WEIGHTS, **(weights or {})}
    markets = markets or reference.TARGET_MARKET_IDS
    segments = reference.THEMATIC_SEGMENT_IDS
    uses = segment_uses(segments)
    companies, products = (
        dataset.companies,
        dataset.products.merge(dataset.companies[["id", "cluster"]].rename(columns={"id": "company"}), on="company"),
    )
    rows = []
    for cluster in reference.CLUSTER_IDS:
        own = companies[companies["cluster"] == cluster]
        for segment in segments:
            serving = own.loc[[segment in split_codes(cell) for cell in own["segments"]]]
            offered = {u for cell in serving["technology_uses"] for u in split_codes(cell)}
            in_segment = products[(products["cluster"] == cluster) & (products["segment"] == segment)]
            offered |= set(in_segment["technology_use"])
            covered = [u for u in uses[segment] if u in offered]
            mean_trl = float(in_segment["trl"].mean()) if len(in_segment) else np.nan
            with_products = set(in_segment["company"])
            rows.append(
                {
                    "cluster": cluster,
                    "segment": segment,
                    "coverage": len(covered) / len(uses[segment]),
                    "maturity": 0.0 if np.isnan(mean_trl) else (mean_trl - 1) / 8,
                    "uses_covered": len(covered),
                    "uses": len(uses[segment]),
                    "products": len(in_segment),
                    "mean_trl": mean_trl,
                    "companies": len(set(serving["id"]) | with_products),
                    "product_companies": len(with_products),
                }
            )
    capability = pd.DataFrame(rows)
    frame = capability.merge(cluster_links_to_markets(markets), on="cluster")
    frame["score"] = (
        100
        * (
            weights["coverage"] * frame["coverage"]
            + weights["maturity"] * frame["maturity"]
            + weights["links"] * frame["links"]
        )
        / sum(weights.values())
    )
    return frame[
        [
            "cluster",
            "segment",
            "market",
            "coverage",
            "maturity",
            "links",
            "score",
            "uses_covered",
            "uses",
            "products",
            "mean_trl",
            "companies",
            "product_companies",
            "link_evidence",
        ]
    ]


def small_fit_cells(fit: pd.DataFrame, k: int = MIN_COMPANIES) -> pd.Series:
    """Where a score of :func:`fit_scores` rests on fewer than ``k`` companies (but on at least
    one): in all, or behind its maturity (the mean TRL of fewer than ``k`` companies' products
    could be read back from the score). The threshold rule of statistical disclosure control
    (Hundepool et al. 2012, *Statistical Disclosure Control*, ch. 4), with ``k`` of roadmap §2.2."""
    return too_small(fit["companies"], k) | too_small(fit["product_companies"], k)
