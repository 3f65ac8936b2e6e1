"""Where the roadmap disagrees with itself, computed from the reference tables.

:func:`roadmap_consistency` sets each figure the roadmap states beside what the
reference tables give when recomputed (sums over the clusters, funnel
arithmetic, network counts, NUTS codes), so a report can flag a disagreement
instead of silently picking one of the figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from lasergo.data import reference
from lasergo.data.codes import split_codes

COLUMNS = ("check", "stated", "computed", "consistent", "explanation", "source")

# NUTS country prefixes of the partnership's five countries.
NUTS_PREFIX = {"Lithuania": "LT", "France": "FR", "Germany": "DE", "Austria": "AT", "Spain": "ES"}
NUTS_CODE = re.compile(r"^([A-Z]{2})([0-9A-Z]{1,3})$")
NUTS3_LENGTH = 5
ROADMAP = "LASER-GO D5.1 (2017)"


def _row(check: str, stated: str, computed: str, consistent: bool, explanation: str, sources: Iterable[str]) -> dict:
    return {
        "check": check,
        "stated": stated,
        "computed": computed,
        "consistent": bool(consistent),
        "explanation": explanation,
        "source": _join_sources(sources),
    }


def _section(source: str) -> str:
    """``§2.3`` from ``LASER-GO D5.1 (2017) §2.3``; other sources unchanged."""
    return source.removeprefix(ROADMAP).strip()


def _join_sources(sources) -> str:
    """The sources once each: roadmap sections after one ``LASER-GO D5.1 (2017)``, then others."""
    sections, others = [], []
    for source in sources:
        if source.startswith(ROADMAP):
            sections += [part for part in _section(source).split("; ") if part not in sections]
        elif source not in others:
            others.append(source)
    return "; ".join(([f"{ROADMAP} " + "; ".join(sections)] if sections else []) + others)


def _num(value: float) -> str:
    """A number without trailing zeros: 21.0 as ``21``, 0.125 as ``0.125``."""
    return f"{value:g}"


def _stated(rows: pd.DataFrame, column: str) -> str:
    """``1000 (§2.3) and 1600 (§3 Conclusions)``: stated figures with their sections."""
    return " and ".join(f"{int(value)} ({_section(source)})" for value, source in zip(rows[column], rows["source"]))


def _sector_checks(clusters: pd.DataFrame) -> list[dict]:
    """Stated SMEs and RTOs per sector and in all, against the sums of the listed clusters."""
    totals = reference.sector_totals()
    rows = []
    for scope in ("photonics", "health_tech"):
        members = clusters[clusters["sector"] == scope]
        stated = totals[(totals["scope"] == scope) & (totals["counts"] == "smes")].iloc[0]
        for what, column in (("SMEs", "smes"), ("RTOs", "rtos")):
            claimed, summed = int(stated[f"{column}_stated"]), int(members[column].sum())
            terms = " + ".join(f"{n} {c}" for c, n in zip(members["id"], members[column]))
            gap = summed - claimed
            agree = "matching" if gap == 0 else f"{abs(gap)} {'more' if gap > 0 else 'fewer'} than"
            rows.append(
                _row(
                    f"{scope}_{column}",
                    str(claimed),
                    f"{summed} ({terms})",
                    claimed == summed,
                    f"The {len(members)} {scope.replace('_', '-')} clusters list {summed} {what}, "
                    f"{agree} the stated {claimed}.",
                    [stated["source"], *members["source"]],
                )
            )

    everything = totals[totals["scope"] == "all"]
    smes = everything[everything["counts"] == "smes"]
    companies = everything[everything["counts"] == "companies"]
    rtos = everything[everything["rtos_stated"].notna()]
    summed_smes, summed_rtos = int(clusters["smes"].sum()), int(clusters["rtos"].sum())
    carried = sorted(set(smes["smes_stated"]) & set(companies["smes_stated"]))
    carried_text = "".join(
        f"; {n} is also the number of companies in {' and '.join(map(_section, companies['source']))}, "
        "so it likely counts companies, not SMEs"
        for n in carried
    )
    return rows + [
        _row(
            "all_smes",
            _stated(smes, "smes_stated"),
            f"{summed_smes} (sum of the {len(clusters)} clusters)",
            bool((smes["smes_stated"] == summed_smes).all()),
            f"The {len(clusters)} clusters list {summed_smes} SMEs, against stated totals of "
            f"{_stated(smes, 'smes_stated')}{carried_text}.",
            [*smes["source"], *companies["source"]],
        ),
        _row(
            "all_rtos",
            _stated(rtos, "rtos_stated"),
            f"{summed_rtos} (sum of the {len(clusters)} clusters)",
            bool((rtos["rtos_stated"] == summed_rtos).all()),
            f"The {len(clusters)} clusters list {summed_rtos} RTOs "
            f"({' + '.join(map(str, clusters['rtos']))}), against stated totals of "
            f"{_stated(rtos, 'rtos_stated')}.",
            rtos["source"],
        ),
    ]


def _analysis_size_check(funnel: pd.DataFrame, clusters: int) -> dict:
    vna = int(funnel.at["vna_companies_per_cluster", "value"])
    mapped = int(funnel.at["vna_mapped_smes_per_cluster", "value"])
    direct = int(funnel.at["direct_smes_per_cluster", "value"])
    return _row(
        "vna_companies_per_cluster",
        f"{vna} companies per cluster",
        f"{direct} SMEs per cluster in the direct target group",
        vna == direct,
        f"The Value Network Analysis selects {vna} companies per cluster ({vna * clusters} in all), "
        f"but the direct target group has {direct} per cluster ({direct * clusters}) and the same "
        f"analysis maps {mapped} per cluster.",
        [
            funnel.at[p, "source"]
            for p in ("vna_companies_per_cluster", "vna_mapped_smes_per_cluster", "direct_smes_per_cluster")
        ],
    )


def _kpi6_check(funnel: pd.DataFrame) -> dict:
    kpi = reference.kpi_targets().set_index("kpi").loc[6]
    rise = funnel.at["turnover_share_rise_percent", "value"]
    share = funnel.at["turnover_rise_smes_share", "value"]
    target_smes = int(funnel.at["target_smes", "value"])
    return _row(
        "kpi6_turnover_rise",
        f"KPI 6: {kpi['target']}%",
        f"{_num(rise)}% on average (target-group text)",
        kpi["target"] == rise,
        f"KPI 6 targets a {kpi['target']}% rise in the international share of turnover, while the "
        f"target-group text expects {_num(rise)}% on average for {share:.0%} of the {target_smes} "
        f"SMEs ({int(share * target_smes)}).",
        [kpi["source"], funnel.at["turnover_share_rise_percent", "source"]],
    )


def _kpi_funnel_checks(funnel: pd.DataFrame) -> list[dict]:
    """KPI 2 and KPI 5 (§2.4) against the target-group text's figures for the same outcomes (§2.3)."""
    kpis = reference.kpi_targets().set_index("kpi")
    value = funnel["value"]
    kpi2, kpi2_target, agreements = kpis.loc[2], int(kpis.at[2, "target"]), int(value["agreements_stated"])
    direct, indirect = int(value["direct_smes"]), int(value["indirect_smes"])
    direct_rate, indirect_rate = value["direct_conversion"], value["indirect_conversion"]
    kpi5, kpi5_target = kpis.loc[5], int(kpis.at[5, "target"])
    target_smes, share = int(value["target_smes"]), value["turnover_rise_smes_share"]
    rising = share * target_smes
    everyone = f", all of the {target_smes} targeted" if kpi5_target == target_smes else ""
    return [
        _row(
            "kpi2_agreements",
            f"KPI 2: {kpi2_target} partnership agreements",
            f"{direct} x {_num(direct_rate)} + {indirect} x {_num(indirect_rate)} = "
            f"{_num(direct * direct_rate + indirect * indirect_rate)} agreements or MoUs (target-group text, "
            f"which states {agreements})",
            kpi2_target == agreements,
            f"KPI 2 targets {kpi2_target} partnership agreements resulting from the action, while the "
            f"target-group text expects {agreements} collaborative business agreements and MoUs (1 in "
            f"{_num(1 / direct_rate)} of {direct} direct plus 1 in {_num(1 / indirect_rate)} of {indirect} "
            f"indirect SMEs); the roadmap does not say whether KPI 2 counts a part of them or something else.",
            [kpi2["source"], funnel.at["agreements_stated", "source"]],
        ),
        _row(
            "kpi5_rising_smes",
            f"KPI 5: {kpi5_target} SMEs",
            f"{share:.0%} x {target_smes} = {_num(rising)} (target-group text)",
            kpi5_target == rising,
            f"KPI 5 targets {kpi5_target} SMEs whose international share of turnover rises{everyone}, "
            f"while the target-group text expects {share:.0%} of the {target_smes} ({_num(rising)}) to "
            f"raise it, by {_num(value['turnover_share_rise_percent'])}% on average.",
            [kpi5["source"], funnel.at["turnover_rise_smes_share", "source"]],
        ),
    ]


