import GRDB
import SwitchboardBase

extension SwitchboardDatabase {
    /// The mail tables and the views Dovecot and Postfix query: `ops/mail/schema.sql`, the contract
    /// documented in `ops/mail/README.md`. A test checks that the two stay identical.
    static let mailSchemaV2 = #"""
-- Switchboard mail tables and views: the contract between the Switchboard database and the
-- mail servers (Dovecot, Postfix), which read this SQLite file directly.
--
-- Dialect: SQLite 3.37+ (Debian 12 ships 3.40). Apply in one transaction, with
-- PRAGMA foreign_keys=ON on every connection (the app's database layer does that).
-- The directory's person table exists before this runs as person(id INTEGER PRIMARY KEY, ...).
--
-- The servers query only the *_view views below (see ops/mail/README.md for every query they
-- run). A view may be rewritten in a later migration as long as its name, its columns and the
-- meaning of each row stay the same: that is the contract. The tables are the app's.
--
-- Conventions: every address and domain name is stored lower-case (the servers fold the lookup
-- key to lower case before querying; a CHECK enforces it here). Timestamps are TEXT in
-- ISO 8601 UTC, 'YYYY-MM-DDTHH:MM:SSZ'. Nothing in these tables or views uses a function
-- or extension that plain SQLite, as linked into Dovecot and Postfix, does not have.

-- A mail domain this installation receives mail for.
-- status: 'active'   mailboxes and aliases in it log in / receive as their own status says;
--         'disabled' nobody in it logs in, nothing is delivered to it; Postfix still treats
--                    it as local (answers 550 "user unknown", never relays it elsewhere).
CREATE TABLE mail_domain (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE
                CHECK (name = lower(name)
                       AND length(name) BETWEEN 3 AND 253
                       AND name GLOB '*?.?*'
                       AND name NOT GLOB '*[^a-z0-9.-]*'     -- ASCII / punycode only
                       AND name NOT GLOB '.*' AND name NOT GLOB '*.'
                       AND name NOT GLOB '*..*'),
    status      TEXT    NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at  TEXT    NOT NULL
);

-- A mailbox: one login, one mail home.
-- status: 'active'          logs in (IMAP, submission) and receives mail;
--         'login-disabled'  cannot log in, still receives mail (e.g. staff on leave, a
--                           password reset pending, a mailbox kept for a successor);
--         'suspended'       cannot log in, receives nothing (RCPT answered 550);
--         'pending-purge'   as 'suspended', and the mail home will be deleted after purge_after.
-- The rules live in the views, not here: see mail_auth_view and mail_recipient_view.
--
-- id is AUTOINCREMENT so an id, and with it a home_key and a mail folder, is never reused by
-- a later mailbox after a purge.
-- home_key: the name of the mail home folder (BASE/home_key). Leave it out on INSERT: the
-- trigger mailbox_home_key sets it to 'mb-' || the id padded to 6 digits ('mb-000123').
-- It never changes afterwards (trigger mailbox_home_key_immutable), so renaming a mailbox
-- (a new address) moves no file.
-- password_hash: a crypt string with its Dovecot scheme prefix, e.g. '{CRYPT}$y$...'
-- (yescrypt), '{SHA512-CRYPT}$6$...', '{BLF-CRYPT}$2b$...', '{ARGON2ID}$argon2id$...'.
-- A bare '$y$...' is refused by the CHECK: Dovecot would not know its scheme reliably.
-- quota_bytes: storage limit in bytes; NULL means no quota.
-- password_changed_at, password_expires_at, must_change_password: the app's policy (warnings,
-- forcing a change through mailctl); the mail servers do not read them.
CREATE TABLE mailbox (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    address               TEXT    NOT NULL UNIQUE
                          CHECK (address = lower(address)
                                 AND address GLOB '?*@?*.?*'
                                 AND address NOT GLOB '*@*@*'
                                 AND address NOT GLOB '*[ ,:;<>()"''\[]*'
                                 AND length(address) <= 254),
    domain_id             INTEGER NOT NULL REFERENCES mail_domain(id),
    person_id             INTEGER REFERENCES person(id),   -- NULL: a service mailbox
    display_name          TEXT    NOT NULL,
    password_hash         TEXT    NOT NULL CHECK (password_hash GLOB '{[A-Z0-9]*}?*'),
    status                TEXT    NOT NULL
                          CHECK (status IN ('active', 'login-disabled', 'suspended', 'pending-purge')),
    quota_bytes           INTEGER CHECK (quota_bytes IS NULL OR (typeof(quota_bytes) = 'integer' AND quota_bytes > 0)),
    home_key              TEXT    NOT NULL UNIQUE
                          DEFAULT ('new-' || lower(hex(randomblob(8))))
                          CHECK (length(home_key) BETWEEN 4 AND 64
                                 AND home_key NOT GLOB '*[^a-z0-9-]*'
                                 AND (home_key GLOB 'mb-[0-9]*' OR home_key GLOB 'new-*')),
    password_changed_at   TEXT,
    password_expires_at   TEXT,
    must_change_password  INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    status_changed_at     TEXT    NOT NULL,
    purge_after           TEXT,   -- set when status becomes 'pending-purge'
    created_at            TEXT    NOT NULL
);
CREATE INDEX mailbox_domain ON mailbox(domain_id);
CREATE INDEX mailbox_person ON mailbox(person_id);

-- Give a new mailbox its home key from its id ('mb-000123'), unless the INSERT named one.
CREATE TRIGGER mailbox_home_key AFTER INSERT ON mailbox
WHEN NEW.home_key GLOB 'new-*'
BEGIN
    UPDATE mailbox SET home_key = printf('mb-%06d', NEW.id) WHERE id = NEW.id;
END;

-- The home key names the mail folder on disk: it never changes once given.
CREATE TRIGGER mailbox_home_key_immutable BEFORE UPDATE OF home_key ON mailbox
WHEN OLD.home_key NOT GLOB 'new-*' AND NEW.home_key IS NOT OLD.home_key
BEGIN
    SELECT RAISE(ABORT, 'mailbox.home_key never changes');
END;

-- The domain part of an address is its domain's name (the servers check the domain's
-- status through domain_id).
CREATE TRIGGER mailbox_domain_insert BEFORE INSERT ON mailbox
WHEN substr(NEW.address, instr(NEW.address, '@') + 1)
     IS NOT (SELECT name FROM mail_domain WHERE id = NEW.domain_id)
