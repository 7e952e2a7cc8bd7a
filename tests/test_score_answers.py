"""`python manage.py score_answers FILE`: one JSON object on stdout, exit 0 for valid files, 2 for invalid."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.demo import seed_questionnaires
from assessments.services.questionnaires import version_order
from tests.test_scoring import BENIGN, SUMMARY_KEYS


@pytest.fixture
def questionnaire(db):
    seed_questionnaires()


def run(tmp_path, data, *, raw: str | None = None):
    path = tmp_path / "answers.json"
    path.write_text(raw if raw is not None else json.dumps(data), encoding="utf-8")
    return run_args(str(path))


def run_args(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("score_answers", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, out.getvalue(), err.getvalue()


def test_it_prints_one_json_object_with_the_agreed_keys(questionnaire, tmp_path):
    code, out, err = run(tmp_path, {"questionnaire": "2026.1", "answers": BENIGN})
    assert code == 0, err
    summary = json.loads(out)  # the whole of stdout is one JSON object
    assert list(summary) == SUMMARY_KEYS
    assert summary["questionnaire"] == "2026.1"
    assert summary["verdict"] == "recommended"
    assert summary["complete"] is True
    assert set(summary["risk"]) == {"score", "level", "axis"}
    assert set(summary["need"]) == {"score", "axis", "capped_by"}
    assert summary["obligations"] == ["ai_literacy_training", "ros_analysis"]


@pytest.mark.parametrize(
    ("overrides", "verdict", "rules"),
    [
        pytest.param(
            {"ai_kind": ["generative"], "tool_source": "employee_initiative", "gen_sensitive_input": "yes"},
            "stop",
            ["sensitive_input_unmanaged_tool"],
            id="stop",
        ),
        pytest.param({"mandate": "unknown"}, "proceed_with_safeguards", ["no_mandate"], id="safeguards"),
        pytest.param({"alternatives": "no"}, "low_priority", [], id="low-priority"),
        pytest.param({}, "recommended", [], id="recommended"),
    ],
)
def test_every_valid_file_exits_0_whatever_the_verdict(questionnaire, tmp_path, overrides, verdict, rules):
    code, out, _ = run(tmp_path, {"answers": {**BENIGN, **overrides}})
    assert code == 0
    summary = json.loads(out)
    assert summary["verdict"] == verdict
    assert summary["hard_rules"] == rules


def test_the_design_example_file_scores_incomplete(questionnaire, tmp_path):
    data = {
        "questionnaire": "2026.1",
        "answers": {"title": "…", "ai_kind": ["generative"], "pd_any": "no", "benefit": 3},
    }
    code, out, _ = run(tmp_path, data)
    assert code == 0
    assert json.loads(out)["complete"] is False


def test_without_a_version_it_uses_the_latest(questionnaire, tmp_path):
    code, out, _ = run(tmp_path, {"answers": {"title": "x"}, "meta": {"agency": "Bydel Frogner"}})
    assert code == 0
    newest = max(
        (folder.name for folder in (Path(__file__).resolve().parents[1] / "fixtures" / "questionnaire").iterdir()),
        key=version_order,  # 2026.10 after 2026.9, not after 2026.1 as the names sort
    )
    assert newest == "2026.15"
    assert json.loads(out)["questionnaire"] == newest


def test_a_file_with_a_tool_from_the_overview_scores_on_its_own(questionnaire):
    """The entry's reference and facts are answers in the file: no catalogue is needed to score it."""
    path = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "v2026_3"
    code, out, err = run_args(str(path / "copilot_listed_confidential_above_class.json"))
    assert code == 0 and err == ""
    summary = json.loads(out)
    assert summary["questionnaire"] == "2026.3" and summary["verdict"] == "stop"
    assert "catalogue_class_exceeded" in summary["hard_rules"]


def test_it_reads_standard_input(questionnaire, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"answers": {**BENIGN, "p_face_scraping": "yes"}})))
    code, out, _ = run_args("-")
    assert code == 0
    assert json.loads(out)["verdict"] == "stop"


