from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self) -> None:
        from courses.services.item_aggregates import rebuild_after_regrade
        from quizzes.services.versions import attempts_regraded

        attempts_regraded.connect(rebuild_after_regrade, dispatch_uid="courses.rebuild_after_regrade")
