-- intent: SQL twin of shape:AdequacyIndeterminate-select (shapes/adequacy.ttl): each adequacy criterion
--   of a trial that could not be judged (reason notation ending in "-unknown"), with the reason and its
--   notation for the message
-- inputs: the derived trd:TrialAdequacyFinding (trd:aboutTrial, trd:hasCriterionResult), its criterion
--   results (trd:reason) and the reason's skos:notation (ontology). Reads the validator's canonical
--   views v_<pred> (src, s, k, o, d, ok, c); every projected variable x comes as x, x__k (kind), x__d
--   (datatype)
-- twin: shape:AdequacyIndeterminate-select (shapes/adequacy.ttl), its sh:select text with sha256 e05687f82c075d34 (blanks
--   collapsed): the validator refuses this twin when the shape's SPARQL has changed since
-- source: shapes/adequacy.ttl shape:AdequacyIndeterminate (clinical-reference.md §2: a missing fact makes
--   the trial indeterminate); SPARQL 1.1 §17.4.3.3 (STRENDS)
SELECT DISTINCT
  ab.o AS this, ab.k AS this__k, ab.d AS this__d,
  re.o AS value, re.k AS value__k, re.d AS value__d,
  nt.o AS criterion, nt.k AS criterion__k, nt.d AS criterion__d
FROM v_trd_aboutTrial ab
JOIN v_rdf_type ty ON ty.s = ab.s AND ty.k = 'I' AND ty.o = 'https://w3id.org/trd-reasoner/ontology#TrialAdequacyFinding'
JOIN v_trd_hasCriterionResult cr ON cr.s = ab.s AND cr.k <> 'L'
JOIN v_trd_reason re ON re.s = cr.o
JOIN v_skos_notation nt ON nt.s = re.o AND re.k <> 'L'
WHERE nt.k <> 'B' AND ends_with(nt.o, '-unknown')
