"""Exercises that instructors write: the plain-Python half (no Django).

- `content`: an exercise's content as stored (a dict) <-> `grading.exercises.Exercise` <-> the four
  files of the folder layout (`info.yaml`, `statement.md`, `starter.py`, `reference.py`), every
  conversion checked by the folders' own loader;
- `zipio`: reading an uploaded zip in that layout with hard limits (and writing one);
- `validation`: what must hold before an exercise is published, run in the sandbox.

The Django half (the model, permissions, the services the pages call) is
`grading.models.AuthoredExercise` and `grading.services.authoring`.
"""
