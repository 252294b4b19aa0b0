"""Running untrusted optimizer code.

The trusted side (`client.py`, used by the grading worker) starts `zygote.py` as a fresh
interpreter with an empty environment. The zygote imports NumPy and the problem suite once,
then forks a short-lived supervisor per submission, which forks the child into a PID
namespace of its own (both made as soon as the previous run has answered, before the next
submission is known); the child confines itself (`jail.py`: namespaces, an empty read-only
root with a tmpfs scratch, an unprivileged identity or no capabilities, rlimits, a seccomp
allow-list of system calls, x86-64 and aarch64 only) before it reads its plan and runs any student code (`harness.py`). Without root, a user namespace per
run provides the same walls (tested by running the whole stack as an unprivileged user). Everything the child reports is untrusted bytes that the
trusted side parses strictly (`protocol.py`). Nothing here imports Django.
"""
