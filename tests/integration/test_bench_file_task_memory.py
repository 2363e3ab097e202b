"""`make bench`'s judged memory figure works end to end: the file task alone, moto in another process."""

from __future__ import annotations


def test_the_file_task_is_measured_alone_and_did_its_work() -> None:
    from tests.bench.file_task_memory import measure_in_fresh_interpreter

    measured = measure_in_fresh_interpreter(60)
    # Every claim in the file and moved (the child refuses to report otherwise), and a peak that was traced
    assert (measured.rows, measured.moved) == (60, 60)
    assert measured.file_bytes > 60 * 50
    assert 1024 * 1024 < measured.peak_bytes < 200 * 1024 * 1024
    assert measured.retained_bytes <= measured.peak_bytes
