"""Palabre: a self-hosted comment engine for news sites and blogs."""

__version__ = "0.1.0"
