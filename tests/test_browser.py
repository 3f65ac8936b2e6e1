"""Every page in a real browser (Debian's chromium, driven by Playwright), built from a data folder
whose every free-text field holds HTML and script payloads: nothing runs, nothing is fetched from
another host, nothing is logged as an error, and every page prints to A4 without a table cut at
the right edge; a quarter's front page prints on at most two A4 pages. Public and internal
editions alike."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lasergo.pipeline.run import build_reports
from tests.conftest import SAMPLE

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (make test installs it when run as root with apt-get); "
    "the real-browser check is skipped",
)
PAYLOAD = '<script>alert("script")</script><img src=x onerror=alert("img")>[link](javascript:alert("md"))'
A4_WIDTH_PX = 718  # 210 mm less 2 x 12 mm margins, at 96 px per inch


def hostile_copy(folder: Path) -> Path:
    """The sample with a payload in every free-text field (the activity tables' and the survey's
    included), in a company id, a SWOT factor and a market figure's source and note."""
    shutil.copytree(SAMPLE, folder)
    read = {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("companies", "products", "survey_waves", "kpi_ledger", "swot_judgements")
    }
    hostile_id = 'C0001"><b>x</b>'
    read["companies"]["name"] = [f"{PAYLOAD} {k}" for k in range(len(read["companies"]))]
    for table, column in (("companies", "id"), ("products", "company"), ("survey_waves", "company")):
        read[table][column] = read[table][column].replace("C0001", hostile_id)
    read["products"]["name"] = PAYLOAD
    read["kpi_ledger"]["note"] = PAYLOAD
    read["swot_judgements"]["note"] = PAYLOAD
    experts = read["swot_judgements"]["expert"].unique()
    extra = pd.DataFrame({"expert": experts, "matrix": "O", "row": "O4", "column": "O1", "value": "1", "note": PAYLOAD})
    read["swot_judgements"] = pd.concat([read["swot_judgements"], extra])
    activity = {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("scouting", "affiliates", "ties", "activities", "survey_questions", "survey_responses")
        + ("feedback", "rd_funding")
    }
    for column in ("source", "target"):
        activity["ties"][column] = activity["ties"][column].replace("C0001", hostile_id)
    for table, column in (
        ("scouting", "organisation"),
        ("scouting", "source"),
        ("affiliates", "name"),
        ("ties", "evidence"),
        ("activities", "name"),
        ("activities", "evidence"),
        ("feedback", "text"),
        ("rd_funding", "project"),
        ("rd_funding", "evidence"),
    ):
        activity[table][column] = PAYLOAD
    questions = activity["survey_questions"]
    questions["text"] = PAYLOAD + " " + questions["text"]
    free_text = questions.loc[questions["type"] == "text", "id"]
    answers = activity["survey_responses"]
    answers.loc[answers["question"].isin(free_text), "answer"] = PAYLOAD + " endoscopes in Japan"
    for name, frame in {**read, **activity}.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    pd.DataFrame({"id": ["O4"], "group": ["O"], "factor": [PAYLOAD], "source": [PAYLOAD]}).to_csv(
        folder / "swot_factors.csv", index=False
    )
    pd.DataFrame(
        {
            "market": ["israel"],
            "segment": ["medical_devices"],
            "year": [2015],
            "value_m": [1500],
            "low_m": [""],
            "high_m": [""],
            "currency": ["USD"],
            "source": [PAYLOAD],
            "note": [PAYLOAD],
        }
    ).to_csv(folder / "market_figures.csv", index=False)
    return folder


def printed_pages(pdf: bytes) -> int:
    """The number of pages of a PDF as Chromium writes it (one ``/Type /Page`` object per page)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("browser")
    data = hostile_copy(root / "hostile")
    public, internal = root / "public", root / "internal"
    assert build_reports(data_dir=data, out_dir=public, progress=False).ok
    assert build_reports(data_dir=data, out_dir=internal, parameters={"internal": True}, progress=False).ok
    return sorted([*public.rglob("*.html"), *internal.rglob("*.html")])


def test_no_payload_reaches_the_pages_unescaped(editions):
    assert len(editions) >= 2 * 6 + 2
    for page in editions:
        text = page.read_text(encoding="utf-8")
        for raw in ('<script>alert("script")', "<img src=x onerror", "<b>x</b>", 'href="javascript:'):
            assert raw not in text, (page, raw)


def test_every_page_in_chromium_runs_nothing_fetches_nothing_and_prints_to_a4(editions, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            for path in editions:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                requests, errors, dialogs = [], [], []

                def route(r, requests=requests):
                    if r.request.url.startswith("file://"):
                        r.continue_()
                    else:
                        requests.append(r.request.url)
                        r.abort()

                page.route("**/*", route)
                page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_timeout(200)
                assert not dialogs, (path, dialogs)
                assert not errors, (path, errors)
                assert not [u for u in requests if not u.startswith("data:")], (path, requests)

                page.emulate_media(media="print")
                page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1000})
                overflow = page.evaluate(
                    """() => {
                        const width = document.documentElement.clientWidth;
                        return Array.from(document.querySelectorAll('table'))
                            .map(t => t.getBoundingClientRect().right)
                            .filter(right => right > width + 1);
                    }"""
                )
                assert overflow == [], (path, overflow)
                pdf = page.pdf(path=str(tmp_path / f"{path.parent.name}-{path.stem}.pdf"), format="A4")
                if path.name == "index.html" and re.fullmatch(r"\d{4}Q[1-4]", path.parent.name):
                    assert printed_pages(pdf) <= 2, (path, "the front page prints on more than two A4 pages")
                page.close()
        finally:
            browser.close()
