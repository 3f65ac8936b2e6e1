"""Synthetic sample panel in the input schema: companies, products, survey waves, KPI ledger,
SWOT judgements and the tables of the partnership's activities.

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

The eight tables of the partnership's activities are drawn from random streams of their own
(``numpy.random.default_rng((seed, STREAMS[table]))``), so that they leave the tables above as
they were. Each holds a planted structure, named by a module constant, that the analyses should
find in the default sample:

* ``scouting``: about ``SCOUTING_FINDINGS`` findings per 120 direct SMEs after the first quarter.
  The pairs of ``SCOUTING_HOTSPOTS`` are ``HOTSPOT_WEIGHT`` times likelier than any other pair of
  use and market and rated high (need and novelty 4-5 at TRL 5-8); the ``SCOUTING_MATURE_USES``
  (where the default sample's own products are mature, mean TRL 7 or more) are rarely found
  abroad, at TRL 7-9 with low novelty and need.
* ``affiliates``: ``AFFILIATES_PER_MARKET`` (1-3 per market; ``AFFILIATE_GAP_MARKET`` has one),
  shortlisted early in markets LASER-GO already worked and later in new ones, then interviewed and
  signed with the chances of ``AFFILIATE_STEP_CHANCE``: about 11 MoUs of the 16 by the end.
* ``ties``: the 15 cluster pairs at the start; each signed affiliate tied with its mission's lead
  cluster (and perhaps the co-organiser); company-affiliate and company-company ties at
  ``TIE_RATES`` growing linearly over time (about 70 ties by the default end, 96 not certain);
  ``BROKER_CLUSTER`` meets affiliates of markets whose missions it does not run and cooperates
  with health-tech SMEs, so it has by far the most cross-sector and cross-market ties.
* ``activities``: the 18 plan items on ``ACTIVITY_SCHEDULE`` (2024-2027; E-MEDICEN not yet
  planned), held within two days of the planned date when that is before ``end``, except
  ``OVERDUE_PLAN_ID``; plus one unplanned activity (``UNPLANNED_ACTIVITY``).
* ``survey_questions`` and ``survey_responses``: the 12 questions of ``SURVEY_QUESTIONS`` (the
  barriers question ``SURVEY_BARRIERS_QUESTION``, the usefulness question
  ``SURVEY_SENTIMENT_QUESTION``), answered by ``SURVEY_RESPONSE_RATE`` of the ``SURVEY_EXPECTED``
  respondents per 120 direct SMEs (about 110), half in each sector, five to seven months before
  ``end``. Photonics and health-tech respondents differ only as ``SURVEY_DIFFERENCES`` says (the
  regulatory-burden Likert question about 1 point higher for health tech; certification chosen as
  a barrier by 60% of health tech against 25% of photonics). The free text names technology uses
  and markets by name, synonym, plural and in other casing (``TEXT_USE_FORMS``,
  ``TEXT_MARKET_FORMS``), most often ``SURVEY_TOP_MENTIONS``.
* ``feedback``: about ``FEEDBACK_PER_QUARTER`` forms a quarter from the second quarter; among the
  stated concerns the share of ``FEEDBACK_RISING_CONCERN`` rises from 8% to 40%.
* ``rd_funding``: ``RD_PROJECTS`` projects per 120 direct SMEs from the second year, about EUR 10 m
  in all: well below the roadmap's EUR 20 m.

Counts of findings, ties, respondents, forms and projects scale with ``companies / 120``.

The default ``end`` is 2026-09-30, the last complete quarter when the sample was made: ledger
dates after the day of validation are rejected as typing errors. Planned activity dates may lie
after ``end``; every other date of the sample lies between ``start`` and ``end``.
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
from lasergo.data.codes import (
    AFFILIATE_SECTORS,
    AFFILIATE_STEPS,
    AFFILIATE_TYPES,
    CONCERNS,
    CONTACT_TYPES,
    ORGANISATION_TYPES,
    ROLES,
    split_list,
)

TABLE_NAMES = (
    "companies",
    "products",
    "survey_waves",
    "kpi_ledger",
    "swot_judgements",
    "scouting",
    "affiliates",
    "ties",
    "activities",
    "survey_questions",
    "survey_responses",
    "feedback",
    "rd_funding",
)

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


# --- The partnership's activity tables (drawn from their own random streams) ------------------

#: Findings of the technology scouts per 120 direct SMEs over the whole sample period.
SCOUTING_FINDINGS = 300
#: (technology use, target market) pairs where the scouts find much, with high market need and
#: novelty (4-5) at TRL 5-8: the gaps a scouting analysis should rank first.
SCOUTING_HOTSPOTS = (("T20", "japan"), ("T34", "usa_west"), ("T14", "south_korea"), ("T06", "israel"))
#: How many times likelier a hotspot pair is than any other pair of use and market.
HOTSPOT_WEIGHT = 12.0
#: Uses where the partnership's own products are mature (the default sample's products have a
#: mean TRL of 7 or more) and the scouts find little abroad: rare findings at TRL 7-9 with low
#: novelty and need.
SCOUTING_MATURE_USES = ("T05", "T22")
MATURE_WEIGHT = 0.15
#: Probability of novelty 1..5 and market need 1..5 of an ordinary finding; its TRL is normal.
FINDING_NOVELTY = (0.20, 0.30, 0.25, 0.15, 0.10)
FINDING_NEED = (0.15, 0.25, 0.30, 0.20, 0.10)
FINDING_TRL = (5.0, 1.8)  # mean, sd
FINDING_SOURCES = ("trade show", "scientific paper", "site visit", "web search", "partner referral")

#: Affiliates per target market (the roadmap asks for at least 2 in each); the gap market has one.
AFFILIATES_PER_MARKET = {
    "usa_west": 3,
    "usa_east": 2,
    "canada": 2,
    "malaysia_singapore": 2,
    "south_korea": 2,
    "israel": 2,
    "australia": 1,
    "japan": 3,
}
AFFILIATE_GAP_MARKET = "australia"
#: Months after the start within which affiliates are shortlisted: markets LASER-GO already
#: worked first, new markets later.
SHORTLIST_MONTHS = {"worked": (1, 9), "new": (6, 18)}
#: Probability of each next step, and the days it takes after the step before.
AFFILIATE_STEP_CHANCE = {"interviewed": 0.85, "mou_signed": 0.8}
AFFILIATE_STEP_DAYS = {"interviewed": (30, 180), "mou_signed": (60, 300)}

#: The cluster with many cross-sector and cross-market ties (a broker of the value network): it
#: meets affiliates in markets whose missions it does not run and cooperates with health-tech SMEs.
BROKER_CLUSTER = "OV"
BROKER_AFFILIATE_CHANCE = 0.6  # per interviewed affiliate in another market
BROKER_COMPANY_TIES = 0.8  # cross-sector company ties per quarter, per 120 direct SMEs
#: New ties per quarter in the sample's last quarter, per 120 direct SMEs; the rate grows
#: linearly from zero at the start, so that the 96 ties of the roadmap are not certain.
TIE_RATES = {"company_affiliate": 2.0, "company_company": 2.5}
#: Chance that the co-organising cluster of a market also ties with an affiliate that signed.
CO_ORGANISER_TIE = 0.5

#: Planned dates of the plan items for an action starting 2024-01-01 (shifted with ``start``);
#: E-MEDICEN is not yet planned. M6 is overdue at the default end: planned but not held.
ACTIVITY_SCHEDULE = {
    "M1": "2024-10-07",
    "M2": "2025-04-14",
    "M3": "2025-06-09",
    "M4": "2025-11-17",
    "M5": "2026-04-13",
    "M6": "2026-05-18",
    "M7": "2027-03-08",
    "M8": "2026-10-12",
    "R1": "2025-06-11",
    "R2": "2025-11-19",
    "R3": "2026-10-14",
    "R4": "2026-04-15",
    "E-LITEK": "2024-09-16",
    "E-OV": "2025-02-10",
    "E-OPTENCE": "2025-09-22",
    "E-HTS": "2026-02-23",
    "E-BIOCAT": "2026-11-16",
}
OVERDUE_PLAN_ID = "M6"
#: The activity held outside the plan (plan_id blank), on the default calendar.
UNPLANNED_ACTIVITY = {
    "kind": "other",
    "name": "Synthetic webinar on FDA clearance of photonic devices",
    "market": "usa_east",
    "lead": "HTS",
    "held": "2025-03-12",
}
#: Mean participating companies by kind of activity, per 120 direct SMEs.
PARTICIPANTS = {"mission": 8.0, "roadshow": 6.0, "matchmaking": 10.0, "other": 25.0}

#: Respondents the survey expects per 120 direct SMEs (roadmap §2.5: 120 SMEs and stakeholders),
#: and the share that answers.
SURVEY_EXPECTED = 120
SURVEY_RESPONSE_RATE = 0.92
RESPONDENT_MIX = {"sme": 0.75, "cluster": 0.10, "stakeholder": 0.15}
#: The questionnaire: id -> (group, type, text, options).
SURVEY_QUESTIONS = {
    "Q01": (
        "market_needs",
        "likert",
        "How strongly will demand for photonics-based health products grow in your markets in five years?",
        "",
    ),
    "Q02": (
        "market_needs",
        "single",
        "Which thematic area will matter most to your customers in five years?",
        "diagnostics_imaging;sensing;regenerative_biomaterials",
    ),
    "Q03": ("market_needs", "text", "Which technologies will your customers need most in five years?", ""),
    "Q04": ("opportunities", "likert", "How attractive are the target markets for your products?", ""),
    "Q05": (
        "opportunities",
        "single",
        "Which target market offers your organisation the best opportunity?",
        "usa_west;usa_east;canada;malaysia_singapore;south_korea;israel;australia;japan",
    ),
    "Q06": (
        "opportunities",
        "multiple",
        "Which kinds of partner abroad would help you most?",
        "distributors;system_integrators;research_partners;hospitals;investors",
    ),
    "Q07": ("opportunities", "text", "Which opportunity in the target markets should come first?", ""),
    "Q08": (
        "resources_barriers",
        "likert",
        "How much do regulatory requirements hold back your exports to the target markets?",
        "",
    ),
    "Q09": (
        "resources_barriers",
        "multiple",
        "Which barriers keep you from entering the target markets?",
        "regulation;certification;funding;finding_partners;market_access;language_culture;logistics;"
        "intellectual_property",
    ),
    "Q10": (
        "resources_barriers",
        "single",
        "Which resource do you lack most for going abroad?",
        "staff_time;export_know_how;funding;contacts;certification_know_how",
    ),
    "Q11": ("resources_barriers", "text", "What would help you most to overcome these barriers?", ""),
    "Q12": (
        "opportunities",
        "likert",
        "How useful is the partnership for your business in the target markets?",
        "",
    ),
}
#: The barriers question: the multiple-choice question of resources_barriers.
SURVEY_BARRIERS_QUESTION = "Q09"
#: The question on the partnership's usefulness (the survey's sentiment).
SURVEY_SENTIMENT_QUESTION = "Q12"
#: Mean of the latent answer (1-5, sd ``LIKERT_SD``, rounded) of each Likert question, the same
#: in both sectors unless ``SURVEY_DIFFERENCES`` says otherwise.
LIKERT_MEANS = {"Q01": 3.8, "Q04": 3.4, "Q08": 2.7, "Q12": 3.9}
LIKERT_SD = 0.9
#: Probability of each option of a single question, and of choosing each option of a multiple
#: question (at least one is chosen), in both sectors unless ``SURVEY_DIFFERENCES`` says otherwise.
OPTION_CHANCES = {
    "Q02": (0.50, 0.30, 0.20),
    "Q05": (0.18, 0.14, 0.10, 0.09, 0.12, 0.10, 0.07, 0.20),
    "Q06": (0.50, 0.35, 0.30, 0.40, 0.20),
    "Q09": (0.45, 0.25, 0.40, 0.50, 0.30, 0.20, 0.10, 0.15),
    "Q10": (0.20, 0.20, 0.25, 0.25, 0.10),
}
#: The planted differences between photonics and health-tech respondents: question -> (what
#: differs: the mean answer of a Likert question or an option of a multiple question, value per
#: sector). The other questions have the same distribution in both sectors.
SURVEY_DIFFERENCES: dict[str, tuple[str, dict[str, float]]] = {
    "Q08": ("mean answer", {"photonics": 2.7, "health_tech": 3.7}),
    "Q09": ("certification", {"photonics": 0.25, "health_tech": 0.60}),
}
#: Share of respondents who answer a text question (the others skip it), and any other question.
TEXT_ANSWERED = 0.6
ANSWERED = 0.97
#: How the free text names technology uses and markets: by name, synonym, plural and in other
#: casing (the forms of data/reference technology_uses.csv and markets.csv), with the weight of
#: each id. T20 and Japan are mentioned most (``SURVEY_TOP_MENTIONS``).
TEXT_USE_FORMS = {
    "T20": (5, ("OCT", "optical coherence tomography", "OCT scanners", "Optical Coherence Tomography")),
    "T34": (3, ("in vitro diagnostics", "IVDs", "point-of-care diagnostics")),
    "T12": (3, ("endoscopes", "Endoscopy", "endoscopic imaging")),
    "T06": (2, ("FACS", "flow cytometry", "Cell Sorting")),
    "T24": (1, ("eye trackers", "Eye Tracking")),
    "T28": (1, ("LLLT", "photobiomodulation", "low-level laser therapy")),
}
TEXT_MARKET_FORMS = {
    "japan": (5, ("Japan", "japan", "Tokyo", "JAPAN")),
    "usa_west": (3, ("California", "the West Coast", "Silicon Valley")),
    "south_korea": (3, ("Korea", "South Korea", "Seoul", "KOREA")),
    "canada": (1, ("Canada", "toronto")),
    "israel": (1, ("Israel", "Tel Aviv")),
    "australia": (1, ("Australia", "sydney")),
}
SURVEY_TOP_MENTIONS = {"technology_use": "T20", "market": "japan"}
TEXT_TEMPLATES = {
    "Q03": (
        "Demand for {use} will grow, above all in {market}.",
        "Our customers will need {use}; {market} first.",
        "Cheaper {use} for clinics in {market}.",
    ),
    "Q07": (
        "Distributors for {use} in {market}.",
        "{use} for hospitals in {market}.",
        "Joint stand at a trade fair in {market} showing {use}.",
    ),
    "Q11": (
        "A local partner in {market} who knows the approval of {use}.",
        "Help with the regulatory approval of {use} in {market}.",
        "Funding for certification of {use} before we go to {market}.",
    ),
}

#: Feedback forms per quarter per 120 direct SMEs, from the second quarter of the action.
FEEDBACK_PER_QUARTER = 40
#: The concern whose share of the forms that state one rises linearly over the quarters.
FEEDBACK_RISING_CONCERN = "regulation"
RISING_CONCERN_SHARE = (0.08, 0.40)  # first and last quarter
FEEDBACK_NO_CONCERN = 0.25
FEEDBACK_USEFULNESS = (0.05, 0.10, 0.25, 0.35, 0.25)  # probability of 1..5
FEEDBACK_TEXT = {
    "regulation": "asked about the medical-device regulation of the market",
    "certification": "needs certification before selling there",
    "funding": "no budget for a second trip this year",
    "finding_partners": "wants an introduction to a local integrator",
    "market_access": "hospital purchasing is closed to newcomers",
    "language_culture": "the meeting needed an interpreter",
    "logistics": "shipping of samples took weeks",
    "intellectual_property": "worried about copying of the design",
    "other": "would like the next event online",
}

#: R&D projects funded through the agreements per 120 direct SMEs, from the second year on;
#: their amounts (EUR m, uniform) add up to well below the roadmap's EUR 20 m.
RD_PROJECTS = 6
RD_AMOUNT_EUR_M = (0.8, 2.6)
RD_COFUNDING_FACTOR = (0.5, 1.2)

#: The random stream of each new table: numpy.random.default_rng((seed, stream)), apart from the
#: stream of the tables above, so these tables leave the others as they were.
STREAMS = {
    "scouting": 1,
    "affiliates": 2,
    "ties": 3,
    "activities": 4,
    "survey": 5,
    "feedback": 6,
    "rd_funding": 7,
}


def _stream(spec: SampleSpec, table: str) -> np.random.Generator:
    return np.random.default_rng([spec.seed, STREAMS[table]])


def _scale(spec: SampleSpec) -> float:
    """The size of the direct target group relative to the roadmap's 120 SMEs."""
    return spec.companies / reference.funnel_value("direct_smes")


