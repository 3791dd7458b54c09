"""Screens of the till. Thin: they call services and render views."""
