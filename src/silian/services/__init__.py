"""Use-cases: load from storage, run analytics, return result objects (what CLI, web and reports call)."""
