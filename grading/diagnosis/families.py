"""Mistake families: mistakes defined once, for every exercise they apply to.

A family is a transformation of an exercise's reference solution (its `reference.py`, run on the
trusted side in the student contract): flip the sign of the step, drop the learning rate, shift
the step counter, take out a square root, swap the betas... `Family.variants(reference)` gives
the buggy optimizers the family predicts for one exercise, or nothing when the family does not
apply there (no counter to shift, no second beta to swap). The grader compares the rows the
submission already recorded with each variant's rows on the same cases (nothing is run again in
the sandbox) and names the family whose variant matches on every case.

"Follows a different method" is the last family: its variants are the other optimizers of
optimlab, each fed the exercise's hyperparameters. When nothing matches and no problem agrees
with the reference, `describe_unknown_method` says how far the first departing step is from the
rule.

`locate` reads the submission's source (parsed, never run) for the line where the mistake likely
sits; it says something only when the answer is unambiguous.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from grading.exercises import get_exercise, trusted_reference_source
from grading.plans import StepFunction, contract_step
from grading.reference import reference_optimizer
from optimlab.optimizers import OPTIMIZERS

InitFunction = Callable[[np.ndarray], Any]

# Exercises whose reference shrinks the parameters directly (decoupled weight decay); every other
# reference with a `weight_decay` adds λθ to the gradient (coupled, L2).
DECOUPLED_DECAY = frozenset({"adamw", "adamw-cosine", "lion", "lamb", "adafactor"})
MAX_QUOTED_CODE = 100


@dataclass(frozen=True)
class Reference:
    """An exercise's reference solution, as the families see it."""

    slug: str
    optimizer: str  # the optimlab (or composed) optimizer the exercise is graded against
    hyperparameters: tuple[str, ...]
    source: str
    init: InitFunction
    step: StepFunction

    @property
    def counter(self) -> str | None:
        """The key of the integer step counter in the state, if the reference keeps one."""
        state = self.init(np.zeros(2))
        if not isinstance(state, dict):
            return None
        ints = [key for key, value in state.items() if type(value) is int]
        return ints[0] if len(ints) == 1 else None

    @property
    def keeps_state(self) -> bool:
        state = self.init(np.zeros(2))
        return bool(state)


@dataclass(frozen=True)
class Variant:
    """One buggy optimizer a family predicts for one exercise."""

    label: str  # shown to the student: what exactly is wrong
    init: InitFunction
    step: StepFunction
    source: str = ""  # for a rewrite of the reference's source: the rewritten file


@dataclass(frozen=True)
class Line:
    """Where in the submission the mistake likely sits (or a remark about the whole of `step`)."""

    number: int | None
    note: str


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    explanation: str  # Markdown, to the student: what the steps show and what to change
    build: Callable[[Reference], list[Variant]]
    locate: Callable[[ast.FunctionDef, list[str]], Line | None] = field(default=lambda step, lines: None)
    # Catalogued mistakes that are particular cases of this family (named instead when they match).
    specialisations: frozenset[str] = frozenset()

    def variants(self, reference: Reference) -> list[Variant]:
        return self.build(reference)


@dataclass(frozen=True)
class FamilyMatch:
    """A family named for a submission, as stored in a verdict's diagnosis."""

    family: Family
    variant: Variant
    line: Line | None = None

    @property
    def name(self) -> str:
        return self.family.name

    @property
    def title(self) -> str:
        return self.family.title

    def to_dict(self) -> dict[str, str]:
        explanation = f"{self.family.explanation} Here: {self.variant.label}."
        if self.line is not None:
            explanation += f" {self.line.note}"
        return {"name": self.family.name, "title": self.family.title, "explanation": explanation}


@dataclass(frozen=True)
class LocatedMistake:
    """A catalogued mistake named for a submission, with the line its family found in the source."""

    mistake: Any  # grading.diagnosis.catalogue.Mistake
    line: Line

    @property
    def name(self) -> str:
        return str(self.mistake.name)

    @property
    def title(self) -> str:
        return str(self.mistake.title)

    def to_dict(self) -> dict[str, str]:
        entry: dict[str, str] = self.mistake.to_dict()
        return {**entry, "explanation": f"{entry['explanation']} {self.line.note}"}


