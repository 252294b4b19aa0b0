"""The matching form: prompt/answer pairs, distractors and whether the prompts are shuffled."""

from django import forms

from quizzes.forms.kinds.base import (
    DefaultBooleanField,
    KindForm,
    LinesField,
    RowSet,
    TextField,
    optional,
    present,
)


class PairRow(forms.Form):
    prompt = TextField(label="Prompt", rows=1)
    answer = TextField(label="Its answer", rows=1)


class MatchingFields(forms.Form):
    distractors = LinesField(label="Distractors", help_text="Extra wrong answers, one per line.")
    shuffle = DefaultBooleanField(
        label="Shuffle the prompts", default=True, help_text="The answers are always shuffled."
    )


class MatchingForm(KindForm):
    kind = "matching"
    fields = MatchingFields
    rows = {
        "pairs": RowSet(PairRow, "Pairs", "Each prompt with the answer it is matched to.", row_label="Pair")
    }
    aliases = {"pairs": "prompt"}

    def from_spec(self, spec):
        pairs = [
            {"prompt": pair.get("prompt", ""), "answer": pair.get("answer", "")}
            for pair in spec.get("pairs") or []
            if isinstance(pair, dict)
        ]
        return {"distractors": spec.get("distractors"), "shuffle": spec.get("shuffle")}, {"pairs": pairs}

    def to_spec(self, values, rows):
        spec = {"pairs": [present(row, "prompt", "answer") for row in rows["pairs"]]}
        optional(spec, "distractors", values.get("distractors"))
        optional(spec, "shuffle", values.get("shuffle"))
        return spec


FORM = MatchingForm
