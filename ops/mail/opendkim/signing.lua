-- Switchboard's signing decision for OpenDKIM (its SetupPolicyScript): install as
-- /etc/opendkim/signing.lua (ops/mail/opendkim/opendkim.conf names it). The Ed25519 process
-- (opendkim-ed25519.conf) runs /etc/opendkim/signing-ed25519.lua, made from this file at install
-- with key_type "ed25519" (ops/mail/README.md, "DKIM signing"); the private stack's copy,
-- ops/mailstack/templates/signing.lua.in, is the same with the stack's database name.
--
-- Signs mail from logged-in clients (SMTP AUTH) for the domains they may send as, and
-- unauthenticated mail from internal hosts (InternalHosts), with the From: domain's active key of
-- this process's type: the KeyTable name "TYPE:DOMAIN" (view mail_dkim_signing_view), asked for
-- only when the view has it. odkim.sign with a key whose file is missing or unreadable logs "key
-- ... could not be loaded" and returns 0: the mail then goes out unsigned, never refused.
--
-- One type per process: OpenDKIM 2.11 signs every signature of a message with the one
-- SignatureAlgorithm of its configuration; asked to sign with an Ed25519 key, an rsa-sha256
-- process fails the message ("EVP_PKEY_get1_RSA() failed") and Postfix answers 451.
-- The keys this process signs with: "rsa" here, "ed25519" in signing-ed25519.lua (the only
-- line that differs; the install makes that file from this one).
local key_type = "rsa"

-- The KeyTable's view, by the same DSN (opendkim runs in /var/lib/switchboard).
local keys_dsn = "dsn:sqlite3://s/witchboard.sqlite/table=mail_dkim_signing_view?keycol=key_name?datacol=domain"

local login = odkim.get_mtasymbol(ctx, "{auth_authen}")
local internal = odkim.internal_ip(ctx) == 1
if login == nil and not internal then
  return nil
end

local domain = odkim.get_fromdomain(ctx)
if domain == nil or domain == "" then
  return nil
end
domain = string.lower(domain)

-- A logged-in sender gets the signature of a domain it may send as only (its own, or one of an
-- address mail_sender_login_view grants it: mail_dkim_sender_view): Postfix checks the envelope sender
-- against the login (smtpd_sender_login_maps), not the From: header, so without this a user of
-- one hosted domain could send mail that verifies as another's. Unauthenticated mail from
-- loopback (the tools' notifications, through the relay) is signed for its From: domain.
if login ~= nil then
  login = string.lower(login)
  local at = string.find(login, "@", 1, true)
  local own = at and string.sub(login, at + 1) or ""
  local may = own == domain
  if not may then
    -- Another domain's address the login may send as (an alias, a renamed address, a grant).
    local opened_senders, senders = pcall(odkim.db_open, "dsn:sqlite3://s/witchboard.sqlite/table=mail_dkim_sender_view?keycol=login_domain?datacol=login_domain")
    if opened_senders then
      may = odkim.db_check(senders, login .. " " .. domain) == 1
      odkim.db_close(senders)
    end
  end
  if not may then
    odkim.log(ctx, "switchboard: " .. login .. " sent mail From: " .. domain .. ", a domain it may not send as; not signed")
    return nil
  end
end

local opened, keys = pcall(odkim.db_open, keys_dsn)
if not opened then
  odkim.log(ctx, "switchboard: cannot open the key view (" .. tostring(keys) .. "); " .. domain .. " not signed")
  return nil
end
-- This process signs with one algorithm (its SignatureAlgorithm): key_type's.
local name = key_type .. ":" .. domain
if odkim.db_check(keys, name) == 1 then
  if odkim.sign(ctx, name) ~= 1 then
    odkim.log(ctx, "switchboard: " .. name .. " did not sign (its key file missing or unreadable?)")
  end
end
odkim.db_close(keys)
return nil
