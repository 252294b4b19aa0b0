"""Course rules (courses.py), permission-checked fetches (access.py) and the instructor reports:
gradebook.py (+ gradebook_csv.py), item_stats.py (over the running sums kept by item_aggregates.py,
choice texts from option_texts.py) and code_analytics.py."""
