"""A server that serves gRPC still starts actions: their processes are forked (the limits are
set in the child), and gRPC's fork handlers, on by default in grpcio, could abort the child
in gRPC's poller before it ran the action (34 of 200 children in a measured run)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.conftest import PROJECT_ROOT

# In a fresh interpreter, so the setting is the one syncoxide's gRPC package makes, not the
# test suite's: import it, keep a gRPC server and client busy, start actions' processes.
BUSY_GRPC_THEN_FORK = textwrap.dedent(
    """
    import asyncio, sys
    import syncoxide.server.grpc  # noqa: F401  (its setting, before gRPC starts)
    from grpc import aio
    from syncoxide.native.actions.isolated import run_limited
    from syncoxide.native.actions.limits import ActionLimits

    async def main() -> None:
        server = aio.server()
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        channel = aio.insecure_channel(f"127.0.0.1:{port}")
        busy = True

        async def call_again_and_again() -> None:
            while busy:
                try:
                    await channel.unary_unary("/none.Such/Call")(b"", timeout=0.05)
                except Exception:
                    pass  # unimplemented: only the traffic matters

        callers = [asyncio.create_task(call_again_and_again()) for _ in range(4)]
        limits = ActionLimits(seconds=30)
        codes = []
        for _ in range(int(sys.argv[1])):
            done = await asyncio.to_thread(run_limited, [sys.executable, "-c", "pass"], limits)
            codes.append(done.returncode)
        busy = False
        await asyncio.gather(*callers)
        await server.stop(None)
        print("failed", sum(code != 0 for code in codes), "of", len(codes))

    asyncio.run(main())
    """
)


def test_actions_start_beside_a_busy_grpc_server() -> None:
    env = {k: v for k, v in os.environ.items() if k != "GRPC_ENABLE_FORK_SUPPORT"}
    answer = subprocess.run(
        [sys.executable, "-c", BUSY_GRPC_THEN_FORK, "120"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert "failed 0 of 120" in answer.stdout, answer.stdout + answer.stderr[-2000:]
