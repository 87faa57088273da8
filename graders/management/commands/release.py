"""`manage.py release SOURCE.ipynb -o OUT.ipynb`: the learner's copy, as nbgrader makes it."""

from pathlib import Path

import nbformat
from django.core.management.base import BaseCommand, CommandError

from graders import notebook
from graders.management.commands._notebook_args import load_source_or_fail


class Command(BaseCommand):
    help = "Write the student copy of a teacher's nbgrader source notebook."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the teacher's source notebook")
        parser.add_argument("-o", "--output", type=Path, required=True, help="where to write")

    def handle(self, *args, source: Path, output: Path, **options):
        released = notebook.release(load_source_or_fail(source))
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            temporary = output.with_name(output.name + ".partial")
            nbformat.write(released, str(temporary))
            temporary.replace(output)  # nothing half-written at OUT
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stdout.write(f"Released {source} to {output}.")
