"""The read cache: serialised answers per worker, and the hot path that serves them."""
