-- The practice server counts segments from a narrow table of the rule
-- columns (see postgres/011_segment_facts.sql). The file counts from the
-- patients table itself: nothing to do here but keep the numbers alike.
SELECT 1;