# ---------------------------------------------------------------- loading the reference


@cache
def load_reference(exercise_slug: str) -> Reference:
    """The reference the families transform. Only our own code runs here, on the trusted side: an
    instructor's reference solution runs in the sandbox only, so an exercise written on the site is
    probed through a folder exercise's reference for the same rule, or else through the answer key
    itself (whose rule has no source to rewrite, so the source-level families do not apply)."""
    exercise = get_exercise(exercise_slug)
    source = trusted_reference_source(exercise)
    if source is None:
        return _reference_from_answer_key(exercise_slug, exercise.reference_optimizer)
    return _reference_from_source(exercise_slug, exercise.reference_optimizer, source)


def _reference_from_answer_key(slug: str, optimizer_name: str) -> Reference:
    optimizer = reference_optimizer(optimizer_name)
    return Reference(
        slug=slug,
        optimizer=optimizer_name,
        hyperparameters=tuple(get_exercise(slug).hyperparameter_names),
        source="",
        init=optimizer.init,
        step=lambda p, g, s, hp: optimizer.update(p, g, s, hp),
    )


def _reference_from_source(slug: str, optimizer: str, source: str) -> Reference:
    init, step = _load(source, f"reference {slug}")
    return Reference(
        slug=slug,
        optimizer=optimizer,
        hyperparameters=tuple(get_exercise(slug).hyperparameter_names),
        source=source,
        init=init,
        step=step,
    )


def _load(source: str, label: str) -> tuple[InitFunction, StepFunction]:
    """Run trusted source (a reference, or a transformation of one) and take its two functions."""
    namespace: dict[str, Any] = {"__name__": label.replace(" ", "_")}
    exec(compile(source, f"<{label}>", "exec"), namespace)
    return namespace["init_state"], contract_step(namespace["step"])


# ---------------------------------------------------------------- transformations of a step


def _with_hp(step: StepFunction, change: Callable[[dict[str, float]], dict[str, float]]) -> StepFunction:
    return lambda p, g, s, hp: step(p, g, s, change(dict(hp)))


def _scaled_step(step: StepFunction, factor: Callable[[dict[str, float]], float]) -> StepFunction:
    """The reference's displacement multiplied by `factor(hp)`."""

    def scaled(p: np.ndarray, g: np.ndarray, s: Any, hp: dict[str, float]) -> tuple[Any, Any]:
        new_p, new_s = step(p, g, s, hp)
        return p + factor(hp) * (new_p - p), new_s

    return scaled


