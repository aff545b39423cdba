-- Today's "what came back" counts read these small indexes instead of every
-- patient's row: at 100,000 patients a full read filled a connection's page
-- cache (32 MB) each time the inbox was checked.
CREATE INDEX patients_bounced ON patients (archived, email) WHERE email_bounced_at IS NOT NULL;
CREATE INDEX patients_reply_opt_out ON patients (archived)
    WHERE promo_consent = 'opted_out' AND promo_source IN ('opt-out reply', 'spam complaint');
