-- Switchboard mail migration "v3-live-mail": a person's state and the directory's groups reach
-- the mail servers live, through the same five views and the same queries (ops/mail/README.md).
-- Applied after schema.sql (v2-mail) on a database that has the directory's person,
-- directory_group and group_member tables. Nothing in the servers' configuration changes: a
-- running Dovecot takes the new views at its next lookup; Postfix needs the one new map
-- (mail_recipient_access_view, the bounce text) in its configuration and a `postfix reload`.

-- What happens to a departed person's incoming mail, decided by `dirctl person depart` from the
-- config (mail.departed) and read live by the views while the person stays departed.
-- incoming: 'keep'    delivered to their mailboxes until keep_until, refused after;
--           'forward' each of their mailbox addresses is an alias of their manager's mailbox
--                     (refused when the manager has no mailbox that receives mail);
--           'bounce'  refused at once (RCPT 550).
-- reply: the SMTP reply the sender gets whenever their mail is refused ('550 5.1.1 ...', ASCII,
-- naming who to contact; mail.departed.bounce_text filled in at departure).
-- A departed person with no row (departed before this migration) is refused as 'bounce', with
-- Postfix's own "User unknown" reply.
CREATE TABLE mail_departure (
    person_id    INTEGER PRIMARY KEY REFERENCES person(id) ON DELETE CASCADE,
    incoming     TEXT    NOT NULL CHECK (incoming IN ('keep', 'forward', 'bounce')),
    keep_until   TEXT    CHECK ((incoming = 'keep') = (keep_until IS NOT NULL)),
    reply        TEXT    NOT NULL CHECK (reply GLOB '5[0-9][0-9] *' AND reply NOT GLOB '*[^ -~]*'),
    decided_at   TEXT    NOT NULL
);

-- A published distribution list: mail to `address` goes to the members of directory group
-- group_id, expanded at delivery time (nested groups included) by mail_alias_view.
CREATE TABLE mail_list (
    address     TEXT    PRIMARY KEY
                CHECK (address = lower(address)
                       AND address GLOB '?*@?*.?*' AND address NOT GLOB '*@*@*'
                       AND address NOT GLOB '*[ ,:;<>()"''\[]*'),
    domain_id   INTEGER NOT NULL REFERENCES mail_domain(id),
    group_id    INTEGER NOT NULL REFERENCES directory_group(id) ON DELETE CASCADE,
    created_at  TEXT    NOT NULL
);
CREATE INDEX mail_list_domain ON mail_list(domain_id);
CREATE INDEX mail_list_group ON mail_list(group_id);

CREATE TRIGGER mail_list_domain_insert BEFORE INSERT ON mail_list
WHEN substr(NEW.address, instr(NEW.address, '@') + 1)
     IS NOT (SELECT name FROM mail_domain WHERE id = NEW.domain_id)
BEGIN
    SELECT RAISE(ABORT, 'mail_list.address is not in the domain named by domain_id');
END;
CREATE TRIGGER mail_list_domain_update BEFORE UPDATE OF address, domain_id ON mail_list
WHEN substr(NEW.address, instr(NEW.address, '@') + 1)
     IS NOT (SELECT name FROM mail_domain WHERE id = NEW.domain_id)
BEGIN
    SELECT RAISE(ABORT, 'mail_list.address is not in the domain named by domain_id');
END;

