"""`make run`: the web server and one Celery worker together, stopped together on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def main() -> int:
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1"}
    commands = {
        "web": [PYTHON, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
        "worker": [
            PYTHON, "-m", "celery", "-A", "config", "worker",
            "--loglevel", "INFO", "--concurrency", "1", "--hostname", "worker@%h",
            "--queues", "grading,default", "--beat",
        ],
    }  # fmt: skip
    processes = {name: subprocess.Popen(argv, cwd=ROOT, env=env) for name, argv in commands.items()}
    print(f"\nQiming is running at http://{host}:{port}/  (Ctrl-C stops the site and the worker)")
    demo = ROOT / "var" / "demo_logins.txt"
    if demo.exists():
        print(demo.read_text())

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(process.poll() is None for process in processes.values()):
        time.sleep(0.5)
    for name, process in processes.items():
        if process.poll() is None:
            process.terminate()
        elif not stopping:
            print(f"{name} exited with status {process.returncode}; stopping the rest.")
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
