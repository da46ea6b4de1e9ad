"""LINE work queues: one chat's jobs run one at a time in order, other chats alongside."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from adapters.line import ChatQueues


def test_a_chats_jobs_run_in_the_order_they_were_queued_even_when_the_first_is_slow() -> None:
    done: list[str] = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        queues = ChatQueues(pool)
        queues.submit("U1", lambda: (time.sleep(0.2), done.append("unfollow")))
        queues.submit("U1", lambda: done.append("follow"))
        queues.submit("U1", lambda: done.append("hello"))
    assert done == ["unfollow", "follow", "hello"]


def test_other_chats_do_not_wait_for_a_busy_chat() -> None:
    release = threading.Event()
    other_ran = threading.Event()
    with ThreadPoolExecutor(max_workers=2) as pool:
        queues = ChatQueues(pool)
        queues.submit("U1", lambda: release.wait(5))
        queues.submit("U2", other_ran.set)
        assert other_ran.wait(5)
        release.set()


def test_a_failing_job_does_not_stop_the_chats_later_jobs() -> None:
    done: list[str] = []

    def boom() -> None:
        raise RuntimeError("boom")

    with ThreadPoolExecutor(max_workers=2) as pool:
        queues = ChatQueues(pool)
        queues.submit("U1", boom)
        queues.submit("U1", lambda: done.append("next"))
    assert done == ["next"]