BEGIN
    SELECT RAISE(ABORT, 'mailbox.address is not in the domain named by domain_id');
END;
CREATE TRIGGER mailbox_domain_update BEFORE UPDATE OF address, domain_id ON mailbox
WHEN substr(NEW.address, instr(NEW.address, '@') + 1)
     IS NOT (SELECT name FROM mail_domain WHERE id = NEW.domain_id)
BEGIN
    SELECT RAISE(ABORT, 'mailbox.address is not in the domain named by domain_id');
END;

-- Aliases: mail to `address` goes to `target` (one row per target; several rows fan out).
-- address is in one of our domains (domain_id); target is any address, ours or not.
-- kind: 'alias'   another name of a mailbox (its owner may also send as it);
--       'rename'  the old address of a renamed mailbox (its owner may still send as it);
--       'group'   a distribution address (members may not send as it unless granted in
--                 mail_sender_login).
-- An alias whose address is also a mailbox's address takes that mailbox's mail away from it
-- (Postfix rewrites the recipient); add a row with target = address to keep a copy there.
CREATE TABLE mail_alias (
    id         INTEGER PRIMARY KEY,
    address    TEXT    NOT NULL
               CHECK (address = lower(address)
                      AND address GLOB '?*@?*.?*' AND address NOT GLOB '*@*@*'
                      AND address NOT GLOB '*[ ,:;<>()"''\[]*'),
    target     TEXT    NOT NULL
               CHECK (target = lower(target)
                      AND target GLOB '?*@?*.?*' AND target NOT GLOB '*@*@*'
                      AND target NOT GLOB '*[ ,:;<>()"''\[]*'),
    domain_id  INTEGER NOT NULL REFERENCES mail_domain(id),
    kind       TEXT    NOT NULL CHECK (kind IN ('alias', 'rename', 'group')),
    UNIQUE (address, target)
);
CREATE INDEX mail_alias_target ON mail_alias(target);
CREATE INDEX mail_alias_domain ON mail_alias(domain_id);

CREATE TRIGGER mail_alias_domain_insert BEFORE INSERT ON mail_alias
WHEN substr(NEW.address, instr(NEW.address, '@') + 1)
     IS NOT (SELECT name FROM mail_domain WHERE id = NEW.domain_id)
BEGIN
    SELECT RAISE(ABORT, 'mail_alias.address is not in the domain named by domain_id');
END;
CREATE TRIGGER mail_alias_domain_update BEFORE UPDATE OF address, domain_id ON mail_alias
WHEN substr(NEW.address, instr(NEW.address, '@') + 1)
     IS NOT (SELECT name FROM mail_domain WHERE id = NEW.domain_id)
