import pytest

from grading import tasks
from grading.exercises import get_exercise
from grading.services.queue import set_lease_seconds


@pytest.fixture(scope="session")
def worker_sandbox():
    """The task module's per-process sandbox, started once for the session (as a worker would)."""
    sandbox = tasks.get_sandbox()
    yield sandbox
    tasks.close_sandbox()


@pytest.fixture
def sgd():
    return get_exercise("sgd")


@pytest.fixture
def adam():
    return get_exercise("adam")


ADAM_WITHOUT_BIAS_CORRECTION = """
import numpy as np

def init_state(params):
    return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}

def step(params, grads, state, *, lr, beta1, beta2, eps):
    m = beta1 * state["m"] + (1 - beta1) * grads
    v = beta2 * state["v"] + (1 - beta2) * grads**2
    return params - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v, "t": state["t"] + 1}
"""


@pytest.fixture(autouse=True)
def _default_lease():
    """Tests that start a worker in-process set the lease; don't let it leak into other tests."""
    yield
    set_lease_seconds(None)
