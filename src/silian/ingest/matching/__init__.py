"""Matching files (``silian match``): the JSON decoded (:mod:`.decode`) and checked into integer-indexed lists
(:mod:`.check`)."""
