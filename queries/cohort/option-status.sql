-- intent: exactly one final trd:OptionFinding per (patient, option): the status of the
--   highest-precedence candidate (trd:OptionCandidate from the pseudo-*, mechanism and option-* rules)
--   or, for an always-listed option nothing else speaks about, its "eligible" baseline; with the
--   reasons, missing criteria and evidence of the winner. Precedence (highest first):
--   1. contraindicated — "contraindicated (with the reason)" beats every eligibility route (§7);
--   2. already failed in the episode → consider (§7: "is consider, with that history as evidence");
--   3. bipolar pathway (trd:statusInBipolar) — "the unipolar TRD pathway does not apply" (§7);
--   4. triggered by a §5 cause or §6 mechanism (§5 "each matched action is also listed in options";
--      a trigger is an eligibility route of its own: psychotic features for ECT, intolerance for
--      switch-class, §7 "or");
--   5. not-yet-eligible (a criterion is missing; §7);
--   6. eligible: the option's trd:statusWhenEligible, for every always-listed option (it has
--      eligibility data of its own, or it is no §5/§6 matched action: §7 "options always lists every
--      option of this table"). Computed here rather than stored as ~16 candidates per patient.
--   Within one level: recommended > consider > investigational (levothyroxine is recommended with a
--   diagnosis or TSH ≥ the treatment threshold even when a subclinical TSH also proposes consider, §5).
--   Supporting candidates (a mechanism behind an option with §7 eligibility) add evidence only.
-- inputs: trd:OptionCandidate nodes (trd:candidateFor, trd:candidateOption, trd:candidateKind,
--   trd:candidateStatus, trd:candidateReason, trd:candidateMissing, trd:candidateEvidence); ontology
--   options (trd:statusWhenEligible, trd:eligibilityText, eligibility data); the patient's stage and TRD
--   findings (forward links of rule finding-nodes) as the evidence of an eligible status.
-- source: clinical-reference §5, §6, §7 (one status per option; contraindicated wins).
-- twin: queries/infer/option-status.rq (the same facts, set-at-a-time over the predicate tables)
WITH status_rank(status, srank) AS (
  VALUES (trd('status-recommended'), 3), (trd('status-consider'), 2), (trd('status-investigational'), 1),
         (trd('status-contraindicated'), 0), (trd('status-not-yet-eligible'), 0)
),
kind_rank(kind, krank) AS (
  VALUES (trd('candidate-contraindicated'), 60), (trd('candidate-already-failed'), 50),
         (trd('candidate-bipolar-pathway'), 40), (trd('candidate-triggered'), 30), (trd('candidate-not-yet-eligible'), 20)
),
candidate AS (  -- rank = 10 x kind + status, following the precedence of the rule's header
  SELECT DISTINCT c.s AS c, cf.o AS p, co.o AS opt, co.k AS opt_k, cs.o AS status, kr.krank + sr.srank AS rank
  FROM p_rdf_type c
  JOIN p_trd_candidateFor cf ON cf.s = c.s AND cf.k = 'I' AND is_iri(cf.o)
  JOIN p_trd_candidateOption co ON co.s = c.s AND co.k <> 'L'
  JOIN p_trd_candidateKind ck ON ck.s = c.s AND ck.k = 'I' JOIN kind_rank kr ON kr.kind = ck.o
  JOIN p_trd_candidateStatus cs ON cs.s = c.s AND cs.k = 'I' JOIN status_rank sr ON sr.status = cs.o
  WHERE c.o = trd('OptionCandidate') AND c.k = 'I'
),
patient AS (SELECT DISTINCT s AS p FROM p_rdf_type WHERE o = trd('Patient') AND k = 'I' AND is_iri(s)),
criteria AS (  -- options with eligibility data of their own
  SELECT s FROM p_trd_minimumFailedAdequateTrials UNION SELECT s FROM p_trd_minimumThaseRushStage
  UNION SELECT s FROM p_trd_requiresConfirmedTRD UNION SELECT s FROM p_trd_minimumEpisodeMonths
),
triggers AS (SELECT s FROM p_trd_addressesCause UNION SELECT s FROM p_trd_targetsMechanism),
always_listed AS (  -- the eligible baseline (rank 1x) of every always-listed option
  SELECT DISTINCT sw.s AS opt, 10 + sr.srank AS rank
  FROM p_rdf_type ty JOIN p_trd_statusWhenEligible sw ON sw.s = ty.s AND sw.k = 'I'
  JOIN status_rank sr ON sr.status = sw.o AND sr.srank > 0
  WHERE ty.o = trd('TreatmentOption') AND ty.k = 'I'
    AND (sw.s IN (SELECT s FROM criteria) OR sw.s NOT IN (SELECT s FROM triggers))
),
best AS (  -- the best rank per (patient, option)
  SELECT p, opt, MAX(rank) AS best FROM (
    SELECT p, opt, rank FROM candidate
    UNION ALL SELECT pt.p, al.opt, al.rank FROM patient pt CROSS JOIN always_listed al
  ) ranked GROUP BY p, opt
),
eligible AS (  -- each option's eligible status, reason and criteria (computed once per option)
  SELECT sw.s AS opt, sw.o AS status, 10 + sr.srank AS rank,
         COALESCE(CASE WHEN is_str(tx.k, tx.d) THEN 'eligible: ' || tx.o END, 'eligible') AS reason,
         sw.s IN (SELECT s FROM p_trd_minimumThaseRushStage) AS needs_stage,
         sw.s IN (SELECT s FROM p_trd_minimumFailedAdequateTrials UNION SELECT s FROM p_trd_requiresConfirmedTRD) AS needs_trd
  FROM p_trd_statusWhenEligible sw JOIN status_rank sr ON sr.status = sw.o AND sr.srank > 0 AND sw.k = 'I'
  LEFT JOIN p_trd_eligibilityText tx ON tx.s = sw.s
),
won_candidate AS (  -- the winner(s): candidates of the best rank
  SELECT c.c, c.p, c.opt, c.opt_k, c.status FROM candidate c JOIN best b ON b.p = c.p AND b.opt = c.opt AND b.best = c.rank
),
won_eligible AS (  -- or the eligible baseline, its evidence the finding whose values met the criteria, else the option
  SELECT pt.p, e.opt, e.status, e.reason,
         CASE WHEN e.needs_stage AND sf.o IS NOT NULL THEN sf.o WHEN e.needs_trd AND tf.o IS NOT NULL THEN tf.o
              ELSE e.opt END AS evidence
  FROM patient pt JOIN best b ON b.p = pt.p
  JOIN eligible e ON e.opt = b.opt AND e.rank = b.best
  LEFT JOIN p_trd_stageFinding sf ON sf.s = pt.p
  LEFT JOIN p_trd_trdFinding tf ON tf.s = pt.p
),
won AS (
  SELECT DISTINCT p, opt, status FROM won_candidate
  UNION SELECT p, opt, status FROM won_eligible
),
finding AS (
  SELECT *, p || '/option/' || strafter(opt, '#option-') AS f FROM won WHERE is_iri(opt)
)
SELECT f AS s, rdf('type') AS p, trd('OptionFinding') AS o, 'I' AS k, NULL AS d FROM finding
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM finding
UNION ALL SELECT f, trd('option'), opt, 'I', NULL FROM finding
UNION ALL SELECT f, trd('optionStatus'), status, 'I', NULL FROM finding
UNION ALL SELECT w.p || '/option/' || strafter(w.opt, '#option-'), trd('statusReason'), r.o, r.k, lit_d(r.o, r.d)
  FROM won_candidate w JOIN p_trd_candidateReason r ON r.s = w.c WHERE is_iri(w.opt)
