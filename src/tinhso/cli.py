"""The `tinhso` console script: the same as manage.py, installed on PATH."""
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "tinhso"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
