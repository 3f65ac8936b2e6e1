"""The ``lasergo`` command: build the quarterly reports, check a data folder, make sample data.

Exit status: 0 success; 1 a notebook failed (the other pages are published);
2 bad input or a bad request (nothing written). Every error the workbook raises on
purpose (:class:`lasergo.errors.LasergoError`) is printed as one line; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from lasergo.data.dataset import load_data
from lasergo.data.schemas import TABLES
from lasergo.errors import InputError, LasergoError
from lasergo.pipeline.executors import executor_for
from lasergo.pipeline.jobs import DEFAULT_TIMEOUT
from lasergo.pipeline.notebooks import NOTEBOOK_DIR, PROJECT_DIR
from lasergo.pipeline.run import RunStopped, build_quarters

DEFAULT_DATA = PROJECT_DIR / "data" / "sample"
DEFAULT_OUT = Path("reports")


def parse_parameter(text: str) -> tuple[str, str]:
    """``key=value`` split at the first ``=``; the value stays text until it is checked against
    the type of the notebooks' declared default (:mod:`lasergo.pipeline.parameters`)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    return key.strip(), raw


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lasergo",
        description="LASER-GO workbook: quarterly research reports for the photonics-for-health cluster partnership.",
        epilog="Run 'lasergo COMMAND --help' for the options of a command.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = commands.add_parser(
        "report",
        help="run every notebook for a quarter and publish the HTML reports",
        description="Validate the data, run each notebook in notebooks/ with Papermill for the "
        "quarter (in parallel), render it to self-contained HTML and publish "
        "OUT/<quarter>/ atomically, with a front page that answers the quarter and a manifest; pages whose "
        "inputs did not change are reused. Exit 1 if a "
        "notebook failed (its failure page is published), 2 on bad input.",
    )
    report.add_argument(
        "--quarter",
        help="quarter to report, e.g. 2026Q4 (default: the newest in the data); data dated after its end are left out",
    )
    report.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="data folder with the input tables (default: the synthetic sample, %(default)s)",
    )
    report.add_argument("--out", type=Path, default=DEFAULT_OUT, help="reports folder (default: %(default)s)")
    report.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="rebuild only these notebooks (file names without .ipynb) and the viability page; "
        "keep the other published pages",
    )
    report.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        action="append",
        type=parse_parameter,
        default=[],
        metavar="KEY=VALUE",
        help="notebook parameter, e.g. -p n_draws=20000 (repeatable); it must be declared by at least "
        "one notebook and is read as the type of its default (whole number, number, true/false, text, "
        "date YYYY-MM-DD); quarter, data_dir, seed and cluster have their own options, and the pipeline sets "
        "output_dir, snapshot and page_results",
    )
    report.add_argument("--seed", type=int, default=1, help="random seed for every notebook (default: 1)")
    report.add_argument(
        "--all-quarters",
        action="store_true",
        help="build every quarter of the data, oldest first (unchanged pages are reused)",
    )
    report.add_argument(
        "--by",
        choices=["cluster"],
        help="also build one edition per cluster, in <quarter>/clusters/<CLUSTER>/, beside the partnership's",
    )
    report.add_argument(
        "--force",
        action="store_true",
        help="rebuild every page; by default a page is reused from the published quarter when its notebook, "
        "parameters, the tables it reads, the reference tables, the package and the lock file are unchanged",
    )
    report.add_argument("--workers", type=int, help="parallel notebook processes (default: one per core)")
    report.add_argument(
        "--scheduler",
        metavar="local|tcp://HOST:PORT",
        help="run the notebooks on Dask distributed instead of local processes: 'local' starts a "
        "LocalCluster of --workers processes, an address uses a running scheduler whose workers see the "
        "same paths (needs pip install 'lasergo[dask]')",
    )
    report.add_argument("--notebooks", type=Path, default=NOTEBOOK_DIR, help="notebook folder (default: %(default)s)")
    report.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="stop a notebook that runs longer than this and publish it as failed (default: %(default)g)",
    )
    report.add_argument(
        "--wait",
        action="store_true",
        help="if another run is writing the reports folder, wait for it instead of stopping with status 2",
    )

    validate = commands.add_parser(
        "validate",
        help="check a data folder and list every problem",
        description="Read every input table of the folder, check it against the schemas (see "
        "data/README.md) and print each problem as file:row:column: message. Exit 2 if any.",
    )
    validate.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder (default: %(default)s)")

    sample = commands.add_parser(
        "sample-data",
        help="write a synthetic sample panel in the input schema",
        description="Write a synthetic panel (companies, products, survey waves, KPI ledger, SWOT judgements, "
        "scouting findings, affiliates, ties, activities, a stakeholder survey, feedback forms, R&D funding) "
        "calibrated on the roadmap's target group (roadmap section 2.3). It is labelled "
        "synthetic in every report built on it.",
    )
    sample.add_argument(
        "--companies",
        type=int,
        default=120,
        help="SMEs in the direct target group (default: %(default)s, 20 per cluster)",
    )
    sample.add_argument("--indirect", type=int, help="SMEs in the indirect group (default: as many as --companies)")
    sample.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    sample.add_argument("--out", type=Path, default=DEFAULT_DATA, help="output folder (default: %(default)s)")
    return parser


