"""The optimizer core must work in a plain Python process, with no Django configured or loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import numpy as np
import optimlab.optimizers, optimlab.schedules, optimlab.clipping
opt = optimlab.optimizers.get_optimizer("adam")
params, state = opt.update(np.ones(2), np.ones(2), opt.init(np.ones(2)))
optimlab.schedules.build_schedule({"name": "cosine", "lr": 0.1, "T_max": 10}).lr_at(1)
optimlab.clipping.clip_by_global_norm([np.ones(2)], 1.0)
print("django" in sys.modules, "matplotlib" in sys.modules)
"""


def test_core_modules_import_and_run_without_django():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
