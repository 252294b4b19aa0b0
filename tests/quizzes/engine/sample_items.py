"""One well-formed item of every kind, as fresh dicts (tests may mutate their copy)."""

from __future__ import annotations


def single() -> dict:
    return {
        "key": "momentum-purpose",
        "kind": "single",
        "title": "What momentum is for",
        "topics": ["momentum"],
        "difficulty": 1,
        "stem": "Why add momentum to gradient descent?",
        "explanation": "The velocity averages recent gradients, so zig-zags cancel.",
        "hints": ["Think about oscillations across a narrow valley."],
        "choices": [
            {
                "text": "It damps oscillation by accumulating past directions",
                "correct": True,
                "feedback": "Yes.",
            },
            {"text": "It sets the learning rate to zero", "feedback": "Then nothing would move."},
            {"text": "It normalises each coordinate by its gradient size"},
        ],
    }


def multiple() -> dict:
    return {
        "key": "adaptive-methods",
        "kind": "multiple",
        "stem": "Which optimizers scale each coordinate by a running gradient size?",
        "explanation": "AdaGrad, RMSProp and Adam divide by a root of accumulated squares.",
        "choices": [
            {"text": "AdaGrad", "correct": True},
            {"text": "RMSProp", "correct": True},
            {"text": "Adam", "correct": True},
            {"text": "Plain SGD"},
            {"text": "Heavy-ball momentum"},
        ],
    }


def truefalse() -> dict:
    return {
        "key": "adam-bias",
        "kind": "truefalse",
        "stem": "Without bias correction, Adam's first steps are too small.",
        "explanation": "Both moments start at zero and are biased towards it early on.",
        "answer": True,
        "feedback_true": "Right: m starts at 0.",
        "feedback_false": "The moments start at zero, so early estimates are too small.",
    }


def ordering() -> dict:
    return {
        "key": "tuning-order",
        "kind": "ordering",
        "stem": "Put the tuning steps in order.",
        "explanation": "Check the pipeline first, then the learning rate, then the rest.",
        "steps": [
            "Check the logs and the data pipeline",
            "Tune the learning rate",
            "Tune momentum",
            "Add a schedule",
        ],
    }


def numeric() -> dict:
    return {
        "key": "sgd-step",
        "kind": "numeric",
        "stem": "With a learning rate of 0.01 and a gradient of 2, how long is the SGD step?",
        "explanation": "0.01 times 2 is 0.02.",
        "answer": 0.02,
        "tolerance": {"mode": "sigfigs", "value": 2},
        "misconceptions": [{"answer": 200, "feedback": "You divided by the learning rate."}],
    }


def calculation() -> dict:
    return {
        "key": "sgd-update-size",
        "kind": "calculation",
        "stem": "With $\\eta = {{eta}}$ and $g = {{g}}$, how large is the step $\\eta g$?",
        "explanation": "The step is ${{eta}} \\times {{g}} = {{answer}}$.",
        "hints": ["Multiply {{eta}} by {{g}}."],
        "params": {"eta": {"choices": [0.1, 0.01, 0.001]}, "g": {"min": 5, "max": 50, "step": 1}},
        "answer": {"expr": "eta * g"},
        "tolerance": {"mode": "relative", "value": 1e-6},
        "constraints": ["eta * g < 1"],
        "misconceptions": [{"answer": {"expr": "g / eta"}, "feedback": "That divides by {{eta}}."}],
    }


def optimizer_calculation() -> dict:
    return {
        "key": "momentum-third-position",
        "kind": "calculation",
        "stem": "Run momentum (lr {{lr}}, beta {{beta}}) for 3 steps on $J = \\theta^2$ from 10.",
        "explanation": "After three steps $\\theta = {{answer:.4g}}$ (it was {{theta_prev:.4g}}).",
        "params": {"lr": {"choices": [0.1, 0.05]}, "beta": {"min": 0.5, "max": 0.9, "step": 0.1}},
        "answer": {"calc": "optimizer_step", "args": {"optimizer": "momentum", "steps": 3, "start": 10}},
        "tolerance": {"mode": "absolute", "value": 0.001},
        "misconceptions": [
            {
                "answer": {"calc": "optimizer_step", "args": {"optimizer": "sgd", "steps": 3, "start": 10}},
                "feedback": "That is plain gradient descent: the velocity was dropped.",
            }
        ],
    }


def symbolic() -> dict:
    return {
        "key": "momentum-unrolled",
        "kind": "symbolic",
        "stem": "Write the third momentum step $m_3$ with the learning rate inside the velocity.",
        "explanation": "Each older gradient carries one more factor of $\\beta$.",
        "symbols": ["beta", "eta", "g0", "g1", "g2"],
        "answer": "beta**2*eta*g0 + beta*eta*g1 + eta*g2",
        "misconceptions": [
            {
                "answer": "eta*(g0 + g1 + g2)",
                "feedback": "Each older gradient is discounted by one more beta.",
            }
        ],
    }


def table() -> dict:
    return {
        "key": "momentum-table",
        "kind": "table",
        "stem": "Fill in two steps from $\\theta_0 = {{theta0}}$ with lr {{lr}} and beta {{beta}}.",
        "explanation": "$m_1 = {{m1}}$, so $\\theta_1 = {{theta1}}$.",
        "table": {
            "calc": "momentum_table",
            "args": {
                "optimizer": "momentum-lr-inside",
                "problem": "parabola",
                "theta0": 10,
                "lr": 0.1,
                "beta": 0.9,
            },
            "rows": 2,
            "columns": ["m", "theta"],
        },
        "tolerance": {"mode": "absolute", "value": 0.005},
    }


ALL = [single, multiple, truefalse, ordering, numeric, calculation, optimizer_calculation, symbolic, table]
