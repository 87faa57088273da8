"""Reading notebook files for the grading commands: bounded, with one-line errors."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from graders import notebook


def read_bounded(path: Path) -> bytes:
    """The file's bytes, refusing before reading anything larger than a submission may be."""
    limit = settings.GRADER_MAX_NOTEBOOK_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise notebook.too_large(size, limit)
        return path.read_bytes()
    except OSError as error:
        raise notebook.NotebookError(f"Cannot read {path}: {error.strerror}.") from None


def load_source_or_fail(path: Path):
    try:
        return notebook.load_source(
            read_bounded(path), max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES
        )
    except notebook.NotebookError as error:
        raise CommandError(f"{path}: {error}") from None
