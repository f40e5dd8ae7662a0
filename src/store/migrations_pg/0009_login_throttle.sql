-- bingfa schema version 9 (PostgreSQL): login throttling counts, at every login, the
-- logins and failed logins of the name and of the address in the last window
-- from the audit log, so that every server of a database counts alike and a
-- restart forgets nothing. These indexes make that read as short as the
-- window.
CREATE INDEX audit_log_login_actor ON audit_log(actor, at)
    WHERE action IN ('login', 'login_failed');
CREATE INDEX audit_log_login_address ON audit_log(address, at)
    WHERE action IN ('login', 'login_failed');
