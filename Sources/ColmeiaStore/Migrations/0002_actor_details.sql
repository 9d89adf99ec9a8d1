-- Who made a change, as the API knew it (transport, uid/pid/process, address, certificate
-- subject, token, user agent…): the command's actor details as JSON, absent when it had none.
ALTER TABLE audit_events ADD COLUMN actor_details TEXT;
