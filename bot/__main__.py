"""`python -m bot` runs the clausewatch command line."""

from bot.cli import main

main()
