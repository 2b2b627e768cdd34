-- intent: SQL twin of shape:AssessmentScoreInRange-select (shapes/patient.ttl): each assessment whose
--   score lies outside its instrument's range (below trd:minScore or above trd:maxScore), with the range
--   and the instrument's label (or its IRI) for the message
-- inputs: trd:instrument and trd:score of an assessment; trd:minScore, trd:maxScore and rdfs:label of
--   the instrument (ontology). Reads the validator's canonical views v_<pred> (src, s, k, o, d, ok, c); every
--   projected variable x comes as x, x__k (kind), x__d (datatype)
-- source: shapes/patient.ttl shape:AssessmentScoreInRange (issue 3; clinical-reference.md §3 scale ranges);
--   SPARQL 1.1 §17.3 for the comparison (sv_cmp), §17.4.2.5 for STR
SELECT DISTINCT
  i.s AS this, sv_node_kind(i.s) AS this__k, NULL AS this__d,
  'https://w3id.org/trd-reasoner/ontology#score' AS path, 'I' AS path__k, NULL AS path__d,
  sc.o AS value, sc.k AS value__k, sc.d AS value__d,
  lo.o AS "min", lo.k AS min__k, lo.d AS min__d,
  hi.o AS "max", hi.k AS max__k, hi.d AS max__d,
  CASE WHEN lab.s IS NOT NULL THEN lab.o WHEN i.k = 'I' THEN i.o END AS "instrumentName",
  CASE WHEN lab.s IS NOT NULL THEN lab.k WHEN i.k = 'I' THEN 'L' END AS "instrumentName__k",
  CASE WHEN lab.s IS NOT NULL THEN lab.d WHEN i.k = 'I' THEN sv_xsd('string') END AS "instrumentName__d"
FROM v_trd_instrument i
JOIN v_trd_score sc ON sc.s = i.s
JOIN v_trd_minScore lo ON lo.s = i.o AND i.k <> 'L'
JOIN v_trd_maxScore hi ON hi.s = i.o
LEFT JOIN v_rdfs_label lab ON lab.s = i.o
WHERE sv_cmp(sc.k, sc.o, sc.d, sc.c, lo.k, lo.o, lo.d, lo.c) = -1
   OR sv_cmp(sc.k, sc.o, sc.d, sc.c, hi.k, hi.o, hi.d, hi.c) = 1
