"""``python -m ungeforloeb.cli``: the command line, as the ``ungeforloeb`` script runs it."""

from ungeforloeb.cli import main

main()
