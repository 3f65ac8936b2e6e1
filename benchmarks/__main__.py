"""Run every benchmark and print its time and peak memory as ratios of a budget.

A ratio below 1 is within budget. Each case runs in a fresh process so that its
peak resident memory is its own. Budgets are for the 2-core reference machine.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    code: str  # run in a fresh interpreter; {tmp} is a scratch folder
    seconds_budget: float
    memory_budget_mb: float


CASES = [
    Case("sample-data --companies 24000 (48,000 SMEs)",
         "from lasergo.sample import SampleSpec, write_sample\n"
         "write_sample(SampleSpec(companies=24000), Path('{tmp}') / 'big')",
         seconds_budget=10, memory_budget_mb=1000),
    Case("validate the 24000-company sample",
         "from lasergo.sample import SampleSpec, write_sample\n"
         "from lasergo.io import load_data\n"
         "write_sample(SampleSpec(companies=24000), Path('{tmp}') / 'big')\n"
         "import time; t = time.perf_counter(); load_data(Path('{tmp}') / 'big')\n"
         "print('INNER', time.perf_counter() - t)",
         seconds_budget=10, memory_budget_mb=1000),
    Case("validate the committed 120-company sample",
         "from lasergo.io import load_data\n"
         "from lasergo.cli import DEFAULT_DATA\n"
         "import time; t = time.perf_counter(); load_data(DEFAULT_DATA)\n"
         "print('INNER', time.perf_counter() - t)",
         seconds_budget=1, memory_budget_mb=500),
    Case("market Monte Carlo: 20,000 draws, 8 markets x 3 segments",
         "from lasergo import market\n"
         "from lasergo.io import load_data\n"
         "from lasergo.cli import DEFAULT_DATA\n"
         "data = load_data(DEFAULT_DATA)\n"
         "model = market.build_model(market.market_tables(data), data, 2026)\n"
         "market.simulate(model, 1000, 0)  # warm-up\n"
         "import time; t = time.perf_counter(); sim = market.simulate(model, 20_000, 1)\n"
         "print('INNER', time.perf_counter() - t)",
         seconds_budget=0.25, memory_budget_mb=500),
    Case("market page analysis (analyse_market, 20,000 draws)",
         "from lasergo import market\n"
         "from lasergo.io import load_data\n"
         "from lasergo.cli import DEFAULT_DATA\n"
         "data = load_data(DEFAULT_DATA)\n"
         "import time; t = time.perf_counter(); market.analyse_market(data, 2026)\n"
         "print('INNER', time.perf_counter() - t)",
         seconds_budget=2, memory_budget_mb=500),
]


def run(case: Case) -> tuple[float, float]:
    """Seconds (the timed part if the case prints INNER, else the whole process) and the
    process's peak resident memory in MB."""
    with tempfile.TemporaryDirectory() as tmp:
        code = ("from pathlib import Path\nimport resource\n" + case.code.format(tmp=tmp)
                + "\nprint('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"benchmark {case.name!r} failed:\n{textwrap.indent(done.stderr, '  ')}")
    values = dict(line.split()[:2] for line in done.stdout.splitlines() if line.startswith(("INNER", "PEAK_KB")))
    seconds = float(values["INNER"]) if "INNER" in values else elapsed
    return seconds, float(values["PEAK_KB"]) / 1024


def main(words: list[str]) -> None:
    """Run the cases whose name contains every word given (all cases without words)."""
    cases = [case for case in CASES if all(w.lower() in case.name.lower() for w in words)]
    if not cases:
        raise SystemExit(f"no benchmark matches {' '.join(words)!r}; names: "
                         + "; ".join(case.name for case in CASES))
    print(f"{'benchmark':56} {'seconds':>9} {'/budget':>8} {'peak MB':>9} {'/budget':>8}")
    for case in cases:
        seconds, peak = run(case)
        print(f"{case.name:56} {seconds:9.2f} {seconds / case.seconds_budget:8.2f} "
              f"{peak:9.0f} {peak / case.memory_budget_mb:8.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
