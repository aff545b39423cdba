-- The inbox finds the patients of an address that bounced or asked to
-- stop; with 100,000 patients a scan per message would be too slow.
CREATE INDEX patients_email ON patients (email);
