"""No models: this module exists so that Django sends ops the post_migrate signal (see apps.py)."""
