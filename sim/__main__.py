"""`python -m sim` is the same as the `feedsim` command."""

from sim.cli import main

main()
