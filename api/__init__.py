"""The JSON API (`/api/v1/`): thin endpoints over the apps' services, and per-user API tokens."""
