"""Leaks: hidden tests never reach the learner, and no run sees another run's files or processes.

The only thing a learner gets back is the result (status, score, per-test messages, error).
These tests make learner code try every way it has to put a hidden test's text there — hooks
that see each cell's source, stashing it for a later visible test, making the hidden test fail
with a message — and look for the hidden test's marker anywhere in the JSON result.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.security.conftest import (
    HIDDEN_MARKER,
    HIDDEN_SECRET_VALUE,
    RIGHT,
    WRONG,
    assert_no_processes,
    dump,
    grade,
    grade_many,
    leftovers,
    make_source,
    make_submission,
    marker,
    probe_reports,
    probe_source,
)

pytestmark = [pytest.mark.sandbox]


def _no_hidden_text(result) -> None:
    text = dump(result)
    assert HIDDEN_MARKER not in text, text
    assert HIDDEN_SECRET_VALUE not in text, text


PRINT_EVERY_CELL = """
import sys
def show(info):
    print('CELL:', info.raw_cell)
    print('CELL:', info.raw_cell, file=sys.stderr)
    from IPython.display import display
    display({'text/plain': info.raw_cell}, raw=True)
get_ipython().events.register('pre_run_cell', show)
get_ipython().events.register('post_run_cell', lambda result: print(result.info.raw_cell))
"""

RAISE_IN_HOOK = """
def boom(info):
    raise AssertionError('LEAK ' + info.raw_cell)
get_ipython().events.register('pre_run_cell', boom)
"""


def test_hooks_that_print_every_cell(source, run_dir, honest_after):
    """pre_run_cell/post_run_cell hooks that print or display each cell's source, or raise it,
    put the hidden test's text in its outputs — none of it reaches the result."""
    results = grade_many(
        source,
        [
            make_submission(source, {"answer": WRONG + PRINT_EVERY_CELL}),
            make_submission(source, {"answer": RIGHT + PRINT_EVERY_CELL}),
            make_submission(source, {"answer": WRONG + RAISE_IN_HOOK}),
        ],
    )
    for result in results:
        _no_hidden_text(result)
    # Printing is not cheating: the right answer still scores.
    assert results[1].score == 5.0, results[1].to_json()
    honest_after()


STASH = """
import sys
_seen = []
get_ipython().events.register('pre_run_cell', lambda info: _seen.append(info.raw_cell))
def probe(i):
    hidden = [cell for cell in _seen if 'BEGIN HIDDEN' in cell or '_expected' in cell or 'probe(-1)' in cell]
    if hidden:
        return 'LEAK ' + ' | '.join(hidden)[:250]
    return 'SEEN ' + _seen[-1][:200]
"""


def test_stashed_hidden_source_raised_in_a_later_visible_test(run_dir, honest_after):
    """A hook stashes every cell's source; visible tests after the hidden one fail with the
    stash as their message. Those messages are withheld (pass/fail only); a visible test
    before the hidden one proves the hook really saw cell sources."""
    source = probe_source(3)
    # p0 (visible), then the hidden test, then p1, p2 (visible).
    hidden = probe_source(1, hidden_first=True).cells[3]
    source.cells.insert(4, hidden)
    result = grade(source, make_submission(source, {"answer": STASH}))
    _no_hidden_text(result)
    before, *after = probe_reports(result)
    assert before.startswith("SEEN ") and "probe(0)" in before, before
    assert after == ["Failed.", "Failed."], after
    honest_after()


def test_hidden_test_tracebacks(run_dir, honest_after):
    """A hidden test failing with its own marker in the message, or with the learner's
    exception carrying the caller's source (frame introspection), shows only "Failed."."""
    source = make_source()
    introspect = (
        "import sys, linecache\n"
        "def square(x):\n"
        "    frame = sys._getframe(1)\n"
        "    text = ''.join(linecache.getlines(frame.f_code.co_filename)) + repr(frame.f_globals.get('_expected'))\n"
        "    raise ValueError(text)\n"
        "def square_list(n):\n"
        "    return square(n)\n"
    )
    results = grade_many(
        source,
        [
            make_submission(source, {"answer": WRONG}),
            make_submission(source, {"answer": introspect}),
        ],
    )
    for result in results:
        _no_hidden_text(result)
        hidden = next(test for test in result.tests if test.grade_id == "t_hidden")
        assert hidden.message == "Failed." and hidden.hidden
    honest_after()


