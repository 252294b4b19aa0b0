"""Small pieces the pages rely on: the try-it response shapes and the spec YAML."""

from django.http import QueryDict

from quizzes.forms_authoring import try_it_response
from quizzes.services import item_spec


def test_ordering_positions_become_step_ids_in_order_with_blanks_last():
    posted = QueryDict("pos_s1=3&pos_s2=1&pos_s3=&pos_s4=2&seed=4")
    assert try_it_response("ordering", posted) == ["s2", "s4", "s1", "s3"]


def test_table_cells_and_multiple_choices_keep_their_shapes():
    assert try_it_response("table", QueryDict("cell_m1=1.5&cell_theta1=8&seed=1")) == {
        "m1": "1.5",
        "theta1": "8",
    }
    assert try_it_response("multiple", QueryDict("choice=a&choice=c")) == ["a", "c"]
    assert try_it_response("multiple", QueryDict("")) == []
    assert try_it_response("cloze", QueryDict("blank-1=c1&blank-1=c2&blank-2=0.9&blank-3=c4&seed=1")) == {
        "1": ["c1", "c2"],
        "2": "0.9",
        "3": "c4",
    }
    assert try_it_response("numeric", QueryDict("answer=0.02")) == "0.02"


def test_spec_yaml_round_trips_and_empty_text_is_an_empty_spec():
    spec = {"answer": {"expr": "eta * g"}, "constraints": ["eta * g < 1"]}
    assert item_spec.parse_spec(item_spec.spec_as_yaml(spec)) == (spec, [])
    assert item_spec.parse_spec("  \n") == ({}, [])


def test_yaml_syntax_errors_name_the_line(db):
    _, problems = item_spec.parse_spec("answer: 1\nchoices: [a, b\n")
    assert len(problems) == 1 and "line" in problems[0]
