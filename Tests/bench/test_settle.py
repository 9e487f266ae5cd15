"""bench/run.py waits for a quiet disk before timing: the counters it reads and its wait."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
import run  # noqa: E402


def stat_line(sectors_written, discards):
    # The 17 fields of /sys/block/DEV/stat: field 7 sectors written, field 12 discards.
    fields = [5, 0, 40, 1, 9, 0, sectors_written, 2, 0, 3, 4, discards, 0, 8 * discards, 1, 0, 0]
    return " ".join(str(f) for f in fields) + "\n"


class FakeDisk:
    """Counters that move by the given steps, one step a window; a clock the waits advance."""

    def __init__(self, steps):
        self.steps = list(steps)
        self.written = 1000
        self.discards = 500
        self.now = 0.0

    def read(self):
        return stat_line(self.written, self.discards)

    def sleep(self, seconds):
        self.now += seconds
        if self.steps:
            written, discards = self.steps.pop(0)
            self.written += written
            self.discards += discards

    def clock(self):
        return self.now


def test_counters_are_read_from_their_fields():
    assert run.disk_activity(stat_line(123456, 78)) == (78, 123456)
    # A kernel without discard fields (11 of them): no discards.
    assert run.disk_activity("1 2 3 4 5 6 777 8 9 10 11") == (0, 777)


def test_waits_while_the_disk_discards_and_stops_when_it_is_quiet():
    disk = FakeDisk([(0, 9000), (64, 11000), (0, 300), (16, 0)])
    waited = run.wait_for_quiet_disk(disk.read, window=3, max_wait=600, clock=disk.clock, sleep=disk.sleep)
    assert waited == 12  # three windows with discards, then one quiet window


def test_heavy_writing_is_not_quiet_but_a_journal_commit_is():
    disk = FakeDisk([(500000, 0), (100, 0)])
    assert run.wait_for_quiet_disk(disk.read, window=3, clock=disk.clock, sleep=disk.sleep) == 6


def test_gives_up_after_the_longest_wait():
    disk = FakeDisk([(0, 1)] * 1000)
    waited = run.wait_for_quiet_disk(disk.read, window=3, max_wait=30, clock=disk.clock, sleep=disk.sleep)
    assert 30 <= waited < 33


def test_a_recent_deletion_is_waited_out_and_an_old_one_is_not():
    # Deleted at t = 1000: inodes freed then are reusable without a search from t = 1420.
    assert run.seconds_until_inodes_settle("1000\n", now=1000) == 420
    assert run.seconds_until_inodes_settle("1000\n", now=1300) == 120
    assert run.seconds_until_inodes_settle("1000\n", now=1420) == 0
    assert run.seconds_until_inodes_settle("1000\n", now=90000) == 0
    # No stamp, or one that cannot be read: nothing is known to wait for.
    assert run.seconds_until_inodes_settle(None, now=1000) == 0
    assert run.seconds_until_inodes_settle("yesterday", now=1000) == 0
    # A stamp from the future (a clock set back) waits at most the window.
    assert run.seconds_until_inodes_settle("5000\n", now=1000) == 420


def test_the_stamp_left_by_a_deletion_makes_the_next_run_wait(tmp_path):
    tree = tmp_path / "leftovers-1"
    (tree / "trash").mkdir(parents=True)
    (tree / "trash" / "index.html").write_text("x")
    run.delete_and_stamp(str(tree), str(tmp_path))
    assert not tree.exists()
    stamp = float((tmp_path / run.DELETION_STAMP).read_text())
    slept = []
    waited = run.wait_after_deletion(str(tmp_path), clock=lambda: stamp + 20, sleep=slept.append)
    assert waited == 400 and slept == [400]
    slept.clear()
    assert run.wait_after_deletion(str(tmp_path), clock=lambda: stamp + 600, sleep=slept.append) == 0
    assert slept == []
    # A folder no run has deleted in: no wait.
    assert run.wait_after_deletion(str(tmp_path / "elsewhere"), clock=lambda: 0, sleep=slept.append) == 0
