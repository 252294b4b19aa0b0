"""optimlab: reference optimizers, problems and runs behind the playground and the exercises.

The numerical core (optimizers, schedules, clipping) is plain NumPy and must stay importable
without Django or matplotlib; keep this file free of imports.
"""
