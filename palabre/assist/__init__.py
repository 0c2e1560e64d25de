"""The moderation assistant: a model of "would a moderator of this site reject it", trained
on the site's own decisions (and, until there are enough, on the starter set shipped with
Palabre), scoring each new comment on the server itself.

Scoring needs nothing beyond the standard library (:mod:`palabre.assist.model`): every
worker loads the stored model and scores a comment in well under a millisecond. Training
needs scikit-learn, the ``palabre[assist]`` extra (:mod:`palabre.assist.learn`), and runs in
a child process or the CLI, never in a request. Without the extra, Palabre runs as before.
"""

from __future__ import annotations

import importlib.util


def can_train() -> bool:
    """Whether the ``palabre[assist]`` extra (scikit-learn) is installed."""
    return importlib.util.find_spec("sklearn") is not None
