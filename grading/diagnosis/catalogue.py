"""The catalogue of known mistakes: what each one is, how to fix it, where its code lives.

Every mistake is a runnable buggy optimizer in the student contract, either a file in `buggy/`
(one file may serve several exercises with the same signature) or a wrapper (`wrappers.py`)
appended to the exercise's reference solution. `Mistake.source_for(slug)` gives the file a
student could submit.
"""

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from grading.diagnosis.wrappers import LR_IGNORED, SIGN_ERROR, STATE_NOT_CARRIED
from grading.exercises import get_exercise

BUGGY_DIR = Path(__file__).resolve().parent / "buggy"
ALL = (
    "sgd",
    "momentum",
    "momentum-ema",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "adamw",
    "amsgrad",
    "nadam",
    "sgd-warmup-cosine",
    "sgd-clip-norm",
)
STATELESS = ("sgd", "sgd-clip-norm")  # nothing to carry over, so "state not carried" cannot happen
STATEFUL = tuple(slug for slug in ALL if slug not in STATELESS)
ADAM_AND_ADAMW = ("adam", "adamw")


@dataclass(frozen=True)
class Mistake:
    name: str
    title: str
    explanation: str  # Markdown, addressed to the student: what happened and what to change
    files: MappingProxyType[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )  # slug -> buggy file
    wrapper: str = ""  # or: a wrapper around the exercise's reference solution
    wrapped_exercises: tuple[str, ...] = ()

    @property
    def exercises(self) -> tuple[str, ...]:
        return tuple(self.files) or self.wrapped_exercises

    def source_for(self, exercise_slug: str) -> str:
        if exercise_slug not in self.exercises:
            raise ValueError(f"mistake {self.name!r} does not apply to exercise {exercise_slug!r}")
        if self.wrapper:
            return str(get_exercise(exercise_slug).reference_source) + self.wrapper
        return (BUGGY_DIR / self.files[exercise_slug]).read_text(encoding="utf-8")

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "explanation": self.explanation}


def _files(mapping: dict[str, str]) -> MappingProxyType[str, str]:
    return MappingProxyType(mapping)


def _same_file(filename: str, exercises: tuple[str, ...]) -> MappingProxyType[str, str]:
    return MappingProxyType({slug: filename for slug in exercises})


