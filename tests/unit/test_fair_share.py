"""One user's share of the query slots is counted in the shared state database: it holds across
worker processes, and a process that dies holding turns (kill -9) does not keep them."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import pytest

from service.fair_share import FairShare, TooManyQueries, UserWaitedTooLong


def test_two_workers_hold_one_users_limit_together(tmp_path):
    first, second = FairShare(tmp_path / "state.sqlite", 1), FairShare(tmp_path / "state.sqlite", 1)
    waited = []

    def wait_in_second() -> None:
        with second.turn("ann", 0.3, 5):
            waited.append(time.monotonic())

    with first.turn("ann", 0.1, 5):
        waiting = threading.Thread(target=wait_in_second)
        waiting.start()
        time.sleep(0.1)
        with pytest.raises(TooManyQueries):  # one running in the first, one waiting in the second
            with first.turn("ann", 0.1, 5):
                pass
        with second.turn("bob", 0.1, 5):  # other users are not held up
            pass
        released = time.monotonic()
    waiting.join()
    assert len(waited) == 1 and waited[0] >= released  # the second worker's turn ran once the first's ended
    with pytest.raises(UserWaitedTooLong):
        with first.turn("ann", 0.1, 5), second.turn("ann", 0.1, 5):
            pass


def _hold_turns(path, held) -> None:
    share = FairShare(path, 2)
    with share.turn("ann", 1, 3600), share.turn("ann", 1, 3600):
        held.set()
        time.sleep(60)


def test_turns_of_a_killed_process_are_freed_at_once(tmp_path):
    path = tmp_path / "state.sqlite"
    held = multiprocessing.get_context("fork").Event()
    holder = multiprocessing.get_context("fork").Process(target=_hold_turns, args=(path, held))
    holder.start()
    assert held.wait(10)
    share = FairShare(path, 2)
    with pytest.raises(UserWaitedTooLong):  # both of ann's shares are held by the live process
        with share.turn("ann", 0.1, 5):
            pass
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(10)
    started = time.monotonic()
    with share.turn("ann", 0.1, 5), share.turn("ann", 0.1, 5):
        assert time.monotonic() - started < 0.1


def test_a_turn_past_its_expiry_is_freed_though_its_process_lives(tmp_path):
    """A pid taken by a new process looks alive: the turn's expiry frees it all the same."""
    share = FairShare(tmp_path / "state.sqlite", 1)
    held = share.turn("ann", 0.1, 0.2)
    held.__enter__()  # left behind, as by a process that died
    with pytest.raises(UserWaitedTooLong):
        with FairShare(tmp_path / "state.sqlite", 1).turn("ann", 0.1, 5):
            pass
    time.sleep(0.3)
    with FairShare(tmp_path / "state.sqlite", 1).turn("ann", 0.1, 5):
        pass
