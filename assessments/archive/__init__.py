"""Hand-over to the municipality's archive: the Noark 5 package (noark.py) and the adapters (adapters.py)."""
