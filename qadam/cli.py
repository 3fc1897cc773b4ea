"""The ``qadam`` console script: Django's manage.py with Qadam's commands.

``qadam import <kind> <path>`` is the registry's ``import`` management command.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qadam.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
