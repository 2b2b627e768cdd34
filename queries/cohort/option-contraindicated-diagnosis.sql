-- intent: "contraindicated" candidate for an option whose contraindication diagnosis class (the
--   ontology's trd:contraindicatedBy, e.g. aneurysmal vascular disease I71.*/I72.*/I67.1,
--   arteriovenous malformation Q28.2, intracerebral haemorrhage I61.* for esketamine and IV
--   ketamine) the patient has, at any time (a history counts), with the diagnosis as reason.
-- inputs: asserted diagnoses (their types, read in the asserted graph), ontology
--   trd:contraindicatedBy and rdfs:subClassOf.
-- source: clinical-reference §7 row esketamine (Spravato label [verified]); iv-ketamine "same as
--   esketamine".
-- twin: queries/infer/option-contraindicated-diagnosis.rq (the same facts, set-at-a-time over the predicate tables)
WITH classes AS (  -- the diagnosis classes that contraindicate an option: the class itself or any subclass
  SELECT ci.s AS opt, ci.o AS contra, ci.k AS contra_k, ci.o AS dx_class FROM p_trd_contraindicatedBy ci
  UNION
  SELECT ci.s, ci.o, ci.k, ss.sub FROM p_trd_contraindicatedBy ci JOIN sub_star ss ON ss.sup = ci.o AND ci.k = 'I'
),
hit AS (  -- a diagnosis of such a class (its type as asserted) of a patient
  SELECT DISTINCT c.opt, c.contra, c.contra_k, dx.s AS dx, pa.o AS p
  FROM classes c JOIN a_rdf_type dx ON dx.o = c.dx_class
  JOIN a_trd_patient pa ON pa.s = dx.s
  JOIN p_rdf_type pt ON pt.s = pa.o AND pt.o = trd('Patient') AND pt.k = 'I'
  WHERE is_iri(pa.o) AND is_iri(c.opt)
),
found AS (
  SELECT h.*, h.p || '/option/' || strafter(h.opt, '#option-') || '/candidate/contraindicated' AS c,
         'contraindicated by ' || COALESCE(str_of(l.o, l.k, l.d),
                                           CASE WHEN h.contra_k <> 'B' THEN strafter(h.contra, '#') END) AS why
  FROM hit h LEFT JOIN p_rdfs_label l ON l.s = h.contra AND h.contra_k <> 'L'
)
SELECT c AS s, rdf('type') AS p, trd('OptionCandidate') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT c, trd('candidateFor'), p, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateOption'), opt, 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateKind'), trd('candidate-contraindicated'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateStatus'), trd('status-contraindicated'), 'I', NULL FROM found
UNION ALL SELECT c, trd('candidateReason'), why, 'L', NULL FROM found
UNION ALL SELECT c, trd('candidateEvidence'), dx, CASE WHEN is_iri(dx) THEN 'I' ELSE 'B' END, NULL FROM found
