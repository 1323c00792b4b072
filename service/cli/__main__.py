"""`python -m service.cli` runs the `sanctions` command."""

from service.cli import main

main()
