"""Running untrusted optimizer code.

The trusted side (`client.py`, used by the grading worker) starts `zygote.py` as a fresh
interpreter with an empty environment. The zygote imports NumPy and the problem suite once,
then forks one child per submission; the child confines itself (`jail.py`: namespaces,
an empty tmpfs root, an unprivileged identity, rlimits, a seccomp filter) before it runs
any student code (`harness.py`). Everything the child reports is untrusted bytes that the
trusted side parses strictly (`protocol.py`). Nothing here imports Django.
"""
