"""Hand-written scenario patients, kept as data: shared by the rule tests and the benchmarks.

Why here and not under tests/: the rule benchmarks (``benchmarks/core_rules.py``,
``benchmarks/bench_pseudo_options.py``, ``benchmarks/validate_fast.py``) need patients on which
every rule and shape of their area has data to work on, and the seeded generator
(:mod:`benchmarks.support.synthetic`) draws a realistic population that leaves some of them idle
(no ECT course, IL-6 or plasma level; a defect in about one patient in a hundred). These
scenarios cover every code and every shape; the tests import them from here (benchmarks never
import tests) and keep their hand-worked expectations to themselves.

* :mod:`.core`: the near-miss patients of the core rules (adequacy, outcome, TRD status, stages);
* :mod:`.pseudo`: the pseudo-resistance, mechanism, option and P-gp patients;
* :mod:`.defects`: a cohort in which every patient carries one data defect (the shapes).
"""
