-- An incident's page lists the alerts routed into it.
CREATE INDEX alerts_incident ON alerts (incident_id);
