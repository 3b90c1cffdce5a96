#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if "DJANGO_SECRET_KEY" not in os.environ and "DJANGO_DEBUG" not in os.environ:
        # Nothing configured: a developer's checkout, so commands run in development mode. A server always
        # has its secret key (and wsgi.py has no such default), so production still refuses to start without one.
        os.environ["DJANGO_DEBUG"] = "1"
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
