"""Confidentiality of the partnership-fit page (roadmap §2.2, :mod:`lasergo.privacy`): the public
edition names and draws no company and says where the company-level lists are; the internal
edition still shows them."""

import re
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from lasergo.analysis.partners import OTHER_COMBINATIONS, analyse_partners
from lasergo.data.dataset import load_data
from lasergo.errors import AnalysisError
from lasergo.pages import partners as page
from lasergo.privacy import MIN_COMPANIES
from tests.conftest import SAMPLE

COMPANY_ID = re.compile(r"\bC\d{4}\b")  # the sample's ids: C0001, ...


@pytest.fixture(scope="module")
def sample():
    return load_data(SAMPLE)


@pytest.fixture(scope="module")
def public(sample):
    return analyse_partners(sample, n_boot=3)


@pytest.fixture(scope="module")
def internal(sample):
    return analyse_partners(sample, n_boot=3, internal=True)


def public_texts(analysis, synthetic: bool) -> dict[str, str]:
    """Every table (as HTML) and text the public page shows, by the page function making it."""
    return {
        "confidentiality_note": page.confidentiality_note(analysis),
        "findings": page.findings(analysis),
        "map_intro": page.map_intro(analysis),
        "groups_table": page.groups_table(analysis).to_html(),
        "groups_findings": page.groups_findings(analysis),
        "score_parts_table": page.score_parts_table(analysis).to_html(),
        "score_note": page.score_note(analysis),
        "matching_note": page.matching_note(analysis),
        "case_mix_note": page.case_mix_note(analysis),
        "case_mix_table cluster": page.case_mix_table(analysis, "cluster").to_html(),
        "case_mix_table sector": page.case_mix_table(analysis, "sector").to_html(),
        "missions_summary_table": page.missions_summary_table(analysis).to_html(),
        "missions_note": page.missions_note(analysis),
        "caveats": page.caveats(analysis, synthetic),
        "page_glossary": page.page_glossary().data,
    }


def test_the_sample_has_company_ids_to_leak(sample, public):
    """The check below means something: the analysis does hold company ids."""
    assert sample.companies["id"].str.fullmatch(COMPANY_ID).all()
    assert public.cases["supplier"].str.fullmatch(COMPANY_ID).all()


def test_public_tables_and_texts_name_no_company(sample, public):
    names = sample.companies["name"].tolist()
    for where, text in public_texts(public, sample.synthetic).items():
        assert not COMPANY_ID.search(text), (where, COMPANY_ID.search(text))
        assert "C0" not in text, where
        assert not any(name in text for name in names), where


def test_public_page_says_where_company_level_lists_are(public):
    note = page.confidentiality_note(public)
    assert "internal edition" in note and "`-p internal=True`" in note and "outside `reports/`" in note
    assert f"at least {MIN_COMPANIES} companies" in note


def test_company_level_tables_are_refused_on_the_public_page(public):
    for table in (page.cases_table, page.missions_table):
        with pytest.raises(AnalysisError, match="internal edition"):
            table(public)


def test_internal_edition_shows_the_company_level_tables(sample, internal):
    cases = page.cases_table(internal).to_html()
    guide = page.missions_table(internal).to_html()
    assert cases.count("Synthetic SME") == 3 * page.CASES_SHOWN
    for html in (cases, guide):
        assert COMPANY_ID.search(html)
    assert page.INTERNAL_CASES_INTRO.startswith("Internal edition")
    assert "INTERNAL" in page.confidentiality_note(internal)


def test_public_counts_rest_on_five_companies_and_say_so(public):
    """Every shown case-mix row involves at least five distinct companies and the rows add up to
    every chosen case; every shown mission count rests on none or at least five companies."""
    for mix in (public.mix_by_cluster, public.mix_by_sector):
        assert (mix["distinct_companies"].dropna() >= MIN_COMPANIES).all()
        assert mix["cases"].sum() == len(public.matching.cases)
    shown = public.missions["distinct_companies"].dropna()
    assert ((shown == 0) | (shown >= MIN_COMPANIES)).all()
    note = page.case_mix_note(public)
    assert f"no row describes fewer than {MIN_COMPANIES} companies" in note
    assert f'merged into "{OTHER_COMBINATIONS}"' in note and "suppressed" not in note  # nothing is, here
    assert f"fewer than {MIN_COMPANIES} distinct companies has its figures suppressed" in page.missions_note(public)


def test_a_small_combination_is_shown_merged_on_the_page(public):
    """A planted mix whose pooled row rests on fewer than five companies: the page shows it as
    "other combinations (1)" with its figures suppressed (-), and the note says so."""
    planted = pd.DataFrame(
        {
            "combination": ["LITEK > HTS > HTS", OTHER_COMBINATIONS],
            "combinations": [1, 1],
            "cases": pd.array([4, pd.NA], dtype="Int64"),
            "distinct_companies": pd.array([9, pd.NA], dtype="Int64"),
            "mean_score": pd.array([0.9, pd.NA], dtype="Float64"),
        }
    )
    analysis = replace(public, mix_by_cluster=planted)
    html = page.case_mix_table(analysis, "cluster").to_html()
    assert "LITEK &gt; HTS &gt; HTS" in html and f"{OTHER_COMBINATIONS} (1)" in html
    assert ">-</td>" in html
    assert f"A row still under {MIN_COMPANIES} companies is suppressed (-)." in page.case_mix_note(analysis)


def test_public_headlines_and_charts_name_no_company(sample, public, capsys):
    """The headlines, and the titles and labels of every public chart, name no company."""
    page.show_headlines(public, "source")
    texts = [capsys.readouterr().out]
    for plot in (page.plot_score_spread, page.plot_complementarity, page.plot_silhouette, page.plot_group_map):
        fig = plot(public, "source")
        texts += [t.get_text() for t in fig.findobj(plt.Text)]
        plt.close(fig)
    text = "\n".join(texts)
    assert not COMPANY_ID.search(text) and not any(name in text for name in sample.companies["name"])


def test_public_score_spread_rests_on_five_companies(public):
    """Every bar of the score chart and every rating count rests on none or at least five
    companies; the bars drawn add up to the cases less those suppressed."""
    spread = public.score_spread
    for name, cases in (("candidates", public.candidates), ("chosen", public.matching.cases)):
        trio = cases[["supplier", "integrator", "end_user"]].to_numpy(int)
        where = np.clip(np.digitize(cases["score"], spread["high"].to_numpy()[:-1]), 0, len(spread) - 1)
        for b, count in enumerate(spread[name]):
            companies = len(np.unique(trio[where == b]))
            assert pd.isna(count) if 0 < companies < MIN_COMPANIES else count == (where == b).sum()


def test_public_map_draws_groups_not_companies(public, internal):
    """The public map holds one point per group (its centre) and one ellipse per group; the
    internal map one point per company."""
    fig = page.plot_group_map(public, "source")
    ax = fig.axes[0]
    drawn = sum(len(c.get_offsets()) for c in ax.collections)
    assert drawn == len(public.map.groups) == len(public.groups)
    assert len(ax.patches) == len(public.map.groups)
    plt.close(fig)
    fig = page.plot_group_map(internal, "source")
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == len(internal.profiles)
    plt.close(fig)
