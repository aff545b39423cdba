-- Deleting a patient removes their words from the search index itself,
-- not only from its view of it (FTS5 keeps deleted tokens otherwise).
INSERT INTO patients_fts (patients_fts, rank) VALUES ('secure-delete', 1);
