import pytest

from progress.xp import level_start, xp_level


def test_level_thresholds_grow():
    assert [level_start(n) for n in range(1, 6)] == [0, 100, 300, 600, 1000]


@pytest.mark.parametrize(
    ("xp", "level", "into", "span"),
    [
        (0, 1, 0, 100),
        (99, 1, 99, 100),
        (100, 2, 0, 200),
        (299, 2, 199, 200),
        (300, 3, 0, 300),
        (1000, 5, 0, 500),
    ],
)
def test_xp_maps_to_its_level(xp, level, into, span):
    result = xp_level(xp)
    assert (result.level, result.into_level, result.span) == (level, into, span)


def test_every_xp_value_lands_inside_its_level():
    for xp in range(0, 20_000, 7):
        result = xp_level(xp)
        assert level_start(result.level) <= xp < level_start(result.level + 1)


def test_negative_xp_is_rejected():
    with pytest.raises(ValueError):
        xp_level(-1)
