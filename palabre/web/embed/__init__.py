"""Discussions in pages without the API: the no-JS fragment, the widget file, the demo."""
