"""Import a feature module only if it is installed (features are added module by module)."""

from __future__ import annotations

import importlib
from types import ModuleType


def import_optional(module_name: str) -> ModuleType | None:
    """The module, or None when that very module does not exist (an import error inside it still raises)."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None
