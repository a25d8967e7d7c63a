"""ungeforloeb-http: the ungeforloeb application on HTTP, for case-system vendors not on Python.

:func:`create_app` is the composition root; ``ungeforloeb-http`` serves it with uvicorn.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ungeforloeb_http.app import create_app

__all__ = ["__version__", "create_app"]
