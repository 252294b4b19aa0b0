"""The exercise loader: every shipped exercise is complete, and malformed folders are refused."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from grading.exercises import EXERCISES, EXERCISES_DIR, ExerciseFormatError, get_exercise
from grading.exercises.loader import load_exercise
from grading.grader import reference_runs
from grading.plans import build_plan, cases_for, total_step_calls

REQUIRED = {"sgd", "momentum", "momentum-ema", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}


def test_every_required_exercise_is_shipped():
    assert REQUIRED <= set(EXERCISES)


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_exercise_is_complete(slug):
    exercise = get_exercise(slug)
    assert exercise.slug == slug
    assert "$" in exercise.statement_md, "the statement states its equations in math"
    assert 2 <= len(exercise.hints) <= 4
    assert exercise.starter_source != exercise.reference_source
    assert list(exercise.hyperparameters) == list(exercise.hyperparameter_names)


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_suite_stays_small_enough_to_grade_quickly(slug):
    assert 300 <= total_step_calls(slug) <= 3000
    plan = build_plan(slug, "source")
    assert [case["id"] for case in plan["cases"]] == [case.id for case in cases_for(slug)]


@pytest.mark.parametrize("slug", sorted(EXERCISES))
def test_the_reference_never_blows_up_on_its_own_suite(slug):
    # A reference that diverges leaves the convergence score without a target (NaN scores).
    for case, run in zip(cases_for(slug), reference_runs(slug), strict=True):
        assert np.isfinite(run.losses).all(), case.id


def test_momentum_family_suites_change_the_learning_rate_between_steps():
    for slug in ("momentum", "momentum-ema", "nesterov"):
        varying = [case for case in cases_for(slug) if case.hp_per_step]
        assert varying, slug
        assert len({hp["lr"] for hp in varying[0].hp_per_step}) > 1


def test_adamw_suite_has_weight_decay_on_and_off():
    decays = {case.hp["weight_decay"] for case in cases_for("adamw")}
    assert 0.0 in decays and any(d > 0 for d in decays)


def test_every_suite_has_several_arrays_and_minibatches():
    for slug in EXERCISES:
        problems = {case.problem for case in cases_for(slug)}
        assert {"linear-layer", "linear-regression"} <= problems, slug
        assert any(len(case.start) > 1 and case.start[0].ndim == 2 for case in cases_for(slug))


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="known: sgd"):
        get_exercise("adamax")


@pytest.fixture
def exercise_copy(tmp_path) -> Path:
    folder = tmp_path / "adam"
    shutil.copytree(EXERCISES_DIR / "adam", folder)
    return folder


def test_a_valid_copy_loads(exercise_copy):
    assert load_exercise(exercise_copy).title == "Adam"


def test_missing_file_is_refused(exercise_copy):
    (exercise_copy / "starter.py").unlink()
    with pytest.raises(ExerciseFormatError, match="missing file.*starter.py"):
        load_exercise(exercise_copy)


def test_folder_name_must_be_a_slug(exercise_copy):
    renamed = exercise_copy.rename(exercise_copy.parent / "Adam_2")
    with pytest.raises(ExerciseFormatError, match="slug"):
        load_exercise(renamed)


def test_number_written_as_string_in_yaml_is_refused(exercise_copy):
    info = exercise_copy / "info.yaml"
    info.write_text(info.read_text().replace("eps: 1.0e-8", "eps: 1e-8"))
    with pytest.raises(ExerciseFormatError, match="not a finite number"):
        load_exercise(exercise_copy)


def test_reference_with_wrong_keyword_arguments_is_refused(exercise_copy):
    reference = exercise_copy / "reference.py"
    reference.write_text(reference.read_text().replace("beta2, eps", "beta2, epsilon"))
    with pytest.raises(ExerciseFormatError, match="reference.py: step's keyword arguments"):
        load_exercise(exercise_copy)


def test_unknown_case_in_suite_is_refused(exercise_copy):
    info = exercise_copy / "info.yaml"
    info.write_text(info.read_text().replace("case: rosenbrock", "case: himalaya"))
    with pytest.raises(ExerciseFormatError, match="unknown case 'himalaya'"):
        load_exercise(exercise_copy)


def test_schedule_must_start_at_step_zero(tmp_path):
    folder = tmp_path / "momentum"
    shutil.copytree(EXERCISES_DIR / "momentum", folder)
    info = folder / "info.yaml"
    info.write_text(info.read_text().replace("[[0, 0.1]", "[[5, 0.1]"))
    with pytest.raises(ExerciseFormatError, match="lr_schedule must start at step 0"):
        load_exercise(folder)
