"""Helpers for the tests of the OpenAPI description."""

from __future__ import annotations


def refs(node: object) -> list[str]:
    """Every ``$ref`` in a JSON document, depth first."""
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in refs(value)]
    return []