def _with_grads(step: StepFunction, replace: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> StepFunction:
    return lambda p, g, s, hp: step(p, replace(p, g), s, hp)


def _source_variant(reference: Reference, label: str, transformer: ast.NodeTransformer) -> Variant | None:
    """The reference with its `step` rewritten by `transformer`; None when nothing changed."""
    tree = ast.parse(reference.source)
    original = ast.dump(tree)
    tree = ast.fix_missing_locations(transformer.visit(tree))
    if ast.dump(tree) == original:
        return None
    source = ast.unparse(tree)
    init, step = _load(source, f"{reference.slug} {label}")
    return Variant(label, init, step, source)


# ---------------------------------------------------------------- the families


def _sign(reference: Reference) -> list[Variant]:
    return [
        Variant(
            "the parameters move by +step instead of −step",
            reference.init,
            _scaled_step(reference.step, lambda hp: -1.0),
        )
    ]


def _lr_ignored(reference: Reference) -> list[Variant]:
    if "lr" not in reference.hyperparameters:
        return []
    return [
        Variant("your steps are the rule's steps with lr = 1", reference.init, _with_hp(reference.step, lambda hp: {**hp, "lr": 1.0})),
        Variant("your steps are the rule's steps divided by lr", reference.init, _scaled_step(reference.step, lambda hp: 1.0 / hp["lr"])),
    ]  # fmt: skip


def _lr_twice(reference: Reference) -> list[Variant]:
    if "lr" not in reference.hyperparameters:
        return []
    return [
        Variant("your steps are the rule's steps with lr² in place of lr", reference.init, _with_hp(reference.step, lambda hp: {**hp, "lr": hp["lr"] ** 2})),
        Variant("your steps are the rule's steps multiplied by lr once more", reference.init, _scaled_step(reference.step, lambda hp: hp["lr"])),
    ]  # fmt: skip


def _gradient_ignored(reference: Reference) -> list[Variant]:
    return [
        Variant("the parameters never move, as if every gradient were zero", reference.init, _with_grads(reference.step, lambda p, g: np.zeros_like(g))),
        Variant("the steps follow the parameters themselves instead of their gradient", reference.init, _with_grads(reference.step, lambda p, g: p.copy())),
        Variant("the steps are what a gradient of all ones gives", reference.init, _with_grads(reference.step, lambda p, g: np.ones_like(g))),
    ]  # fmt: skip


def _state_not_carried(reference: Reference) -> list[Variant]:
    if not reference.keeps_state:
        return []
    init, step = reference.init, reference.step

    def fresh(p: np.ndarray, g: np.ndarray, s: Any, hp: dict[str, float]) -> tuple[Any, Any]:
        new_p, _ = step(p, g, init(p), hp)
        return new_p, s

    return [Variant("every step starts again from the initial state", init, fresh)]


def _counter_off_by_one(reference: Reference) -> list[Variant]:
    key = reference.counter
    if key is None:
        return []
    step = reference.step

    def shifted(offset: int) -> StepFunction:
        def run(p: np.ndarray, g: np.ndarray, s: Any, hp: dict[str, float]) -> tuple[Any, Any]:
            new_p, new_s = step(p, g, {**s, key: s[key] + offset}, hp)
            return new_p, {**new_s, key: new_s[key] - offset}

        return run

    def frozen(p: np.ndarray, g: np.ndarray, s: Any, hp: dict[str, float]) -> tuple[Any, Any]:
        new_p, new_s = step(p, g, s, hp)
        return new_p, {**new_s, key: s[key]}

    return [
        Variant(f"the counter `{key}` runs one step ahead (the first call uses {key} = 2)", reference.init, shifted(1)),
        Variant(f"the counter `{key}` runs one step behind (the first call uses {key} = 0)", reference.init, shifted(-1)),
        Variant(f"the counter `{key}` is never incremented (every call uses {key} = 1)", reference.init, frozen),
    ]  # fmt: skip


def _is_call_to(node: ast.AST, name: str) -> bool:
    if not isinstance(node, ast.Call) or len(node.args) != 1:
        return False
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == name) or (
        isinstance(func, ast.Name) and func.id == name
    )


class _PowerRewrite(ast.NodeTransformer):
    """Rewrite every occurrence of a power (or only the `only`-th, counted from 0, in source order).

    `occurrences` says how many there were, so the caller can try each one on its own."""

    def __init__(self, only: int | None = None) -> None:
        self.only = only
        self.occurrences = 0

    def _take(self) -> bool:
        index = self.occurrences
        self.occurrences += 1
        return self.only is None or self.only == index


class _DropSqrt(_PowerRewrite):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        hit = _is_call_to(node, "sqrt") and self._take()
        self.generic_visit(node)
        return node.args[0] if hit else node


class _ExtraSqrt(_PowerRewrite):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        hit = _is_call_to(node, "sqrt") and self._take()
        self.generic_visit(node)
        return ast.Call(func=node.func, args=[node], keywords=[]) if hit else node


