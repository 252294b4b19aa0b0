from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"

    def ready(self) -> None:
        # The challenge baselines' runs are shared by every process through the database. Imported
        # here because the store's module imports models, which need the app registry ready.
        from grading.challenge.baselines import use_store
        from grading.services.challenge_baselines import DatabaseBaselineStore

        use_store(DatabaseBaselineStore())
