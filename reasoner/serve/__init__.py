"""Point of care: trd-reasoner as a CDS Hooks 2.0 service (``trd serve``).

The service speaks inside the EHR: discovery, ``patient-view``, ``order-select`` and ``order-sign``
cards, and feedback, all on the one assess pipeline (:mod:`reasoner.pipeline`). Modules:
:mod:`~reasoner.serve.app` (routes, errors, logging), :mod:`~reasoner.serve.models` (the spec's
messages), :mod:`~reasoner.serve.auth` (signed JWTs of CDS clients), :mod:`~reasoner.serve.prefetch`
and :mod:`~reasoner.serve.fhir_client` (the patient's data), :mod:`~reasoner.serve.assessor` (the warm
pipeline), :mod:`~reasoner.serve.cards` and :mod:`~reasoner.serve.orders` (cards from findings and
``queries/cds``), :mod:`~reasoner.serve.feedback` (SQLite).

Nothing is imported here, so ``trd feedback summary`` reads the store without loading the web stack.
"""
