-- intent: SQL twin of shape:AdequacyCriterionNotMet-select (shapes/adequacy.ttl): each failed adequacy
--   criterion of a trial that has an observed value and a threshold (reason notations not ending in
--   "-unknown"), with its notation, observed value and threshold for the message
-- inputs: the derived trd:TrialAdequacyFinding (trd:aboutTrial, trd:hasCriterionResult), its criterion
--   results (trd:reason, trd:observedValue, trd:thresholdValue) and the reason's skos:notation
--   (ontology). Reads the validator's canonical views v_<pred> (src, s, k, o, d, ok, c); every projected
--   variable x comes as x, x__k (kind), x__d (datatype)
-- twin: shape:AdequacyCriterionNotMet-select (shapes/adequacy.ttl), its sh:select text with sha256 fee323eefc720a55 (blanks
--   collapsed): the validator refuses this twin when the shape's SPARQL has changed since
-- source: shapes/adequacy.ttl shape:AdequacyCriterionNotMet (clinical-reference.md §2); SPARQL 1.1
--   §17.4.3.3 (STRENDS), §17.4.2.5 (STR of a blank node is an error: the row is filtered out)
SELECT DISTINCT
  ab.o AS this, ab.k AS this__k, ab.d AS this__d,
  ov.o AS value, ov.k AS value__k, ov.d AS value__d,
  nt.o AS criterion, nt.k AS criterion__k, nt.d AS criterion__d,
  th.o AS threshold, th.k AS threshold__k, th.d AS threshold__d
FROM v_trd_aboutTrial ab
JOIN v_rdf_type ty ON ty.s = ab.s AND ty.k = 'I' AND ty.o = 'https://w3id.org/trd-reasoner/ontology#TrialAdequacyFinding'
JOIN v_trd_hasCriterionResult cr ON cr.s = ab.s AND cr.k <> 'L'
JOIN v_trd_reason re ON re.s = cr.o
JOIN v_trd_observedValue ov ON ov.s = cr.o
JOIN v_trd_thresholdValue th ON th.s = cr.o
JOIN v_skos_notation nt ON nt.s = re.o AND re.k <> 'L'
WHERE nt.k <> 'B' AND NOT ends_with(nt.o, '-unknown')
