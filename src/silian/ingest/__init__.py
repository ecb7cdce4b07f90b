"""Adapters: Excel/CSV files → the canonical hub tables, with row-precise errors."""