CATALOGUE: tuple[Mistake, ...] = (
    # ------------------------------------------------------------------ every exercise
    Mistake(
        "sign-error",
        "Sign error: the update climbs the loss",
        "Your parameters move *up* the gradient: the update is added where it should be subtracted. "
        "Check the sign in the line that computes the new parameters: $\\theta \\leftarrow \\theta - \\ldots$.",
        wrapper=SIGN_ERROR,
        wrapped_exercises=ALL,
    ),
    Mistake(
        "lr-ignored",
        "The learning rate is ignored",
        "Your steps are exactly what the algorithm gives with a learning rate of 1, whatever `lr` is. "
        "Multiply the update by `lr` (and make sure you use the argument, not a hard-coded value).",
        wrapper=LR_IGNORED,
        wrapped_exercises=ALL,
    ),
    Mistake(
        "state-not-carried",
        "State not carried over: the velocity or moments reset every step",
        "Every step behaves like the first one: the state you return is not the one you computed, so "
        "velocities, averages and counters start from zero again each time. Return the *updated* "
        "arrays (and counter) in `new_state`, and read them from `state` at the next call.",
        wrapper=STATE_NOT_CARRIED,
        wrapped_exercises=STATEFUL,
    ),
    # ------------------------------------------------------------------ momentum family
    Mistake(
        "ema-momentum",
        "EMA momentum instead of the PyTorch convention",
        "You wrote the velocity as a moving average, $v \\leftarrow \\beta v + (1-\\beta) g$. This exercise "
        "asks for PyTorch's convention, $v \\leftarrow \\beta v + g$: drop the $(1-\\beta)$ factor. "
        "(At equal learning rates the EMA form takes steps $1-\\beta$ times shorter.)",
        files=_files({"momentum": "momentum_ema_form.py"}),
    ),
    Mistake(
        "lr-inside-momentum",
        "Learning rate inside the velocity (a different momentum convention)",
        "You store the step itself, $m \\leftarrow \\beta m + \\eta g$, $\\theta \\leftarrow \\theta - m$. "
        "At a constant learning rate that traces exactly the same path as PyTorch's form, which is "
        "why your other problems match; but when `lr` changes between steps, your velocity keeps old "
        "steps at their old learning rates while PyTorch rescales the whole velocity. Keep "
        "$v \\leftarrow \\beta v + g$ and multiply by `lr` only in the parameter update.",
        files=_files({"momentum": "momentum_lr_inside.py"}),
    ),
    Mistake(
        "momentum-without-one-minus-beta",
        "PyTorch momentum instead of the moving average",
        "Your velocity adds the full gradient, $v \\leftarrow \\beta v + g$ (PyTorch's convention). This "
        "exercise's velocity is an average: weight the new gradient by $(1-\\beta)$.",
        files=_files({"momentum-ema": "momentum_without_one_minus_beta.py"}),
    ),
    Mistake(
        "swapped-beta",
        "β and 1 − β swapped in the moving average",
        "Your average keeps only $1-\\beta$ of its past and gives the new gradient weight $\\beta$, so "
        "it barely remembers anything. The *old* value is the one multiplied by $\\beta$.",
        files=_files({"momentum-ema": "momentum_swapped_beta.py"}),
    ),
    Mistake(
        "nesterov-without-lookahead",
        "Plain momentum instead of Nesterov (no look-ahead, or a stale one)",
        "Your steps are heavy-ball momentum, $\\theta - \\eta v_t$. That is also what a look-ahead "
        "built from the previous velocity gives, since $g_t + \\beta v_{t-1} = v_t$. Update the velocity "
        "first, then step along $g_t + \\beta v_t$ with the *new* velocity.",
        files=_files({"nesterov": "nesterov_without_lookahead.py"}),
    ),
    Mistake(
        "nesterov-lookahead-stored",
        "Look-ahead direction stored as the velocity",
        "You step along $g_t + \\beta v_t$ correctly, but then keep that direction as the velocity, so the "
        "next step's velocity (and every later one) is built from a look-ahead instead of "
        "$v_t = \\beta v_{t-1} + g_t$. Return $v_t$ in the state, not the direction you stepped along.",
        files=_files({"nesterov": "nesterov_lookahead_stored.py"}),
    ),
    Mistake(
        "lr-inside-nesterov",
        "Learning rate inside the Nesterov velocity",
        "You fold the learning rate into the velocity. At a constant `lr` this matches, but when `lr` "
        "changes between steps the old velocity keeps its old learning rate. Keep "
        "$v \\leftarrow \\beta v + g$ and apply `lr` to the whole step $g_t + \\beta v_t$.",
        files=_files({"nesterov": "nesterov_lr_inside.py"}),
    ),
    # ------------------------------------------------------------------ AdaGrad, RMSProp
    Mistake(
        "adagrad-without-square",
        "AdaGrad accumulates |g| instead of g²",
        "Your accumulator sums the size of the gradients, not their squares, so the denominator "
        "$\\sqrt{s}$ has the wrong units and shrinks the steps at the wrong rate. Add `grads * grads`.",
        files=_files({"adagrad": "adagrad_without_square.py"}),
    ),
    Mistake(
        "adagrad-with-ema",
        "AdaGrad with a moving average: that is RMSProp",
        "Your accumulator forgets old gradients (an exponential moving average). AdaGrad *sums* every "
        "squared gradient forever: $s_t = s_{t-1} + g_t^2$, with no decay factor.",
        files=_files({"adagrad": "adagrad_with_ema.py"}),
    ),
    Mistake(
        "eps-inside-sqrt",
        "ε inside the square root",
        "You divide by $\\sqrt{s + \\epsilon}$; the convention here is $\\sqrt{s} + \\epsilon$. The two "
        "agree for large gradients but differ by orders of magnitude when gradients are tiny "
        "(around $10^{-6}$), which is exactly where ε is meant to matter.",
        files=_files(
            {
                "adagrad": "adagrad_eps_inside_sqrt.py",
                "rmsprop": "rmsprop_eps_inside_sqrt.py",
                "adam": "adam_eps_inside_sqrt.py",
                "adamw": "adam_eps_inside_sqrt.py",
            }
        ),
    ),
    Mistake(
        "rmsprop-without-one-minus-beta",
        "RMSProp average without (1 − β)",
        "Your average adds $g^2$ with weight 1, so it grows towards $g^2/(1-\\beta)$ (100× too large for "
        "β = 0.99). Weight the new square by $(1-\\beta)$.",
        files=_files({"rmsprop": "rmsprop_without_one_minus_beta.py"}),
    ),
    Mistake(
        "rmsprop-without-sqrt",
        "RMSProp without the square root",
        "You divide by the mean square $v$ instead of its root $\\sqrt{v}$, so the step scales like "
        "$1/g$ instead of being roughly independent of the gradient's size. Take `np.sqrt(v)`.",
        files=_files({"rmsprop": "rmsprop_without_sqrt.py"}),
    ),
    Mistake(
        "second-moment-abs",
        "Second moment of |g| instead of g²",
        "Your second moment averages $|g|$; it must average $g^2$ (its square root is then on the scale "
        "of the gradient). Use `grads * grads` or `grads ** 2`.",
        files=_files(
            {
                "rmsprop": "rmsprop_second_moment_abs.py",
                "adam": "adam_second_moment_abs.py",
                "adamw": "adam_second_moment_abs.py",
            }
        ),
    ),
    Mistake(
        "rmsprop-bias-corrected",
        "Bias correction added to RMSProp",
        "You divide $v$ by $(1-\\beta^t)$ as Adam does. PyTorch's RMSProp has no bias correction, so its "
        "first steps are larger; use $\\sqrt{v_t}$ directly.",
        files=_files({"rmsprop": "rmsprop_bias_corrected.py"}),
    ),
    # ------------------------------------------------------------------ Adam family
    Mistake(
        "missing-bias-correction",
        "Missing bias correction",
        "You use the raw moments $m_t$ and $v_t$. Both start at zero, so early on they are far too "
        "small; divide them by $1-\\beta_1^t$ and $1-\\beta_2^t$ before the update.",
        files=_same_file("adam_missing_bias_correction.py", ADAM_AND_ADAMW),
    ),
    Mistake(
        "eps-before-bias-correction",
        "ε added before the bias correction",
        "You add ε to $\\sqrt{v_t}$ and then apply the correction, which scales ε by "
        "$1/\\sqrt{1-\\beta_2^t}$ (about 30× on the first step). Correct first, then add ε: "
        "$\\sqrt{\\hat v_t} + \\epsilon$.",
        files=_same_file("adam_eps_before_bias_correction.py", ADAM_AND_ADAMW),
    ),
    Mistake(
        "bias-correction-t-minus-1",
        "Bias correction with t − 1 (division by zero on the first step)",
        "Your correction uses the counter before it is incremented, so the first step divides by "
        "$1-\\beta^0 = 0$ and the parameters become NaN. Increment t first: the first call uses t = 1.",
        files=_same_file("adam_bias_correction_t_minus_1.py", ADAM_AND_ADAMW),
    ),
    Mistake(
        "bias-correction-t-plus-1",
        "Bias correction with t + 1",
        "Your correction runs one step ahead (the first call corrects with $1-\\beta^2$). Use the "
        "number of the current step: t = 1 on the first call, incremented once per call.",
        files=_same_file("adam_bias_correction_t_plus_1.py", ADAM_AND_ADAMW),
    ),
    Mistake(
        "swapped-betas",
        "β1 and β2 swapped",
        "Your first moment uses $\\beta_2$ and the second uses $\\beta_1$. The gradient average uses "
        "`beta1` (0.9, short memory); the squared-gradient average uses `beta2` (0.999, long memory).",
        files=_same_file("adam_swapped_betas.py", ADAM_AND_ADAMW),
    ),
    Mistake(
        "m-without-one-minus-beta1",
        "First moment without (1 − β1)",
        "Your first moment adds the full gradient, $m \\leftarrow \\beta_1 m + g$, so it is about 10× too "
        "large. Adam's moments are averages: weight the new gradient by $(1-\\beta_1)$.",
        files=_same_file("adam_m_without_one_minus_beta1.py", ADAM_AND_ADAMW),
    ),
    Mistake(
        "t-not-incremented",
        "Step counter not incremented",
        "Your moments are carried over but the step counter is not: every step is bias-corrected as "
        "if it were the first. Store the incremented t in `new_state`.",
        files=_same_file("adam_t_not_incremented.py", ADAM_AND_ADAMW),
    ),
    Mistake(
        "gradient-instead-of-momentum",
        "Gradient used instead of the first moment",
        "You compute $m$ but step along the raw gradient $g_t$. The numerator of Adam's update is the "
        "bias-corrected first moment $\\hat m_t$.",
        files=_same_file("adam_gradient_instead_of_momentum.py", ADAM_AND_ADAMW),
    ),
    Mistake(
        "coupled-l2",
        "Coupled L2 penalty instead of decoupled weight decay",
        "You add $\\lambda\\theta$ to the gradient (Adam with L2), so the decay goes through $m$, $v$ and "
        "the $\\sqrt{\\hat v}$ scaling. AdamW shrinks the parameters directly: "
        "$\\theta' = \\theta(1-\\eta\\lambda)$, and the moments see only the plain gradient.",
        files=_files({"adamw": "adamw_coupled_l2.py", "adamw-cosine": "adamw_cosine_coupled_l2.py"}),
    ),
    Mistake(
        "decay-not-scaled-by-lr",
        "Weight decay not scaled by the learning rate",
        "You shrink the parameters by $(1-\\lambda)$; PyTorch's AdamW (and Lion) use $(1-\\eta\\lambda)$, "
        "so the decay follows the learning rate (and its schedule).",
        files=_files(
            {
                "adamw": "adamw_decay_not_scaled_by_lr.py",
                "lion": "lion_decay_not_scaled_by_lr.py",
                "adamw-cosine": "adamw_cosine_decay_not_scaled_by_lr.py",
            }
        ),
    ),
    Mistake(
        "decay-after-step",
        "Weight decay applied after the Adam step",
        "You shrink the parameters *after* moving them. The decay applies to $\\theta_{t-1}$, before "
        "the Adam update is subtracted.",
        files=_files(
            {"adamw": "adamw_decay_after_step.py", "adamw-cosine": "adamw_cosine_decay_after_step.py"}
        ),
    ),
    Mistake(
        "weight-decay-ignored",
        "Weight decay never applied",
        "Your code is plain Adam: `weight_decay` is never used. Shrink the parameters by "
        "$(1-\\eta\\lambda)$ before the Adam step.",
        files=_files({"adamw": "adamw_weight_decay_ignored.py"}),
    ),
    Mistake(
        "amsgrad-without-max",
        "The running maximum is kept but not used",
        "You store $v^{\\max}$ but divide by the current $v_t$, which is plain Adam. Use "
        "$\\sqrt{v^{\\max}_t/(1-\\beta_2^t)}$ in the denominator.",
        files=_files({"amsgrad": "amsgrad_without_max.py"}),
    ),
    Mistake(
        "amsgrad-max-of-corrected",
        "Maximum taken over the bias-corrected second moment",
        "You take the maximum of $\\hat v_t$; PyTorch takes it over the raw $v_t$ and corrects the "
        "maximum afterwards. Early on, the corrected values are larger, so your maximum locks in "
        "large early values.",
        files=_files({"amsgrad": "amsgrad_max_of_corrected.py"}),
    ),
    # ------------------------------------------------------------------ NAdam
    Mistake(
        "nadam-without-mu-schedule",
        "NAdam without the momentum schedule",
        "Your momentum weight is $\\beta_1$ at every step, and the corrections divide by $1-\\beta_1^t$ "
        "(textbook Nesterov-Adam). torch's NAdam weighs the momentum by $\\mu_t = "
        "\\beta_1(1-\\tfrac12\\,0.96^{0.004\\,t})$, which starts near $\\beta_1/2$ and only slowly rises; "
        "use $1-\\mu_t$ for the gradient, $\\mu_{t+1}$ for the momentum, and products of the $\\mu$'s in "
        "the corrections.",
        files=_files({"nadam": "nadam_without_mu_schedule.py"}),
    ),
    Mistake(
        "nadam-lookahead-with-current-mu",
        "NAdam momentum term without the look-ahead (μ_t instead of μ_{t+1})",
        "Your momentum term uses this step's weight $\\mu_t/(1-\\Pi_t)$. The look-ahead is what makes it "
        "NAdam: weigh $m_t$ by *next* step's $\\mu_{t+1}$ and correct it with $1-\\Pi_t\\,\\mu_{t+1}$ "
        "(the product one step further). The gradient term keeps $\\mu_t$ and $\\Pi_t$.",
        files=_files({"nadam": "nadam_lookahead_with_current_mu.py"}),
    ),
    Mistake(
        "nadam-beta1-power-correction",
        "NAdam corrected with 1 − β1^t instead of the product of the μ's",
        "You use the $\\mu$ schedule for the weights but Adam's bias correction $1-\\beta_1^t$. In NAdam "
        "the corrections divide by one minus the product of the weights actually used, "
        "$\\Pi_t = \\mu_1\\cdots\\mu_t$ (and $\\Pi_t\\,\\mu_{t+1}$ for the momentum term): keep that "
        "running product in the state, starting at 1.",
        files=_files({"nadam": "nadam_beta1_power_correction.py"}),
    ),
    # ------------------------------------------------------------------ RAdam
    Mistake(
        "radam-eps-after-bias-correction",
        "ε added after the bias correction (Adam's order)",
        "You divide by $\\sqrt{\\hat v_t} + \\epsilon$ as Adam does. torch's RAdam adds ε to the raw "
        "$\\sqrt{v_t}$ and multiplies by $\\sqrt{1-\\beta_2^t}$ afterwards, which makes ε about "
        "$1/\\sqrt{1-\\beta_2^t}$ times larger early on; it shows when gradients are tiny. Use "
        "$\\sqrt{1-\\beta_2^t}/(\\sqrt{v_t} + \\epsilon)$.",
        files=_files({"radam": "radam_eps_after_bias_correction.py"}),
    ),
    Mistake(
        "radam-without-rectification",
        "Adaptive step without the rectification r_t",
        "After the switch your steps are Adam's: the factor $r_t$ is missing. It starts well below 1 "
        "and rises towards 1, damping the adaptive steps while $v_t$ averages only a few squared "
        "gradients. Multiply the adaptive step by $r_t$.",
        files=_files({"radam": "radam_without_rectification.py"}),
    ),
    Mistake(
        "radam-rho-without-bias-correction",
        "ρ_t computed without dividing by 1 − β2^t",
        "Your $\\rho_t = \\rho_\\infty - 2t\\beta_2^t$ is close to $\\rho_\\infty$ from the first step, so "
        "you take adaptive steps at once. The length of the approximated average is "
        "$\\rho_t = \\rho_\\infty - 2t\\beta_2^t/(1-\\beta_2^t)$: about 1 at $t = 1$, above 5 only "
        "after a few steps.",
        files=_files({"radam": "radam_rho_without_bias_correction.py"}),
    ),
    Mistake(
        "radam-momentum-step-uncorrected",
        "Early momentum steps use m_t instead of m̂_t",
        "While $\\rho_t \\le 5$ your step is $\\eta\\, m_t$, which is $1-\\beta_1^t$ times too short "
        "(10× on the first step). The un-adapted branch steps along the bias-corrected "
        "$\\hat m_t = m_t/(1-\\beta_1^t)$.",
        files=_files({"radam": "radam_momentum_step_uncorrected.py"}),
    ),
    # ------------------------------------------------------------------ Lion
    Mistake(
        "lion-sign-of-stored-momentum",
        "Step along the sign of the updated momentum (β2 instead of β1)",
        "You update $m$ with $\\beta_2$ first and step along $\\operatorname{sign}(m_t)$. Lion's step "
        "uses a *different* interpolation, $c_t = \\beta_1 m_{t-1} + (1-\\beta_1) g_t$, built from the "
        "old momentum; $\\beta_2$ only updates the momentum that is kept, after the step.",
        files=_files({"lion": "lion_sign_of_stored_momentum.py"}),
    ),
    Mistake(
        "lion-without-sign",
        "The sign is missing",
        "Your step follows $c_t$ itself, so its size follows the gradient's. Lion steps along "
        "$\\operatorname{sign}(c_t)$: every coordinate moves by exactly $\\eta$ (plus the decay), "
        "whatever the gradient's size. Use `np.sign`.",
        files=_files({"lion": "lion_without_sign.py"}),
    ),
    Mistake(
        "lion-decay-inside-sign",
        "Weight decay inside the sign",
        "You take $\\operatorname{sign}(c_t + \\lambda\\theta)$, so the decay can only flip the direction "
        "and never shrinks by $\\eta\\lambda\\theta$. The decay is added *outside*: "
        "$\\theta - \\eta(\\operatorname{sign}(c_t) + \\lambda\\theta)$.",
        files=_files({"lion": "lion_decay_inside_sign.py"}),
    ),
    # ------------------------------------------------------------------ LAMB
    Mistake(
        "lamb-without-trust-ratio",
        "The trust ratio is missing (this is AdamW)",
        "Your step is $\\eta\\,u_t$: Adam's direction plus decay, which is AdamW. LAMB rescales it by "
        "the layer's trust ratio $\\lVert\\theta_{t-1}\\rVert / \\lVert u_t\\rVert$, so that every step "
        "moves the array by $\\eta\\lVert\\theta_{t-1}\\rVert$.",
        files=_files({"lamb": "lamb_without_trust_ratio.py"}),
    ),
    Mistake(
        "lamb-ratio-per-coordinate",
        "Trust ratio taken coordinate by coordinate",
        "You divide $|\\theta_i|$ by $|u_i|$ for each coordinate, so every coordinate moves by "
        "$\\eta|\\theta_i|$ and the direction is lost. The ratio is one number for the whole array: "
        "`np.linalg.norm(params) / np.linalg.norm(update)`.",
        files=_files({"lamb": "lamb_ratio_per_coordinate.py"}),
    ),
    Mistake(
        "lamb-ratio-inverted",
        "Trust ratio upside down",
        "You scale by $\\lVert u_t\\rVert / \\lVert\\theta_{t-1}\\rVert$: large updates get larger and "
        "small layers take huge steps. The weights' norm goes on top: "
        "$\\lVert\\theta_{t-1}\\rVert / \\lVert u_t\\rVert$.",
        files=_files({"lamb": "lamb_ratio_inverted.py"}),
    ),
    Mistake(
        "lamb-decay-outside-ratio",
        "Weight decay left outside the trust ratio",
        "You measure the ratio on Adam's direction alone and add $\\eta\\lambda\\theta$ afterwards. In "
        "LAMB the decay is part of the update before it is measured: $u_t = \\hat m_t/(\\sqrt{\\hat v_t}"
        "+\\epsilon) + \\lambda\\theta_{t-1}$, and the whole $u_t$ is scaled.",
        files=_files({"lamb": "lamb_decay_outside_ratio.py"}),
    ),
    # ------------------------------------------------------------------ LARS
    Mistake(
        "lars-without-trust-ratio",
        "The local rate is missing (this is momentum SGD)",
        "Your step is $\\gamma\\,(g_t + \\beta w_{t-1})$ pushed through momentum: plain momentum SGD "
        "with L2 decay. LARS scales it, layer by layer, by the local rate "
        "$\\eta\\,\\lVert w\\rVert / (\\lVert g\\rVert + \\beta\\lVert w\\rVert)$.",
        files=_files({"lars": "lars_without_trust_ratio.py"}),
    ),
    Mistake(
        "lars-ratio-inverted",
        "Local rate upside down",
        "You scale by $\\eta\\,(\\lVert g\\rVert + \\beta\\lVert w\\rVert) / \\lVert w\\rVert$: layers "
        "with large gradients and small weights take the largest steps, the opposite of the intent. "
        "The weights' norm goes on top: $\\eta\\,\\lVert w\\rVert / (\\lVert g\\rVert + "
        "\\beta\\lVert w\\rVert)$.",
        files=_files({"lars": "lars_ratio_inverted.py"}),
    ),
    Mistake(
        "lars-decay-outside-ratio",
        "Weight decay left outside the local rate",
        "You compute the ratio as $\\eta\\lVert w\\rVert / \\lVert g\\rVert$ and add $\\beta w$ "
        "unscaled. In LARS the decay is in both places: the denominator is $\\lVert g\\rVert + "
        "\\beta\\lVert w\\rVert$ and the rate scales the whole $g_t + \\beta w_{t-1}$.",
        files=_files({"lars": "lars_decay_outside_ratio.py"}),
    ),
    Mistake(
        "lars-ratio-per-coordinate",
        "Local rate taken coordinate by coordinate",
        "You divide $|w_i|$ by $|g_i| + \\beta|w_i|$ for each coordinate, so every coordinate gets "
        "its own rate and the gradient's direction is lost. The rate is one number per layer, from "
        "the norms of the whole arrays: `np.linalg.norm(params)` and `np.linalg.norm(grads)`.",
        files=_files({"lars": "lars_ratio_per_coordinate.py"}),
    ),
    Mistake(
        "lars-lr-outside-momentum",
        "The global rate is applied after the momentum buffer",
        "You keep $v_t = m v_{t-1} + \\lambda_t(g_t + \\beta w_{t-1})$ and step by $\\gamma v_t$, as "
        "torch's SGD does. In LARS the global rate enters the buffer: $v_t = m v_{t-1} + \\gamma\\,"
        "\\lambda_t (g_t + \\beta w_{t-1})$ and $w_t = w_{t-1} - v_t$. The two agree while `lr` is "
        "constant and part ways when it changes.",
        files=_files({"lars": "lars_lr_outside_momentum.py"}),
    ),
    # ------------------------------------------------------------------ Adafactor
    Mistake(
        "adafactor-not-factored",
        "The second moment of a matrix is kept whole",
        "Your matrix keeps one running $g^2$ per entry, as Adam does: right for a vector, but the "
        "point of Adafactor is that a matrix keeps only the running mean of $g^2$ along each row "
        "($R$) and along each column ($C$), and rebuilds $\\hat V = R C^\\top / \\max(\\mathrm{mean}(R), "
        "\\epsilon_1)$. Keep `row` and `col` in the state for arrays with two or more axes.",
        files=_files({"adafactor": "adafactor_not_factored.py"}),
    ),
    Mistake(
        "adafactor-factors-not-normalised",
        "Row and column factors multiplied without normalising",
        "Your estimate is $R C^\\top$ alone. Both factors carry the overall size of $g^2$, so their "
        "product counts it twice; divide by the mean of $R$: $\\hat V = R C^\\top / "
        "\\max(\\mathrm{mean}(R), \\epsilon_1)$.",
        files=_files({"adafactor": "adafactor_factors_not_normalised.py"}),
    ),
    Mistake(
        "adafactor-normalised-by-sum",
        "Factors normalised by the sum of R instead of its mean",
        "Your $R$ and $C$ hold *means* of $g^2$, but you divide $R C^\\top$ by the *sum* of $R$, so "
        "the estimate is too small by the number of rows. Means and sums must agree: with row and "
        "column means, divide by $\\mathrm{mean}(R)$.",
        files=_files({"adafactor": "adafactor_normalised_by_sum.py"}),
    ),
    Mistake(
        "adafactor-without-relative-step",
        "The step is not relative to the parameters' size",
        "Your step is $\\rho_t\\,\\hat U_t$. Adafactor scales it by the size of the parameters: "
        "$\\alpha_t = \\max(\\epsilon_2, \\mathrm{RMS}(\\theta_{t-1}))\\,\\rho_t$, so large weights "
        "take large steps and small ones small steps.",
        files=_files({"adafactor": "adafactor_without_relative_step.py"}),
    ),
    Mistake(
        "adafactor-without-sqrt-t-decay",
        "The rate never falls as 1/√t",
        "Your relative rate is `lr` on every call. Adafactor uses $\\rho_t = \\min(\\eta, 1/\\sqrt t)$: "
        "once $1/\\sqrt t$ drops below `lr`, the steps shrink with it.",
        files=_files({"adafactor": "adafactor_without_sqrt_t_decay.py"}),
    ),
    Mistake(
        "adafactor-constant-beta2",
        "A constant β2 instead of the schedule 1 − t^τ",
        "You average $g^2$ with a fixed $\\beta_2$, as Adam does, without a bias correction, so the "
        "first estimates are far too small. Adafactor's weight changes every call: "
        "$\\hat\\beta_{2,t} = 1 - t^{\\tau}$ with $\\tau$ = `beta2_decay`, which is 0 at $t = 1$ (the "
        "first estimate is $g^2$ itself) and approaches 1 later.",
        files=_files({"adafactor": "adafactor_constant_beta2.py"}),
    ),
    Mistake(
        "adafactor-beta2-inverted",
        "β2 schedule inverted: t^τ instead of 1 − t^τ",
        "Your $\\hat\\beta_{2,t}$ is $t^{\\tau}$, which is 1 on the first call, so the first "
        "estimate ignores the gradient and stays at 0. The old estimate's weight is "
        "$\\hat\\beta_{2,t} = 1 - t^{\\tau}$ and the new $g^2$'s weight is $t^{\\tau}$.",
        files=_files({"adafactor": "adafactor_beta2_inverted.py"}),
    ),
    Mistake(
        "adafactor-without-update-clipping",
        "The update is never clipped",
        "Your $U_t$ goes into the step as it is. When the gradient jumps above what $\\hat V_t$ has "
        "seen, $U_t$ gets large; Adafactor divides it by $\\max(1, \\mathrm{RMS}(U_t)/d)$ so its RMS "
        "never exceeds $d$ = `clip_threshold`.",
        files=_files({"adafactor": "adafactor_without_update_clipping.py"}),
    ),
    # ------------------------------------------------------------------ AdamW on a schedule
    Mistake(
        "decay-not-scheduled",
        "Weight decay left at the peak learning rate",
        "Your Adam step follows the schedule but the decay still shrinks by $(1-\\eta\\lambda)$ with the "
        "peak `lr`, so late in training the decay is far too strong compared with the steps. With a "
        "scheduler, AdamW's decay uses this call's rate: $\\theta(1-\\eta_t\\lambda)$.",
        files=_files({"adamw-cosine": "adamw_cosine_decay_not_scheduled.py"}),
    ),
    Mistake(
        "decay-schedule-applied-twice",
        "The schedule is applied twice to the decay",
        "Your decay is $\\eta_t\\,(\\eta_t/\\eta)\\,\\lambda$: the schedule's factor $\\eta_t/\\eta$ "
        "is already inside $\\eta_t$, and you multiply by it once more, so the decay fades too fast. "
        "Shrink by $(1-\\eta_t\\lambda)$, with the scheduled rate once.",
        files=_files({"adamw-cosine": "adamw_cosine_decay_scheduled_twice.py"}),
    ),
    # ------------------------------------------------------------------ one-cycle
    Mistake(
        "one-cycle-momentum-not-cycled",
        "The momentum is not cycled",
        "Your rate follows the cycle but the momentum stays at `max_momentum`. In the one-cycle policy "
        "the momentum moves against the rate: it falls to `base_momentum` while the rate climbs to "
        "its peak, then climbs back while the rate falls, along the same cosine.",
        files=_files({"sgd-one-cycle": "one_cycle_momentum_not_cycled.py"}),
    ),
    Mistake(
        "one-cycle-momentum-with-the-rate",
        "The momentum moves with the rate instead of against it",
        "Your momentum climbs while the rate climbs, so at the peak both are at their largest and the "
        "steps overshoot. Phase 1 takes the momentum from `max_momentum` down to `base_momentum`; "
        "phase 2 takes it back up.",
        files=_files({"sgd-one-cycle": "one_cycle_momentum_with_the_rate.py"}),
    ),
    Mistake(
        "one-cycle-linear-annealing",
        "Linear annealing instead of the cosine",
        "Your rate and momentum move along straight lines. Here (OneCycleLR's default) both phases "
        "follow half a cosine: $b + (a-b)\\,(1+\\cos(\\pi q))/2$ from $a$ at $q = 0$ to $b$ at $q = 1$.",
        files=_files({"sgd-one-cycle": "one_cycle_linear_annealing.py"}),
    ),
    Mistake(
        "one-cycle-linear-warmup",
        "Linear climb and cosine descent mixed",
        "Your first phase is linear while the second follows the cosine. One annealing serves both "
        "phases: the climb also goes along $b + (a-b)\\,(1+\\cos(\\pi q))/2$, for the rate and the "
        "momentum.",
        files=_files({"sgd-one-cycle": "one_cycle_linear_warmup.py"}),
    ),
    Mistake(
        "one-cycle-peak-one-step-late",
        "Phase 1 ends one step late",
        "You end phase 1 at $s = p\\,T$, so the peak comes one call later than it should. Positions "
        "count from $s = 0$ (the first call), and phase 1 ends at $s = p\\,T - 1$; phase 2 measures "
        "its progress from that same point.",
        files=_files({"sgd-one-cycle": "one_cycle_peak_one_step_late.py"}),
    ),
    Mistake(
        "one-cycle-final-lr-from-peak",
        "The final rate is divided from the peak",
        "Your rate ends at `lr / final_div_factor`. The final rate is divided from the *starting* "
        "rate: $\\eta / d / f$, that is `lr / div_factor / final_div_factor`, far below it.",
        files=_files({"sgd-one-cycle": "one_cycle_final_lr_from_peak.py"}),
    ),
    # ------------------------------------------------------------------ gradient accumulation
    Mistake(
        "accumulate-sum-not-mean",
        "Step along the sum of the gradients, not their mean",
        "Your step is $\\eta\\, s$: $k$ times the large batch's step, as if the learning rate were "
        "$k\\eta$. Divide the sum by the count: $\\theta - \\eta\\, s / c$ (in PyTorch, the "
        "`loss / k` before each `backward()`).",
        files=_files({"sgd-accumulate": "accumulate_sum_not_mean.py"}),
    ),
    Mistake(
        "accumulate-sum-not-reset",
        "The sum is not emptied after a step",
        "Your first step is right, but the next ones also count every gradient from before: the sum "
        "keeps growing. After stepping, start a new sum at zero (PyTorch's `optimizer.zero_grad()`).",
        files=_files({"sgd-accumulate": "accumulate_sum_not_reset.py"}),
    ),
    Mistake(
        "accumulate-steps-every-call",
        "The parameters move on every call",
        "You step after every micro-batch. With accumulation the parameters stay put until "
        "`accumulation_steps` gradients have been added up; only then is one step taken.",
        files=_files({"sgd-accumulate": "accumulate_steps_every_call.py"}),
    ),
    Mistake(
        "accumulate-last-gradient-only",
        "Only the last micro-batch's gradient is used",
        "You add up the gradients but step along `grads`, the last micro-batch alone, so the others "
        "are thrown away. Step along the mean of all of them, $s / c$.",
        files=_files({"sgd-accumulate": "accumulate_last_gradient_only.py"}),
    ),
    # ------------------------------------------------------------------ learning-rate schedule
    Mistake(
        "schedule-counter-from-zero",
        "Schedule evaluated one update late (counter starts at 0)",
        "Your rate at update $t$ is the schedule's value for $t-1$: the first update uses a learning rate "
        "of 0 and does nothing, and warmup peaks one update late. Increment the counter first, so the "
        "first call computes the rate for $t = 1$ (that is $\\eta/W$ during warmup).",
        files=_files({"sgd-warmup-cosine": "warmup_cosine_counter_from_zero.py"}),
    ),
    Mistake(
        "cosine-phase-from-first-update",
        "Cosine phase counted from the first update instead of from the end of warmup",
        "Your cosine measures progress as $(t-1)/T$, as if warmup had not used up any updates, so the "
        "rate drops abruptly right after warmup. The decay starts when warmup ends and spans the "
        "remaining updates: progress $= (t-W-1)/(T-W)$, which is 0 at $t = W+1$.",
        files=_files({"sgd-warmup-cosine": "warmup_cosine_phase_from_first_update.py"}),
    ),
    Mistake(
        "cosine-phase-one-step-ahead",
        "Cosine decay starts one update early",
        "Your progress is $(t-W)/(T-W)$, so the first update after warmup already uses a decayed rate. "
        "Here (as with torch's warmup followed by CosineAnnealingLR) that update runs at the full "
        "$\\eta$: use progress $(t-W-1)/(T-W)$.",
        files=_files({"sgd-warmup-cosine": "warmup_cosine_phase_one_step_ahead.py"}),
    ),
    Mistake(
        "min-lr-ignored",
        "Cosine decays to 0 instead of min_lr",
        "Your cosine swings between $\\eta$ and 0, ignoring `min_lr`. The decayed rate is "
        "$\\eta_{\\min} + (\\eta-\\eta_{\\min})\\,(1+\\cos(\\pi\\,p))/2$: it never falls below `min_lr`.",
        files=_files(
            {
                "sgd-warmup-cosine": "warmup_cosine_min_lr_ignored.py",
                "adamw-cosine": "adamw_cosine_min_lr_ignored.py",
            }
        ),
    ),
    # ------------------------------------------------------------------ gradient clipping
    Mistake(
        "clip-by-value",
        "Clipped coordinate by coordinate instead of by the norm",
        "You clamp every entry to $[-c, c]$ (that is `clip_grad_value_`), which changes the gradient's "
        "direction. Clipping by norm keeps the direction and shortens the whole vector: multiply every "
        "entry by $c/(\\lVert g\\rVert + 10^{-6})$ when the norm is too large.",
        files=_files({"sgd-clip-norm": "clip_norm_by_value.py"}),
    ),
    Mistake(
        "clip-always-rescales",
        "Gradient rescaled even when it is short enough",
        "You always scale the gradient to length `max_norm`, which normalises it: short gradients get "
        "*longer*. Clipping only ever shrinks: the factor is $\\min\\bigl(1, c/(\\lVert g\\rVert + "
        "10^{-6})\\bigr)$.",
        files=_files({"sgd-clip-norm": "clip_norm_always_rescaled.py"}),
    ),
    Mistake(
        "clip-norm-per-row",
        "Norm measured row by row instead of over the whole array",
        "Your norm runs along one axis, so each row of a matrix is clipped separately (vectors are "
        "unaffected, which is why those problems match). The norm is taken over every entry of the "
        "array at once: `np.sqrt(np.sum(grads * grads))`.",
        files=_files({"sgd-clip-norm": "clip_norm_per_row.py"}),
    ),
    Mistake(
        "clip-norm-of-step",
        "The step is clipped instead of the gradient",
        "You clip $\\eta g$ to length `max_norm`. `clip_grad_norm_` clips the gradient itself, before "
        "the optimizer sees it; the learning rate is applied afterwards.",
        files=_files({"sgd-clip-norm": "clip_norm_of_step.py"}),
    ),
)

MISTAKES = MappingProxyType({mistake.name: mistake for mistake in CATALOGUE})
if len(MISTAKES) != len(CATALOGUE):
    raise RuntimeError("two catalogued mistakes share a name")