def _network_checks(funnel: pd.DataFrame, clusters: int) -> list[dict]:
    markets = len(reference.markets().query("kind == 'target'"))
    per_market = int(funnel.at["affiliates_per_market", "value"])
    nodes = int(funnel.at["affiliate_nodes", "value"])
    existing, planned = int(funnel.at["ties_existing", "value"]), int(funnel.at["ties_planned", "value"])
    pairs = math.comb(clusters, 2)
    sources = [funnel.at[p, "source"] for p in ("ties_existing", "ties_planned", "affiliate_nodes")]
    return [
        _row(
            "affiliate_nodes",
            str(nodes),
            f"{markets} x {per_market} = {markets * per_market}",
            nodes == markets * per_market,
            f"{per_market} affiliates in each of the {markets} target markets give "
            f"{markets * per_market} nodes against the stated {nodes}.",
            [funnel.at["affiliate_nodes", "source"], funnel.at["affiliates_per_market", "source"]],
        ),
        _row(
            "ties_clusters_x_nodes",
            f"{existing} -> {planned}",
            f"{clusters} x {clusters} = {clusters * clusters}; {clusters} x {nodes} = {clusters * nodes}",
            existing == clusters * clusters and planned == clusters * nodes,
            f"{existing} = {clusters} x {clusters} and {planned} = {clusters} x {nodes}: the ties count "
            f"each cluster with each of {clusters}, then {nodes}, nodes (a rise of "
            f"{planned / existing:.2f} times, the 'almost threefold').",
            sources,
        ),
        _row(
            "ties_as_cluster_pairs",
            f"{existing} ties among {clusters} clusters",
            f"C({clusters},2) = {pairs} distinct pairs",
            existing == pairs,
            f"{clusters} clusters form only {pairs} distinct pairs, so the {existing} existing ties "
            f"are not links between pairs of clusters; the roadmap does not define a tie.",
            sources,
        ),
    ]


