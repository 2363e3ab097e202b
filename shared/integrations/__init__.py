"""Clients for the outside world (Teaching Record System, GOV.UK Notify, DfE Sign-in): the only HTTP code."""
