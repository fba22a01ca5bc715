"""Running a study's runs on a dask.distributed cluster.

Start a scheduler and workers wherever the runs should go (``dask scheduler``, then
``dask worker tcp://HOST:8786`` on each machine, every one with feedsim installed and the
scenario's data files at the same paths), and pass the scheduler's address to
``feedsim run --scheduler`` or ``feedsim sweep --scheduler``. Every run is one task; the
tables come back to the client, which merges them in save order, so they are the same byte
for byte as a sequential run's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence

from distributed import Client, as_completed, get_worker
from distributed.comm.addressing import get_address_host_port

from sim.errors import InputError
from sim.runs import Executor, RunOutput, RunSpec, execute

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for the scheduler before giving up."""


def execute_on_worker(spec: RunSpec, index: int) -> RunOutput:
    """One run as a Dask task: :func:`sim.runs.execute`, named by the worker's address."""
    return dataclasses.replace(execute(spec, index), worker=get_worker().address)


class DaskExecutor(Executor):
    """Runs as tasks on a dask.distributed cluster (one task per run).

    Args:
        address: the scheduler's address, ``tcp://host:port`` (``host:port`` means tcp).
        timeout: seconds to wait for the connection (default :data:`CONNECT_TIMEOUT`).

    Raises:
        InputError: naming ``--scheduler`` when the address is malformed or nobody answers.
    """

    def __init__(self, address: str, timeout: float | None = None) -> None:
        try:
            get_address_host_port(address)  # malformed addresses fail here, before a Client
            self.client = Client(address, timeout=timeout or CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, ValueError) as exc:
            raise InputError(
                "--scheduler", address, f"cannot connect to a Dask scheduler ({exc})"
            ) from None

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self.client.close()

    def iterate(
        self, specs: Sequence[RunSpec], on_day: Callable[[int], None] | None = None
    ) -> Iterator[RunOutput]:
        """Submit every spec as a task and yield outputs as they finish (``on_day`` unused).

        Tasks not yet finished are cancelled when the caller stops early (an error, Ctrl-C).
        """
        futures = [
            self.client.submit(execute_on_worker, spec, i, pure=False)
            for i, spec in enumerate(specs)
        ]
        try:
            for future in as_completed(futures, loop=self.client.loop):
                output: RunOutput = future.result()
                yield output
        finally:
            self.client.cancel(futures)
