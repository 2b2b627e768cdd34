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
-- the per-option part (a few dozen rows, whatever the shard size): computed once, then crossed with the patients
criteria AS (  -- options with eligibility data of their own
  SELECT s FROM p_trd_minimumFailedAdequateTrials UNION SELECT s FROM p_trd_minimumThaseRushStage
  UNION SELECT s FROM p_trd_requiresConfirmedTRD UNION SELECT s FROM p_trd_minimumEpisodeMonths
),
triggers AS (SELECT s FROM p_trd_addressesCause UNION SELECT s FROM p_trd_targetsMechanism),
always_listed AS (  -- the eligible baseline (rank 1x) of every always-listed option: its best rank
  SELECT sw.s AS opt, MAX(10 + sr.srank) AS rank
  FROM p_rdf_type ty JOIN p_trd_statusWhenEligible sw ON sw.s = ty.s AND sw.k = 'I'
  JOIN status_rank sr ON sr.status = sw.o AND sr.srank > 0
  WHERE ty.o = trd('TreatmentOption') AND ty.k = 'I'
    AND (sw.s IN (SELECT s FROM criteria) OR sw.s NOT IN (SELECT s FROM triggers))
  GROUP BY sw.s
),
eligible AS (  -- each always-listed option's winning eligible status, reason and criteria
  SELECT sw.s AS opt, sw.o AS status,
         COALESCE(CASE WHEN is_str(tx.k, tx.d) THEN 'eligible: ' || tx.o END, 'eligible') AS reason,
         sw.s IN (SELECT s FROM p_trd_minimumThaseRushStage) AS needs_stage,
         sw.s IN (SELECT s FROM p_trd_minimumFailedAdequateTrials UNION SELECT s FROM p_trd_requiresConfirmedTRD) AS needs_trd
  FROM p_trd_statusWhenEligible sw JOIN status_rank sr ON sr.status = sw.o AND sr.srank > 0 AND sw.k = 'I'
  JOIN always_listed al ON al.opt = sw.s AND al.rank = 10 + sr.srank
  LEFT JOIN p_trd_eligibilityText tx ON tx.s = sw.s
),
suffix AS (  -- the finding IRI's option part, once per option
  SELECT opt, strafter(opt, '#option-') AS suffix
  FROM (SELECT opt FROM candidate UNION SELECT opt FROM always_listed) options WHERE is_iri(opt)
),
-- every ranked candidate outranks the eligible baseline (kind ranks 20-60 against 11-13): a (patient,
-- option) with a candidate is won by its best candidates, one without by the option's baseline
best AS (SELECT p, opt, MAX(rank) AS best FROM candidate GROUP BY p, opt),
won_candidate AS (  -- the winner(s): candidates of the best rank
  SELECT c.c, c.p, c.opt, c.status, c.p || '/option/' || x.suffix AS f
  FROM candidate c JOIN best b ON b.p = c.p AND b.opt = c.opt AND b.best = c.rank
  JOIN suffix x ON x.opt = c.opt
),
baseline AS (  -- (patient, always-listed option) pairs no candidate speaks about
  SELECT pt.p, al.opt FROM patient pt CROSS JOIN always_listed al
  ANTI JOIN best b ON b.p = pt.p AND b.opt = al.opt
),
won_eligible AS (  -- or the eligible baseline, its evidence the finding whose values met the criteria, else the option
  SELECT bl.p, e.opt, e.status, e.reason, bl.p || '/option/' || x.suffix AS f,
         CASE WHEN e.needs_stage AND sf.o IS NOT NULL THEN sf.o WHEN e.needs_trd AND tf.o IS NOT NULL THEN tf.o
              ELSE e.opt END AS evidence
  FROM baseline bl JOIN eligible e ON e.opt = bl.opt
  JOIN suffix x ON x.opt = bl.opt
  LEFT JOIN p_trd_stageFinding sf ON sf.s = bl.p
  LEFT JOIN p_trd_trdFinding tf ON tf.s = bl.p
),
finding AS (
  SELECT DISTINCT p, opt, status, f FROM won_candidate
  UNION ALL SELECT DISTINCT p, opt, status, f FROM won_eligible
),
supporting AS MATERIALIZED (  -- supporting candidates (a mechanism behind an option with eligibility data of its own)
  SELECT cf.o AS p, co.o AS opt, ev.o, ev.k, ev.d
  FROM p_trd_candidateKind ck
  JOIN p_rdf_type ty ON ty.s = ck.s AND ty.o = trd('OptionCandidate') AND ty.k = 'I'
  JOIN p_trd_candidateFor cf ON cf.s = ck.s AND cf.k = 'I'
  JOIN p_trd_candidateOption co ON co.s = ck.s AND co.k <> 'L'
  JOIN p_trd_candidateEvidence ev ON ev.s = ck.s
  WHERE ck.o = trd('candidate-supporting') AND ck.k = 'I'
)
SELECT f AS s, rdf('type') AS p, trd('OptionFinding') AS o, 'I' AS k, NULL AS d FROM finding
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM finding
UNION ALL SELECT f, trd('option'), opt, 'I', NULL FROM finding
UNION ALL SELECT f, trd('optionStatus'), status, 'I', NULL FROM finding
UNION ALL SELECT w.f, trd('statusReason'), r.o, r.k, lit_d(r.o, r.d)
  FROM won_candidate w JOIN p_trd_candidateReason r ON r.s = w.c
UNION ALL SELECT w.f, trd('missingCriterion'), m.o, m.k, lit_d(m.o, m.d)
  FROM won_candidate w JOIN p_trd_candidateMissing m ON m.s = w.c
UNION ALL SELECT w.f, prov('wasDerivedFrom'), ev.o, ev.k, lit_d(ev.o, ev.d)
  FROM won_candidate w JOIN p_trd_candidateEvidence ev ON ev.s = w.c
UNION ALL SELECT f, trd('statusReason'), reason, 'L', NULL FROM won_eligible
UNION ALL SELECT f, prov('wasDerivedFrom'), evidence, CASE WHEN is_iri(evidence) THEN 'I' ELSE 'B' END, NULL
  FROM won_eligible
-- supporting candidates add evidence only
UNION ALL SELECT fi.f, prov('wasDerivedFrom'), su.o, su.k, lit_d(su.o, su.d)
  FROM supporting su JOIN finding fi ON fi.p = su.p AND fi.opt = su.opt