class _AbsForSquare(_PowerRewrite):
    """`g * g`, `c * g * g` and `g ** 2` become `np.abs(g)` (|g| where g² belongs)."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        squared: ast.expr | None = None
        scaled = False
        if isinstance(node.op, ast.Mult) and ast.dump(node.left) == ast.dump(node.right):
            squared = node.left
        elif isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) and node.right.value == 2:
            squared = node.left
        elif (  # (c * g) * g, as Python parses `c * g * g`
            isinstance(node.op, ast.Mult)
            and isinstance(node.left, ast.BinOp)
            and isinstance(node.left.op, ast.Mult)
            and ast.dump(node.left.right) == ast.dump(node.right)
        ):
            squared, scaled = node.right, True
        if not isinstance(squared, ast.Name) or not self._take():
            self.generic_visit(node)
            return node
        if scaled:
            assert isinstance(node.left, ast.BinOp)
            return ast.BinOp(left=self.visit(node.left.left), op=ast.Mult(), right=_absolute(squared))
        return _absolute(squared)


def _absolute(name: ast.Name) -> ast.Call:
    absolute = ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="abs", ctx=ast.Load())
    return ast.Call(func=absolute, args=[name], keywords=[])


def _every_and_each(
    reference: Reference, label: str, rewrite: Callable[[int | None], _PowerRewrite]
) -> list[Variant | None]:
    """The rewrite applied everywhere, and (when there are several places) at each place alone."""
    everywhere = rewrite(None)
    variants = [_source_variant(reference, label, everywhere)]
    if everywhere.occurrences > 1:
        variants += [_source_variant(reference, label, rewrite(i)) for i in range(everywhere.occurrences)]
    return variants


def _wrong_power(reference: Reference) -> list[Variant]:
    candidates = [
        *_every_and_each(reference, "a square root is missing", _DropSqrt),
        *_every_and_each(reference, "a square root is taken twice", _ExtraSqrt),
        *_every_and_each(
            reference, "an absolute value |g| stands where the square g² belongs", _AbsForSquare
        ),
    ]
    unique: dict[str, Variant] = {}
    for variant in candidates:
        if variant is not None:
            unique.setdefault(variant.source, variant)
    return list(unique.values())


def _one_minus(node: ast.AST) -> str | None:
    """The beta's name when `node` is `1 - beta…`."""
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Sub)
        and isinstance(node.left, ast.Constant)
        and node.left.value == 1
        and isinstance(node.right, ast.Name)
        and node.right.id.startswith("beta")
    ):
        return node.right.id
    return None


class _SwapBetaAndOneMinus(ast.NodeTransformer):
    """In each assignment that averages with weights β and 1 − β, exchange the two weights.

    Only assignments with a `1 - beta` in them change, and a beta inside a power (a bias
    correction's β^t) is left alone."""

    def __init__(self, only: str | None = None) -> None:
        self.only = only  # the one beta to swap, or every beta

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        betas = {_one_minus(n) for n in ast.walk(node.value)} - {None}
        if self.only is not None:
            betas &= {self.only}
        if betas:
            node.value = _BetaSwapper(betas).visit(node.value)
        return node


class _BetaSwapper(ast.NodeTransformer):
    def __init__(self, betas: set[str | None]) -> None:
        self.betas = betas

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        beta = _one_minus(node)
        if beta is not None and beta in self.betas:
            return ast.Name(id=beta, ctx=ast.Load())
        if isinstance(node.op, ast.Pow):
            return node
        self.generic_visit(node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.betas:
            return ast.BinOp(left=ast.Constant(1), op=ast.Sub(), right=ast.Name(id=node.id, ctx=ast.Load()))
        return node


def _betas_swapped(reference: Reference) -> list[Variant]:
    betas = [name for name in reference.hyperparameters if name.startswith("beta")]
    variants: list[Variant | None] = []
    if {"beta1", "beta2"} <= set(betas):
        swap = _with_hp(reference.step, lambda hp: {**hp, "beta1": hp["beta2"], "beta2": hp["beta1"]})
        variants.append(Variant("β1 is used where β2 belongs and β2 where β1 belongs", reference.init, swap))
    for beta in betas:
        label = "β" if beta == "beta" else f"β{beta[-1]}"
        variants.append(
            _source_variant(reference, f"the average weights the old value by 1 − {label} and the new one by {label}", _SwapBetaAndOneMinus(beta))
        )  # fmt: skip
    if len(betas) > 1:
        variants.append(
            _source_variant(reference, "both averages weight the old value by 1 − β and the new one by β", _SwapBetaAndOneMinus())
        )  # fmt: skip
    return [variant for variant in variants if variant is not None]


def _no_decay(hp: dict[str, float]) -> dict[str, float]:
    return {**hp, "weight_decay": 0.0}


def _decay_the_wrong_way(reference: Reference) -> list[Variant]:
    if "weight_decay" not in reference.hyperparameters:
        return []
    step = reference.step
    if reference.optimizer in DECOUPLED_DECAY:

        def coupled(p: np.ndarray, g: np.ndarray, s: Any, hp: dict[str, float]) -> tuple[Any, Any]:
            return step(p, g + hp["weight_decay"] * p, s, _no_decay(hp))

        return [
            Variant(
                "λθ is added to the gradient (coupled L2) instead of shrinking θ directly",
                reference.init,
                coupled,
            )
        ]

    def decoupled(p: np.ndarray, g: np.ndarray, s: Any, hp: dict[str, float]) -> tuple[Any, Any]:
        return step(p * (1 - hp["lr"] * hp["weight_decay"]), g, s, _no_decay(hp))

    return [
        Variant(
            "θ is shrunk directly (decoupled) instead of adding λθ to the gradient", reference.init, decoupled
        )
    ]


BETA_ALIASES = {"beta": "beta1", "beta1": "beta"}


def other_methods(reference: Reference) -> list[Variant]:
    """Every other optimlab optimizer, fed this exercise's hyperparameters where the names agree."""
    variants = []
    for name, optimizer in OPTIMIZERS.items():
        if name == reference.optimizer:
            continue
        accepted = optimizer.hyperparameters

        def translate(hp: dict[str, float], accepted: tuple[str, ...] = accepted) -> dict[str, float]:
            given = {key: value for key, value in hp.items() if key in accepted}
            for ours, theirs in BETA_ALIASES.items():
                if ours in hp and theirs in accepted and theirs not in given:
                    given[theirs] = hp[ours]
            return given

        def run(
            p: np.ndarray,
            g: np.ndarray,
            s: Any,
            hp: dict[str, float],
            opt: Any = optimizer,
            tr: Any = translate,
        ) -> tuple[Any, Any]:
            return opt.update(p, g, s, tr(hp))  # fmt: skip

        variants.append(Variant(f"your steps are exactly those of optimlab's `{name}`", optimizer.init, run))
    return variants


# ---------------------------------------------------------------- where in the submission


def _statements(step: ast.FunctionDef) -> list[ast.stmt]:
    simple = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)
    return [node for node in ast.walk(step) if isinstance(node, simple)]


