"""Rendering: page context, comparison page, PDF and the site that holds them."""

from report.render.site import render_site

__all__ = ["render_site"]