-- Password expiry and "must change" enforced by Dovecot (mail.enforce_password_change): set by
-- mailctl on every password it writes, from the config at that time. While it is 1 and the
-- password must be changed or password_expires_at is past, the login is refused with a reason
-- naming `mailctl password` (mail_auth_view's nologin/reason, Dovecot passdb extra fields).
ALTER TABLE mailbox ADD COLUMN enforce_password_change INTEGER NOT NULL DEFAULT 0
    CHECK (enforce_password_change IN (0, 1));

-- Not read by the servers: each mailbox with what it may do right now, its owner's state
-- joined in. The five views below are built on it.
-- may_login: mailbox 'active', domain 'active', and no owner (a service mailbox) or an
--            'active' owner: a suspended or departed person's login is refused at once.
-- receives:  mailbox 'active' or 'login-disabled', domain 'active', and no owner, an 'active'
--            or 'suspended' owner (a suspension keeps mail coming), or a departed owner whose
--            mail is kept and keep_until is still ahead (SQLite's own clock, in the
--            app's timestamp format 'YYYY-MM-DDTHH:MM:SS.sssZ').
-- password_blocked: the password must be changed or has expired, and that is enforced.
-- forward_to: for a departed owner with 'forward', their manager's first mailbox that
--            receives mail (NULL otherwise).
DROP VIEW IF EXISTS mail_mailbox_state;
CREATE VIEW mail_mailbox_state AS
SELECT m.id AS id, m.address AS address, m.home_key AS home_key, m.person_id AS person_id,
       m.password_hash AS password_hash,
       CASE WHEN m.quota_bytes IS NULL THEN NULL
            ELSE '*:storage=' || m.quota_bytes || 'B' END AS quota_rule,
       (m.status = 'active' AND d.status = 'active'
        AND (p.id IS NULL OR p.status = 'active')) AS may_login,
       (m.enforce_password_change = 1
        AND (m.must_change_password = 1
             OR m.password_expires_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))) AS password_blocked,
       (m.status IN ('active', 'login-disabled') AND d.status = 'active'
        AND (p.id IS NULL OR p.status IN ('active', 'suspended')
             OR (p.status = 'departed' AND dep.incoming = 'keep'
                 AND dep.keep_until > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))) AS receives,
       CASE WHEN m.status IN ('active', 'login-disabled') AND d.status = 'active'
                 AND p.status = 'departed' AND dep.incoming = 'forward'
            THEN (SELECT mm.address FROM mailbox mm
                  JOIN mail_domain mmd ON mmd.id = mm.domain_id AND mmd.status = 'active'
                  JOIN person mp ON mp.id = mm.person_id AND mp.status IN ('active', 'suspended')
                  WHERE mm.person_id = p.manager_id AND mm.status IN ('active', 'login-disabled')
                  ORDER BY mm.id LIMIT 1)
       END AS forward_to,
       CASE WHEN m.status IN ('active', 'login-disabled') AND d.status = 'active'
                 AND p.status = 'departed' THEN dep.reply END AS departed_reply
FROM mailbox m
JOIN mail_domain d ON d.id = m.domain_id
LEFT JOIN person p ON p.id = m.person_id
LEFT JOIN mail_departure dep ON dep.person_id = m.person_id;

-- The refusal a sender gets for a departed person's address whose mail is neither kept nor
-- forwarded (Postfix check_recipient_access, before reject_unlisted_recipient): one row per
-- address, action an access(5) result such as '550 5.1.1 <text naming who to contact>'.
DROP VIEW IF EXISTS mail_recipient_access_view;
CREATE VIEW mail_recipient_access_view AS
SELECT s.address AS address, s.departed_reply AS action
FROM mail_mailbox_state s
WHERE s.departed_reply IS NOT NULL AND NOT s.receives AND s.forward_to IS NULL;

-- Who may log in: as before, and the owner must be active. nologin ('y') and reason are
-- Dovecot passdb extra fields, NULL (ignored) unless the password is blocked: Dovecot then
-- checks the password and refuses the login with the reason (the client sees it only after
-- giving the right password).
DROP VIEW mail_sender_login_view;
DROP VIEW mail_alias_view;
DROP VIEW mail_recipient_view;
DROP VIEW mail_auth_view;
CREATE VIEW mail_auth_view AS
SELECT s.address AS address, s.password_hash AS password_hash, s.home_key AS home_key,
       s.quota_rule AS quota_rule,
       CASE WHEN s.password_blocked THEN 'y' END AS nologin,
       CASE WHEN s.password_blocked
            THEN 'Password expired or must be changed: run mailctl password' END AS reason
FROM mail_mailbox_state s
WHERE s.may_login;

-- Who receives mail: as before, and the owner active, suspended, or departed with mail kept.
CREATE VIEW mail_recipient_view AS
SELECT s.address AS address, s.home_key AS home_key, s.quota_rule AS quota_rule
FROM mail_mailbox_state s
WHERE s.receives;

-- Alias expansion (Postfix virtual_alias_maps), one row per (address, target), kind:
-- 'alias'/'rename'/'group' rows of mail_alias as before (a target that is one of our mailboxes
-- only while it receives mail); 'forward': a departed person's mailbox to their manager's;
-- 'list': a published list's members, through nested groups, each active member's first
-- mailbox that receives mail (inactive, suspended or departed members are left out).
CREATE VIEW mail_alias_view AS
SELECT a.address AS address, a.target AS target, a.kind AS kind
FROM mail_alias a
JOIN mail_domain d ON d.id = a.domain_id
LEFT JOIN mail_mailbox_state s ON s.address = a.target
WHERE d.status = 'active' AND (s.id IS NULL OR s.receives)
UNION
SELECT s.address AS address, s.forward_to AS target, 'forward' AS kind
FROM mail_mailbox_state s
WHERE s.forward_to IS NOT NULL
UNION
SELECT address, target, 'list' AS kind FROM (
    WITH RECURSIVE list_group(address, group_id) AS (
        SELECT l.address, l.group_id
        FROM mail_list l JOIN mail_domain d ON d.id = l.domain_id AND d.status = 'active'
        UNION
        SELECT lg.address, gm.member_group_id
        FROM list_group lg JOIN group_member gm ON gm.group_id = lg.group_id
        WHERE gm.member_group_id IS NOT NULL
    )
    SELECT lg.address AS address,
           (SELECT s.address FROM mail_mailbox_state s
            WHERE s.person_id = p.id AND s.receives ORDER BY s.id LIMIT 1) AS target
    FROM list_group lg
    JOIN group_member gm ON gm.group_id = lg.group_id
    JOIN person p ON p.id = gm.person_id AND p.status = 'active'
)
WHERE target IS NOT NULL;

-- Who may send as which address over submission: unchanged rules, over the new mail_auth_view
-- (a suspended or departed person's mailbox drops out with its login; so does a login whose
-- password is blocked, so that submission refuses its sender even if SASL let it in).
CREATE VIEW mail_sender_login_view AS
SELECT au.address AS address, au.address AS login
FROM mail_auth_view au
WHERE au.nologin IS NULL
UNION
SELECT a.address AS address, au.address AS login
FROM mail_alias a
JOIN mail_domain d ON d.id = a.domain_id AND d.status = 'active'
JOIN mail_auth_view au ON au.address = a.target
WHERE a.kind IN ('alias', 'rename') AND au.nologin IS NULL
UNION
SELECT s.address AS address, au.address AS login
FROM mail_sender_login s
JOIN mail_auth_view au ON au.address = s.login
WHERE au.nologin IS NULL;