def _names(node: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]


def _quote(lines: list[str], number: int) -> str:
    code = lines[number - 1].strip().replace("`", "'") if 0 < number <= len(lines) else ""
    if len(code) > MAX_QUOTED_CODE:
        code = code[: MAX_QUOTED_CODE - 1] + "…"
    return f"`{code}`"


def _only_line(
    step: ast.FunctionDef, lines: list[str], test: Callable[[ast.stmt], bool], advice: str
) -> Line | None:
    hits = sorted({stmt.lineno for stmt in _statements(step) if test(stmt)})
    if len(hits) != 1:
        return None
    return Line(hits[0], f"Look at line {hits[0]}, {_quote(lines, hits[0])}: {advice}")


def _arguments(step: ast.FunctionDef) -> list[str]:
    return [arg.arg for arg in [*step.args.args, *step.args.kwonlyargs]]


def _never_used(step: ast.FunctionDef, position: int | None, keyword: str | None) -> str | None:
    """The argument's name if `step` never reads it (by position among params/grads/state, or by keyword)."""
    positional = [arg.arg for arg in step.args.args]
    name: str | None
    if position is not None:
        if len(positional) <= position:
            return None
        name = positional[position]
    else:
        name = keyword if keyword in _arguments(step) else None
    if name is None:
        return None
    used = {
        n.id
        for stmt in step.body
        for n in ast.walk(stmt)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    return None if name in used else name


def _locate_sign(step: ast.FunctionDef, lines: list[str]) -> Line | None:
    params = step.args.args[0].arg if step.args.args else "params"
    return _only_line(
        step,
        lines,
        lambda s: params in _names(s) and "lr" in _names(s),
        "the new parameters must be the old ones *minus* the step.",
    )


def _locate_lr_ignored(step: ast.FunctionDef, lines: list[str]) -> Line | None:
    if _never_used(step, None, "lr"):
        return Line(None, "`step` never reads `lr`: multiply the update by it.")
    return _only_line(step, lines, lambda s: "lr" in _names(s), "check how `lr` enters the update.")


def _locate_lr_twice(step: ast.FunctionDef, lines: list[str]) -> Line | None:
    twice = _only_line(step, lines, lambda s: _names(s).count("lr") >= 2, "`lr` appears twice in this line.")
    if twice is not None:
        return twice
    return _only_line(step, lines, lambda s: "lr" in _names(s), "check how `lr` enters the update.")


def _locate_gradient(step: ast.FunctionDef, lines: list[str]) -> Line | None:
    name = _never_used(step, 1, None)
    if name:
        return Line(None, f"`step` never reads `{name}`, the gradient: the update must be built from it.")
    return None


def _locate_state(step: ast.FunctionDef, lines: list[str]) -> Line | None:
    returns = sorted({s.lineno for s in _statements(step) if isinstance(s, ast.Return)})
    if len(returns) != 1:
        return None
    return Line(
        returns[0], f"Look at line {returns[0]}, {_quote(lines, returns[0])}: return the *updated* state."
    )


def _locate_counter(step: ast.FunctionDef, lines: list[str]) -> Line | None:
    def counts(stmt: ast.stmt) -> bool:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
        return any(isinstance(t, ast.Name) and t.id in {"t", "step", "count", "k", "n"} for t in targets)

    return _only_line(
        step, lines, counts, "the first call must use t = 1, one more on every call, stored in the state."
    )


def _locate_power(step: ast.FunctionDef, lines: list[str]) -> Line | None:
    def powers(stmt: ast.stmt) -> bool:
        for node in ast.walk(stmt):
            if (
                _is_call_to(node, "sqrt")
                or _is_call_to(node, "abs")
                or isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "abs"
            ):
                return True
            if (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Pow)
                and isinstance(node.right, ast.Constant)
            ):
                return True
        return False

    return _only_line(step, lines, powers, "check the square and the square root there.")


