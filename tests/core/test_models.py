"""Small pieces of the job model that every call uses: the id text and the terminal statuses."""

from __future__ import annotations

import uuid

from hypothesis import example, given
from hypothesis import strategies as st

from mockserver.core.models import JobStatus, uuid4_text


@given(st.integers(min_value=0, max_value=2**128 - 1))
@example(0)
@example(2**128 - 1)
def test_uuid4_text_is_the_text_of_the_version_4_uuid_of_those_bits(bits: int) -> None:
    assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))


def test_only_done_and_failed_are_terminal() -> None:
    assert {status for status in JobStatus if status.terminal} == {JobStatus.DONE, JobStatus.FAILED}
