"""Synthetic sample panel in the input schema: companies, products, survey waves, KPI ledger.

Everything here is invented. No company, product, survey answer or KPI entry is real; every
company is called ``Synthetic SME nnnn`` and ``dataset.json`` says ``"synthetic": true``, so
that every report built on the sample is labelled synthetic. The sample lets the notebooks,
reports and tests run on a realistic panel before the partnership's own data exist.

Calibration (roadmap §2.3; the figures are read from ``data/reference/funnel.csv``):

* direct target group: 20 SMEs per cluster, 120 in all, with about 1000 employees and about
  EUR 300 m of yearly sales at their entry survey, spending about 15% of revenue on R&D
  (revenue-weighted mean). Sizes are log-normal, so a few larger SMEs stand among many
  micro firms; employees and revenue are scaled so that the group totals match the roadmap.
* indirect group: as many SMEs again by default (the roadmap's "at least another 120"),
  on average ``INDIRECT_SIZE`` times the size of a direct SME.
* revenue grows 10-15% a year (the clusters' expected growth, drawn per company) with noise;
  employees grow at half that rate. The ``companies`` table holds the latest survey answers,
  so its totals are above the entry figures by the growth since joining.
* the export share (revenue from outside the EU) starts higher in the photonics clusters and
  rises a few points a year for direct SMEs, about one point for indirect ones.
* all totals scale with ``companies / 120``.

Roles, technology uses and target markets follow each cluster's specialisation (roadmap §1.1,
§1.2.1) and the missions it leads or co-organises (§2.6): see ``ROLE_WEIGHTS``,
``TECHNOLOGY_PREFERENCES`` and ``MARKET_WEIGHTS``. KPI ledger events for KPIs 1-4 and 7 are
Poisson draws whose rates leave the partnership short of some targets and above others by
``end`` (``KPI_PACE``). The ledger has no rows for KPIs 5 and 6: the roadmap measures them by
survey (§2.3, §2.4), so the KPI report computes them from the survey waves.

The SWOT judgements (``swot_judgements``) are illustrative: three invented experts judge the
pairs of each SWOT matrix around one invented view (``SWOT_VIEW``) with noise.

The default ``end`` is 2026-09-30, the last complete quarter when the sample was made: ledger
dates after the day of validation are rejected as typing errors.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from lasergo.data import reference
from lasergo.data.codes import ROLES, split_list

TABLE_NAMES = ("companies", "products", "survey_waves", "kpi_ledger", "swot_judgements")

# --- Who the companies are, per cluster -------------------------------------------------------

#: Weight of each role (supplier, integrator, end_user) for a cluster's SMEs; roadmap §1.1, §2.3:
#: optoelectronic components and systems come from LITEK, OV and OPTENCE, health-tech
#: integrators from HTS and Biocat, health-tech users of end products from Biocat and Medicen.
ROLE_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "LITEK": (0.70, 0.25, 0.05),  # laser components and systems
    "OV": (0.55, 0.35, 0.10),  # imaging systems, image analysis
    "OPTENCE": (0.30, 0.60, 0.10),  # optical systems, final installations
    "HTS": (0.15, 0.60, 0.25),  # optomechanical systems, medical devices
    "MEDICEN": (0.10, 0.35, 0.55),  # diagnostics and imaging, ICT for health
    "BIOCAT": (0.10, 0.50, 0.40),  # medical devices, health technologies
}
#: Share of SMEs with a second role besides their main one.
SECOND_ROLE = 0.25

#: Technology uses (ids of data/reference/technology_uses.csv) each cluster specialises in.
TECHNOLOGY_PREFERENCES: dict[str, tuple[str, ...]] = {
    # Q-switched lasers, general laser components, laser microfabrication, LIBS,
    # laser thickness measurement, laser illumination for high-speed imaging
    "LITEK": ("T08", "T35", "T07", "T10", "T22", "T05"),
    # microscopy/imaging, image analysis, high-speed illumination, light-sheet microscopy, OCT,
    # multispectral spectroscopy
    "OV": ("T01", "T02", "T05", "T23", "T20", "T11"),
    # molecular, multispectral, UV/VIS and infrared spectroscopy, thickness measurement,
    # laser scanning with photomultiplier detection
    "OPTENCE": ("T09", "T11", "T18", "T03", "T22", "T27"),
    # endoscopy, tonometry, ophthalmology, eye tracking, fibre-optic phototherapy, LLLT
    "HTS": ("T12", "T15", "T04", "T24", "T19", "T28"),
    # in vivo / in vitro diagnostics, imaging, image analysis, OCT, FACS, endoscopy
    "MEDICEN": ("T34", "T01", "T02", "T20", "T06", "T12"),
    # diagnostics, low-level laser therapy, photodynamic therapy and disinfection,
    # photo-sterilisation, biomaterials
    "BIOCAT": ("T34", "T28", "T31", "T17", "T16", "T07"),
}
#: How many times likelier a preferred technology use is than any other.
PREFERRED_WEIGHT = 12.0
#: Probability of 1, 2, 3, 4 technology uses per company.
TECHNOLOGY_COUNT = (0.35, 0.35, 0.20, 0.10)

#: Weight of a target market for a cluster's SMEs: 1, plus these for the cluster's part in
#: the market's mission (data/reference/missions.csv).
MARKET_WEIGHTS = {"lead": 4.0, "co_organiser": 2.0, "roadshow": 1.0}
#: Probability of 1, 2, 3 target markets of interest per company.
MARKET_COUNT = (0.40, 0.40, 0.20)

# --- Sizes and their change over time ---------------------------------------------------------

#: Spread (log-normal sigma) of head counts and of revenue per employee.
EMPLOYEE_SIGMA = 1.0
REVENUE_PER_EMPLOYEE_SIGMA = 0.5
#: Largest head count of an SME (EU definition: fewer than 250 employees).
MAX_EMPLOYEES = 249
#: An indirect SME's expected size relative to a direct one ("similar but somewhat smaller").
INDIRECT_SIZE = 0.8
#: Mean R&D share (percent of revenue) by main role before calibration; sd around it.
RD_BY_ROLE = {"supplier": 18.0, "integrator": 14.0, "end_user": 10.0}
RD_SD = 4.0
#: Beta(a, b) of the export share at entry (percent / 100) by cluster sector.
EXPORT_AT_ENTRY = {"photonics": (3.0, 4.0), "health_tech": (2.0, 5.0)}
#: Mean and sd of the yearly change of the export share, percentage points, by target group.
EXPORT_DRIFT = {"direct": (3.0, 2.0), "indirect": (1.0, 1.5)}

# --- Survey waves -----------------------------------------------------------------------------

REVENUE_NOISE = 0.05  # log sd of revenue at a yearly wave around its trend
EMPLOYEE_NOISE = 0.04  # log sd of the head count at a yearly wave
RD_NOISE = 1.5  # sd of the R&D share at a wave around the company's level, points
EXPORT_NOISE = 1.5  # sd of the export share at a yearly wave around its trend, points
DROPOUT = 0.05  # share of companies that stop answering after some wave
MISSING = 0.02  # share of blank values in each of the four answer columns

# --- Products ---------------------------------------------------------------------------------

PRODUCT_COUNT = (0.50, 0.30, 0.20)  # probability of 1, 2, 3 products per company
TRL_MEAN = {"mature": 6.5, "end_user": 5.0}  # suppliers and integrators vs end-users only
TRL_SD = 1.3
NOVELTY = (0.25, 0.30, 0.22, 0.15, 0.08)  # probability of novelty 1..5

# --- KPI ledger -------------------------------------------------------------------------------

#: Share of each event KPI's target (data/reference/kpi_targets.csv) reached by ``end``.
KPI_PACE = {2: 0.8, 3: 1.75, 4: 2.5, 7: 0.6}
#: Evidence reference prefix per KPI (``MoU-2025-014``).
EVIDENCE_PREFIX = {1: "LOI", 2: "MoU", 3: "EVT", 4: "MTG", 7: "PRJ"}
NO_EVIDENCE = 0.10
EVENT_NOTES = {
    3: ("workshop", "matchmaking event", "working-group meeting"),
    4: ("B2B meetings at a trade fair", "cluster-to-cluster matchmaking", "online matchmaking"),
    7: ("joint R&D project", "joint product development", "joint bid for funding"),
}


@dataclass(frozen=True)
class SampleSpec:
    """What to generate.

    companies: SMEs in the direct target group, split evenly across the six clusters
        (the default 120 gives the roadmap's 20 per cluster).
    indirect: SMEs in the indirect group, also split evenly; None means as many as
        ``companies`` (the roadmap targets at least another 120).
    seed: seed of ``numpy.random.default_rng``; the same spec gives the same panel.
    start: first day of the action; direct SMEs join in its first two quarters, indirect
        ones in its first two years.
    end: last day with data (survey waves, KPI ledger entries); not after today.
    """

    companies: int = 120
    indirect: int | None = None
    seed: int = 1
    start: date = date(2024, 1, 1)
    end: date = date(2026, 9, 30)

    def __post_init__(self):
        if self.companies < 1:
            raise ValueError(f"companies must be 1 or more, got {self.companies}")
        if self.indirect is not None and self.indirect < 0:
            raise ValueError(f"indirect must be 0 or more, got {self.indirect}")
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")

    @property
    def indirect_count(self) -> int:
        """Size of the indirect group, with None resolved."""
        return self.companies if self.indirect is None else self.indirect


@dataclass(frozen=True)
class _Reference:
    """The reference ids and weights the generator draws from, as numpy arrays."""

    clusters: np.ndarray  # cluster ids
    photonics: np.ndarray  # per cluster: sector is photonics
    role_weights: np.ndarray  # clusters x roles
    technologies: np.ndarray  # technology-use ids
    technology_weights: np.ndarray  # clusters x technology uses
    technology_segments: np.ndarray  # technology uses x segments, bool
    segments: np.ndarray  # thematic segment ids
    markets: np.ndarray  # target market ids, in mission order
    market_names: np.ndarray
    market_weights: np.ndarray  # clusters x markets
    kpi_targets: dict[int, float]


def _load_reference() -> _Reference:
    """Ids and weights from the reference tables and the preference tables above."""
    clusters = reference.clusters()
    ids = clusters["id"].to_numpy(dtype=object)
    unknown = (set(ROLE_WEIGHTS) ^ set(ids)) | (set(TECHNOLOGY_PREFERENCES) ^ set(ids))
    if unknown:
        raise ValueError(f"preference tables and data/reference/clusters.csv disagree on {sorted(unknown)}")
    uses = reference.technology_uses()
    technologies = uses["id"].to_numpy(dtype=object)
    preferred = np.array([[t in TECHNOLOGY_PREFERENCES[c] for t in technologies] for c in ids])
    missing = {t for prefs in TECHNOLOGY_PREFERENCES.values() for t in prefs} - set(technologies)
    if missing:
        raise ValueError(f"unknown technology uses in TECHNOLOGY_PREFERENCES: {sorted(missing)}")
    segments = np.array(reference.THEMATIC_SEGMENT_IDS, dtype=object)
    use_segments = split_list(uses["segments"])
    technology_segments = np.array([[s in codes for s in segments] for codes in use_segments])
    markets = reference.markets().query("kind == 'target'").sort_values("mission")
    missions = reference.missions().set_index("market").loc[markets["id"]]
    market_weights = np.ones((len(ids), len(markets)))
    for j, (lead, co, roadshow) in enumerate(
        zip(missions["lead"], missions["co_organiser"], split_list(missions["roadshow_clusters"]))
    ):
        market_weights[:, j] += (
            MARKET_WEIGHTS["lead"] * (ids == lead)
            + MARKET_WEIGHTS["co_organiser"] * (ids == co)
            + MARKET_WEIGHTS["roadshow"] * np.isin(ids, roadshow)
        )
    targets = reference.kpi_targets()
    return _Reference(
        clusters=ids,
        photonics=(clusters["sector"] == "photonics").to_numpy(),
        role_weights=np.array([ROLE_WEIGHTS[c] for c in ids]),
        technologies=technologies,
        technology_weights=1.0 + (PREFERRED_WEIGHT - 1.0) * preferred,
        technology_segments=technology_segments,
        segments=segments,
        markets=markets["id"].to_numpy(dtype=object),
        market_names=markets["name"].to_numpy(dtype=object),
        market_weights=market_weights,
        kpi_targets=dict(zip(targets["kpi"].astype(int), targets["target"].astype(float))),
    )


# --- Vectorised drawing helpers ---------------------------------------------------------------


def _draw_ranks(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Per row, the rank (0 = first) of each column in a weighted draw without replacement.

    Gumbel-top-k: sorting log-weights plus Gumbel noise is the same as drawing columns one by
    one with probabilities proportional to the weights left.
    """
    keys = np.log(weights) + rng.gumbel(size=weights.shape)
    return np.argsort(np.argsort(-keys, axis=1), axis=1)


def _pick_one(rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    """Per row, the column of one True cell of ``mask``, chosen uniformly."""
    return np.where(mask, rng.random(mask.shape), -1.0).argmax(axis=1)


def _counts(rng: np.random.Generator, probabilities: tuple[float, ...], size: int) -> np.ndarray:
    """``size`` draws of 1..len(probabilities) with those probabilities."""
    return 1 + rng.choice(len(probabilities), size=size, p=probabilities)


def _join_codes(mask: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Per row, the ``;``-joined codes of the True columns of ``mask`` (in code order), or None."""
    if mask.shape[1] > 62:
        raise ValueError("too many codes to pack into one integer")
    keys = mask.astype(np.int64) @ (np.int64(1) << np.arange(mask.shape[1], dtype=np.int64))
    unique, inverse = np.unique(keys, return_inverse=True)
    texts = np.array([";".join(codes[(key >> np.arange(len(codes))) & 1 == 1]) or None for key in unique], dtype=object)
    return texts[inverse.ravel()]


def _june_30(years: np.ndarray) -> np.ndarray:
    """30 June of each year, as datetime64[D]."""
    first = (np.asarray(years) - 1970).astype("datetime64[Y]").astype("datetime64[M]")
    return (first + 5).astype("datetime64[D]") + 29


def _add_months(day: date, months: int) -> np.datetime64:
    """The day ``months`` calendar months after ``day``, as datetime64[D]."""
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).to_datetime64().astype("datetime64[D]")


def _ids(prefix: str, count: int, width: int) -> np.ndarray:
    """``prefix`` followed by 1..count, zero-padded to ``width`` digits."""
    numbers = pd.Series(np.arange(1, count + 1)).astype(str).str.zfill(width)
    return (prefix + numbers).to_numpy(dtype=object)


# --- The tables -------------------------------------------------------------------------------


def _draw_companies(spec: SampleSpec, ref: _Reference, rng: np.random.Generator):
    """The companies (without survey-based columns) and their hidden entry-level profile."""
    n_direct, n_indirect = spec.companies, spec.indirect_count
    n = n_direct + n_indirect
    direct = np.arange(n) < n_direct
    k = len(ref.clusters)
    cluster = np.concatenate([rng.permutation(np.arange(n_direct) % k), rng.permutation(np.arange(n_indirect) % k)])

    role_ranks = _draw_ranks(rng, ref.role_weights[cluster])
    roles = role_ranks < (1 + (rng.random(n) < SECOND_ROLE))[:, None]
    main_role = np.asarray(ROLES, dtype=object)[role_ranks.argmin(axis=1)]
    technologies = _draw_ranks(rng, ref.technology_weights[cluster]) < _counts(rng, TECHNOLOGY_COUNT, n)[:, None]
    segments = (technologies.astype(np.int64) @ ref.technology_segments.astype(np.int64)) > 0
    markets = _draw_ranks(rng, ref.market_weights[cluster]) < _counts(rng, MARKET_COUNT, n)[:, None]

    start = np.datetime64(spec.start, "D")
    after_end = np.datetime64(spec.end, "D") + 1
    window = np.where(
        direct, min(_add_months(spec.start, 6), after_end) - start, min(_add_months(spec.start, 24), after_end) - start
    ).astype(np.int64)
    joined = start + np.floor(rng.random(n) * window).astype("timedelta64[D]")

    per_company_employees = reference.funnel_value("direct_employees") / reference.funnel_value("direct_smes")
    per_company_revenue = reference.funnel_value("direct_sales_eur_m") / reference.funnel_value("direct_smes")
    rd_target = 100 * reference.funnel_value("rd_share_of_revenue")
    employees, revenue, rd = np.empty(n), np.empty(n), np.empty(n)
    for group, size in ((direct, 1.0), (~direct, INDIRECT_SIZE)):
        count = int(group.sum())
        if count == 0:
            continue
        raw = rng.lognormal(0.0, EMPLOYEE_SIGMA, count)
        heads = np.clip(np.rint(raw * per_company_employees * size * count / raw.sum()), 1, MAX_EMPLOYEES)
        sales = heads * rng.lognormal(0.0, REVENUE_PER_EMPLOYEE_SIGMA, count)
        sales *= per_company_revenue * size * count / sales.sum()
        level = np.clip(rng.normal([RD_BY_ROLE[r] for r in main_role[group]], RD_SD), 1.0, 60.0)
        level *= rd_target / np.average(level, weights=sales)
        employees[group], revenue[group], rd[group] = heads, sales, np.clip(level, 0.0, 100.0)

    a, b = np.where(
        ref.photonics[cluster][None, :],
        np.array(EXPORT_AT_ENTRY["photonics"])[:, None],
        np.array(EXPORT_AT_ENTRY["health_tech"])[:, None],
    )
    drift_mean, drift_sd = np.where(
        direct[None, :], np.array(EXPORT_DRIFT["direct"])[:, None], np.array(EXPORT_DRIFT["indirect"])[:, None]
    )
    profile = {
        "employees": employees,
        "revenue": revenue,
        "rd": rd,
        "export": 100 * rng.beta(a, b),
        "export_drift": rng.normal(drift_mean, drift_sd),
        "growth": rng.uniform(reference.funnel_value("growth_low"), reference.funnel_value("growth_high"), n),
        "mature": roles[:, ROLES.index("supplier")] | roles[:, ROLES.index("integrator")],
        "technologies": technologies,
    }
    width = max(4, len(str(n)))
    ids = _ids("C", n, width)
    companies = pd.DataFrame(
        {
            "id": ids,
            "cluster": ref.clusters[cluster],
            "name": np.char.add("Synthetic SME ", np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object),
            "roles": _join_codes(roles, np.asarray(ROLES, dtype=object)),
            "technology_uses": _join_codes(technologies, ref.technologies),
            "segments": _join_codes(segments, ref.segments),
            "target_markets": _join_codes(markets, ref.markets),
            "target_group": np.where(direct, "direct", "indirect").astype(object),
            "joined": joined.astype("datetime64[ns]"),
        }
    )
    return companies, profile


def _survey_waves(spec: SampleSpec, companies: pd.DataFrame, profile: dict, rng: np.random.Generator) -> pd.DataFrame:
    """Entry wave at joining, then a yearly wave every 30 June after it up to ``end``."""
    joined = companies["joined"].to_numpy().astype("datetime64[D]")
    end = np.datetime64(spec.end, "D")
    join_year = joined.astype("datetime64[Y]").astype(np.int64) + 1970
    first_year = join_year + (_june_30(join_year) <= joined)
    end_year = spec.end.year - int(_june_30(np.array([spec.end.year]))[0] > end)
    n_yearly = np.maximum(0, end_year - first_year + 1)

    per_company = 1 + n_yearly
    company = np.repeat(np.arange(len(companies)), per_company)
    wave_no = np.arange(len(company)) - np.repeat(np.cumsum(per_company) - per_company, per_company)
    yearly = wave_no > 0
    wave_date = np.where(yearly, _june_30(first_year[company] + wave_no - 1), joined[company])
    years = (wave_date - joined[company]).astype(np.int64) / 365.25
    size = len(company)

    growth = np.log1p(profile["growth"][company])
    revenue = profile["revenue"][company] * np.exp(growth * years + yearly * rng.normal(0, REVENUE_NOISE, size))
    employees = np.maximum(
        1,
        np.rint(
            profile["employees"][company] * np.exp(growth / 2 * years + yearly * rng.normal(0, EMPLOYEE_NOISE, size))
        ),
    )
    rd = np.clip(profile["rd"][company] + rng.normal(0, RD_NOISE, size), 0, 100)
    export = np.clip(
        profile["export"][company]
        + profile["export_drift"][company] * years
        + yearly * rng.normal(0, EXPORT_NOISE, size),
        0,
        100,
    )

    drops = (rng.random(len(companies)) < DROPOUT) & (n_yearly > 0)
    first_missed = 1 + np.floor(rng.random(len(companies)) * n_yearly)
    keep = ~drops[company] | (wave_no < first_missed[company])

    def blanked(values: np.ndarray) -> np.ndarray:
        return np.where(rng.random(size) < MISSING, np.nan, values)

    waves = pd.DataFrame(
        {
            "company": companies["id"].to_numpy()[company],
            "wave_date": wave_date.astype("datetime64[ns]"),
            "wave": np.where(yearly, "yearly", "entry").astype(object),
            "revenue_eur_m": blanked(np.round(revenue, 3)),
            "export_share_pct": blanked(np.round(export, 1)),
            "rd_share_pct": blanked(np.round(rd, 1)),
            "employees": pd.array(blanked(employees), dtype="Float64").astype("Int64"),
        }
    )
    return waves[keep].reset_index(drop=True)


def _products(companies: pd.DataFrame, profile: dict, ref: _Reference, rng: np.random.Generator) -> pd.DataFrame:
    """1-3 products per company, each with one of the company's technology uses."""
    owner = np.repeat(np.arange(len(companies)), _counts(rng, PRODUCT_COUNT, len(companies)))
    technology = _pick_one(rng, profile["technologies"][owner])
    segment = _pick_one(rng, ref.technology_segments[technology])
    trl_mean = np.where(profile["mature"][owner], TRL_MEAN["mature"], TRL_MEAN["end_user"])
    ids = _ids("P", len(owner), max(5, len(str(len(owner)))))
    return pd.DataFrame(
        {
            "id": ids,
            "company": companies["id"].to_numpy()[owner],
            "name": np.char.add("Synthetic product ", ids.astype(str)).astype(object),
            "technology_use": ref.technologies[technology],
            "trl": pd.array(np.clip(np.rint(rng.normal(trl_mean, TRL_SD)), 3, 9).astype(np.int64), dtype="Int64"),
            "segment": ref.segments[segment],
            "novelty": pd.array(_counts(rng, NOVELTY, len(owner)), dtype="Int64"),
        }
    )


def _quarter_days(spec: SampleSpec) -> tuple[np.ndarray, np.ndarray]:
    """First and last day of each calendar quarter from ``start`` to ``end``, clipped to them."""
    quarters = pd.period_range(spec.start, spec.end, freq="Q")
    first = quarters.start_time.to_numpy().astype("datetime64[D]")
    last = quarters.end_time.to_numpy().astype("datetime64[D]")
    return (np.maximum(first, np.datetime64(spec.start, "D")), np.minimum(last, np.datetime64(spec.end, "D")))


def _event_entries(spec: SampleSpec, ref: _Reference, rng: np.random.Generator) -> pd.DataFrame:
    """KPIs 2, 3, 4, 7: Poisson counts per cluster and quarter, one row per event; KPI 1: one row
    per cluster, on the day of its first event."""
    first, last = _quarter_days(spec)
    k, q = len(ref.clusters), len(first)
    frames = []
    for kpi, pace in KPI_PACE.items():
        counts = rng.poisson(ref.kpi_targets[kpi] * pace / (k * q), size=(k, q)).ravel()
        cell = np.repeat(np.arange(k * q), counts)
        cluster, quarter = cell // q, cell % q
        span = (last[quarter] - first[quarter]).astype(np.int64) + 1
        day = first[quarter] + np.floor(rng.random(len(cell)) * span).astype("timedelta64[D]")
        if kpi == 2:
            market = _draw_ranks(rng, ref.market_weights[cluster]).argmin(axis=1)
            note = np.char.add("MoU with an affiliate in ", ref.market_names[market].astype(str)).astype(object)
        else:
            note = np.asarray(EVENT_NOTES[kpi], dtype=object)[rng.integers(0, len(EVENT_NOTES[kpi]), len(cell))]
        frames.append(
            pd.DataFrame({"date": day, "kpi": kpi, "value": 1.0, "cluster": ref.clusters[cluster], "note": note})
        )
    events = pd.concat(frames, ignore_index=True)
    benefited = events.sort_values("date", kind="stable").drop_duplicates("cluster")
    benefited = benefited.assign(kpi=1, value=1.0, note="cluster benefited: first partnership activity")
    return pd.concat([events, benefited], ignore_index=True)


# --- SWOT judgements ---------------------------------------------------------------------------

#: Illustrative weights behind the sample's SWOT judgements: an invented view, not an expert's.
SWOT_VIEW = {
    "groups": {"S": 0.25, "W": 0.20, "O": 0.35, "T": 0.20},
    "S": {"S1": 0.20, "S2": 0.10, "S3": 0.35, "S4": 0.35},
    "W": {"W1": 0.30, "W2": 0.25, "W3": 0.30, "W4": 0.15},
    "O": {"O1": 0.55, "O2": 0.30, "O3": 0.15},
    "T": {"T1": 0.10, "T2": 0.45, "T3": 0.30, "T4": 0.15},
}
SWOT_EXPERTS = ("expert A", "expert B", "expert C")
SWOT_NOISE = 0.35  # log sd of an expert's judgement around the ratio of the view's weights
SAATY_SCALE = np.array([1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9])


def _swot_judgements(rng: np.random.Generator) -> pd.DataFrame:
    """Three invented experts compare every pair of each SWOT matrix: the ratio of ``SWOT_VIEW``'s
    weights with log-normal noise, rounded to the nearest value of Saaty's 1-9 scale."""
    rows = []
    for expert in SWOT_EXPERTS:
        for matrix, weights in SWOT_VIEW.items():
            items = list(weights)
            for i, a in enumerate(items):
                for b in items[i + 1 :]:
                    ratio = weights[a] / weights[b] * np.exp(rng.normal(0, SWOT_NOISE))
                    value = SAATY_SCALE[np.abs(np.log(SAATY_SCALE) - np.log(ratio)).argmin()]
                    text = f"1/{round(1 / value)}" if value < 1 else str(round(value))
                    rows.append((expert, matrix, a, b, text, "illustrative judgement (synthetic)"))
    return pd.DataFrame(rows, columns=["expert", "matrix", "row", "column", "value", "note"])


def _kpi_ledger(spec: SampleSpec, ref: _Reference, rng: np.random.Generator) -> pd.DataFrame:
    """All KPI entries in date order, with evidence references (about 10% blank)."""
    ledger = _event_entries(spec, ref, rng)
    ledger["date"] = ledger["date"].astype("datetime64[ns]")
    ledger = ledger.sort_values(["date", "kpi", "cluster"], kind="stable").reset_index(drop=True)
    prefix = ledger["kpi"].map(EVIDENCE_PREFIX)
    year = ledger["date"].dt.year.astype(str)
    number = ledger.groupby([prefix, year]).cumcount().add(1).astype(str).str.zfill(3)
    evidence = (prefix + "-" + year + "-" + number).astype(object)
    ledger["evidence"] = evidence.where(rng.random(len(ledger)) >= NO_EVIDENCE).astype("str")
    ledger["kpi"] = ledger["kpi"].astype("Int64")
    return ledger[["date", "kpi", "value", "cluster", "evidence", "note"]]


def generate_sample(spec: SampleSpec) -> dict[str, pd.DataFrame]:
    """The synthetic panel: ``companies``, ``products``, ``survey_waves``, ``kpi_ledger`` frames
    with the columns of :mod:`lasergo.schemas`. The same spec always gives the same frames."""
    rng = np.random.default_rng(spec.seed)
    ref = _load_reference()
    companies, profile = _draw_companies(spec, ref, rng)
    waves = _survey_waves(spec, companies, profile, rng)
    latest = waves.groupby("company", sort=False)[
        ["employees", "revenue_eur_m", "rd_share_pct", "export_share_pct"]
    ].last()
    companies = companies.join(latest, on="id")
    companies = companies[
        [
            "id",
            "cluster",
            "name",
            "roles",
            "employees",
            "revenue_eur_m",
            "rd_share_pct",
            "export_share_pct",
            "technology_uses",
            "segments",
            "target_markets",
            "target_group",
            "joined",
        ]
    ]
    return {
        "companies": companies,
        "products": _products(companies, profile, ref, rng),
        "survey_waves": waves,
        "kpi_ledger": _kpi_ledger(spec, ref, rng),
        "swot_judgements": _swot_judgements(rng),
    }


def write_sample(spec: SampleSpec, out_dir: str | Path) -> Path:
    """Write ``<table>.csv`` for the four tables and ``dataset.json`` into ``out_dir``.

    The files are written into a sibling folder first and swapped in at the end, so a failed
    run leaves an existing ``out_dir`` as it was. Returns ``out_dir``.
    """
    out_dir = Path(out_dir)
    tables = generate_sample(spec)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.new")
    backup = out_dir.with_name(f".{out_dir.name}.old")
    for leftover in (staging, backup):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        staging.mkdir()
        for name in TABLE_NAMES:
            tables[name].to_csv(staging / f"{name}.csv", index=False, date_format="%Y-%m-%d")
        settings = {
            **asdict(spec),
            "indirect": spec.indirect_count,
            "start": spec.start.isoformat(),
            "end": spec.end.isoformat(),
        }
        description = {
            "synthetic": True,
            "generator": "lasergo sample-data",
            "spec": settings,
            "note": "Synthetic panel made by lasergo.sample: no company, product, survey answer or "
            "KPI entry is real. Calibrated on the roadmap's direct target group (LASER-GO "
            "D5.1 §2.3: 20 SMEs per cluster, about 1000 employees, EUR 300 m sales and 15% "
            "R&D share at entry, 10-15% growth a year); totals scale with companies / 120. "
            "The SWOT judgements are illustrative: three invented experts, not real input.",
        }
        (staging / "dataset.json").write_text(
            json.dumps(description, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if out_dir.exists():
            out_dir.rename(backup)
        try:
            staging.rename(out_dir)
        except OSError:
            if backup.exists():
                backup.rename(out_dir)
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(backup, ignore_errors=True)
    return out_dir
