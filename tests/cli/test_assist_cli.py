"""`palabre assist`: score one comment per line on standard input with the model the site
uses now (training the starter model first when there is none), train what has enough
decisions, and report the figures, on a SQLite file."""

from __future__ import annotations

import io

import orjson
import pytest

from tests.assist.conftest import put_starter
from tests.cli.test_cli import run
from tests.conftest import run as with_ctx

LINES = ["Merci pour cet article très clair.", "", "Ferme-la, abruti, personne ne t'a rien demandé",
         "Gagnez 5000 € par semaine sur example.com"]


def score(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
          database_url: str) -> list[dict[str, object]]:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(LINES) + "\n"))
    code, out, err = run(capsys, "assist", "score", "--database-url", database_url)
    assert code == 0, err
    return [orjson.loads(line) for line in out.splitlines()]


def test_score_reads_lines_and_writes_json_lines(capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch,
                                                database_url: str) -> None:
    version = with_ctx(database_url, put_starter)
    rows = score(capsys, monkeypatch, database_url)
    assert len(rows) == 3  # the empty line is skipped
    assert {row["model"] for row in rows} == {version}
    thanks, insult, spam = (float(row["score"]) for row in rows)  # type: ignore[arg-type]
    assert thanks < 0.5 < insult and thanks < spam
    assert all(0 <= float(row["score"]) <= 1 for row in rows)  # type: ignore[arg-type]
    reasons = rows[1]["features"]
    assert isinstance(reasons, list) and reasons
    assert all(isinstance(word, str) and isinstance(weight, float) for word, weight in reasons)


def test_score_trains_the_starter_model_when_there_is_none(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        database_url: str) -> None:
    rows = score(capsys, monkeypatch, database_url)
    assert len(rows) == 3 and str(rows[0]["model"]).startswith("starter-")


def test_train_says_what_each_site_still_needs_and_report_is_honest(
        capsys: pytest.CaptureFixture[str], database_url: str) -> None:
    with_ctx(database_url, put_starter)
    code, out, err = run(capsys, "assist", "train", "--database-url", database_url)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("starter-")
    assert lines[1] == "default: 300 more decided comments needed"
    code, out, err = run(capsys, "assist", "report", "--json", "--database-url", database_url)
    assert code == 0, err
    figures = orjson.loads(out)
    assert figures["decisions"] == {"kept": 0, "refused": 0, "needed": 300}
    assert figures["site_split"] is None and figures["model_in_use"] == lines[0]
    shipped = figures["shipped_set"]
    assert shipped["auc"] > 0.9 and shipped["tested_on"] > 300
    code, out, _ = run(capsys, "assist", "report", "--database-url", database_url)
    assert "not a claim about real readers" in out and "300 more needed" in out


def test_an_unknown_site_is_one_clear_line(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch,
                                           database_url: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("bonjour\n"))
    code, _, err = run(capsys, "assist", "score", "--site", "nowhere", "--database-url",
                       database_url)
    assert code == 2 and err.strip().endswith("unknown site")
