from syncoxide.ports import Clock, FixedClock, RandomSource, SeededRandom


def take_clock(clock: Clock) -> float:
    return clock.now()


def take_random(source: RandomSource) -> bytes:
    return source.token_bytes(4)


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(start=100.0)
    assert take_clock(clock) == 100.0 and clock.monotonic() == 0.0
    clock.advance(2.5)
    assert clock.now() == 102.5 and clock.monotonic() == 2.5


def test_seeded_random_is_deterministic_and_seed_dependent() -> None:
    first = SeededRandom(b"seed").token_bytes(100)
    assert first == SeededRandom(b"seed").token_bytes(100)
    assert first != SeededRandom(b"other").token_bytes(100)
    assert len(take_random(SeededRandom(b"x"))) == 4


def test_seeded_random_does_not_repeat_across_calls() -> None:
    source = SeededRandom(b"seed")
    assert source.token_bytes(32) != source.token_bytes(32)


def test_system_clock_and_random_work_on_this_runtime() -> None:
    from syncoxide.system import SystemClock, SystemRandom

    clock = SystemClock()
    first = clock.monotonic()
    assert clock.monotonic() >= first and clock.now() > 1_600_000_000
    source = SystemRandom()
    assert len(source.token_bytes(16)) == 16
    assert source.token_bytes(16) != source.token_bytes(16)
