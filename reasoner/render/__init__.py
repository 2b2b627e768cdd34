"""Renderers: one module per output format, found by name in a registry (:mod:`.registry`)."""

from reasoner.render.registry import RENDERERS, Renderer, formats, render

__all__ = ["RENDERERS", "Renderer", "formats", "render"]
