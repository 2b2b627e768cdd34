"""A command that fails the way a bug would (an unexpected exception), for the exit-code tests."""

import click


@click.command("boom")
def boom() -> None:
    """Raise an exception the CLI does not expect."""
    raise ZeroDivisionError("a bug")


@click.command("disk")
def disk() -> None:
    """Fail as a full disk does."""
    import errno
    import os

    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/out/patients.jsonl")