@dataclass(frozen=True)
class Funnel:
    """The roadmap's target-group arithmetic (§2.3), from its inputs in data/reference/funnel.csv."""

    direct_smes: float
    indirect_smes: float
    direct_conversion: float  # 1/8 of direct SMEs sign an agreement or MoU
    indirect_conversion: float  # 1/20 of indirect SMEs
    investing_share: float  # at least half of the agreements attract investment
    investment_per_agreement_eur_m: float  # at least EUR 1 m each over two years
    cofunding_factor: float  # matched by the companies' own co-funding
    rising_share: float  # 50% of the target group raise their international share
    rise_pct: float  # by 15% on average
    agreements_stated: float  # the roadmap's own figure for the agreements: 21
    rd_investment_stated_eur_m: float  # the roadmap's own figure for the R&D investment: "about EUR 20 m"

    @classmethod
    def from_reference(cls) -> Funnel:
        value = reference.funnel_value
        return cls(
            value("direct_smes"),
            value("indirect_smes"),
            value("direct_conversion"),
            value("indirect_conversion"),
            value("investing_agreement_share"),
            value("investment_per_agreement_eur_m"),
            value("matching_cofunding_factor"),
            value("turnover_rise_smes_share"),
            value("turnover_share_rise_percent"),
            value("agreements_stated"),
            value("rd_investment_stated_eur_m"),
        )

    @property
    def agreements(self) -> float:
        """Agreements or MoUs recomputed: direct SMEs x 1/8 + indirect SMEs x 1/20."""
        return self.direct_smes * self.direct_conversion + self.indirect_smes * self.indirect_conversion

    @property
    def rd_investment_eur_m(self) -> float:
        """R&D investment recomputed: agreements x 1/2 investing x EUR 1 m x 2 (co-funding)."""
        return self.agreements * self.investing_share * self.investment_per_agreement_eur_m * self.cofunding_factor

    @property
    def rising_smes(self) -> float:
        """SMEs raising their international share recomputed: 50% of the direct and indirect SMEs."""
        return (self.direct_smes + self.indirect_smes) * self.rising_share