UNION ALL SELECT w.p || '/option/' || strafter(w.opt, '#option-'), trd('missingCriterion'), m.o, m.k, lit_d(m.o, m.d)
  FROM won_candidate w JOIN p_trd_candidateMissing m ON m.s = w.c WHERE is_iri(w.opt)
UNION ALL SELECT w.p || '/option/' || strafter(w.opt, '#option-'), prov('wasDerivedFrom'), ev.o, ev.k, lit_d(ev.o, ev.d)
  FROM won_candidate w JOIN p_trd_candidateEvidence ev ON ev.s = w.c WHERE is_iri(w.opt)
UNION ALL SELECT p || '/option/' || strafter(opt, '#option-'), trd('statusReason'), reason, 'L', NULL
  FROM won_eligible WHERE is_iri(opt)
UNION ALL SELECT p || '/option/' || strafter(opt, '#option-'), prov('wasDerivedFrom'), evidence,
                 CASE WHEN is_iri(evidence) THEN 'I' ELSE 'B' END, NULL
  FROM won_eligible WHERE is_iri(opt)
-- supporting candidates (a mechanism behind an option with eligibility data of its own) add evidence only
UNION ALL SELECT fi.f, prov('wasDerivedFrom'), ev.o, ev.k, lit_d(ev.o, ev.d)
  FROM finding fi
  JOIN p_trd_candidateFor cf ON cf.o = fi.p AND cf.k = 'I'
  JOIN p_trd_candidateOption co ON co.s = cf.s AND co.o = fi.opt AND co.k <> 'L'
  JOIN p_trd_candidateKind ck ON ck.s = cf.s AND ck.o = trd('candidate-supporting') AND ck.k = 'I'
  JOIN p_rdf_type ty ON ty.s = cf.s AND ty.o = trd('OptionCandidate') AND ty.k = 'I'
  JOIN p_trd_candidateEvidence ev ON ev.s = cf.s
