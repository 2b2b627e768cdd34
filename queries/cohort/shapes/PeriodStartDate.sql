-- intent: SQL twin of shape:PeriodStartDate-select (shapes/patient.ttl): each trial, dose period or ECT
--   course (the shape's focus nodes) with no trd:startDate at all and no trd:startDateUnknown true, with
--   the path trd:startDate
-- inputs: the shape's focus nodes, sv_this (this, this__k, this__d: $this bound by the shape's target, as
--   the fast validator joins it), and the validator's canonical views v_trd_startDate and
--   v_trd_startDateUnknown (src, s, k, o, d, ok, c); every projected variable x comes as x, x__k (kind),
--   x__d (datatype)
-- twin: shape:PeriodStartDate-select (shapes/patient.ttl), its sh:select text with sha256 30ced4e944ee3a6a (blanks
--   collapsed): the validator refuses this twin when the shape's SPARQL has changed since
-- source: shapes/patient.ttl shape:PeriodStartDate (issue 3; issue 16: a record whose start could not be
--   read is kept); SPARQL 1.1 §8.1 (FILTER NOT EXISTS); the literal true matches every xsd:boolean whose
--   value is true ("1" too: Oxigraph stores the canonical form, which the views hold)
SELECT DISTINCT
  f.this, f.this__k, f.this__d,
  'https://w3id.org/trd-reasoner/ontology#startDate' AS path, 'I' AS path__k, NULL AS path__d
FROM sv_this f
WHERE NOT EXISTS (SELECT 1 FROM v_trd_startDate sd WHERE sd.s = f.this AND f.this__k <> 'L')
  AND NOT EXISTS (SELECT 1 FROM v_trd_startDateUnknown u
                  WHERE u.s = f.this AND f.this__k <> 'L' AND u.k = 'L' AND u.o = 'true'
                    AND u.d = sv_xsd('boolean'))