def _funnel_checks(funnel: pd.DataFrame, cluster_table: pd.DataFrame) -> list[dict]:
    value = funnel["value"]
    clusters, per_cluster = len(cluster_table), int(value["direct_smes_per_cluster"])
    direct, indirect = int(value["direct_smes"]), int(value["indirect_smes"])
    target = int(value["target_smes"])
    roadmap = Funnel.from_reference()
    direct_rate, indirect_rate = roadmap.direct_conversion, roadmap.indirect_conversion
    direct_deals, indirect_deals = direct * direct_rate, indirect * indirect_rate
    agreements = int(value["agreements_stated"])
    deals = roadmap.agreements
    share, per_deal = roadmap.investing_share, roadmap.investment_per_agreement_eur_m
    factor, stated_rd = roadmap.cofunding_factor, value["rd_investment_stated_eur_m"]
    investing = agreements * share
    exact = investing * per_deal * factor
    low, high = (math.floor(investing) * per_deal * factor, math.ceil(investing) * per_deal * factor)
    reading = {exact: "the unrounded figure", low: "the rounded-down figure", high: "the rounded-up figure"}
    stated_reading = reading.get(stated_rd, "inside that range" if low <= stated_rd <= high else "outside that range")
    jurisdictions_eu = cluster_table["country"].nunique()
    markets = len(reference.markets().query("kind == 'target'"))
    versions = int(value["agreement_versions"])
    source = funnel["source"]
    return [
        _row(
            "direct_smes",
            str(direct),
            f"{clusters} x {per_cluster} = {clusters * per_cluster}",
            direct == clusters * per_cluster,
            f"{per_cluster} SMEs from each of {clusters} clusters make {clusters * per_cluster}, "
            f"against the stated {direct}.",
            [source["direct_smes"], source["direct_smes_per_cluster"]],
        ),
        _row(
            "target_smes",
            str(target),
            f"{direct} + {indirect} = {direct + indirect}",
            target == direct + indirect,
            f"{direct} direct and {indirect} indirect SMEs make {direct + indirect}, against the stated {target}.",
            [source["target_smes"]],
        ),
        _row(
            "agreements",
            str(agreements),
            f"{direct} x {_num(direct_rate)} + {indirect} x {_num(indirect_rate)} = {_num(deals)}",
            math.isclose(deals, agreements),
            f"1 in {_num(1 / direct_rate)} of {direct} direct SMEs ({_num(direct_deals)}) plus 1 in "
            f"{_num(1 / indirect_rate)} of {indirect} indirect SMEs ({_num(indirect_deals)}) gives "
            f"{_num(deals)} agreements, against the stated {agreements}.",
            [source["agreements_stated"]],
        ),
        _row(
            "rd_investment",
            f"EUR {_num(stated_rd)} m",
            f"{_num(investing)} agreements x EUR {_num(per_deal)} m x {_num(factor)} = EUR {_num(exact)} m "
            f"(EUR {_num(low)}-{_num(high)} m in whole agreements)",
            low <= stated_rd <= high,
            f"Half of {agreements} agreements is {_num(investing)}; at EUR {_num(per_deal)} m each, doubled "
            f"by matching co-funding, that is EUR {_num(exact)} m, or EUR {_num(low)} m rounded down to "
            f"{math.floor(investing)} agreements and EUR {_num(high)} m rounded up to "
            f"{math.ceil(investing)} "
            f"('at least half'), so the stated EUR {_num(stated_rd)} m is {stated_reading}.",
            [source["rd_investment_stated_eur_m"]],
        ),
        _row(
            "agreement_versions",
            str(versions),
            f"{jurisdictions_eu} + {markets} = {jurisdictions_eu + markets}",
            versions == jurisdictions_eu + markets,
            f"The law of {jurisdictions_eu} partner countries and {markets} target markets calls for "
            f"{jurisdictions_eu + markets} agreement versions, against the stated {versions}.",
            [source["agreement_versions"]],
        ),
    ]


