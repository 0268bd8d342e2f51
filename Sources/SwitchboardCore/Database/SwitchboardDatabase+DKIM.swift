import GRDB

extension SwitchboardDatabase {
    /// Migration "v6-dkim": `ops/mail/schema-v6-dkim.sql`, DKIM keys per domain and the view
    /// OpenDKIM's KeyTable reads (ops/mail/README.md). A test keeps the two identical.
    static let mailSchemaV6DKIM = #"""
-- Switchboard mail migration "v6-dkim": DKIM keys per domain, and the one view OpenDKIM reads.
-- Applied after schema.sql (v2-mail) and schema-v3-live-mail.sql.
--
-- A key's private half is a PEM file readable only by the signer's user (mail.dkim.key_dir,
-- owner mail.dkim.signer_user, mode 0400); the database records where it is, never its content.
-- A key moves published -> active -> retiring -> retired (`mailctl domain dkim ...`):
--   published  its TXT record is to be published; nothing is signed with it yet
--   active     mail from the domain is signed with it (at most one per domain and algorithm)
--   retiring   replaced; its record stays published until retire_after (the grace period),
--              so mail signed with it before the rotation still verifies
--   retired    its record may be removed; its file is deleted
-- Instants are Timestamp text (UTC, fixed width: text order is time order).
CREATE TABLE mail_dkim_key (
    id            INTEGER PRIMARY KEY,
    domain_id     INTEGER NOT NULL REFERENCES mail_domain(id) ON DELETE CASCADE,
    selector      TEXT    NOT NULL
                  CHECK (length(selector) BETWEEN 1 AND 63
                         AND selector NOT GLOB '*[^a-z0-9-]*'
                         AND selector NOT GLOB '-*' AND selector NOT GLOB '*-'),
    algorithm     TEXT    NOT NULL CHECK (algorithm IN ('rsa-sha256', 'ed25519-sha256')),
    public_key    TEXT    NOT NULL CHECK (length(public_key) > 0 AND public_key NOT GLOB '*[^A-Za-z0-9+/=]*'),
    key_path      TEXT    NOT NULL CHECK (key_path GLOB '/*.private' AND key_path NOT GLOB '*/../*' AND key_path NOT GLOB '*/./*'),
    state         TEXT    NOT NULL CHECK (state IN ('published', 'active', 'retiring', 'retired')),
    created_at    TEXT    NOT NULL,
    activated_at  TEXT,
    retire_after  TEXT,
    retired_at    TEXT,
    CHECK (state <> 'retiring' OR retire_after IS NOT NULL),
    UNIQUE (domain_id, selector)
);
CREATE UNIQUE INDEX mail_dkim_key_one_active ON mail_dkim_key (domain_id, algorithm) WHERE state = 'active';

-- OpenDKIM's KeyTable (ops/mail/opendkim/, through its OpenDBX SQL support): one row per active
-- key of an active domain. key_name is 'rsa:DOMAIN' or 'ed25519:DOMAIN'; the signing script
-- (ops/mail/opendkim/signing.lua) asks for the From: domain's names, and a key whose file is
-- missing or unreadable is skipped there: the mail goes out unsigned instead of being refused.
CREATE VIEW mail_dkim_signing_view AS
    SELECT CASE k.algorithm WHEN 'rsa-sha256' THEN 'rsa:' ELSE 'ed25519:' END || d.name AS key_name,
           d.name AS domain, k.selector AS selector, k.key_path AS key_path
    FROM mail_dkim_key k JOIN mail_domain d ON d.id = k.domain_id
    WHERE k.state = 'active' AND d.status = 'active';

-- The domains each login may sign for (the signing script, for mail from SMTP AUTH): those of
-- the addresses it may send as (mail_sender_login_view: its own, aliases and renamed addresses
-- that deliver to it, explicit grants). One row per "LOGIN DOMAIN".
CREATE VIEW mail_dkim_sender_view AS
    SELECT DISTINCT login || ' ' || substr(address, instr(address, '@') + 1) AS login_domain
    FROM mail_sender_login_view;
"""#
}
