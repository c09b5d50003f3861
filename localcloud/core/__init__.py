"""Pieces every localcloud service shares: errors, the clock, ids, HTTP messages."""
