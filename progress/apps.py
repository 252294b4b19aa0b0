from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"

    def ready(self) -> None:
        from progress import receivers  # needs the app registry, so it is imported once it is ready

        receivers.connect()
