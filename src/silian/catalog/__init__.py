"""The official classifications and crosswalks, loaded from the package's own data files.

Use :func:`get_catalog` for the shared, cached instance.
"""

from silian.catalog.loader import CATALOG_VERSIONS, Catalog, get_catalog

__all__ = ["CATALOG_VERSIONS", "Catalog", "get_catalog"]
