"""Operating a server: request ids, structured and masked logs, Prometheus metrics."""
