"""The lab's pool of live jobs (yarn_core/app/lab_queue.py): sized to the machine, first come first
served, at most ``workers`` at once, waiters told their place and an estimate, a stalled queue
refused, and ten readers on a two-core machine all served."""

import threading
import time

import pytest

from yarn_core.app import lab_queue
from yarn_core.app.lab_queue import JobPool, QueueStalled


@pytest.mark.parametrize("cores,workers", [(1, 1), (2, 1), (4, 3), (16, 15)])
def test_the_pool_leaves_one_core_to_the_pages(cores, workers):
    assert lab_queue.machine_workers(cores) == workers


def test_a_pool_needs_a_worker():
    with pytest.raises(ValueError):
        JobPool(0, stall_s=1)


def run_readers(pool: JobPool, readers: int, job_s: float):
    """``readers`` threads, started in order a few ms apart, each holding a slot for ``job_s``;
    returns (start order, most jobs running at once, every report per reader, errors)."""
    started, reports, errors = [], {r: [] for r in range(readers)}, []
    lock = threading.Lock()
    most = [0]

    def reader(r: int):
        try:
            with pool.slot(lambda place, estimate: reports[r].append((place, estimate))):
                with lock:
                    started.append(r)
                    most[0] = max(most[0], pool.running)
                time.sleep(job_s)
        except Exception as err:  # collected: the test asserts there are none
            errors.append(err)

    threads = [threading.Thread(target=reader, args=(r,)) for r in range(readers)]
    for thread in threads:
        thread.start()
        time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=60)
    return started, most[0], reports, errors


def test_ten_readers_on_two_cores_all_finish_in_arrival_order_one_at_a_time():
    pool = JobPool(lab_queue.machine_workers(2), stall_s=30)
    started, most, reports, errors = run_readers(pool, readers=10, job_s=0.05)
    assert errors == []
    assert started == list(range(10))  # first come, first served
    assert most == 1
    assert all(reports[r] for r in range(1, 10))  # every waiter was told where it stands
    assert pool.running == 0 and pool.waiting == 0


def test_on_sixteen_cores_they_run_side_by_side():
    pool = JobPool(lab_queue.machine_workers(16), stall_s=30)
    started, most, _, errors = run_readers(pool, readers=10, job_s=0.3)
    assert errors == [] and sorted(started) == list(range(10))
    assert most == 10


def test_each_waiter_hears_its_place_going_down_to_one():
    pool = JobPool(1, stall_s=30)
    _, _, reports, errors = run_readers(pool, readers=4, job_s=0.6)
    assert errors == []
    assert reports[0] == []  # the first reader never waits
    for r in (1, 2, 3):
        places = [place for place, _ in reports[r]]
        assert places[0] == r and places[-1] == 1, places
        assert places == sorted(places, reverse=True)


def test_the_estimate_counts_the_rounds_ahead_at_the_typical_duration():
    pool = JobPool(2, stall_s=30)
    assert pool.estimate_s(1) is None  # nothing timed yet
    for _ in range(2):
        with pool.slot():
            time.sleep(0.1)
    typical = pool.typical_job_s()
    assert typical == pytest.approx(0.1, abs=0.05)
    assert pool.estimate_s(1) == 0  # two free slots: no wait
    release = threading.Event()

    def hold():
        with pool.slot():
            release.wait(10)

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for thread in holders:
        thread.start()
    while pool.running < 2:
        time.sleep(0.01)
    # both slots taken: next in line waits for one job, the third for two rounds (2 slots)
    assert pool.estimate_s(1) == pytest.approx(typical)
    assert pool.estimate_s(2) == pytest.approx(typical)
    assert pool.estimate_s(3) == pytest.approx(2 * typical)
    release.set()
    for thread in holders:
        thread.join(10)


def test_a_queue_that_does_not_move_is_refused_and_the_waiter_leaves_it():
    pool = JobPool(1, stall_s=0.3)
    with pool.slot():
        with pytest.raises(QueueStalled), pool.slot():
            pass
        assert pool.waiting == 0
    with pool.slot():  # the slot was released, the refused waiter is gone
        assert pool.running == 1


def test_a_failing_job_frees_its_slot():
    pool = JobPool(1, stall_s=1)
    with pytest.raises(RuntimeError), pool.slot():
        raise RuntimeError("diverged")
    assert pool.running == 0
    with pool.slot():
        pass


def test_the_lab_page_text_names_the_place_and_the_wait():
    from yarn_core.app import lab_jobs

    text = lab_jobs.queue_text(3, 41.2)
    assert "number 3 in the queue" in text and "about 42 s" in text
    assert "as soon as" in lab_jobs.queue_text(1, None)
