from django.apps import AppConfig
from pylti1p3.contrib.django.lti1p3_tool_config.apps import PyLTI1p3ToolConfig


class LtiConfig(AppConfig):
    default = True  # this module also defines (and imports) the registrations' config below
    name = "lti"
    verbose_name = "LTI 1.3 (LMS integration)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from courses import events as course_events  # Django's registry idiom: apps are loaded now
        from grading import events as grading_events
        from lti import receivers
        from quizzes import events as quiz_events

        quiz_events.attempt_finished.connect(
            receivers.on_attempt_finished, dispatch_uid="lti-attempt-finished"
        )
        grading_events.submission_graded.connect(receivers.on_submission_graded, dispatch_uid="lti-graded")
        course_events.grades_changed.connect(receivers.on_grades_changed, dispatch_uid="lti-grades-changed")


class PlatformRegistrationsConfig(PyLTI1p3ToolConfig):
    """pylti1p3's registration models, keeping the integer ids its own migration creates (the site's
    default is BigAutoField, which would otherwise ask for a migration inside the library)."""

    default = False
    default_auto_field = "django.db.models.AutoField"
