from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self) -> None:
        from courses import receivers  # needs the app registry, so it is imported once it is ready

        receivers.connect()
