"""The bundled 郑州 demo region's generators: real regions and GDP plus generated, calibrated data, as frames.

Loading them into the hub is a use-case: :mod:`silian.services.demo_region` (``silian demo``). See ``docs/demo.md``.
Generated rows are marked ``is_generated`` in every table and in ``data_sources``.
"""
