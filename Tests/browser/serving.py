"""`tsunagari serve` in a background process, for the serve tests and bench/serve-reload.py."""
import json
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path


def stop_process(process: subprocess.Popen):
    """Terminates a child process, killing it if it has not ended after 5 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Served:
    """`tsunagari serve --source SOURCE --port 0`: the address it prints, and helpers to
    fetch pages and wait for rebuilds. Call stop() (the tests' fixture always does)."""

    def __init__(self, binary: Path, source: Path, log: Path):
        self.source = source
        self.log = open(log, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [str(binary), "serve", "--source", str(source), "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self._first_line(timeout=60)
        match = re.match(r"serving (http://([0-9.]+):(\d+)/)", line or "")
        if not match:
            self.stop()
            raise RuntimeError(f"serve printed no address: {line!r}; log: {log.read_text()}")
        self.base, self.host, self.port = match.group(1), match.group(2), int(match.group(3))

    def _first_line(self, timeout: float):
        result = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return result[0] if result else None

    def get(self, path: str, timeout: float = 10):
        """(status, body) of a page; error statuses are returned, not raised."""
        try:
            with urllib.request.urlopen(self.base + path.lstrip("/"), timeout=timeout) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    @staticmethod
    def version_of(page: str) -> int:
        """The build version a served page was made from (its reload script names it)."""
        return int(re.search(r"/__tsunagari/reload\.js\?v=(\d+)", page).group(1))

    def wait_for_new_version(self, since: int, limit: float = 10) -> tuple[int, float]:
        """Long-polls /__tsunagari/wait until the version differs from `since`; returns the new
        version and the seconds it took. Fails after `limit` seconds."""
        start = time.monotonic()
        while True:
            left = limit - (time.monotonic() - start)
            if left <= 0:
                raise AssertionError(f"no new version after {limit} s (still {since})")
            try:
                status, body = self.get(f"/__tsunagari/wait?v={since}", timeout=left)
            except OSError:  # the long poll outlived the limit
                continue
            version = json.loads(body)["version"]
            if version != since:
                return version, time.monotonic() - start

    def stop(self):
        stop_process(self.process)
        self.process.stdout.close()
        self.log.close()
