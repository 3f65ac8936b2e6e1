"""The value network: clusters, affiliates and companies tied together (roadmap §2.2 step 1,
§2.5 network of affiliates).

- The graph (networkx) at a date: its nodes are the six clusters, every affiliate known by then
  (shortlisted, whatever its status) and every company with a tie; an edge is a pair of nodes with
  at least one tie recorded (several records of the same pair, e.g. a meeting and then an MoU,
  make one edge: the roadmap counts ties between nodes, not events).
- Measures per node: degree and degree centrality, betweenness centrality (Brandes 2001; share of
  the shortest paths between other nodes that run through the node), Burt's constraint and effective
  size (Burt 1992, structural holes: a broker has a low constraint and a large effective size).
- Brokerage between two groups of nodes (photonics and health technology; Europe and the affiliates
  of one target market): the share of the shortest paths between the connected pairs of one node of
  each group that run through a node (networkx ``betweenness_centrality_subset``).
- Both shortest-path measures are exact while they start from at most :data:`PIVOTS` source nodes;
  above that they are estimated from :data:`PIVOTS` source nodes drawn at random (Brandes and Pich
  2007, seeded), so that their time grows with the network rather than with its square.
- The roadmap's count of ties ("from 36 to 96", §2.5) set beside the graph's own: 36 = 6 x 6 and
  96 = 6 x 16 count each cluster with each of 6 clusters, then 16 affiliates, while six clusters form
  only C(6, 2) = 15 distinct pairs (BRIEF §7).
- Affiliates per target market against the roadmap's two (§2.5), by status at a date.
- Growth: ties and affiliates with a signed MoU forecast to the target date with the KPIs' method
  (:mod:`lasergo.analysis.forecast`, back-tested as in :func:`lasergo.analysis.kpi.kpi_report`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from lasergo.analysis.forecast import Choice, horizon_to
from lasergo.analysis.kpi import (
    PathOutlook,
    check_forecast_window,
    choose_kpi_forecast,
    is_verified,
    path_outcomes,
)
from lasergo.data import reference
from lasergo.data.dataset import Dataset
from lasergo.privacy import MIN_COMPANIES
from lasergo.quarter import quarter_end

#: The region of the partnership's own nodes (clusters and their companies).
EUROPE = "europe"
#: An affiliate's status steps, in the order they happen (roadmap §2.5: shortlist, interview, MoU).
STEPS = ("shortlisted", "interviewed", "mou_signed")
#: The node id of the companies whose cluster group is too small to show on its own (public graph).
OTHER_COMPANIES = "companies:other"
NODE_COLUMNS = ["node", "kind", "name", "sector", "country", "region", "cluster"]
PAIR_COLUMNS = ["a", "b", "first", "records", "types"]
#: The most source nodes a shortest-path measure starts from: betweenness from every node and the
#: photonics-health brokerage from every node of the smaller sector while they are at most this many,
#: else from this many drawn at random (Brandes and Pich 2007). Each drawn node costs a search of its
#: component (7 ms at 24,000 SMEs), so 100 keeps the page's time about linear in the companies. On the
#: samples of 24,000 and 48,000 SMEs the planted broker still ranks first with each of four seeds, its
#: betweenness within 30% and its photonics-health brokerage within 3% of the exact values.
PIVOTS = 100
MEASURE_COLUMNS = [
    *NODE_COLUMNS,
    "ties",
    "degree_centrality",
    "betweenness",
    "constraint",
    "effective_size",
    "sector_brokerage",
]


# --- Nodes and ties --------------------------------------------------------------------------------


def node_table(ties: pd.DataFrame, affiliates: pd.DataFrame, companies: pd.DataFrame) -> pd.DataFrame:
    """One row per node: the six clusters, every affiliate, and every other id that has a tie.

    Columns: node (id), kind (cluster, affiliate, company; ``unknown`` for a tied id in none of the
    tables, e.g. a company not yet joined at a cut), name (cluster or affiliate name; blank for
    companies), sector (photonics, health_tech, both; NA if unknown), country (a cluster's or
    company's country, an affiliate's market countries as in markets.csv), region (``europe`` for
    clusters and companies, the target market id for affiliates), cluster (a company's cluster, a
    cluster's own id; NA for affiliates).
    """
    clusters = reference.clusters()
    markets = reference.markets().set_index("id")
    rows = [
        {
            "node": c.id,
            "kind": "cluster",
            "name": c.name,
            "sector": c.sector,
            "country": c.country,
            "region": EUROPE,
            "cluster": c.id,
        }
        for c in clusters.itertuples()
    ]
    rows += [
        {
            "node": a.id,
            "kind": "affiliate",
            "name": a.name,
            "sector": a.sector,
            "country": markets.at[a.market, "countries"] if a.market in markets.index else pd.NA,
            "region": a.market,
            "cluster": pd.NA,
        }
        for a in affiliates.itertuples()
    ]
    known = {row["node"] for row in rows}
    tied = pd.unique(pd.concat([ties["source"], ties["target"]]).astype(str))
    members = companies.set_index("id")
    by_cluster = clusters.set_index("id")
    for node in sorted(set(tied) - known):
        if node in members.index:
            cluster = members.at[node, "cluster"]
            rows.append(
                {
                    "node": node,
                    "kind": "company",
                    "name": "",
                    "sector": by_cluster.at[cluster, "sector"],
                    "country": by_cluster.at[cluster, "country"],
                    "region": EUROPE,
                    "cluster": cluster,
                }
            )
        else:
            rows.append(dict.fromkeys(NODE_COLUMNS, pd.NA) | {"node": node, "kind": "unknown", "name": ""})
    return pd.DataFrame(rows, columns=NODE_COLUMNS)


def tie_pairs(ties: pd.DataFrame) -> pd.DataFrame:
    """The distinct pairs of nodes with a tie: one row per unordered pair.

    Columns: a, b (the two ids, a < b), first (date of the pair's first tie), records (rows of the
    ties table for the pair), types (the pair's tie types, sorted, ';'-joined). Sorted by first date.
    """
    if ties.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS).astype({"first": "datetime64[ns]", "records": int})
    ends = np.sort(ties[["source", "target"]].astype(str).to_numpy(), axis=1)
    frame = ties.assign(a=ends[:, 0], b=ends[:, 1])
    pairs = frame.groupby(["a", "b"]).agg(
        first=("date", "min"), records=("date", "size"), types=("type", lambda t: ";".join(sorted(set(t))))
    )
    return pairs.reset_index().sort_values(["first", "a", "b"], ignore_index=True)[PAIR_COLUMNS]


def network_graph(nodes: pd.DataFrame, pairs: pd.DataFrame) -> nx.Graph:
    """The undirected graph: every node of ``nodes`` with its columns as attributes, one edge per
    pair of ``pairs`` with attributes first, records and types."""
    graph = nx.Graph()
    for row in nodes.to_dict("records"):
        graph.add_node(row["node"], **{k: v for k, v in row.items() if k != "node"})
    for row in pairs.to_dict("records"):
        graph.add_edge(row["a"], row["b"], first=row["first"], records=row["records"], types=row["types"])
    return graph


# --- Measures --------------------------------------------------------------------------------------


def sampled_sources(sources: int, pivots: int | None) -> int | None:
    """How many of ``sources`` source nodes an estimate starts from: ``pivots`` when there are more
    sources than that, else None (every one: the exact value)."""
    return pivots if pivots is not None and sources > pivots else None


def betweenness(graph: nx.Graph, pivots: int | None = PIVOTS, seed: int = 1) -> dict:
    """Normalised betweenness centrality of every node (Brandes 2001, networkx); on a graph of more than
    ``pivots`` nodes, Brandes and Pich's (2007) estimate from the shortest paths of ``pivots`` source
    nodes drawn at random (networkx's ``k``, seeded), scaled up to every source."""
    return nx.betweenness_centrality(graph, k=sampled_sources(len(graph), pivots), normalized=True, seed=seed)


def group_brokerage(
    graph: nx.Graph, sources: list[str], targets: list[str], pivots: int | None = None, seed: int = 1
) -> pd.Series:
    """Each node's share of the shortest paths between the two groups: over the pairs (s, t), s in
    ``sources`` and t in ``targets`` (disjoint) joined by a path, the mean of the fraction of the
    shortest s-t paths through the node (an end of a path does not broker it). 0 everywhere when no
    such pair is joined.

    The pairs are taken from the smaller group's side; when it has more than ``pivots`` nodes, only
    the pairs of ``pivots`` of them drawn at random (seeded) count: Brandes and Pich's (2007) source
    sampling, the share estimated as the ratio of the sums over the drawn nodes.

    networkx's ``betweenness_centrality_subset`` sums those fractions, halved on an undirected
    graph (it counts each pair in one direction only, then rescales as if both); doubled back here.
    """
    if len(targets) < len(sources):  # undirected: the same pairs and paths, from the smaller side
        sources, targets = targets, sources
    drawn = sampled_sources(len(sources), pivots)
    if drawn is not None:
        sources = [sources[i] for i in np.random.default_rng(seed).choice(len(sources), drawn, replace=False)]
    component = {node: i for i, members in enumerate(nx.connected_components(graph)) for node in members}
    source_counts = Counter(component[s] for s in sources)
    joined = float(sum(source_counts[component[t]] for t in targets))
    if not joined:
        return pd.Series(0.0, index=list(graph.nodes), dtype=float)
    sums = nx.betweenness_centrality_subset(graph, sources, targets, normalized=False)
    return pd.Series({node: 2 * value / joined for node, value in sums.items()}, dtype=float)


def effective_size(graph: nx.Graph) -> pd.Series:
    """Burt's (1992) effective size of every node by Borgatti's (1997) formula for an unweighted,
    undirected graph: n - 2t/n for n contacts with t ties among them (networkx ``triangles``); NaN for
    a node without ties. (networkx's ``effective_size`` of every node builds a dense nodes x nodes
    matrix: 1.2 GB at 9,000 nodes.)"""
    contacts = pd.Series(dict(graph.degree()), dtype=float)
    among = pd.Series(nx.triangles(graph), dtype=float)
    return (contacts - 2 * among / contacts).where(contacts > 0)


def sector_groups(nodes: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The ids of the photonics and of the health-technology nodes of a :func:`node_table` (affiliates
    serving both sectors are in neither)."""
    sector = nodes.set_index("node")["sector"]
    return list(sector.index[sector == "photonics"]), list(sector.index[sector == "health_tech"])


def node_measures(graph: nx.Graph, pivots: int | None = PIVOTS, seed: int = 1) -> pd.DataFrame:
    """Centrality and brokerage of every node.

    Columns: those of :func:`node_table`, then ties (degree: nodes tied to it), degree_centrality
    (degree / (nodes - 1)), betweenness (normalised, 0-1; :func:`betweenness`), constraint (Burt;
    NaN for a node without ties), effective_size (:func:`effective_size`), sector_brokerage
    (:func:`group_brokerage` between photonics and health-technology nodes; affiliates serving both
    sectors are in neither group). Both shortest-path measures are estimated from ``pivots`` source
    nodes drawn with ``seed`` when they would start from more. Sorted by betweenness, highest first
    (ties by id).
    """
    nodes = pd.DataFrame([{"node": n, **attrs} for n, attrs in graph.nodes(data=True)], columns=NODE_COLUMNS)
    if nodes.empty:
        return pd.DataFrame(columns=MEASURE_COLUMNS)
    photonics, health = sector_groups(nodes)
    measures = nodes.assign(
        ties=nodes["node"].map(dict(graph.degree())).astype(int),
        degree_centrality=nodes["node"].map(nx.degree_centrality(graph)),
        betweenness=nodes["node"].map(betweenness(graph, pivots, seed)),
        constraint=nodes["node"].map(nx.constraint(graph)).astype(float),
        effective_size=nodes["node"].map(effective_size(graph)),
        sector_brokerage=nodes["node"].map(group_brokerage(graph, photonics, health, pivots, seed)),
    )
    return measures.sort_values(["betweenness", "node"], ascending=[False, True], ignore_index=True)[MEASURE_COLUMNS]


def market_brokers(graph: nx.Graph, measures: pd.DataFrame) -> pd.DataFrame:
    """Who brokers between Europe (clusters and companies) and each target market's affiliates.

    One row per target market (markets.csv order). Columns: market, affiliates (the market's
    affiliates in the graph), tied_to_europe (of them, those with a direct tie to a European node),
    europe_ties (ties between the market's affiliates and European nodes), joined_pairs (European
    node and affiliate pairs joined by a path), broker (the cluster or affiliate with the largest
    :func:`group_brokerage` between Europe and the market; NA when no pair is joined or nobody stands
    between), broker_kind, broker_name, share (its brokerage, 0-1). Companies are left out of the
    broker choice: a public page names clusters and affiliates only.
    """
    region = nx.get_node_attributes(graph, "region")
    europe = [n for n, r in region.items() if r == EUROPE]
    component = {node: i for i, members in enumerate(nx.connected_components(graph)) for node in members}
    europe_in = Counter(component[e] for e in europe)
    kind = measures.set_index("node")["kind"]
    name = measures.set_index("node")["name"]
    rows = []
    for market in reference.TARGET_MARKET_IDS:
        local = [n for n, r in region.items() if r == market]
        tied = {a for a in local for b in graph.neighbors(a) if region.get(b) == EUROPE}
        europe_ties = sum(region.get(b) == EUROPE for a in local for b in graph.neighbors(a))
        joined = sum(europe_in[component[a]] for a in local)
        row = {
            "market": market,
            "affiliates": len(local),
            "tied_to_europe": len(tied),
            "europe_ties": europe_ties,
            "joined_pairs": joined,
            "broker": pd.NA,
            "broker_kind": pd.NA,
            "broker_name": pd.NA,
            "share": 0.0,
        }
        if joined:
            shares = group_brokerage(graph, europe, local)
            shares = shares[kind.reindex(shares.index).isin(["cluster", "affiliate"])]
            shares = shares[shares > 0]
            if len(shares):
                best = shares.sort_index().idxmax()
                row |= {"broker": best, "broker_kind": kind[best], "broker_name": name[best], "share": shares[best]}
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class TieMix:
    """How many ties cross sectors, countries and the line between Europe and a target market.

    A tie crosses sectors when one end is in photonics and the other in health technology (an
    affiliate serving both sectors crosses nothing); countries when the ends' countries differ;
    Europe and a market when one end is European and the other an affiliate.
    """

    ties: int
    cross_sector: int
    cross_country: int
    europe_market: int

    def share(self, field: str) -> float:
        """The share of the ties that ``field`` counts (NaN without ties)."""
        return getattr(self, field) / self.ties if self.ties else float("nan")


def tie_mix(graph: nx.Graph) -> TieMix:
    """Count the crossing ties of ``graph`` (:class:`TieMix`)."""
    sector = nx.get_node_attributes(graph, "sector")
    country = nx.get_node_attributes(graph, "country")
    region = nx.get_node_attributes(graph, "region")
    markets = set(reference.TARGET_MARKET_IDS)
    cross_sector = cross_country = europe_market = 0
    for a, b in graph.edges():
        cross_sector += {sector.get(a), sector.get(b)} == {"photonics", "health_tech"}
        known = pd.notna(country.get(a)) and pd.notna(country.get(b))
        cross_country += bool(known and country[a] != country[b])
        ra, rb = region.get(a), region.get(b)
        europe_market += (ra == EUROPE and rb in markets) or (rb == EUROPE and ra in markets)
    return TieMix(graph.number_of_edges(), cross_sector, cross_country, europe_market)


# --- The roadmap's count -------------------------------------------------------------------------


@dataclass(frozen=True)
class RoadmapCount:
    """The roadmap's ties (§2.5: "from 36 to 96") beside the graph's own counts.

    Stated: ``stated_existing`` (36) and ``stated_planned`` (96) ties, 16 affiliate nodes (2 in each
    of 8 markets). The roadmap's arithmetic: 36 = clusters x clusters, 96 = clusters x affiliate
    nodes. The graph's: six clusters form ``cluster_pairs`` = C(6, 2) = 15 distinct pairs; each
    cluster tied to each planned affiliate makes ``cluster_affiliate_pairs`` = 6 x 16 = 96 pairs;
    together ``possible_core`` = 111. Observed at the date: ties among clusters, between clusters
    and affiliates, and all ties of the graph (companies' included).
    """

    clusters: int
    affiliate_nodes: int
    stated_existing: int
    stated_planned: int
    cluster_pairs: int
    cluster_affiliate_pairs: int
    observed_cluster_pairs: int
    observed_cluster_affiliate: int
    observed_all: int

    @property
    def existing_as_product(self) -> int:
        """The roadmap's 36 read as clusters x clusters."""
        return self.clusters * self.clusters

    @property
    def planned_as_product(self) -> int:
        """The roadmap's 96 read as clusters x affiliate nodes."""
        return self.clusters * self.affiliate_nodes

    @property
    def possible_core(self) -> int:
        """Distinct pairs among clusters plus every cluster with every planned affiliate."""
        return self.cluster_pairs + self.cluster_affiliate_pairs


def roadmap_count(graph: nx.Graph) -> RoadmapCount:
    """The roadmap's stated ties (reference funnel.csv) and the graph's counts (:class:`RoadmapCount`);
    the distinct cluster pairs are counted on the complete graph of the graph's clusters."""
    kind = nx.get_node_attributes(graph, "kind")
    clusters = [n for n, k in kind.items() if k == "cluster"]
    nodes = int(reference.funnel_value("affiliate_nodes"))
    kinds = [frozenset((kind.get(a), kind.get(b))) for a, b in graph.edges()]
    return RoadmapCount(
        clusters=len(clusters),
        affiliate_nodes=nodes,
        stated_existing=int(reference.funnel_value("ties_existing")),
        stated_planned=int(reference.funnel_value("ties_planned")),
        cluster_pairs=nx.complete_graph(clusters).number_of_edges(),
        cluster_affiliate_pairs=len(clusters) * nodes,
        observed_cluster_pairs=kinds.count(frozenset(["cluster"])),
        observed_cluster_affiliate=kinds.count(frozenset(["cluster", "affiliate"])),
        observed_all=graph.number_of_edges(),
    )


# --- Affiliates --------------------------------------------------------------------------------------


def affiliate_status(affiliates: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Each affiliate's status at ``at``: the latest step (:data:`STEPS`) dated on or before it; NA
    for one not yet shortlisted. Index as ``affiliates``."""
    status = pd.Series(pd.NA, index=affiliates.index, dtype="string")
    for step in STEPS:
        status = status.mask(affiliates[step].notna() & (affiliates[step] <= at), step)
    return status


def coverage_by_market(affiliates: pd.DataFrame, at: pd.Timestamp, per_market: int) -> pd.DataFrame:
    """Affiliates per target market at ``at`` against ``per_market`` (the roadmap's two, §2.5).

    One row per target market (markets.csv order). Columns: market, shortlisted, interviewed,
    mou_signed (affiliates whose status at ``at`` is that step), affiliates (their sum), target,
    short_by (MoUs still missing to the target, at least 0), met (bool: MoUs >= target).
    """
    status = affiliate_status(affiliates, at)
    counts = pd.crosstab(affiliates["market"], status).reindex(
        index=list(reference.TARGET_MARKET_IDS), columns=list(STEPS), fill_value=0
    )
    table = counts.rename_axis(index="market", columns=None).reset_index()
    table["affiliates"] = table[list(STEPS)].sum(axis=1)
    table["target"] = per_market
    table["short_by"] = (per_market - table["mou_signed"]).clip(lower=0)
    table["met"] = table["mou_signed"] >= per_market
    return table


# --- Growth ------------------------------------------------------------------------------------------


@dataclass
class Growth(PathOutlook):
    """One count of the network and its outlook at the target date (ties or affiliates with an MoU),
    read off its simulated paths as for the KPIs (:class:`lasergo.analysis.kpi.PathOutlook`).

    ``history`` holds the new items per quarter from the action's first quarter to the report
    quarter; ``baseline`` the items the action started with (dated on or before its first day: the
    ties among the clusters); ``actual`` = baseline + history's sum. ``outcomes`` is the count at the target
    date on each simulated path of ``choice.forecast`` (actual + the path's future items).
    ``choice`` is None and ``outcomes`` empty when nothing of the kind is recorded at all.
    """

    measure: str
    target: float
    actual: float
    baseline: float
    history: pd.Series
    choice: Choice | None
    outcomes: np.ndarray
    cumulative = True  # a count: the paths' items add up to the running total (not a field)

    def observed(self) -> pd.Series:
        """The running total at the end of each quarter of the history (baseline included)."""
        return self.baseline + self.history.cumsum()


def quarterly_new(dates: pd.Series, action_start: pd.Timestamp, end: pd.Period) -> tuple[float, pd.Series]:
    """Items dated on or before ``action_start`` (the baseline: what the action starts with, e.g. the
    ties among the clusters) and the later items per quarter from the action's first quarter to
    ``end`` (quarters without any: 0)."""
    dates = pd.to_datetime(dates.dropna())
    before = float((dates <= action_start).sum())
    counts = dates[dates > action_start].dt.to_period("Q").value_counts()
    quarters = pd.period_range(pd.Period(action_start, freq="Q"), end, freq="Q")
    return before, counts.reindex(quarters, fill_value=0).astype(float)


def growth_forecast(
    measure: str,
    dates: pd.Series,
    target: float,
    action_start: pd.Timestamp,
    quarter: pd.Period,
    target_date: pd.Timestamp,
    recorded: bool = True,
    n_paths: int = 5000,
    seed: int = 1,
) -> Growth:
    """The count of items dated ``dates`` forecast to ``target_date`` as the KPI counts are
    (:func:`lasergo.analysis.kpi.choose_kpi_forecast`): quarterly new items, the count model against
    the naive and seasonal naive forecasts, back-tested at every horizon to the target date the
    history allows, the best kept. No forecast when nothing of the kind is ``recorded`` yet (no
    ties, no affiliate): there is no pace to go on."""
    baseline, history = quarterly_new(dates, action_start, quarter)
    actual = baseline + float(history.sum())
    choice = None
    if recorded:
        choice = choose_kpi_forecast(history, "count", horizon_to(history, target_date), n_paths, seed)
    outcomes = path_outcomes(choice, actual, cumulative=True)
    return Growth(measure, target, actual, baseline, history.rename(measure), choice, outcomes)


# --- The report ----------------------------------------------------------------------------------------


def aggregate_companies(graph: nx.Graph, k: int = MIN_COMPANIES) -> nx.Graph:
    """The graph a public page may draw: companies replaced by one node per cluster's tied companies,
    ``companies:<cluster>`` with attribute ``count``, when at least ``k`` companies; smaller groups
    pooled into :data:`OTHER_COMPANIES` if the pool reaches ``k``, else left out with their ties.

    Edges between groups carry ``ties`` (the pairs they stand for); ties within a group are counted
    in the node's ``internal_ties``. ``graph.graph`` holds hidden_companies and hidden_ties (left out).
    """
    kind = nx.get_node_attributes(graph, "kind")
    cluster = nx.get_node_attributes(graph, "cluster")
    groups = {
        n: cluster[n] if pd.notna(cluster.get(n)) else None for n, kd in kind.items() if kd in ("company", "unknown")
    }
    sizes = Counter(groups.values())
    small = {g for g, size in sizes.items() if size < k or g is None}
    pooled = sum(sizes[g] for g in small)
    group_of: dict[str, str | None] = {
        node: f"companies:{group}" if group not in small else OTHER_COMPANIES if pooled >= k else None
        for node, group in groups.items()
    }
    public = nx.Graph(hidden_companies=sum(g is None for g in group_of.values()), hidden_ties=0)
    for node, attrs in graph.nodes(data=True):
        if node not in group_of:
            public.add_node(node, **attrs)
    sector = nx.get_node_attributes(graph, "sector")
    for group in group_of.values():
        if group is None:
            continue
        if group not in public:
            own = None if group == OTHER_COMPANIES else group.removeprefix("companies:")
            public.add_node(
                group,
                kind="companies",
                name="",
                sector=sector.get(own, "mixed") if own else "mixed",
                region=EUROPE,
                cluster=own if own else pd.NA,
                count=0,
                internal_ties=0,
            )
        public.nodes[group]["count"] += 1
    for a, b in graph.edges():
        ga, gb = group_of.get(a, a), group_of.get(b, b)
        if ga is None or gb is None:
            public.graph["hidden_ties"] += 1
        elif ga == gb:
            public.nodes[ga]["internal_ties"] += 1
        elif public.has_edge(ga, gb):
            public.edges[ga, gb]["ties"] += 1
        else:
            public.add_edge(ga, gb, ties=1)
    return public


@dataclass
class NetworkReport:
    """Everything the value-network page shows for one quarter.

    ``nodes`` (:func:`node_table`), ``pairs`` (:func:`tie_pairs`), ``records`` (rows of the ties
    table; ``unevidenced`` of them without an evidence reference), ``graph``
    (:func:`network_graph`), ``measures`` (:func:`node_measures`), ``brokers``
    (:func:`market_brokers`), ``mix`` (:func:`tie_mix`), ``roadmap`` (:func:`roadmap_count`),
    ``coverage`` (:func:`coverage_by_market`), ``statuses`` (each affiliate's status at the
    quarter's end, indexed by id), ``ties`` and ``affiliates`` (:class:`Growth`), ``density``
    (of the whole graph) and ``core_density`` (of the clusters and affiliates alone); ``pivots`` and
    ``seed``: the most source nodes of the shortest-path measures and the seed of their draw.
    """

    quarter: pd.Period
    action_start: pd.Timestamp
    target_date: pd.Timestamp
    nodes: pd.DataFrame
    pairs: pd.DataFrame
    records: int
    unevidenced: int
    graph: nx.Graph
    measures: pd.DataFrame
    brokers: pd.DataFrame
    mix: TieMix
    roadmap: RoadmapCount
    coverage: pd.DataFrame
    statuses: pd.Series
    ties: Growth
    affiliates: Growth
    density: float
    core_density: float
    pivots: int | None
    seed: int

    @property
    def has_ties(self) -> bool:
        return self.records > 0

    @property
    def has_affiliates(self) -> bool:
        return bool((self.nodes["kind"] == "affiliate").any())

    def status(self) -> str:
        """The page's verdict: the worse light of ties and affiliates, as 'on track' (reached or on
        track), 'at risk' (also when there is nothing to forecast yet) or 'off track'."""
        order = {"reached": 0, "on track": 0, "too early": 1, "at risk": 1, "off track": 2}
        worst = max(order[self.ties.light], order[self.affiliates.light])
        return ("on track", "at risk", "off track")[worst]

    def estimated(self) -> dict[str, int]:
        """The shortest-path measures estimated from ``pivots`` drawn source nodes, each with the number
        of source nodes the exact value starts from: 'betweenness' (every node), 'sector_brokerage' (the
        nodes of the smaller sector). Empty when both are exact."""
        photonics, health = sector_groups(self.nodes)
        sources = {"betweenness": len(self.nodes), "sector_brokerage": min(len(photonics), len(health))}
        return {measure: n for measure, n in sources.items() if sampled_sources(n, self.pivots) is not None}

    def markets_short(self) -> list[str]:
        """The target markets (ids) with fewer signed MoUs than the roadmap's two."""
        return list(self.coverage.loc[~self.coverage["met"], "market"])

    def public_graph(self, k: int = MIN_COMPANIES) -> nx.Graph:
        """:func:`aggregate_companies` of the graph."""
        return aggregate_companies(self.graph, k)


def network_report(
    data: Dataset,
    quarter: pd.Period,
    target_date: str | pd.Timestamp,
    action_start: str | pd.Timestamp,
    n_paths: int = 5000,
    seed: int = 1,
    pivots: int | None = PIVOTS,
) -> NetworkReport:
    """The value network as known at the end of ``quarter`` (``data`` cut to it) and its growth
    forecast to ``target_date``; ``seed`` draws the forecasts' paths and the source nodes of the
    estimated measures (at most ``pivots``; None: exact whatever the size). ParameterError when the
    action starts after ``quarter`` or the target date falls in or before it, as for the KPIs."""
    target_date, action_start = pd.Timestamp(target_date), pd.Timestamp(action_start)
    check_forecast_window(quarter, action_start, target_date)
    at = quarter_end(quarter)
    ties = data.ties[data.ties["date"] <= at]
    affiliates = data.affiliates[data.affiliates["shortlisted"] <= at]
    nodes = node_table(ties, affiliates, data.companies)
    pairs = tie_pairs(ties)
    graph = network_graph(nodes, pairs)
    measures = node_measures(graph, pivots, seed)
    core = graph.subgraph(nodes.loc[nodes["kind"].isin(["cluster", "affiliate"]), "node"])
    status = affiliate_status(affiliates, at)
    signed = affiliates["mou_signed"].where(status == "mou_signed")

    def growth(measure: str, dates: pd.Series, target: str, rows: pd.DataFrame, offset: int) -> Growth:
        """:func:`growth_forecast` of one count against its target in the roadmap's funnel; no forecast
        while ``rows`` (the count's table) is empty."""
        return growth_forecast(
            measure,
            dates,
            reference.funnel_value(target),
            action_start,
            quarter,
            target_date,
            recorded=len(rows) > 0,
            n_paths=n_paths,
            seed=seed + offset,
        )

    return NetworkReport(
        quarter=quarter,
        action_start=action_start,
        target_date=target_date,
        nodes=nodes,
        pairs=pairs,
        records=len(ties),
        unevidenced=int((~is_verified(ties)).sum()),
        graph=graph,
        measures=measures,
        brokers=market_brokers(graph, measures),
        mix=tie_mix(graph),
        roadmap=roadmap_count(graph),
        coverage=coverage_by_market(affiliates, at, int(reference.funnel_value("affiliates_per_market"))),
        statuses=pd.Series(status.to_numpy(), index=affiliates["id"].astype(str), dtype="string"),
        ties=growth("ties", pairs["first"], "ties_planned", ties, 0),
        affiliates=growth("affiliates", signed, "affiliate_nodes", affiliates, 1),
        density=nx.density(graph) if graph.number_of_nodes() > 1 else float("nan"),
        core_density=nx.density(core) if core.number_of_nodes() > 1 else float("nan"),
        pivots=pivots,
        seed=seed,
    )