def _uniform_days(rng: np.random.Generator, first: np.datetime64, last: np.datetime64, size: int) -> np.ndarray:
    """``size`` days drawn uniformly from ``first`` to ``last`` (both included)."""
    span = max(int((last - first).astype(np.int64)) + 1, 1)
    return first + rng.integers(0, span, size).astype("timedelta64[D]")


def _blanked(values: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """``values`` as objects, None where ``blank``."""
    out = np.asarray(values, dtype=object).copy()
    out[blank] = None
    return out


def _dates(days: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(days, dtype="datetime64[D]").astype("datetime64[ns]"))


def _scouting(spec: SampleSpec, ref: _Reference) -> pd.DataFrame:
    """Findings spread uniformly over the period after the first quarter; hotspot pairs likelier
    and rated high, mature uses rare and rated low."""
    rng = _stream(spec, "scouting")
    uses, markets = list(ref.technologies), list(ref.markets)
    weights = np.ones((len(uses), len(markets)))
    for use in SCOUTING_MATURE_USES:
        weights[uses.index(use)] = MATURE_WEIGHT
    for use, market in SCOUTING_HOTSPOTS:
        weights[uses.index(use), markets.index(market)] = HOTSPOT_WEIGHT
    n = rng.poisson(SCOUTING_FINDINGS * _scale(spec))
    cell = rng.choice(weights.size, size=n, p=(weights / weights.sum()).ravel())
    use_of, market_of = cell // len(markets), cell % len(markets)
    hot = np.isin(cell, [uses.index(u) * len(markets) + markets.index(m) for u, m in SCOUTING_HOTSPOTS])
    mature = np.isin(use_of, [uses.index(u) for u in SCOUTING_MATURE_USES])
    trl = np.clip(np.rint(rng.normal(*FINDING_TRL, n)), 1, 9)
    trl = np.where(hot, rng.integers(5, 9, n), np.where(mature, rng.integers(7, 10, n), trl))
    novelty = np.where(
        hot, rng.integers(4, 6, n), np.where(mature, rng.integers(1, 3, n), _counts(rng, FINDING_NOVELTY, n))
    )
    need = np.where(hot, rng.integers(4, 6, n), np.where(mature, rng.integers(1, 4, n), _counts(rng, FINDING_NEED, n)))
    scout = _draw_ranks(rng, ref.market_weights.T[market_of]).argmin(axis=1)
    organisation_type = rng.choice(ORGANISATION_TYPES, n)
    first = min(_add_months(spec.start, 3), np.datetime64(spec.end, "D"))
    days = _uniform_days(rng, first, np.datetime64(spec.end, "D"), n)
    no_cluster, no_organisation, no_source = rng.random(n) < 0.05, rng.random(n) < 0.3, rng.random(n) < 0.1
    source = rng.choice(FINDING_SOURCES, n)
    frame = pd.DataFrame(
        {
            "date": _dates(days),
            "cluster": _blanked(ref.clusters[scout], no_cluster),
            "technology_use": ref.technologies[use_of],
            "market": ref.markets[market_of],
            "organisation_type": organisation_type,
            "organisation": [
                None if blank else f"Synthetic organisation {k + 1:03d}" for k, blank in enumerate(no_organisation)
            ],
            "trl": pd.array(trl.astype(np.int64), dtype="Int64"),
            "novelty": pd.array(novelty.astype(np.int64), dtype="Int64"),
            "market_need": pd.array(need.astype(np.int64), dtype="Int64"),
            "source": _blanked(source, no_source),
        }
    )
    return frame.sort_values(["date", "technology_use", "market"], kind="stable").reset_index(drop=True)


def _affiliates(spec: SampleSpec, ref: _Reference) -> pd.DataFrame:
    """``AFFILIATES_PER_MARKET`` affiliates, shortlisted early in worked markets and later in new
    ones, then interviewed and signed with the chances of ``AFFILIATE_STEP_CHANCE``; a step
    dated after ``end`` has not happened yet and stays blank."""
    rng = _stream(spec, "affiliates")
    new_market = reference.missions().set_index("market")["new_market"]
    end = np.datetime64(spec.end, "D")
    rows = []
    for market, name in zip(ref.markets, ref.market_names):
        low, high = SHORTLIST_MONTHS["new" if new_market[market] else "worked"]
        for _ in range(AFFILIATES_PER_MARKET[market]):
            previous = _uniform_days(rng, _add_months(spec.start, low), _add_months(spec.start, high), 1)[0]
            steps = [previous]
            for step, chance in AFFILIATE_STEP_CHANCE.items():
                low_days, high_days = AFFILIATE_STEP_DAYS[step]
                delay, roll = np.timedelta64(int(rng.integers(low_days, high_days + 1)), "D"), rng.random()
                done = previous is not None and roll < chance and previous + delay <= end
                previous = previous + delay if done else None
                steps.append(previous)
            kind = rng.choice(AFFILIATE_TYPES, p=(0.30, 0.20, 0.25, 0.10, 0.10, 0.05))
            sector = rng.choice(AFFILIATE_SECTORS, p=(0.25, 0.25, 0.50))
            rows.append((market, name, kind, sector, *steps))
    frame = pd.DataFrame(rows, columns=["market", "market_name", "type", "sector", *AFFILIATE_STEPS])
    frame = frame[frame["shortlisted"] <= end].reset_index(drop=True)
    ids = _ids("A", len(frame), 2)
    frame.insert(0, "id", ids)
    frame.insert(1, "name", [f"Synthetic affiliate {i} ({m})" for i, m in zip(ids, frame.pop("market_name"))])
    for step in AFFILIATE_STEPS:
        frame[step] = pd.to_datetime(frame[step]).astype("datetime64[ns]")
    return frame


def _quarter_rates(spec: SampleSpec, at_end: float) -> np.ndarray:
    """Expected events per quarter for a rate growing linearly to ``at_end`` per quarter in the
    last of q quarters (``at_end * k / q`` in quarter k), in proportion to the days of a partial
    first or last quarter."""
    first, last = _quarter_days(spec)
    quarters = pd.period_range(spec.start, spec.end, freq="Q")
    full = (quarters.end_time.normalize() - quarters.start_time).days.to_numpy() + 1
    share = ((last - first).astype(np.int64) + 1) / full
    return at_end * np.arange(1, len(first) + 1) / len(first) * share


def _ties(spec: SampleSpec, ref: _Reference, companies: pd.DataFrame, affiliates: pd.DataFrame) -> pd.DataFrame:
    """The 15 cluster pairs at the start; a tie of the mission's lead cluster (and maybe its
    co-organiser) with each affiliate on the day it signs; the broker's ties; company ties with
    affiliates and with companies of other clusters at a rate growing over time. A pair is tied
    once (the first tie drawn)."""
    rng = _stream(spec, "ties")
    start, end = np.datetime64(spec.start, "D"), np.datetime64(spec.end, "D")
    scale = _scale(spec)
    rows: list[tuple] = [
        (a, b, "cooperation", start, "existing partnership tie (roadmap §2.5)")
        for i, a in enumerate(ref.clusters)
        for b in ref.clusters[i + 1 :]
    ]
    missions = reference.missions().set_index("market")
    cluster_sector = dict(zip(ref.clusters, np.where(ref.photonics, "photonics", "health_tech")))
    for a in affiliates.itertuples(index=False):
        lead, co = missions.at[a.market, "lead"], missions.at[a.market, "co_organiser"]
        if pd.notna(a.mou_signed):
            signed = np.datetime64(a.mou_signed, "D")
            rows.append((lead, a.id, "mou", signed, f"MoU-{a.id}"))
            later = signed + np.timedelta64(int(rng.integers(0, 61)), "D")
            if rng.random() < CO_ORGANISER_TIE and later <= end:
                rows.append((co, a.id, "cooperation", later, None))
        met = (
            np.datetime64(a.interviewed, "D") + np.timedelta64(int(rng.integers(0, 91)), "D")
            if pd.notna(a.interviewed)
            else None
        )
        if (
            BROKER_CLUSTER not in (lead, co)
            and met is not None
            and met <= end
            and rng.random() < BROKER_AFFILIATE_CHANCE
        ):
            rows.append((BROKER_CLUSTER, a.id, "matchmaking_meeting", met, None))

    first, last = _quarter_days(spec)
    joined = companies["joined"].to_numpy().astype("datetime64[D]")
    ids = companies["id"].to_numpy()
    company_cluster = companies["cluster"].to_numpy()
    markets = split_list(companies["target_markets"])
    # per market, which companies target it (computed once: the loop below draws thousands of ties)
    targeting = {m: markets.map(lambda listed, m=m: m in listed).to_numpy() for m in affiliates["market"].unique()}
    interviewed = affiliates["interviewed"].to_numpy().astype("datetime64[D]")
    health_tech = np.array([cluster_sector[c] == "health_tech" for c in company_cluster])
    for q in range(len(first)):
        broker = rng.poisson(BROKER_COMPANY_TIES * scale)
        for day in _uniform_days(rng, first[q], last[q], broker):
            pool = np.flatnonzero((joined <= day) & health_tech)
            if len(pool):
                rows.append((BROKER_CLUSTER, ids[rng.choice(pool)], "cooperation", day, None))
    for kind, rate in TIE_RATES.items():
        counts = rng.poisson(_quarter_rates(spec, rate * scale))
        for q, count in enumerate(counts):
            for day in _uniform_days(rng, first[q], last[q], count):
                known = np.flatnonzero(joined <= day)
                if not len(known):
                    continue
                if kind == "company_affiliate":
                    open_to = np.flatnonzero(~np.isnat(interviewed) & (interviewed <= day))
                    if not len(open_to):
                        continue
                    affiliate = affiliates.iloc[rng.choice(open_to)]
                    keen = known[targeting[affiliate["market"]][known]]
                    company = rng.choice(keen if len(keen) else known)
                    kind_of_tie = "distribution" if rng.random() < 0.6 else "cooperation"
                    rows.append((ids[company], affiliate["id"], kind_of_tie, day, None))
                else:
                    a = rng.choice(known)
                    others = known[company_cluster[known] != company_cluster[a]]
                    if len(others):
                        kind_of_tie = "joint_project" if rng.random() < 0.5 else "cooperation"
                        rows.append((ids[a], ids[rng.choice(others)], kind_of_tie, day, None))
    ties = pd.DataFrame(rows, columns=["source", "target", "type", "date", "evidence"])
    ties["date"] = _dates(ties["date"].to_numpy())
    ties = ties.sort_values("date", kind="stable")
    pair = ties[["source", "target"]].apply(lambda r: tuple(sorted(r)), axis=1)
    ties = ties[~pair.duplicated()].reset_index(drop=True)
    no_evidence = ties["evidence"].isna()
    year = ties["date"].dt.year.astype(str)
    number = ties.groupby(year).cumcount().add(1).astype(str).str.zfill(3)
    minutes = ("minutes-" + year + "-" + number).where(rng.random(len(ties)) >= 0.2)
    ties["evidence"] = ties["evidence"].where(~no_evidence, minutes).astype(object)
    return ties


def _activities(spec: SampleSpec) -> pd.DataFrame:
    """One row per plan item (:func:`reference.activity_plan`) on ``ACTIVITY_SCHEDULE`` shifted to
    ``start``, held within two days of its planned date when that is on or before ``end``
    (except ``OVERDUE_PLAN_ID``), and the unplanned ``UNPLANNED_ACTIVITY``."""
    rng = _stream(spec, "activities")
    shift = np.timedelta64((spec.start - date(2024, 1, 1)).days, "D")
    end = np.datetime64(spec.end, "D")
    scale = _scale(spec)
    rows = []
    for item in reference.activity_plan().itertuples(index=False):
        planned = (
            np.datetime64(ACTIVITY_SCHEDULE[item.plan_id], "D") + shift if item.plan_id in ACTIVITY_SCHEDULE else None
        )
        held = None if planned is None else planned + np.timedelta64(int(rng.integers(0, 3)), "D")
        if held is not None and (held > end or item.plan_id == OVERDUE_PLAN_ID):
            held = None
        participants = 1 + rng.poisson(PARTICIPANTS[item.kind] * scale)
        evidence = f"report-{item.plan_id}" if rng.random() >= 0.1 else None
        rows.append(
            (
                item.plan_id,
                item.kind,
                item.name,
                item.market,
                item.lead,
                planned,
                held,
                participants if held is not None else None,
                evidence if held is not None else None,
            )
        )
    held = np.datetime64(UNPLANNED_ACTIVITY["held"], "D") + shift
    if held <= end:
        rows.append(
            (
                None,
                UNPLANNED_ACTIVITY["kind"],
                UNPLANNED_ACTIVITY["name"],
                UNPLANNED_ACTIVITY["market"],
                UNPLANNED_ACTIVITY["lead"],
                None,
                held,
                1 + rng.poisson(PARTICIPANTS["other"] * scale),
                "report-webinar",
            )
        )
    frame = pd.DataFrame(
        rows, columns=["plan_id", "kind", "name", "market", "lead", "planned", "held", "participants", "evidence"]
    )
    for column in ("planned", "held"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    frame["participants"] = frame["participants"].astype("Int64")
    return frame


def _survey_questions() -> pd.DataFrame:
    return pd.DataFrame(
        [(qid, *row) for qid, row in SURVEY_QUESTIONS.items()], columns=["id", "group", "type", "text", "options"]
    ).replace("", None)


def _text_answer(rng: np.random.Generator, question: str) -> str:
    """A free-text answer naming one technology use and one market in one of their forms."""

    def form(forms: dict) -> str:
        weights = np.array([w for w, _ in forms.values()], dtype=float)
        _, names = list(forms.values())[rng.choice(len(forms), p=weights / weights.sum())]
        return str(rng.choice(names))

    template = str(rng.choice(TEXT_TEMPLATES[question]))
    text = template.format(use=form(TEXT_USE_FORMS), market=form(TEXT_MARKET_FORMS))
    return text[0].upper() + text[1:]


def _survey_responses(spec: SampleSpec, ref: _Reference) -> pd.DataFrame:
    """``SURVEY_RESPONSE_RATE`` of the expected respondents answer in a window five to seven months
    before ``end``; answers follow ``LIKERT_MEANS`` and ``OPTION_CHANCES``, with the sector
    differences of ``SURVEY_DIFFERENCES`` and nothing else."""
    rng = _stream(spec, "survey")
    expected = max(1, round(SURVEY_EXPECTED * _scale(spec)))
    n = int(rng.binomial(expected, SURVEY_RESPONSE_RATE))
    cluster = rng.permutation(np.arange(n) % len(ref.clusters))
    sector = np.where(ref.photonics[cluster], "photonics", "health_tech")
    kind = rng.choice(list(RESPONDENT_MIX), n, p=list(RESPONDENT_MIX.values()))
    first = max(_add_months(spec.end, -7), np.datetime64(spec.start, "D"))
    last = max(_add_months(spec.end, -5), np.datetime64(spec.start, "D"))
    day = _uniform_days(rng, first, last, n)
    respondent = _ids("R", n, max(3, len(str(n))))
    rows = []
    for r in range(n):
        for qid, (_, qtype, _, options) in SURVEY_QUESTIONS.items():
            if rng.random() >= (TEXT_ANSWERED if qtype == "text" else ANSWERED):
                continue
            what, by_sector = SURVEY_DIFFERENCES.get(qid, ("", {}))
            if qtype == "likert":
                mean = by_sector.get(sector[r], LIKERT_MEANS[qid])
                answer = str(int(np.clip(np.rint(rng.normal(mean, LIKERT_SD)), 1, 5)))
            elif qtype == "single":
                codes = options.split(";")
                answer = str(rng.choice(codes, p=OPTION_CHANCES[qid]))
            elif qtype == "multiple":
                codes = options.split(";")
                chances = np.array(OPTION_CHANCES[qid])
                if what in codes:
                    chances[codes.index(what)] = by_sector[sector[r]]
                chosen = rng.random(len(codes)) < chances
                if not chosen.any():
                    chosen[chances.argmax()] = True
                answer = ";".join(c for c, pick in zip(codes, chosen) if pick)
            else:
                answer = _text_answer(rng, qid)
            rows.append((respondent[r], kind[r], ref.clusters[cluster[r]], sector[r], day[r], qid, answer))
    frame = pd.DataFrame(
        rows, columns=["respondent", "respondent_type", "cluster", "sector", "date", "question", "answer"]
    )
    frame["date"] = _dates(frame["date"].to_numpy())
    return frame


def _feedback(spec: SampleSpec, ref: _Reference) -> pd.DataFrame:
    """About ``FEEDBACK_PER_QUARTER`` forms a quarter (binomial, sd about 3) from the second quarter;
    ``FEEDBACK_NO_CONCERN`` of them state no concern, and of the others the share naming
    ``FEEDBACK_RISING_CONCERN`` rises linearly over the quarters (exactly, up to rounding)."""
    rng = _stream(spec, "feedback")
    first, last = _quarter_days(spec)
    others = [c for c in CONCERNS if c != FEEDBACK_RISING_CONCERN]
    frames = []
    for q in range(1, len(first)):
        n = int(rng.binomial(round(FEEDBACK_PER_QUARTER * _scale(spec) / 0.8), 0.8))
        share = np.interp(q, [1, max(len(first) - 1, 2)], RISING_CONCERN_SHARE)
        stated = round(n * (1 - FEEDBACK_NO_CONCERN))
        rising = round(share * stated)
        concern = np.array(
            [FEEDBACK_RISING_CONCERN] * rising + list(rng.choice(others, stated - rising)) + [None] * (n - stated),
            dtype=object,
        )[rng.permutation(n)]
        text = [FEEDBACK_TEXT[c] if c is not None and rng.random() < 0.4 else None for c in concern]
        frames.append(
            pd.DataFrame(
                {
                    "date": _dates(_uniform_days(rng, first[q], last[q], n)),
                    "cluster": rng.choice(ref.clusters, n),
                    "contact_type": rng.choice(CONTACT_TYPES, n, p=(0.35, 0.15, 0.25, 0.20, 0.05)),
                    "usefulness": pd.array(_counts(rng, FEEDBACK_USEFULNESS, n), dtype="Int64"),
                    "concern": concern,
                    "text": text,
                }
            )
        )
    columns = ["date", "cluster", "contact_type", "usefulness", "concern", "text"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "date" else object) for c in columns})
    return pd.concat(frames, ignore_index=True).sort_values("date", kind="stable").reset_index(drop=True)


