#!/usr/bin/env python
"""Django's manage.py; the ``qadam`` console script is the same thing, installed."""

from qadam.cli import main

if __name__ == "__main__":
    main()
