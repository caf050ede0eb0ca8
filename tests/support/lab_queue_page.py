"""A small page for tests/browser/test_lab_queue.py: a "Run" button whose job holds a slot of the
lab's live pool (lab_jobs.live_slot) for JOB_S seconds through lab_jobs.run_live, with a progress
bar, as "Fine-tune now" does; on a pool of one slot (set here), so that several sessions at once
queue whatever the machine."""

import time

import streamlit as st

from yarn_core.app import lab_jobs, lab_queue

JOB_S = 1.5
STEPS = 5

if lab_jobs.LIVE_POOL.workers != 1:
    lab_jobs.LIVE_POOL = lab_queue.JobPool(1, stall_s=lab_jobs.LIVE_WAIT_S)


def job(on_progress):
    """Holds a live slot for JOB_S seconds, reporting STEPS steps like a training run."""
    progress = lab_jobs.lab().Progress
    with lab_jobs.live_slot():
        for step in range(1, STEPS + 1):
            time.sleep(JOB_S / STEPS)
            on_progress(progress(step=step, steps=STEPS, loss=1.0 / step, lr=1e-3, seconds=step * 0.3))
    return "finished"


if st.button("Run", key="queue_run"):
    result = lab_jobs.run_live(
        job, running="Running...", failed="The run stopped", progress="run", done=lambda r: f"Run {r}."
    )
    st.markdown(f"Result: **{result}**")
