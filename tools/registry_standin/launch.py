"""Start a stand-in (registry or OpenID provider) as a separate process on a free 127.0.0.1 port.

Used by the tests; also handy from a shell: `python -m tools.registry_standin --port 0` prints the same line."""
from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class StandinProcess:
    def __init__(self, module: str, *args: str, ready_timeout: float = 20.0):
        self.module, self.args, self.ready_timeout = module, list(args), ready_timeout
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> str:
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, "--host", "127.0.0.1", "--port", "0", *self.args],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.ready_timeout)
        if not line or not line[0].startswith("LISTENING "):
            self.stop()
            raise RuntimeError(f"{self.module} did not start: {line!r}")
        self.url = line[0].split(" ", 1)[1].strip()
        return self.url

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            for stream in (self.process.stdout, self.process.stderr):
                if stream:
                    stream.close()


@contextlib.contextmanager
def standin(module: str, *args: str):
    proc = StandinProcess(module, *args)
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()
