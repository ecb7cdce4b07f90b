"""四链 Silian: the information and decision platform of a regional vocational education center."""

__version__ = "0.1.0"