BEGIN
    SELECT RAISE(ABORT, 'mail_alias.address is not in the domain named by domain_id');
END;

-- Explicit sending rights beyond the obvious ones: the mailbox whose login is `login` may use
-- `address` as its envelope sender over submission (a shared or service address, a group).
-- A mailbox's own address and its 'alias'/'rename' aliases need no row here (see
-- mail_sender_login_view).
CREATE TABLE mail_sender_login (
    address  TEXT NOT NULL CHECK (address = lower(address) AND address GLOB '?*@?*'),
    login    TEXT NOT NULL CHECK (login = lower(login) AND login GLOB '?*@?*'),
    PRIMARY KEY (address, login)
) WITHOUT ROWID;
CREATE INDEX mail_sender_login_login ON mail_sender_login(login);

-- ---------------------------------------------------------------------------------------------
-- Views the servers query. Column names and meanings are the contract.
-- ---------------------------------------------------------------------------------------------

-- Every domain we are the final destination for, whatever its status (Postfix
-- virtual_mailbox_domains). A disabled domain stays listed so that its mail is refused with
-- 550 here instead of being relayed somewhere else.
CREATE VIEW mail_domain_view AS
SELECT d.name AS name, d.status AS status
FROM mail_domain d;

-- Who may log in (Dovecot passdb, which also serves Postfix submission through SASL), and the
-- user's settings (Dovecot userdb after a login).
-- Rule: mailbox status 'active' and domain status 'active'.
-- quota_rule: Dovecot's userdb field, '*:storage=<bytes>B', or NULL when there is no quota
-- (never '': an empty rule makes LMTP answer 451).
CREATE VIEW mail_auth_view AS
SELECT m.address        AS address,
       m.password_hash  AS password_hash,
       m.home_key       AS home_key,
       CASE WHEN m.quota_bytes IS NULL THEN NULL
            ELSE '*:storage=' || m.quota_bytes || 'B' END AS quota_rule
FROM mailbox m
JOIN mail_domain d ON d.id = m.domain_id
WHERE m.status = 'active' AND d.status = 'active';

-- Who receives mail (Postfix virtual_mailbox_maps at RCPT time; Dovecot userdb for LMTP
-- delivery and for a logged-in user).
-- Rule: mailbox status in ('active', 'login-disabled') and domain status 'active'.
CREATE VIEW mail_recipient_view AS
SELECT m.address        AS address,
       m.home_key       AS home_key,
       CASE WHEN m.quota_bytes IS NULL THEN NULL
            ELSE '*:storage=' || m.quota_bytes || 'B' END AS quota_rule
FROM mailbox m
JOIN mail_domain d ON d.id = m.domain_id
WHERE m.status IN ('active', 'login-disabled') AND d.status = 'active';

-- Alias expansion (Postfix virtual_alias_maps): one row per (address, target).
-- Rule: the alias's domain is active; a target that is one of our mailboxes is kept only
-- while that mailbox receives mail (as mail_recipient_view), so a suspended member drops out
-- of a group and an alias left with no target is refused with 550 at RCPT time.
CREATE VIEW mail_alias_view AS
SELECT a.address AS address, a.target AS target, a.kind AS kind
FROM mail_alias a
JOIN mail_domain d ON d.id = a.domain_id
LEFT JOIN mailbox m ON m.address = a.target
LEFT JOIN mail_domain md ON md.id = m.domain_id
WHERE d.status = 'active'
  AND (m.id IS NULL OR (m.status IN ('active', 'login-disabled') AND md.status = 'active'));

-- Who may send as which address over submission (Postfix smtpd_sender_login_maps with
-- reject_sender_login_mismatch): one row per (address, login); login is a mailbox address as
-- returned by Dovecot after SASL authentication. An address with no row may not be used as
-- sender by anyone authenticated.
-- Rows: each active mailbox for its own address; the owner of an 'alias' or 'rename' alias
-- for the alias's address; every explicit mail_sender_login grant. Only logins that may log in
-- (mail_auth_view) appear.
CREATE VIEW mail_sender_login_view AS
SELECT au.address AS address, au.address AS login
FROM mail_auth_view au
UNION
SELECT a.address AS address, au.address AS login
FROM mail_alias a
JOIN mail_domain d ON d.id = a.domain_id AND d.status = 'active'
JOIN mail_auth_view au ON au.address = a.target
WHERE a.kind IN ('alias', 'rename')
UNION
SELECT s.address AS address, au.address AS login
FROM mail_sender_login s
JOIN mail_auth_view au ON au.address = s.login;
"""#
}
