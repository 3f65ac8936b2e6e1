"""Run every benchmark and print its time and peak memory as ratios of a budget.

A ratio below 1 is within budget. Each case runs in a fresh process so that its
peak resident memory is its own. Budgets are for the 2-core reference machine.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass

from benchmarks import pipeline


@dataclass(frozen=True)
class Case:
    name: str
    code: str  # run in a fresh interpreter; {tmp} is a scratch folder
    seconds_budget: float
    memory_budget_mb: float


CASES = [
    Case(
        "sample-data --companies 24000 (48,000 SMEs)",
        "from lasergo.data.sample import SampleSpec, write_sample\n"
        "write_sample(SampleSpec(companies=24000), Path('{tmp}') / 'big')",
        seconds_budget=10,
        memory_budget_mb=1000,
    ),
    Case(
        "validate the 24000-company sample",
        "from lasergo.data.sample import SampleSpec, write_sample\n"
        "from lasergo.data.dataset import load_data\n"
        "write_sample(SampleSpec(companies=24000), Path('{tmp}') / 'big')\n"
        "import time; t = time.perf_counter(); load_data(Path('{tmp}') / 'big')\n"
        "print('INNER', time.perf_counter() - t)",
        seconds_budget=10,
        memory_budget_mb=1000,
    ),
    Case(
        "validate the committed 120-company sample",
        "from lasergo.data.dataset import load_data\n"
        "from lasergo.cli import DEFAULT_DATA\n"
        "import time; t = time.perf_counter(); load_data(DEFAULT_DATA)\n"
        "print('INNER', time.perf_counter() - t)",
        seconds_budget=1,
        memory_budget_mb=500,
    ),
    Case(
        "market Monte Carlo: 20,000 draws, 8 markets x 3 segments",
        "from lasergo.analysis import market\n"
        "from lasergo.data.dataset import load_data\n"
        "from lasergo.data.market_inputs import market_tables\n"
        "from lasergo.cli import DEFAULT_DATA\n"
        "data = load_data(DEFAULT_DATA)\n"
        "model = market.build_model(market_tables(data), data, 2026)\n"
        "market.simulate(model, 1000, 0)  # warm-up\n"
        "import time; t = time.perf_counter(); sim = market.simulate(model, 20_000, 1)\n"
        "print('INNER', time.perf_counter() - t)",
        seconds_budget=0.25,
        memory_budget_mb=500,
    ),
    Case(
        "market page analysis (analyse_market, 20,000 draws)",
        "from lasergo.analysis import market\n"
        "from lasergo.data.dataset import load_data\n"
        "from lasergo.cli import DEFAULT_DATA\n"
        "data = load_data(DEFAULT_DATA)\n"
        "import time; t = time.perf_counter(); market.analyse_market(data, 2026)\n"
        "print('INNER', time.perf_counter() - t)",
        seconds_budget=2,
        memory_budget_mb=500,
    ),
    *[
        Case(
            f"partnership fit page (analyse_partners), {n:,} SMEs",
            "from lasergo.data.sample import SampleSpec, write_sample\n"
            "from lasergo.data.dataset import load_data\n"
            "from lasergo.analysis import partners\n"
            f"write_sample(SampleSpec(companies={n // 2}), Path('{{tmp}}') / 'd')\n"
            "data = load_data(Path('{tmp}') / 'd')\n"
            "import time; t = time.perf_counter(); a = partners.analyse_partners(data)\n"
            "print('INNER', time.perf_counter() - t)\n"
            "print('INFO', f'{a.grouping.method} k={a.grouping.k}, {len(a.candidates):,} candidate triples, '\n"
            "      f'{len(a.cases):,} cases by {a.matching.solver}')",
            seconds_budget=budget,
            memory_budget_mb=memory,
        )
        for n, budget, memory in ((120, 5, 600), (2_400, 20, 1000), (24_000, 180, 3000))
    ],
    Case(
        "matching: greedy against the exact integer program on the sample",
        "from lasergo.data.dataset import load_data\n"
        "from lasergo.cli import DEFAULT_DATA\n"
        "from lasergo.analysis import partners\n"
        "p = partners.company_profiles(load_data(DEFAULT_DATA))\n"
        "cases = partners.candidate_cases(p)\n"
        "import time; t = time.perf_counter(); exact = partners.match_cases(cases, len(p), 2, 'milp')\n"
        "print('INNER', time.perf_counter() - t)\n"
        "greedy = partners.match_cases(cases, len(p), 2, 'greedy')\n"
        "print('INFO', f'greedy total / optimum = {greedy.total / exact.total:.4f} ({len(cases):,} candidates)')",
        seconds_budget=5,
        memory_budget_mb=600,
    ),
]


def _analysis_case(name: str, call: str) -> list[Case]:
    """The analysis behind one page at 2,400 and 24,000 SMEs (``sample-data --companies`` n/2: half
    of them in the clusters' direct group, half affiliates), for the growth exponent."""
    return [
        Case(
            f"{name}, {n:,} SMEs",
            "from lasergo.data.sample import SampleSpec, write_sample\n"
            "from lasergo.data.dataset import load_data\n"
            "from lasergo.analysis import kpi, missions, network, scouting, survey, swot\n"
            "import pandas as pd\n"
            f"write_sample(SampleSpec(companies={n // 2}), Path('{{tmp}}') / 'd')\n"
            "data = load_data(Path('{tmp}') / 'd')\n"
            "period = pd.Period('2026Q3', freq='Q')\n"
            "data = data.cut(period.end_time)\n"
            f"import time; t = time.perf_counter(); {call}\n"
            "print('INNER', time.perf_counter() - t)",
            seconds_budget=budget,
            memory_budget_mb=2000,
        )
        for n, budget in ((2_400, 30), (24_000, 120))
    ]


ANALYSES = [
    *_analysis_case("KPI page (kpi_report)", "kpi.kpi_report(data, period, '2027-12-31', '2024-01-01')"),
    *_analysis_case("scouting page (analyse_scouting)", "scouting.analyse_scouting(data.scouting, data.products)"),
    *_analysis_case(
        "value network page (network_report)", "network.network_report(data, period, '2027-12-31', '2024-01-01')"
    ),
    *_analysis_case("survey page (analyse_survey)", "survey.analyse_survey(data)"),
    *_analysis_case("missions page (missions_report)", "missions.missions_report(data, period)"),
    *_analysis_case("SWOT page (analyse_swot)", "swot.analyse_swot(data)"),
]
CASES += ANALYSES


def run(case: Case) -> tuple[float, float, list[str]]:
    """Seconds (the timed part if the case prints INNER, else the whole process), the process's
    peak resident memory in MB, and the lines the case printed after INFO."""
    with tempfile.TemporaryDirectory() as tmp:
        code = (
            "from pathlib import Path\nimport resource\n"
            + case.code.replace("{tmp}", tmp)
            + "\nprint('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"benchmark {case.name!r} failed:\n{textwrap.indent(done.stderr, '  ')}")
    values = dict(line.split()[:2] for line in done.stdout.splitlines() if line.startswith(("INNER", "PEAK_KB")))
    seconds = float(values["INNER"]) if "INNER" in values else elapsed
    info = [line[len("INFO ") :] for line in done.stdout.splitlines() if line.startswith("INFO ")]
    return seconds, float(values["PEAK_KB"]) / 1024, info


def growth_exponents(measured: dict[str, float]) -> list[str]:
    """How each analysis's time grows from 2,400 to 24,000 SMEs: the exponent b of t ~ n^b
    (n log n over a tenfold step is about 1.1)."""
    lines = []
    for small in [name for name in measured if name.endswith(", 2,400 SMEs")]:
        large = small.replace("2,400", "24,000")
        if large in measured and measured[small] > 0:
            exponent = math.log(measured[large] / measured[small]) / math.log(10)
            lines.append(f"{small.removesuffix(', 2,400 SMEs'):52} exponent {exponent:5.2f} (n log n: 1.10)")
    return lines


def main(words: list[str]) -> None:
    """Run the cases whose name contains every word given (all cases without words); ``pipeline``
    runs the whole-report comparisons of :mod:`benchmarks.pipeline`, which every run ends with."""
    if words == ["pipeline"]:
        pipeline.main()
        return
    cases = [case for case in CASES if all(w.lower() in case.name.lower() for w in words)]
    if not cases:
        raise SystemExit(f"no benchmark matches {' '.join(words)!r}; names: " + "; ".join(case.name for case in CASES))
    print(f"{'benchmark':62} {'seconds':>9} {'/budget':>8} {'peak MB':>9} {'/budget':>8}")
    measured = {}
    for case in cases:
        seconds, peak, info = run(case)
        measured[case.name] = seconds
        print(
            f"{case.name:62} {seconds:9.2f} {seconds / case.seconds_budget:8.2f} "
            f"{peak:9.0f} {peak / case.memory_budget_mb:8.2f}",
            flush=True,
        )
        for line in info:
            print(f"    {line}", flush=True)
    for line in growth_exponents(measured):
        print(line)
    if not words:
        pipeline.main()


if __name__ == "__main__":
    main(sys.argv[1:])