def _rd_funding(spec: SampleSpec, ref: _Reference) -> pd.DataFrame:
    """``RD_PROJECTS`` projects granted between the second year and ``end``, each of
    ``RD_AMOUNT_EUR_M``, with co-funding ``RD_COFUNDING_FACTOR`` times the amount (20% blank)."""
    rng = _stream(spec, "rd_funding")
    n = max(1, round(RD_PROJECTS * _scale(spec)))
    end = np.datetime64(spec.end, "D")
    day = np.sort(_uniform_days(rng, min(_add_months(spec.start, 12), end), end, n))
    amount = np.round(rng.uniform(*RD_AMOUNT_EUR_M, n), 2)
    cofunding = np.round(amount * rng.uniform(*RD_COFUNDING_FACTOR, n), 2)
    year = pd.Series(day.astype("datetime64[Y]").astype(int) + 1970).astype(str)
    return pd.DataFrame(
        {
            "date": _dates(day),
            "cluster": rng.choice(ref.clusters, n),
            "project": [f"Synthetic R&D project {k + 1:02d}" for k in range(n)],
            "amount_eur_m": amount,
            "cofunding_eur_m": np.where(rng.random(n) < 0.2, np.nan, cofunding),
            "evidence": np.where(
                rng.random(n) < 0.15, None, "GA-" + year + "-" + pd.Series(range(1, n + 1)).astype(str).str.zfill(2)
            ),
        }
    )


