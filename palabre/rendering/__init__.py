"""The one place where user text becomes HTML."""

from palabre.rendering.markdown import has_link, render

__all__ = ["has_link", "render"]
