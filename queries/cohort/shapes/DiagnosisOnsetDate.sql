-- intent: SQL twin of shape:DiagnosisOnsetDate-select (shapes/patient.ttl): each diagnosis (the shape's
--   focus nodes) with no trd:onsetDate, no trd:onsetDateLatest and no trd:onsetDateUnknown true, with the
--   path trd:onsetDate
-- inputs: the shape's focus nodes, sv_this (this, this__k, this__d: $this bound by the shape's target, as
--   the fast validator joins it), and the validator's canonical views v_trd_onsetDate,
--   v_trd_onsetDateLatest and v_trd_onsetDateUnknown (src, s, k, o, d, ok, c); every projected variable x
--   comes as x, x__k (kind), x__d (datatype)
-- twin: shape:DiagnosisOnsetDate-select (shapes/patient.ttl), its sh:select text with sha256 585df5792dc7973d (blanks
--   collapsed): the validator refuses this twin when the shape's SPARQL has changed since
-- source: shapes/patient.ttl shape:DiagnosisOnsetDate (clinical-reference.md §4; docs/fhir-profile.md,
--   recordedDate; issue 16); SPARQL 1.1 §8.1 (FILTER NOT EXISTS); the literal true matches every
--   xsd:boolean whose value is true ("1" too: the views hold Oxigraph's canonical form)
SELECT DISTINCT
  f.this, f.this__k, f.this__d,
  'https://w3id.org/trd-reasoner/ontology#onsetDate' AS path, 'I' AS path__k, NULL AS path__d
FROM sv_this f
WHERE NOT EXISTS (SELECT 1 FROM v_trd_onsetDate od WHERE od.s = f.this AND f.this__k <> 'L')
  AND NOT EXISTS (SELECT 1 FROM v_trd_onsetDateLatest ol WHERE ol.s = f.this AND f.this__k <> 'L')
  AND NOT EXISTS (SELECT 1 FROM v_trd_onsetDateUnknown u
                  WHERE u.s = f.this AND f.this__k <> 'L' AND u.k = 'L' AND u.o = 'true'
                    AND u.d = sv_xsd('boolean'))
