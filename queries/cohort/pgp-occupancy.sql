-- intent: the P-glycoprotein worked example as a finding: for a measured plasma concentration of a
--   P-gp substrate in a patient whose ABCB1 genotype flags high efflux, the brain concentration
--   (plasma × the policy's P-gp brain fraction), the SERT occupancy C / (C + K), whether it falls
--   below the therapeutic occupancy threshold, and the same if the pump were inhibited (brain
--   concentration = plasma). Occupancies are fractions (0.833 = 83.3 %), rounded to 3 decimals for
--   display; the threshold comparison uses the unrounded values.
-- inputs: asserted trd:LabMeasurement of trd:PlasmaDrugConcentration (trd:drug, trd:value in nmol/L =
--   nM, the analyte's canonical unit trd:unit-nmol-per-L), trd:GenotypeResult for trd:ABCB1 matching the variant's
--   trd:pgpEffluxGenotype, ontology trd:isPgpSubstrate; policy settings trd:param-pgp-brain-fraction,
--   trd:param-sert-kd-nm, trd:param-sert-occupancy-threshold.
-- source: clinical-reference §5 "P-gp worked example" (occupancy = C/(C+K), K = 10 nM; 80 % SERT
--   occupancy threshold, Meyer 2004 [verified]; Uhr 2008 [verified]).
-- twin: queries/infer/pgp-occupancy.rq (the same facts, set-at-a-time over the predicate tables)
WITH lab AS (  -- measured plasma concentrations in nmol/L (or without a unit), as asserted
  SELECT DISTINCT t.s AS lab, pa.o AS p, dr.o AS drug, dr.k AS drug_k, v.o AS plasma_o, v.k AS plasma_k,
         lit_d(v.o, v.d) AS plasma_d, v.n AS plasma_n
  FROM a_rdf_type t JOIN a_trd_patient pa ON pa.s = t.s
  JOIN a_trd_analyte an ON an.s = t.s AND an.o = trd('PlasmaDrugConcentration') AND an.k = 'I'
  JOIN a_trd_drug dr ON dr.s = t.s
  JOIN a_trd_value v ON v.s = t.s
  WHERE t.o = trd('LabMeasurement') AND t.k = 'I'
    AND NOT EXISTS (SELECT 1 FROM a_trd_unit u WHERE u.s = t.s AND NOT (u.o = trd('unit-nmol-per-L') AND u.k = 'I'))
),
genotype AS (  -- ABCB1 genotypes whose alleles are the variant's high-efflux genotype
  SELECT DISTINCT g.s AS g, pa.o AS p
  FROM a_rdf_type g JOIN a_trd_patient pa ON pa.s = g.s
  JOIN a_trd_gene ge ON ge.s = g.s AND ge.o = trd('ABCB1') AND ge.k = 'I'
  JOIN a_trd_variant va ON va.s = g.s
  JOIN a_trd_alleles al ON al.s = g.s
  JOIN p_trd_pgpEffluxGenotype pe ON pe.s = va.o AND va.k <> 'L'
    AND pe.o = al.o AND pe.k = al.k AND pe.d IS NOT DISTINCT FROM al.d
  WHERE g.o = trd('GenotypeResult') AND g.k = 'I'
),
setting AS (SELECT st.s AS setting, st.o AS param, v.o, v.k, lit_d(v.o, v.d) AS d, v.n
            FROM p_trd_parameter st JOIN p_trd_value v ON v.s = st.s),
rows AS (
  SELECT l.*, g.g, fr.setting AS fraction, kd.setting AS kd, th.setting AS threshold_setting,
         th.o AS threshold_o, th.k AS threshold_k, th.d AS threshold_d, th.n AS threshold_n,
         kd.o AS k_o, kd.d AS k_d, kd.n AS k_n,
         mul_text(l.plasma_o, l.plasma_d, l.plasma_n, fr.o, fr.d, fr.n) AS brain_o,
         num_d(l.plasma_d, fr.d) AS brain_d
  FROM lab l
  JOIN genotype g ON g.p = l.p
  JOIN p_rdf_type pt ON pt.s = l.p AND pt.o = trd('Patient') AND pt.k = 'I'
  JOIN p_trd_isPgpSubstrate ps ON ps.s = l.drug AND ps.b AND l.drug_k <> 'L'
  JOIN setting fr ON fr.param = trd('param-pgp-brain-fraction')
  JOIN setting kd ON kd.param = trd('param-sert-kd-nm')
  JOIN setting th ON th.param = trd('param-sert-occupancy-threshold')
  WHERE is_iri(l.lab)
),
ratios AS (  -- C / (C + K) for the brain and the plasma concentration, exact for decimals
  SELECT *,
         CASE WHEN num_d(brain_d, k_d) IN (xsd('integer'), xsd('decimal')) THEN xsd('decimal') ELSE num_d(brain_d, k_d) END AS occ_d,
         CASE WHEN num_d(plasma_d, k_d) IN (xsd('integer'), xsd('decimal')) THEN xsd('decimal') ELSE num_d(plasma_d, k_d) END AS restored_d,
         TRY_CAST(brain_o AS DECIMAL(38, 18)) AS b_dec, TRY_CAST(brain_o AS DOUBLE) AS b_n,
         CASE WHEN plasma_n IS NOT NULL THEN TRY_CAST(plasma_o AS DECIMAL(38, 18)) END AS c_dec,
         CASE WHEN k_n IS NOT NULL THEN TRY_CAST(k_o AS DECIMAL(38, 18)) END AS k_dec
  FROM rows
),
computed AS (
  SELECT *,
         CASE WHEN occ_d = xsd('decimal') THEN
                CASE WHEN TRY(b_dec + k_dec) <> 0 THEN CAST(b_dec AS DOUBLE) / CAST(b_dec + k_dec AS DOUBLE) END
              ELSE b_n / (b_n + k_n) END AS raw_occupancy,
         CASE WHEN occ_d = xsd('decimal') THEN
                CASE WHEN TRY(b_dec + k_dec) <> 0
                     THEN dec_text(floor(CAST(TRY(2000 * b_dec + b_dec + k_dec) AS DOUBLE) / CAST(2 * (b_dec + k_dec) AS DOUBLE)) / 1000) END
              ELSE num_text(round_half_up(b_n / (b_n + k_n) * 1000) / 1000, occ_d) END AS occupancy_o,
         CASE WHEN restored_d = xsd('decimal') THEN
                CASE WHEN TRY(c_dec + k_dec) <> 0 THEN CAST(c_dec AS DOUBLE) / CAST(c_dec + k_dec AS DOUBLE) END
              ELSE plasma_n / (plasma_n + k_n) END AS raw_restored,
         CASE WHEN restored_d = xsd('decimal') THEN
                CASE WHEN TRY(c_dec + k_dec) <> 0
                     THEN dec_text(floor(CAST(TRY(2000 * c_dec + c_dec + k_dec) AS DOUBLE) / CAST(2 * (c_dec + k_dec) AS DOUBLE)) / 1000) END
              ELSE num_text(round_half_up(plasma_n / (plasma_n + k_n) * 1000) / 1000, restored_d) END AS restored_o
  FROM ratios
),
found AS (
  SELECT *, lab || '/occupancy' AS f,
         CASE WHEN raw_occupancy < threshold_n THEN 'true' WHEN raw_occupancy >= threshold_n THEN 'false' END AS below,
         CASE WHEN raw_restored < threshold_n THEN 'true' WHEN raw_restored >= threshold_n THEN 'false' END AS restored_below
  FROM computed
)
SELECT f AS s, rdf('type') AS p, trd('OccupancyFinding') AS o, 'I' AS k, NULL AS d FROM found
UNION ALL SELECT f, trd('aboutPatient'), p, 'I', NULL FROM found
UNION ALL SELECT f, trd('drug'), drug, CASE WHEN is_iri(drug) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, trd('plasmaConcentrationNM'), plasma_o, plasma_k, plasma_d FROM found
UNION ALL SELECT f, trd('brainConcentrationNM'), brain_o, 'L', brain_d FROM found
UNION ALL SELECT f, trd('sertOccupancy'), occupancy_o, 'L', occ_d FROM found
UNION ALL SELECT f, trd('occupancyThreshold'), threshold_o, threshold_k, threshold_d FROM found
UNION ALL SELECT f, trd('belowOccupancyThreshold'), below, 'L', xsd('boolean') FROM found
UNION ALL SELECT f, trd('brainConcentrationIfPumpInhibitedNM'), plasma_o, plasma_k, plasma_d FROM found
UNION ALL SELECT f, trd('sertOccupancyIfPumpInhibited'), restored_o, 'L', restored_d FROM found
UNION ALL SELECT f, trd('belowOccupancyThresholdIfPumpInhibited'), restored_below, 'L', xsd('boolean') FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), lab, 'I', NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), g, CASE WHEN is_iri(g) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), fraction, CASE WHEN is_iri(fraction) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), kd, CASE WHEN is_iri(kd) THEN 'I' ELSE 'B' END, NULL FROM found
UNION ALL SELECT f, prov('wasDerivedFrom'), threshold_setting, CASE WHEN is_iri(threshold_setting) THEN 'I' ELSE 'B' END, NULL FROM found
