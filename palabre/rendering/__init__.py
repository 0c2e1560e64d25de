"""The one place where user text becomes HTML."""

from palabre.rendering.markdown import contains_link, render

__all__ = ["contains_link", "render"]