def _locate_decay(step: ast.FunctionDef, lines: list[str]) -> Line | None:
    if _never_used(step, None, "weight_decay"):
        return None
    return _only_line(
        step, lines, lambda s: "weight_decay" in _names(s), "this is where the decay is applied."
    )


def _locate_betas(step: ast.FunctionDef, lines: list[str]) -> Line | None:
    return _only_line(
        step,
        lines,
        lambda s: any(_one_minus(n) for n in ast.walk(s)),
        "the *old* value is the one multiplied by β, the new one by 1 − β.",
    )


FAMILIES: tuple[Family, ...] = (
    Family(
        "sign-flipped",
        "Your update moves uphill: the sign of the step is flipped",
        "Every step has the right size and the wrong direction, so the loss goes up. The new "
        "parameters are the old ones *minus* the update: $\\theta \\leftarrow \\theta - \\ldots$.",
        _sign,
        _locate_sign,
        frozenset({"sign-error"}),
    ),
    Family(
        "lr-not-used",
        "The learning rate is not applied",
        "Your steps are the algorithm's steps without the learning rate, whatever `lr` is. Multiply "
        "the update by the `lr` argument (not a hard-coded number).",
        _lr_ignored,
        _locate_lr_ignored,
        frozenset({"lr-ignored"}),
    ),
    Family(
        "lr-applied-twice",
        "The learning rate is applied twice",
        "Your steps are the algorithm's steps scaled by `lr` one time too many, so they are far too "
        "short. Multiply by `lr` once, in the parameter update.",
        _lr_twice,
        _locate_lr_twice,
    ),
    Family(
        "gradient-ignored",
        "The step does not depend on the gradient",
        "Your updates would be the same whatever the gradient is: `grads` never reaches the step. "
        "The update is built from `grads` (through the state, when the method keeps one).",
        _gradient_ignored,
        _locate_gradient,
        frozenset({"gradient-instead-of-momentum"}),
    ),
    Family(
        "state-not-carried",
        "State not carried over between steps",
        "Every step behaves like the first one: the state you return is not the one you computed. "
        "Return the *updated* arrays (and counter) in `new_state`, and read them from `state` next time.",
        _state_not_carried,
        _locate_state,
        frozenset({"state-not-carried"}),
    ),
    Family(
        "step-counter-off-by-one",
        "The step counter is off by one",
        "Everything else is right, but the step number your code uses is not the current one: the "
        "first call must use t = 1, and t must grow by one on every call (stored in the state).",
        _counter_off_by_one,
        _locate_counter,
        frozenset(
            {
                "bias-correction-t-minus-1",
                "bias-correction-t-plus-1",
                "t-not-incremented",
                "schedule-counter-from-zero",
            }
        ),
    ),
    Family(
        "wrong-power",
        "Wrong power: a square or a square root is off",
        "Your steps have the wrong scale because a power is wrong: a missing or extra square root, "
        "or an absolute value where a square belongs. Compare each `sqrt`, `**` and `abs` with the equations.",
        _wrong_power,
        _locate_power,
        frozenset({"adagrad-without-square", "rmsprop-without-sqrt", "second-moment-abs"}),
    ),
    Family(
        "beta-roles-swapped",
        "The β's play each other's roles",
        "The averaging weights are mixed up: either β1 and β2 are exchanged, or an average keeps "
        "1 − β of its past and gives β to the new value. The old value is multiplied by β; "
        "`beta1` belongs to the gradient's average, `beta2` to the squared gradient's.",
        _betas_swapped,
        _locate_betas,
        frozenset({"swapped-betas", "swapped-beta", "lion-sign-of-stored-momentum"}),
    ),
    Family(
        "weight-decay-wrong-coupling",
        "Weight decay coupled or decoupled the wrong way",
        "Your decay has the right strength but enters the update in the wrong place. Coupled (L2) "
        "decay adds $\\lambda\\theta$ to the gradient, so it goes through the moments; decoupled decay "
        "shrinks $\\theta$ by $(1-\\eta\\lambda)$ and the moments see only the plain gradient.",
        _decay_the_wrong_way,
        _locate_decay,
        frozenset({"coupled-l2"}),
    ),
)

