"""Use cases of the till. They take plain arguments, return views and raise domain errors.

Storage and hardware are reached only through the ports in :mod:`tui_pos.services.ports`.
"""
