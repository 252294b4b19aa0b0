import pytest

from quizzes.engine import check_answer, draw_variant
from quizzes.engine.selfcheck import correct_response, time_checks
from tests.quizzes.engine import sample_items


@pytest.mark.parametrize("factory", sample_items.ALL, ids=lambda factory: factory.__name__)
def test_every_kind_accepts_its_own_key(factory):
    item = factory()
    for seed in (0, 1, 2**62 + 17):
        variant = draw_variant(item, seed)
        result = check_answer(item, variant, correct_response(item, variant))
        assert (result.status, result.score) == ("correct", 1.0), (seed, result.feedback)


def test_time_checks_reports_every_kind():
    rows = time_checks([factory() for factory in sample_items.ALL], repeat=3)
    assert set(rows) == {factory()["kind"] for factory in sample_items.ALL}
    assert all(row["median_ms"] >= 0 and row["checks"] >= 3 for row in rows.values())