DIFFERENT_METHOD = Family(
    "different-method",
    "Your code follows a different method",
    "Your steps match another optimizer exactly, not the one this exercise asks for. Read the "
    "statement's update equations again and compare them line by line with yours.",
    other_methods,
    specialisations=frozenset(
        {
            "adagrad-with-ema",  # RMSProp
            "amsgrad-without-max",  # Adam
            "coupled-l2",  # Adam with L2
            "ema-momentum",  # momentum-ema
            "momentum-without-one-minus-beta",  # PyTorch momentum
            "nesterov-without-lookahead",  # heavy-ball momentum
            "lr-inside-momentum",  # optimlab's momentum-lr-inside
            "lr-inside-nesterov",
            "weight-decay-ignored",  # Adam
            "lamb-without-trust-ratio",  # AdamW
            "lars-without-trust-ratio",  # momentum with the lr inside (optimlab's momentum-lr-inside)
        }
    ),
)
NO_KNOWN_METHOD = "no-known-method"
ALL_FAMILIES: tuple[Family, ...] = (*FAMILIES, DIFFERENT_METHOD)
FAMILY_BY_NAME = {family.name: family for family in ALL_FAMILIES}


def locate(family: Family, source: str | None) -> Line | None:
    """The line of the submission where `family`'s mistake likely sits; None when unsure.

    The source is parsed, never run; anything that does not parse (or is pathological enough to
    break the parser) simply gives no line."""
    if not source:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    steps = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "step"]
    if len(steps) != 1:
        return None
    try:
        return family.locate(steps[-1], source.splitlines())
    except RecursionError:
        return None


# ---------------------------------------------------------------- no known method


def describe_unknown_method(
    case_title: str, student: np.ndarray, reference: np.ndarray, step: int
) -> dict[str, str]:
    """'Follows none': how far the first departing step is from the rule, as a diagnosis entry."""
    taken = student[step] - student[step - 1]
    expected = reference[step] - reference[step - 1]
    with np.errstate(all="ignore"):
        size = float(np.linalg.norm(expected))
        gap = float(np.linalg.norm(taken - expected))
    if not math.isfinite(gap):
        distance = "your step there is not a finite number"
    elif size == 0.0:
        distance = f"the rule does not move there, yours moves by {gap:.3g}"
    else:
        distance = f"your step differs from the rule's by {gap / size:.3g} of its length (relative error)"
    return {
        "name": NO_KNOWN_METHOD,
        "title": "Your steps follow none of the known optimizers",
        "explanation": (
            "Your trajectory matches neither this exercise's rule nor any catalogued mistake or other "
            f"optimizer. On “{case_title}”, at step {step} (the first that departs), {distance}. "
            "Work that first step out on paper from the statement's equations and compare it with yours."
        ),
    }
