"""Small pieces of the job model that every call uses: the id text and the terminal statuses."""

from __future__ import annotations

import os
import uuid

from hypothesis import example, given
from hypothesis import strategies as st

from mockserver.core.models import JobStatus, RandomBits, uuid4_text


@given(st.integers(min_value=0, max_value=2**128 - 1))
@example(0)
@example(2**128 - 1)
def test_uuid4_text_is_the_text_of_the_version_4_uuid_of_those_bits(bits: int) -> None:
    assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))


def test_only_done_and_failed_are_terminal() -> None:
    assert {status for status in JobStatus if status.terminal} == {JobStatus.DONE, JobStatus.FAILED}


def test_random_bits_are_128_bit_and_distinct_and_refill_after_the_buffer() -> None:
    bits = RandomBits()
    drawn = [bits.draw() for _ in range(RandomBits.SIZE // 16 * 2 + 3)]  # past two refills
    assert len(set(drawn)) == len(drawn)
    assert all(0 <= value < 2**128 for value in drawn)
    assert max(drawn).bit_length() > 120


def test_a_forked_child_does_not_repeat_its_parents_next_bits() -> None:
    bits = RandomBits()
    bits.draw()  # the buffer is full: a child that kept it would draw what the parent draws next
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one draw, sent to the parent, then out without running pytest's teardown
        try:
            os.write(write, bits.draw().to_bytes(16, "big"))
        finally:
            os._exit(0)
    os.close(write)
    try:
        child = int.from_bytes(os.read(read, 16), "big")
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    assert child != bits.draw()
