"""The till's rules in plain Python: money, cart, tax, tender, barcodes, receipts.

Nothing here imports Textual, Peewee or a driver (see tests/unit/test_import_hygiene.py).
"""