def _activity_tables(spec: SampleSpec, ref: _Reference, companies: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The eight tables of the partnership's activities, each from its own random stream."""
    affiliates = _affiliates(spec, ref)
    return {
        "scouting": _scouting(spec, ref),
        "affiliates": affiliates,
        "ties": _ties(spec, ref, companies, affiliates),
        "activities": _activities(spec),
        "survey_questions": _survey_questions(),
        "survey_responses": _survey_responses(spec, ref),
        "feedback": _feedback(spec, ref),
        "rd_funding": _rd_funding(spec, ref),
    }


def generate_sample(spec: SampleSpec) -> dict[str, pd.DataFrame]:
    """The synthetic panel: one frame per name of ``TABLE_NAMES``, with the columns of
    :mod:`lasergo.data.schemas`. The same spec always gives the same frames."""
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
        **_activity_tables(spec, ref, companies),
    }


def write_sample(spec: SampleSpec, out_dir: str | Path) -> Path:
    """Write ``<table>.csv`` for each of ``TABLE_NAMES`` and ``dataset.json`` into ``out_dir``.

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
            "The SWOT judgements are illustrative: three invented experts, not real input. "
            "The scouting findings, affiliates, ties, activities, stakeholder survey, feedback "
            "forms and R&D funding are invented with planted patterns (see lasergo/data/sample.py).",
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
