"""Static assets of the web page (officer and reviewer views); served by :mod:`api.routers.web`.

A package only so that setuptools' package-data ships the .html/.css/.js files with an install.
"""
