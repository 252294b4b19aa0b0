# category: output-flood
# expect: not-passed
# expect-outcome: completed
# Output that is not UTF-8, with terminal escapes and NULs, to break whatever decodes or shows it.
import os
import sys

os.write(1, b"\xff\xfe\xc3\x28\xa0\xa1\x00\x1b[2J\x1b]0;pwned\x07\xed\xa0\x80\n")
sys.stdout.buffer.write(b"\x80\x81\x82 <script>alert(1)</script>\n")
sys.stdout.flush()
os.write(2, bytes(range(256)))


def init_state(params):
    return {}


def step(params, grads, state, *, lr):
    return params, state
