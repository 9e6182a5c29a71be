"""``Watch``: a threading event an event loop can await; ``set`` from any thread wakes the loop's waiter."""

from __future__ import annotations

import asyncio
import threading

from mockserver.core.waiters import Watch

BOUND = 5.0  # a ceiling on each wait, never a speed check: a waiter not woken would sleep its full 30 s


def test_a_set_from_another_thread_wakes_the_loop_waiter() -> None:
    watch = Watch()

    async def main() -> bool:
        loop = asyncio.get_running_loop()
        loop.call_later(0.01, threading.Thread(target=watch.set).start)
        return await asyncio.wait_for(watch.wait_async(30), BOUND)

    assert asyncio.run(main()) is True


def test_a_set_on_the_loop_wakes_it_too_and_an_earlier_set_answers_at_once() -> None:
    watch = Watch()

    async def main() -> tuple[bool, bool]:
        asyncio.get_running_loop().call_later(0.01, watch.set)
        woken = await asyncio.wait_for(watch.wait_async(30), BOUND)
        again = await asyncio.wait_for(watch.wait_async(30), BOUND)  # still set: no wait
        return woken, again

    assert asyncio.run(main()) == (True, True)


def test_a_wait_times_out_unset_and_each_wait_after_a_clear_waits_again() -> None:
    watch = Watch()

    async def main() -> list[bool]:
        first = await watch.wait_async(0.01)
        watch.set()
        watch.clear()
        second = await watch.wait_async(0.01)
        return [first, second]

    assert asyncio.run(main()) == [False, False]


def test_a_waiter_that_is_cancelled_then_set_raises_nothing() -> None:
    watch = Watch()

    async def main() -> None:
        waiter = asyncio.ensure_future(watch.wait_async(30))
        await asyncio.sleep(0)
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)
        watch.set()  # nobody waits: must not touch the cancelled future
        await asyncio.sleep(0.01)

    asyncio.run(main())
    assert watch.is_set()
