"""trd-reasoner: a knowledge graph and rule engine for treatment-resistant depression.

The package orchestrates data artefacts that live beside it in the repository: the OWL
ontology (``ontology/``), SHACL shapes (``shapes/``) and SPARQL rules (``queries/``).
Clinical logic lives in those artefacts, not in Python ``if`` statements.
"""

__version__ = "0.1.0"
