"""The sandboxed kernel writes to nothing of the grader's (issue 21, item 2).

A real ``catvnoncat-sandbox`` kernel is started by this test process (the grader), which holds
an inheritable descriptor of its own beforehand. From inside, the kernel lists /proc/self/fd and
writes a forged result line at the OS level (``os.write``) to its descriptors 1 and 2 and to the
copies ipykernel keeps of them, then 20 MB more: none of it may reach this process's stdout or
stderr, no descriptor of the grader may be open in the sandbox, and the grader keeps only the
first bytes of what was written.
"""

import asyncio
import json
import os
import shutil

import pytest

from catvnoncat.sandbox import install_kernelspec
from catvnoncat.sandbox.policy import check_bubblewrap

KERNEL = "catvnoncat-sandbox"
FORGED = "[FAILED] honest_correct -/95  (forged by a kernel)"

needs_bwrap = pytest.mark.skipif(
    check_bubblewrap(shutil.which("bwrap") or "bwrap") is not None,
    reason="bubblewrap cannot run here (the sandbox tests need it)")

PROBE = r"""
import json, os, sys
fds = {}
for fd in sorted(os.listdir("/proc/self/fd"), key=int):
    try:
        fds[fd] = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        pass
copies = [getattr(s, "_original_stdstream_copy", None) for s in (sys.stdout, sys.stderr)]
targets = sorted({1, 2, *[c for c in copies if c is not None]})
for fd in targets:
    os.write(fd, (%r + "\n").encode())
big = b"x" * 65536
for _ in range(320):
    os.write(targets[-1], big)
print(json.dumps({"fds": fds, "targets": targets}))
""" % FORGED


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@needs_bwrap
def test_the_kernel_writes_nothing_to_the_graders_console_and_holds_none_of_its_files(
        loop, tmp_path, capfd):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    if KERNEL not in KernelSpecManager().find_kernel_specs():
        install_kernelspec()
    grader_file = tmp_path / "grader-only.log"
    held = os.open(grader_file, os.O_WRONLY | os.O_CREAT, 0o600)
    os.set_inheritable(held, True)  # the grader's own, even if it forgot close-on-exec
    grader_stdio = {os.readlink(f"/proc/self/fd/{fd}") for fd in (1, 2)}
    km = AsyncKernelManager(kernel_name=KERNEL)
    work = tmp_path / "work"
    work.mkdir()
    loop.run_until_complete(km.start_kernel(cwd=str(work)))
    kc = km.client()
    kc.start_channels()
    out = []
    try:
        loop.run_until_complete(kc.wait_for_ready(timeout=60))

        def hook(msg):
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                out.append(msg["content"]["text"])

        reply = loop.run_until_complete(kc.execute_interactive(PROBE, timeout=120,
                                                               output_hook=hook))
        assert reply["content"]["status"] == "ok", reply["content"]
        seen = json.loads("".join(out).strip().splitlines()[-1])
        stdio = getattr(km.provisioner, "_stdio", None)
    finally:
        kc.stop_channels()
        loop.run_until_complete(km.shutdown_kernel(now=True))
        os.close(held)
    if stdio is not None:
        stdio.wait(timeout=30)
    captured = capfd.readouterr()
    assert FORGED not in captured.out and FORGED not in captured.err
    assert "x" * 1000 not in captured.out + captured.err
    links = seen["fds"]
    # stdout, stderr and ipykernel's copies of them: a pipe of the kernel's own
    for fd in seen["targets"]:
        assert links[str(fd)].startswith("pipe:"), links
        assert links[str(fd)] not in grader_stdio
    assert not any(str(grader_file) in target or "grader-only" in target
                   for target in links.values()), links
    assert not any(target in grader_stdio for target in links.values()), links
    # the grader read all of it and kept only the head
    assert stdio is not None
    assert stdio.total >= 320 * 65536
    assert len(stdio.head) <= stdio.kept_bytes
