"""Report rendering: SVG charts (:mod:`.svg_charts`), HTML → PDF (:mod:`.pdf`), fonts and vendored assets.

Submodules are imported on demand: :mod:`.pdf` loads WeasyPrint, which is slow to import.
"""
