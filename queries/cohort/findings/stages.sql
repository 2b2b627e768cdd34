-- intent: each patient's stages: Thase-Rush, Maudsley score and band, MGH-S
-- inputs: derived trd:StageFinding (rules stage-*)
-- source: docs/output-contract.md (patients[].stages); clinical-reference §4
-- twin: queries/findings/stages.rq (the same rows; a column x__d carries the datatype of a literal column x)
SELECT f.o AS p, f.s AS f, tr.o AS thaseRush, tr.d AS thaseRush__d, ms.o AS maudsley, ms.d AS maudsley__d,
       mb.o AS band, mb.d AS band__d, mg.o AS mghs, mg.d AS mghs__d
FROM p_trd_aboutPatient f
JOIN p_rdf_type t ON t.s = f.s AND t.o = trd('StageFinding')
LEFT JOIN p_trd_thaseRushStage tr ON tr.s = f.s
LEFT JOIN p_trd_maudsleyScore ms ON ms.s = f.s
LEFT JOIN p_trd_maudsleyBand mb ON mb.s = f.s
LEFT JOIN p_trd_mghsScore mg ON mg.s = f.s
