from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"

    def ready(self) -> None:
        # The challenge baselines' runs are shared by every process through the database.
        from grading.challenge.baselines import use_store
        from grading.services.challenge_baselines import DatabaseBaselineStore

        use_store(DatabaseBaselineStore())
