"""The bundled 郑州 demo region (``silian demo``): real regions and GDP plus generated, calibrated data.

See ``docs/demo.md``. Generated rows are marked ``is_generated`` in every table and in ``data_sources``.
"""

from silian.demo.loader import DemoSummary, load_demo

__all__ = ["DemoSummary", "load_demo"]
