"""Job postings: column mappings for common export layouts, parsers for their messy fields, deduplication."""
