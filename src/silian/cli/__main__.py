"""`python -m silian.cli`."""

from silian.cli import main

main()
