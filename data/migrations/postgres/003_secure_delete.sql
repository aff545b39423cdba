-- The file's search index needed telling to forget deleted words; the
-- server's search words live in the patient's row and go with it.
SELECT 1;