def nuts_problems(codes: list[str], country: str, region_codes: list[str]) -> dict[str, list[str]]:
    """What is wrong with each NUTS code of a cluster in ``country`` and region ``region_codes``.

    Checks the format, the country prefix, the level and the region. A list holding a NUTS-3
    code (5 characters) is a NUTS-3 list, so a shorter code in it is flagged, with the likely
    intended code when the siblings share a level-1 code whose digit seems dropped.
    Codes without problems are left out; each problem reads after the code ("FR02 has ...").
    """
    country_of = {prefix: name for name, prefix in NUTS_PREFIX.items()}
    expected = NUTS_PREFIX[country]
    level1 = {code[:3] for code in codes if len(code) == NUTS3_LENGTH}
    problems: dict[str, list[str]] = {}
    for code in codes:
        found = []
        match = NUTS_CODE.match(code)
        if not match:
            found.append("is not a NUTS code (2-letter country prefix and 1 to 3 characters)")
        elif match.group(1) != expected:
            prefix = match.group(1)
            found.append(
                f"has the prefix {prefix} ({country_of.get(prefix, 'another country')}) "
                f"instead of {expected} ({country})"
            )
        if match and level1 and len(code) < NUTS3_LENGTH:
            hint = ""
            if len(level1) == 1 and len(code) == NUTS3_LENGTH - 1:
                hint = f" (most likely {next(iter(level1))}{code[2:]})"
            found.append(f"has {len(code)} characters in a list of NUTS-3 codes of {NUTS3_LENGTH}{hint}")
        if not any(code.startswith(region) for region in region_codes):
            found.append(f"lies outside the cluster's region {'/'.join(region_codes)}")
        if found:
            problems[code] = found
    return problems


def _nuts_checks(clusters: pd.DataFrame) -> list[dict]:
    rows = []
    for _, cluster in clusters.iterrows():
        codes = split_codes(cluster["nuts_codes"])
        regions = split_codes(cluster["region_nuts"])
        problems = nuts_problems(codes, cluster["country"], regions)
        if problems:
            computed = "; ".join(f"{code} {' and '.join(found)}" for code, found in problems.items())
            explanation = f"Of the codes of {cluster['id']} ({', '.join(codes)}), {computed}."
        else:
            computed = f"{len(codes)} well-formed, inside {'/'.join(regions)}"
            explanation = (
                f"Every code of {cluster['id']} ({', '.join(codes)}) is a well-formed NUTS code "
                f"of {cluster['country']} inside {'/'.join(regions)}."
            )
        rows.append(
            _row(
                f"nuts_codes_{cluster['id']}",
                cluster["nuts_codes"],
                computed,
                not problems,
                explanation,
                [cluster["source"]],
            )
        )
    return rows


def roadmap_consistency() -> pd.DataFrame:
    """Every check of the roadmap against itself, one row each.

    Columns: ``check`` (short name), ``stated`` (what the roadmap says), ``computed`` (what the
    reference tables give), ``consistent``, ``explanation`` (one sentence with the numbers) and
    ``source`` (the sections involved).
    """
    funnel = reference.funnel().set_index("parameter")
    clusters = reference.clusters()
    rows = [
        *_sector_checks(clusters),
        _analysis_size_check(funnel, len(clusters)),
        *_kpi_funnel_checks(funnel),
        _kpi6_check(funnel),
        *_network_checks(funnel, len(clusters)),
        *_funnel_checks(funnel, clusters),
        *_nuts_checks(clusters),
    ]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table.astype({"consistent": bool})
