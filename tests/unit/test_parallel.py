"""Work spread over processes: results in input order; a single task runs in place."""

import os

from search.index.parallel import ordered_map


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * value


def test_results_come_back_in_input_order_from_the_workers():
    found = list(ordered_map(_pid_and, range(40), 2))
    assert [v for _, v in found] == [i * i for i in range(40)]
    assert {pid for pid, _ in found} != {os.getpid()}  # a pool did the work


def test_one_task_or_one_process_needs_no_pool():
    assert list(ordered_map(_pid_and, [3], 2)) == [(os.getpid(), 9)]
    assert list(ordered_map(_pid_and, [1, 2, 3], 1)) == [(os.getpid(), v) for v in (1, 4, 9)]
    assert list(ordered_map(_pid_and, [], 2)) == []


def test_a_task_known_to_be_the_last_runs_in_place_and_others_start_a_pool():
    def is_last(batch):
        return len(batch) < 2

    found = list(ordered_map(_sum_and_pid, iter([[1, 2], [3, 4], [5]]), 2, is_last=is_last))
    assert [v for _, v in found] == [3, 7, 5]
    assert os.getpid() not in {pid for pid, _ in found}  # a full first batch: a pool
    # One full batch and nothing after it: the pool starts (it cannot know), and works.
    assert [v for _, v in ordered_map(_sum_and_pid, iter([[1, 2]]), 2, is_last=is_last)] == [3]
    assert list(ordered_map(_sum_and_pid, iter([[9]]), 2, is_last=is_last)) == [
        (os.getpid(), 9)
    ]


def _sum_and_pid(batch: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(batch)
