import json

import pytest

from quizzes.engine import Variant, VariantError, check_answer, draw_variant, render_item, variant_seed
from quizzes.engine.templates import fill, grid_value
from tests.quizzes.engine import sample_items


class TestSeeds:
    def test_the_same_inputs_give_the_same_seed(self):
        assert variant_seed(7, "bank/item", 1) == variant_seed(7, "bank/item", 1)

    def test_each_input_changes_the_seed(self):
        base = variant_seed(7, "bank/item", 1)
        assert variant_seed(8, "bank/item", 1) != base
        assert variant_seed(7, "bank/other", 1) != base
        assert variant_seed(7, "bank/item", 2) != base

    def test_seeds_fit_a_signed_bigint(self):
        seeds = [variant_seed(student, "x", attempt) for student in range(50) for attempt in range(5)]
        assert all(0 <= seed < 2**63 for seed in seeds)
        assert len(set(seeds)) == len(seeds)


class TestDrawing:
    def test_the_same_seed_gives_the_same_variant(self):
        item = sample_items.calculation()
        assert draw_variant(item, 12345) == draw_variant(item, 12345)

    def test_different_attempts_usually_give_different_variants(self):
        item = sample_items.calculation()
        drawn = {
            json.dumps(draw_variant(item, variant_seed(3, item["key"], attempt)).params, sort_keys=True)
            for attempt in range(10)
        }
        assert len(drawn) >= 5

    def test_the_draw_does_not_depend_on_the_order_of_params(self):
        item = sample_items.calculation()
        reordered = {**item, "params": dict(reversed(list(item["params"].items())))}
        assert draw_variant(item, 99).params == draw_variant(reordered, 99).params

    def test_float_grids_have_no_drift(self):
        spec = {"min": 0.5, "max": 0.95, "step": 0.05}
        values = [grid_value(spec, index) for index in range(10)]
        assert values == [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]

    def test_integer_grids_stay_integers(self):
        assert grid_value({"min": 5, "max": 50, "step": 5}, 3) == 20
        assert isinstance(grid_value({"min": 5, "max": 50}, 3), int)

    def test_every_draw_satisfies_the_constraints(self):
        item = sample_items.calculation()
        for seed in range(200):
            params = draw_variant(item, seed).params
            assert params["eta"] * params["g"] < 1

    def test_unsatisfiable_constraints_give_up_with_an_error(self):
        item = {**sample_items.calculation(), "constraints": ["eta > 5"]}
        with pytest.raises(VariantError, match="constraints"):
            draw_variant(item, 1)

    def test_a_variant_survives_a_round_trip_through_json(self):
        item = sample_items.optimizer_calculation()
        variant = draw_variant(item, 4)
        restored = Variant.from_dict(json.loads(json.dumps(variant.to_dict())))
        assert restored == variant

    def test_a_variant_stored_with_params_only_is_recomputed(self):
        item = sample_items.calculation()
        variant = draw_variant(item, 4)
        stored = {"seed": variant.seed, "params": variant.params}
        answer = repr(variant.values["answer"])
        assert check_answer(item, stored, answer).status == "correct"


class TestPlaceholders:
    def test_placeholders_are_filled_in_stem_and_hints(self):
        item = sample_items.calculation()
        variant = draw_variant(item, 8)
        rendered = render_item(item, variant)
        eta, g = variant.params["eta"], variant.params["g"]
        assert f"\\eta = {eta}$" in rendered.stem and f"g = {g}$" in rendered.stem
        assert rendered.hints == [f"Multiply {eta} by {g}."]

    def test_format_specs_and_float_noise(self):
        assert fill("{{x}} and {{x:.2f}} and {{ y }}", {"x": 0.1 + 0.2, "y": 3}) == "0.3 and 0.30 and 3"

    def test_latex_braces_are_left_alone(self):
        assert fill(r"\frac{a}{b} {x} {{ x }}", {"x": 2}) == r"\frac{a}{b} {x} 2"

    def test_the_explanation_sees_the_computed_answer_and_extras(self):
        item = sample_items.optimizer_calculation()
        variant = draw_variant(item, 2)
        result = check_answer(item, variant, "999")
        assert f"{variant.values['answer']:.4g}" in result.explanation
        assert f"{variant.values['theta_prev']:.4g}" in result.explanation


class TestCalculationItems:
    def test_the_computed_answer_is_accepted(self):
        item = sample_items.calculation()
        variant = draw_variant(item, 21)
        expected = variant.params["eta"] * variant.params["g"]
        result = check_answer(item, variant, f"{expected:.10g}")
        assert (result.status, result.score) == ("correct", 1.0)

    def test_a_computed_misconception_is_diagnosed(self):
        item = sample_items.calculation()
        variant = draw_variant(item, 21)
        wrong = variant.params["g"] / variant.params["eta"]
        result = check_answer(item, variant, f"{wrong:.10g}")
        assert result.status == "incorrect"
        assert result.misconception == "That divides by {{eta}}."
        assert result.feedback == [f"That divides by {variant.params['eta']}."]

    def test_an_optimizer_misconception_is_diagnosed(self):
        item = sample_items.optimizer_calculation()
        variant = draw_variant(item, 6)
        lr = variant.params["lr"]
        plain_gd = 10 * (1 - 2 * lr) ** 3  # three GD steps on J = theta^2
        result = check_answer(item, variant, f"{plain_gd:.6f}")
        assert result.misconception == "That is plain gradient descent: the velocity was dropped."

    def test_an_unrelated_wrong_answer_has_no_misconception(self):
        item = sample_items.calculation()
        result = check_answer(item, draw_variant(item, 21), "12345")
        assert (result.status, result.misconception, result.feedback) == ("incorrect", None, [])

    def test_malformed_input_is_invalid_and_names_the_fix(self):
        item = sample_items.calculation()
        result = check_answer(item, draw_variant(item, 21), "0.02.1")
        assert result.status == "invalid" and result.score == 0
        assert "decimal point" in result.feedback[0]
        assert not result.is_final


class TestNumericItems:
    def test_sigfig_answers(self):
        item = sample_items.numeric()
        assert check_answer(item, None, "2.0e-2").status == "correct"
        assert check_answer(item, None, "0.021").status == "incorrect"

    def test_static_misconception(self):
        result = check_answer(sample_items.numeric(), None, "200")
        assert result.feedback == ["You divided by the learning rate."]
        assert result.correct_answer == "0.02"

    def test_units_are_shown_next_to_the_key(self):
        item = {**sample_items.numeric(), "units": "m"}
        assert check_answer(item, None, "1").correct_answer == "0.02 m"
        assert render_item(item, None).units == "m"


def test_numbers_that_yaml_reads_as_text_still_work():
    import yaml

    item = yaml.safe_load(
        """
        key: yaml-text-numbers
        kind: calculation
        stem: "eta = {{eta}}, g = {{g}}"
        explanation: "{{answer}}"
        params:
          eta: {choices: [1e-3, 1e-2]}
          g: {min: 1, max: 5}
        answer: {expr: eta * g}
        tolerance: {mode: relative, value: 1e-3}
        """
    )
    assert item["params"]["eta"]["choices"] == ["1e-3", "1e-2"]  # what PyYAML really gives
    from quizzes.engine import validate_item

    assert validate_item(item) == []
    variant = draw_variant(item, 2)
    assert variant.params["eta"] in (0.001, 0.01)
    assert check_answer(item, variant, repr(variant.params["eta"] * variant.params["g"])).status == "correct"