def _report(args: argparse.Namespace) -> int:
    results = build_quarters(
        data_dir=args.data,
        out_dir=args.out,
        quarter=args.quarter,
        all_quarters=args.all_quarters,
        by_cluster=args.by == "cluster",
        force=args.force,
        notebook_dir=args.notebooks,
        only=args.only,
        parameters=dict(args.parameters),
        seed=args.seed,
        workers=args.workers,
        timeout=args.timeout,
        wait=args.wait,
        executor=executor_for(args.scheduler, args.workers),
    )
    for warning in results[0].warnings if results else ():
        print(f"warning: {warning}", file=sys.stderr)
    for result in results:
        pages = result.every_page
        for cluster, edition in {"": result.notebooks, **result.editions}.items():
            folder = result.folder / "clusters" / cluster if cluster else result.folder
            for nb in edition:
                if nb.status != "ok":
                    print(f"FAILED {nb.name}: {nb.error} (see {folder / nb.html})", file=sys.stderr)
        built = sum(nb.outcome == "built" for nb in pages)
        editions = f" in {1 + len(result.editions)} editions" if result.editions else ""
        print(
            f"{result.quarter}: {sum(nb.status == 'ok' for nb in pages)} of {len(pages)} pages ok{editions} "
            f"({built} built, {len(pages) - built} reused unchanged)"
        )
    print(f"Reports: {(args.out / 'index.html').resolve()}")
    return 0 if all(result.ok for result in results) else 1


def _validate(args: argparse.Namespace) -> int:
    dataset = load_data(args.data)
    for warning in dataset.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    rows = ", ".join(f"{name} {len(getattr(dataset, name)):,}" for name in TABLES if len(getattr(dataset, name)))
    print(f"{args.data}: OK{' (synthetic)' if dataset.synthetic else ''}: rows per table: {rows}")
    return 0


def _sample_data(args: argparse.Namespace) -> int:
    from lasergo.data.sample import SampleSpec, write_sample

    spec = SampleSpec(companies=args.companies, indirect=args.indirect, seed=args.seed)
    folder = write_sample(spec, args.out)
    print(f"Synthetic sample written to {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"report": _report, "validate": _validate, "sample-data": _sample_data}[args.command]
    try:
        return handler(args)
    except InputError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"{len(err.problems)} problem(s) in the input; nothing was written.", file=sys.stderr)
        return 2
    except LasergoError as err:
        print(f"lasergo: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lasergo: interrupted; published reports are unchanged.", file=sys.stderr)
        return 128 + signal.SIGINT
    except RunStopped as stop:
        print(f"lasergo: stopped by signal {stop.signum}; published reports are unchanged.", file=sys.stderr)
        return 128 + stop.signum


if __name__ == "__main__":
    sys.exit(main())
