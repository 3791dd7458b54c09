"""Widgets that show the sale: they render views and hold no business rule."""
