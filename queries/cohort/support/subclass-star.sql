-- intent: the reflexive-transitive closure of rdfs:subClassOf (?c rdfs:subClassOf* ?super), computed once per
--   engine from the ontology, so that a twin tests "an instance of C or of a subclass" with one join
-- inputs: the knowledge's rdfs:subClassOf triples and the classes they name
-- source: SPARQL 1.1 §9.1 (zero-or-more property paths); docs/data-model.md §4 (class hierarchy)
CREATE OR REPLACE TABLE sub_star AS
WITH RECURSIVE up(sub, sup) AS (
  SELECT s, o FROM k_rdfs_subClassOf WHERE k = 'I'
  UNION
  SELECT up.sub, c.o FROM up JOIN k_rdfs_subClassOf c ON c.s = up.sup WHERE c.k = 'I'
)
SELECT sub, sup FROM up
UNION SELECT s, s FROM k_rdfs_subClassOf
UNION SELECT o, o FROM k_rdfs_subClassOf WHERE k = 'I'
UNION SELECT s, s FROM k_rdf_type WHERE o = 'http://www.w3.org/2002/07/owl#Class'
