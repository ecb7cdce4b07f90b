"""Matching files (``silian match``): the JSON decoded (:mod:`.decode`) and checked into integer-indexed lists
(:mod:`.check`); a workbook of students and seats read row by row (:mod:`.workbook`) and its template
(:mod:`.template`)."""
