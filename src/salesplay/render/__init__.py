"""Renderers that turn a resolved catalog into documents."""
