"""`pql report` on the hand-made project: one offline HTML file, PNGs, clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cli import pql
from tests.test_handmade import AS_OF, ingested_copy

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_copy(tmp_path_factory.mktemp("report"))


def test_report_is_one_offline_file_with_every_chart_and_pngs(project: Path) -> None:
    done = pql(
        "report", "-C", ".", "--out", "r.html", "--png", "png", "--as-of", AS_OF,
        "--period", "week", cwd=project,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "wrote r.html" in done.stdout and "7 PNG charts" in done.stdout
    html = (project / "r.html").read_text(encoding="utf-8")
    charts = re.findall(r'<figure class="card chart" data-chart="(\w+)"', html)
    # The hand-made store is too small for discovery to rank anything: no drivers chart.
    assert charts == ["pql_count", "pipeline", "pql_rate", "pql_to_paid", "time_to_pql",
                      "cohort_grid", "funnel"]  # fmt: skip
    assert html.count("<svg") >= len(charts) and "<script" not in html
    assert not re.search(r'(src|href)="https?://', html)  # nothing to fetch
    assert 'data-value="0.2857142857142857"' in html  # the overall PQL rate, 2/7
    assert "Definition in use" in html and "min_employees: 5" in html
    # The pipeline by hand (fixtures/handmade/README.md): A qualifies in W02 and converts in
    # W04, E qualifies in W03 and converts in W11 (03-10), D qualifies in W04 and stays.
    pipeline = html.split('data-table="pipeline"')[1].split("</table>")[0]
    rows = {
        period: dict(re.findall(r'data-field="(\w+)" data-value="(\d+)"', cells))
        for period, cells in re.findall(r'<tr data-period="([^"]+)">(.*?)</tr>', pipeline, re.S)
    }
    periods = list(rows)
    # Newest first; periods in which no episode starts or ends are not listed.
    assert periods == ["2026-W11", "2026-W04", "2026-W03", "2026-W02"]
    expected = {
        "2026-W02": (1, 1, 0, 0), "2026-W03": (2, 1, 0, 0), "2026-W04": (2, 1, 0, 1),
        "2026-W11": (1, 0, 0, 1),
    }  # fmt: skip
    for period, (open_at_end, new, lapsed, converted) in expected.items():
        row = {k: int(v) for k, v in rows[period].items()}
        assert row == {"open_at_end": open_at_end, "new": new, "requalified": 0,
                       "lapsed": lapsed, "ended_by_conversion": converted}, period  # fmt: skip
    pngs = sorted(p.name for p in (project / "png").iterdir())
    assert pngs == sorted(f"{name}.png" for name in charts)
    assert all((project / "png" / name).read_bytes()[:8] == PNG_MAGIC for name in pngs)


def test_report_segment_filter(project: Path) -> None:
    done = pql(
        "report", "-C", ".", "--out", "trial.html", "--as-of", AS_OF, "--by", "plan",
        "--segment", "trial", "--no-drivers", cwd=project,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    html = (project / "trial.html").read_text(encoding="utf-8")
    assert "only plan = trial" in html
    assert re.search(r'data-cohort="overall"[^>]*>\s*<td>[^<]*</td>\s*<td data-field="signups" '
                     r'data-value="3"', html)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "year"), "--period: 'year' is not week or month"),
        (("--segment", "trial"), "--segment needs --by"),
        (("--by", "nosuch"), "unknown segment 'nosuch'"),
        (("--as-of", "soon"), "--as-of: 'soon' is not a date"),
    ],
)
def test_report_user_errors_are_one_line(
    project: Path, args: tuple[str, ...], message: str
) -> None:
    done = pql("report", "-C", ".", "--out", "x.html", *args, cwd=project)
    assert done.returncode == 1
    assert message in done.stderr
    assert not (project / "x.html").exists()


def test_report_shows_the_data_end_and_says_when_it_is_stale(project: Path) -> None:
    # The hand-made events end 2026-02-03 11:00, 55.5 days before AS_OF.
    args = ("report", "-C", ".", "--no-drivers", "--as-of")
    stale = pql(*args, AS_OF, "--out", "stale.html", cwd=project)
    assert stale.returncode == 0, stale.stderr
    html = (project / "stale.html").read_text(encoding="utf-8")
    assert re.search(
        r'as of 2026-03-31 00:00 UTC \(data ends <strong data-data-end="2026-02-03T11:00:00Z">'
        r"2026-02-03 11:00 UTC</strong>\)",
        html,
    )
    banner = re.search(r"<div class=\"banner\" role=\"status\" data-stale-data>([^<]*)</div>", html)
    assert banner is not None
    assert banner.group(1).startswith(
        "Stale data: data ends at 2026-02-03T11:00:00Z, 55.5 days before as-of "
        "2026-03-31T00:00:00Z (more than 7 days); counts of the periods after the data&#39;s end"
    )
    fresh = pql(*args, "2026-02-05", "--out", "fresh.html", cwd=project)
    assert fresh.returncode == 0, fresh.stderr
    html = (project / "fresh.html").read_text(encoding="utf-8")
    assert 'data-data-end="2026-02-03T11:00:00Z"' in html and "data-stale-data" not in html
