"""The optimizer challenge: a student's own optimizer, scored only on how fast it converges.

Django-free. `problems` holds the suite (each problem with a start, a target loss and a step
budget), `baselines` the tuned SGD, momentum, Adam and AdamW runs, `scoring` the steps-to-target
score, and `grader` runs a submission through the grading sandbox. See docs/challenge.md.
"""

# The Submission.exercise_slug of a challenge entry: the colon keeps it out of every exercise's slug
# space (folder and instructor slugs are slugs), so no exercise can be graded as the challenge.
CHALLENGE_SLUG = "challenge:convergence"
CHALLENGE_TITLE = "Optimizer challenge"
