"""Training children of a multi-process run never outlive the worker that launched them."""
import os
import signal
import subprocess
import time

from training.runs.executors.processes import _die_with_parent


def test_children_get_sigterm_when_the_worker_is_killed(tmp_path):
    pid_file = tmp_path / "child.pid"
    worker = os.fork()
    if worker == 0:  # the "worker": launches a child the way the executor does, then waits to be killed
        try:
            child = subprocess.Popen(["sleep", "120"], preexec_fn=_die_with_parent, start_new_session=True)
            pid_file.write_text(str(child.pid))
            time.sleep(120)
        finally:
            os._exit(0)
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(pid_file.read_text())
    os.kill(worker, signal.SIGKILL)  # kill -9: no cleanup code runs in the worker
    os.waitpid(worker, 0)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{child}"):
        assert time.monotonic() < deadline, "the child outlived its killed parent"
        time.sleep(0.05)
