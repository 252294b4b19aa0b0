from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from pylti1p3.contrib.django.lti1p3_tool_config.apps import PyLTI1p3ToolConfig

from courses import events as course_events
from grading import events as grading_events
from quizzes import events as quiz_events


class LtiConfig(AppConfig):
    default = True  # this module also defines (and imports) the registrations' config below
    name = "lti"
    verbose_name = "LTI 1.3 (LMS integration)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # These import models, which exist only once the app registry is ready (Django's idiom).
        from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

        from lti import frame, passback, receivers

        # A registration saved or deleted changes which origins may frame Descent.
        post_save.connect(frame.forget_origins, sender=LtiTool, dispatch_uid="lti-frame-saved")
        post_delete.connect(frame.forget_origins, sender=LtiTool, dispatch_uid="lti-frame-deleted")

        quiz_events.attempt_finished.connect(
            receivers.on_attempt_finished, dispatch_uid="lti-attempt-finished"
        )
        quiz_events.attempt_graded.connect(receivers.on_attempt_finished, dispatch_uid="lti-attempt-graded")
        grading_events.submission_graded.connect(receivers.on_submission_graded, dispatch_uid="lti-graded")
        course_events.grades_changed.connect(receivers.on_grades_changed, dispatch_uid="lti-grades-changed")
        # Scores go to the LMS from the grading workers' processes, never from a web request.
        grading_events.worker_tick.connect(passback.on_worker_tick, dispatch_uid="lti-passback")


class PlatformRegistrationsConfig(PyLTI1p3ToolConfig):
    """pylti1p3's registration models, keeping the integer ids its own migration creates (the site's
    default is BigAutoField, which would otherwise ask for a migration inside the library)."""

    default = False
    default_auto_field = "django.db.models.AutoField"