def test_answers_to_hidden_questions_are_ignored_with_a_warning(questionnaire, tmp_path):
    code, out, err = run(tmp_path, {"answers": {**BENIGN, "pd_any": "no", "pd_profiling": "yes"}})
    assert code == 0
    assert "pd_profiling" in err
    assert "dpia_trigger" not in json.loads(out)["hard_rules"]


@pytest.mark.parametrize(
    ("answers", "bad_keys"),
    [
        pytest.param({"colour": "blue"}, ["colour"], id="unknown-key"),
        pytest.param({"benefit": "high"}, ["benefit"], id="wrong-type"),
        pytest.param({"mandate": "maybe"}, ["mandate"], id="bad-value"),
        pytest.param({"ai_kind": ["generative", "quantum"]}, ["ai_kind"], id="bad-multi-value"),
        pytest.param({"pd_scale": 7}, ["pd_scale"], id="scale-out-of-range"),
        pytest.param({"title": "x" * 201}, ["title"], id="text-too-long"),
        pytest.param(
            {"colour": 1, "benefit": "3", "mandate": "maybe", "problem": "ok"},
            ["colour", "benefit", "mandate"],
            id="several",
        ),
    ],
)
def test_an_invalid_answer_exits_2_naming_each_key(questionnaire, tmp_path, answers, bad_keys):
    code, out, err = run(tmp_path, {"answers": {**BENIGN, **answers}})
    assert code == 2
    assert out == ""
    named = [line.split(":", 1)[0] for line in err.strip().splitlines()]
    assert sorted(named) == sorted(f"answers.{key}" for key in bad_keys)


@pytest.mark.parametrize(
    ("data", "bad_key"),
    [
        pytest.param({"questionnaire": "2025.9", "answers": {}}, "questionnaire", id="unknown-version"),
        pytest.param({"questionnaire": 2026.1, "answers": {}}, "questionnaire", id="version-not-text"),
        pytest.param({"answers": {}, "result": {}}, "result", id="unknown-top-level-key"),
        pytest.param({"answers": ["title"]}, "answers", id="answers-not-an-object"),
        pytest.param({}, "answers", id="answers-missing"),
        pytest.param({"answers": {}, "meta": "x"}, "meta", id="meta-not-an-object"),
        pytest.param(["answers"], "fil", id="not-an-object"),
    ],
)
def test_a_file_of_the_wrong_shape_exits_2(questionnaire, tmp_path, data, bad_key):
    code, out, err = run(tmp_path, data)
    assert code == 2
    assert out == ""
    assert err.startswith(f"{bad_key}: ")


def test_bad_json_exits_2(questionnaire, tmp_path):
    code, out, err = run(tmp_path, None, raw='{"answers": {"title": "x",}}')
    assert code == 2
    assert out == ""
    assert "ikke gyldig JSON" in err  # the same parser and words as the web import


def test_a_missing_file_exits_2(questionnaire, tmp_path):
    code, out, err = run_args(str(tmp_path / "nowhere.json"))
    assert code == 2
    assert "Kan ikke lese" in err


def test_without_any_published_questionnaire_it_exits_2(db, tmp_path):
    code, _, err = run(tmp_path, {"answers": {}})
    assert code == 2
    assert err.startswith("questionnaire: ")


def test_end_to_end_on_a_database_prepared_by_migrate_and_seed_demo(tmp_path):
    """The real command line: stdout must hold nothing but the JSON object (no logging, no banners)."""
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "KIV_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        "DJANGO_DEBUG": "1",
    }

    def manage(*args, stdin=None):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=root,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )

    for step in (["migrate", "-v0"], ["seed_demo"]):
        done = manage(*step)
        assert done.returncode == 0, done.stderr
    answers = {**BENIGN, "citizen_facing": "yes", "tr_disclose": "no"}
    done = manage("score_answers", "-", stdin=json.dumps({"answers": answers}))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert list(summary) == SUMMARY_KEYS
    assert summary["hard_rules"] == ["undisclosed_ai"]
    assert summary["what_if"]["changes"][0]["key"] == "tr_disclose"

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"answers": {"mandate": "maybe", "colour": 1}}), encoding="utf-8")
    done = manage("score_answers", str(bad))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "answers.mandate" in done.stderr and "answers.colour" in done.stderr
