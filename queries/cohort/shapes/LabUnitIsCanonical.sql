-- intent: SQL twin of shape:LabUnitIsCanonical-select (shapes/patient.ttl): each lab measurement whose
--   unit is not the canonical unit of its analyte, with the labels (or IRIs) of unit, canonical unit and
--   analyte for the message
-- inputs: trd:analyte and trd:unit of a lab measurement; trd:canonicalUnit of the analyte; rdfs:label of
--   unit, canonical unit and analyte. Reads the validator's canonical views v_<pred> (src, s, k, o, d, ok, c);
--   every projected variable x comes as x, x__k (kind), x__d (datatype)
-- twin: shape:LabUnitIsCanonical-select (shapes/patient.ttl), its sh:select text with sha256 fcc9c8c8cbf308f0 (blanks
--   collapsed): the validator refuses this twin when the shape's SPARQL has changed since
-- source: shapes/patient.ttl shape:LabUnitIsCanonical (docs/data-model.md §4, §6 canonical unit);
--   SPARQL 1.1 §17.4.1.8 (sameTerm), §17.4.2.5 (STR of a blank node is an error, so COALESCE leaves the
--   name unbound)
SELECT DISTINCT
  a.s AS this, sv_node_kind(a.s) AS this__k, NULL AS this__d,
  'https://w3id.org/trd-reasoner/ontology#unit' AS path, 'I' AS path__k, NULL AS path__d,
  u.o AS value, u.k AS value__k, u.d AS value__d,
  CASE WHEN ul.s IS NOT NULL THEN ul.o WHEN u.k <> 'B' THEN u.o END AS "unitName",
  CASE WHEN ul.s IS NOT NULL THEN ul.k WHEN u.k <> 'B' THEN 'L' END AS "unitName__k",
  CASE WHEN ul.s IS NOT NULL THEN ul.d WHEN u.k <> 'B' THEN sv_xsd('string') END AS "unitName__d",
  CASE WHEN cl.s IS NOT NULL THEN cl.o WHEN c.k <> 'B' THEN c.o END AS "canonicalName",
  CASE WHEN cl.s IS NOT NULL THEN cl.k WHEN c.k <> 'B' THEN 'L' END AS "canonicalName__k",
  CASE WHEN cl.s IS NOT NULL THEN cl.d WHEN c.k <> 'B' THEN sv_xsd('string') END AS "canonicalName__d",
  CASE WHEN al.s IS NOT NULL THEN al.o WHEN a.k <> 'B' THEN a.o END AS "analyteName",
  CASE WHEN al.s IS NOT NULL THEN al.k WHEN a.k <> 'B' THEN 'L' END AS "analyteName__k",
  CASE WHEN al.s IS NOT NULL THEN al.d WHEN a.k <> 'B' THEN sv_xsd('string') END AS "analyteName__d"
FROM v_trd_analyte a
JOIN v_trd_unit u ON u.s = a.s
JOIN v_trd_canonicalUnit c ON c.s = a.o AND a.k <> 'L'
LEFT JOIN v_rdfs_label ul ON ul.s = u.o AND u.k <> 'L'
LEFT JOIN v_rdfs_label cl ON cl.s = c.o AND c.k <> 'L'
LEFT JOIN v_rdfs_label al ON al.s = a.o
WHERE NOT (u.k = c.k AND u.o = c.o AND u.d IS NOT DISTINCT FROM c.d)
