"""``python -m ungeforloeb_http``: the same as the ``ungeforloeb-http`` command."""

from ungeforloeb_http.cli import main

main()
