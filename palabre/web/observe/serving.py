"""What ``palabre serve`` hands uvicorn for operating: the logging configuration, the
graceful-shutdown deadline, and, with several workers, the folder where prometheus_client's
multiprocess mode keeps each worker's counts (made fresh at each start, removed at exit).
Nothing here imports prometheus_client: its mode is fixed when a process first imports it,
so the variable must be set before the workers start."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from palabre.settings import ServerConfig
from palabre.web.observe.logs import log_config

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def metrics_folder(workers: int) -> None:
    """With several workers, point them at a fresh folder for their counts: the operator's
    (``PROMETHEUS_MULTIPROC_DIR``, emptied of a previous run's files) or a temporary one."""
    if workers <= 1:
        return
    given = os.environ.get(MULTIPROCESS_VARIABLE)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for old in Path(given).glob("*.db"):
            old.unlink()
        return
    folder = tempfile.mkdtemp(prefix="palabre-metrics-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ[MULTIPROCESS_VARIABLE] = folder


def uvicorn_options(config: ServerConfig) -> dict[str, Any]:
    metrics_folder(config.workers)
    return {"log_config": log_config(config),
            "timeout_graceful_shutdown": config.shutdown_timeout_seconds or None}
