from unittest import mock

import pytest

from grading import worker
from grading.models import GradingWorker
from grading.sandbox.client import SandboxUnavailable


def test_the_worker_refuses_to_take_jobs_when_the_sandbox_self_test_fails(db):
    failing = mock.patch.object(
        worker.tasks,
        "get_sandbox",
        side_effect=SandboxUnavailable("sandbox self-test failed: network: allowed"),
    )
    claims = mock.patch.object(worker, "claim_next")
    with failing, claims as claim_next:
        with pytest.raises(worker.WorkerRefused, match="network: allowed"):
            worker.run_worker(lease=5, handle_signals=False)
    claim_next.assert_not_called()
    refused = GradingWorker.objects.get()
    assert not refused.sandbox_ok and "network: allowed" in refused.sandbox_detail


def test_the_worker_command_exits_non_zero_with_the_reason(db, capsys):
    from django.core.management import CommandError, call_command

    with mock.patch.object(worker.tasks, "get_sandbox", side_effect=SandboxUnavailable("no user namespaces")):
        with pytest.raises(CommandError, match="no user namespaces") as raised:
            call_command("grading_worker", "--lease-seconds", "5")
    assert raised.value.returncode == 3
