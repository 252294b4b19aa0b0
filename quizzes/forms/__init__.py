"""Django forms of the quizzes app that are split by concern; `kinds/` holds one form per item kind."""
