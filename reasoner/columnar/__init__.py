"""The columnar cohort engine: the rules as SQL twins over typed columns, set-at-a-time (issue 17)."""
