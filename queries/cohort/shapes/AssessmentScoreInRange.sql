-- intent: SQL twin of shape:AssessmentScoreInRange-select (shapes/patient.ttl): each assessment whose
--   score lies outside its instrument's range (below trd:minScore or above trd:maxScore), with the range
--   and the instrument's label (or its IRI) for the message
-- inputs: trd:instrument and trd:score of an assessment; trd:minScore, trd:maxScore and rdfs:label of
--   the instrument (ontology). Reads the validator's canonical views v_<pred> (src, s, k, o, d, ok, c); every
--   projected variable x comes as x, x__k (kind), x__d (datatype)
-- twin: shape:AssessmentScoreInRange-select (shapes/patient.ttl), its sh:select text with sha256 e9c7df653cde04ad (blanks
--   collapsed): the validator refuses this twin when the shape's SPARQL has changed since
-- source: shapes/patient.ttl shape:AssessmentScoreInRange (issue 3; clinical-reference.md §3 scale ranges);
--   SPARQL 1.1 §17.3 for the comparison (sv_cmp), §17.4.2.5 for STR
-- The comparison is made once per distinct (instrument, score) pair, not per assessment: there are few,
-- and DuckDB evaluates sv_cmp inside a hash join row by row when it can.
WITH scores AS MATERIALIZED (
  SELECT i.o AS instrument, i.k AS ik, sc.k AS sk, sc.o AS so, sc.d AS sd, any_value(sc.c) AS sc_c
  FROM v_trd_instrument i JOIN v_trd_score sc ON sc.s = i.s
  WHERE i.k <> 'L'
  GROUP BY i.o, i.k, sc.k, sc.o, sc.d
), outside AS MATERIALIZED (
  SELECT r.*, lo.k AS lk, lo.o AS lo_o, lo.d AS ld, hi.k AS hk, hi.o AS ho, hi.d AS hd,
         sv_cmp(r.sk, r.so, r.sd, r.sc_c, lo.k, lo.o, lo.d, lo.c) AS below,
         sv_cmp(r.sk, r.so, r.sd, r.sc_c, hi.k, hi.o, hi.d, hi.c) AS above
  FROM scores r
  JOIN v_trd_minScore lo ON lo.s = r.instrument
  JOIN v_trd_maxScore hi ON hi.s = r.instrument
)
SELECT DISTINCT
  i.s AS this, sv_node_kind(i.s) AS this__k, NULL AS this__d,
  'https://w3id.org/trd-reasoner/ontology#score' AS path, 'I' AS path__k, NULL AS path__d,
  r.so AS value, r.sk AS value__k, r.sd AS value__d,
  r.lo_o AS "min", r.lk AS min__k, r.ld AS min__d,
  r.ho AS "max", r.hk AS max__k, r.hd AS max__d,
  CASE WHEN lab.s IS NOT NULL THEN lab.o WHEN r.ik = 'I' THEN r.instrument END AS "instrumentName",
  CASE WHEN lab.s IS NOT NULL THEN lab.k WHEN r.ik = 'I' THEN 'L' END AS "instrumentName__k",
  CASE WHEN lab.s IS NOT NULL THEN lab.d WHEN r.ik = 'I' THEN sv_xsd('string') END AS "instrumentName__d"
FROM (SELECT * FROM outside WHERE below = -1 OR above = 1) r
JOIN v_trd_instrument i ON i.o = r.instrument AND i.k = r.ik
JOIN v_trd_score sc ON sc.s = i.s AND sc.k = r.sk AND sc.o = r.so AND sc.d IS NOT DISTINCT FROM r.sd
LEFT JOIN v_rdfs_label lab ON lab.s = r.instrument
