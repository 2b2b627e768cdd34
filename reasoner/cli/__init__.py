"""The ``trd`` command: one module per command (:mod:`reasoner.cli.main` lists them)."""
