"""``python -m habitat`` runs the command line."""

from habitat.cli import main

main()
