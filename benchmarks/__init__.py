"""Descent's benchmarks: `python benchmarks/run.py [--only quizzes|optimlab|grading]` (or `make bench`)."""
