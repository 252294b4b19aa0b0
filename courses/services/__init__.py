"""Course rules (courses.py), permission-checked fetches (access.py) and the instructor reports:
gradebook.py (+ gradebook_csv.py), item_stats.py and code_analytics.py."""