def test_files_do_not_survive_into_the_next_run(run_dir, honest_after, tmp_path):
    """Run 1 writes files everywhere it can (and the hidden test's source sits in ipykernel's
    temp files); run 2 finds nothing of it, and nothing of it is on the host afterwards."""
    tag = marker()
    source = probe_source(1, hidden_first=True)
    writer = (
        "import os\n"
        "for d in ('/tmp', '/home/student', '/dev/shm', '/tmp/sub', os.getcwd()):\n"
        "    os.makedirs(d, exist_ok=True)\n"
        f"    open(os.path.join(d, {tag!r}), 'w').write('left behind')\n"
        "def probe(i):\n    return 'wrote'\n"
    )
    # The needles are written reversed so that the reader's own cell source (which ipykernel may
    # keep in a temp file) does not match them.
    reader = (
        "import os\n"
        f"needles = [s[::-1].encode() for s in ({tag[::-1]!r}, {HIDDEN_MARKER[::-1]!r})]\n"
        "found = []\n"
        "for top in ('/tmp', '/home/student', '/dev/shm', '/var/tmp'):\n"
        "    for root, dirs, files in os.walk(top):\n"
        # Read-only mounts (the kernel's venv, when the checkout is under /tmp) hold nothing a
        # run could have written, and reading all of them takes longer than the cell may.
        "        dirs[:] = [d for d in dirs\n"
        "                   if not os.statvfs(os.path.join(root, d)).f_flag & os.ST_RDONLY]\n"
        "        for name in files:\n"
        "            path = os.path.join(root, name)\n"
        "            try:\n"
        "                data = open(path, 'rb').read()\n"
        "            except OSError:\n"
        "                continue\n"
        f"            if any(n.decode() in path or n in data for n in needles):\n"
        "                found.append(path)\n"
        "def probe(i):\n    return 'FOUND ' + ' '.join(found)\n"
    )
    first = grade(source, make_submission(source, {"answer": writer}))
    assert probe_reports(first) == ["Failed."]  # after the hidden test: pass/fail only
    visible = probe_source(1)
    second = grade(visible, make_submission(visible, {"answer": reader}))
    assert probe_reports(second) == ["FOUND "], second.to_json()
    for top in (Path("/tmp"), Path("/dev/shm"), tmp_path):
        assert not any(tag in path.name for path in top.iterdir())
    assert not any(tag in path.name for path in tmp_path.rglob("*"))
    assert not leftovers(run_dir)
    honest_after()


def test_concurrent_runs_cannot_see_each_other(run_dir, honest_after):
    """Two submissions graded at the same time (2 jobs): neither sees the other's processes in
    /proc, its files in /tmp, /dev/shm or the work directory, its run directory, or its abstract
    Unix socket; both really overlapped in time, and each could see its own."""
    tags = [marker(), marker()]

    def spy(mine: str, theirs: str) -> str:
        return f"""\
import os, socket, subprocess, sys, time
mine, theirs = {mine!r}, {theirs!r}
run = os.path.dirname(sys.argv[sys.argv.index('-f') + 1])
sleeper = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', mine])
for d in ('/tmp', '/dev/shm', '/home/student'):
    open(os.path.join(d, mine), 'w').write(mine)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind('\\0' + mine)
server.listen(1)
seen, own = set(), set()
started = time.time()
while time.time() - started < 1.5:
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                cmd = open(f'/proc/{{pid}}/cmdline', 'rb').read().decode(errors='replace')
            except OSError:
                continue
            if theirs in cmd:
                seen.add('proc:' + pid)
            if mine in cmd:
                own.add('proc')
    for d in ('/tmp', '/dev/shm', '/home/student'):
        for name in os.listdir(d):
            if theirs in name:
                seen.add('file:' + d)
            if mine in name:
                own.add('file')
    try:
        other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        other.connect('\\0' + theirs)
        seen.add('socket')
    except OSError:
        pass
    time.sleep(0.1)
runs = sorted(os.listdir(os.path.dirname(run)))
ended = time.time()
def probe(i):
    return [f'SEEN {{sorted(seen)}}', f'OWN {{sorted(own)}}', f'RUNS {{len(runs)}}',
            f'WINDOW {{started:.3f}} {{ended:.3f}}'][i]
"""

    source = probe_source(4)
    submissions = [
        make_submission(source, {"answer": spy(tags[0], tags[1])}),
        make_submission(source, {"answer": spy(tags[1], tags[0])}),
    ]
    results = grade_many(source, submissions, jobs=2)
    windows = []
    for result in results:
        seen, own, runs, window = probe_reports(result)
        assert seen == "SEEN []", result.to_json()
        assert own == "OWN ['file', 'proc']", own
        assert runs == "RUNS 1", runs
        start, end = map(float, window.split()[1:])
        windows.append((start, end))
    (a_start, a_end), (b_start, b_end) = windows
    assert a_start < b_end and b_start < a_end, f"the runs did not overlap: {windows}"
    for tag in tags:
        assert_no_processes(tag)
    assert not any(tag in name for tag in tags for name in os.listdir("/tmp"))
    honest_after()
