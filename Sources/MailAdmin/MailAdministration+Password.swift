import Foundation
import GRDB
import SwitchboardCore
public import SwitchboardBase

extension MailAdministration {
    /// The acting person changes the password of a mailbox of their own (`mailctl password`).
    ///
    /// `address` may be nil when the person has exactly one mailbox. The current password is
    /// checked against the stored hash (a wrong one is refused, audited, after a pause that makes
    /// guessing slow); the new one must pass the policy and differ from the current one. The
    /// event records that it happened, never either password. Returns the mailbox's address.
    @discardableResult
    public func changeOwnPassword(address raw: String?, current: Secret, new: Secret) throws -> String {
        let owned = try database.read { db in
            try String.fetchAll(db, sql: "SELECT address FROM mailbox WHERE person_id = ? AND status != 'pending-purge' ORDER BY address",
                                arguments: [session.personID])
        }
        let address: String
        if let raw {
            address = try Self.normalize(address: raw).key
        } else {
            guard owned.count == 1, let only = owned.first else {
                throw MailError(.invalidInput, owned.isEmpty
                    ? "\(session.login) has no mailbox of their own: the helpdesk creates one with `mailctl account create --person \(session.login)`"
                    : "\(session.login) has \(owned.count) mailboxes (\(owned.joined(separator: ", "))): name the one to change")
            }
            address = only
        }
        let target = "mailbox:\(address)"
        try session.authorize(.mailAccountPassword, target: target)
        guard owned.contains(address) else {
            try session.deny(.mailAccountPassword, target: target, reason: "\(address) is not a mailbox of \(session.login)'s own (the helpdesk resets others' passwords)")
        }
        let (account, stored) = try database.read { db in
            let account = try Self.requireAccount(db, address: address)
            return (account, try String.fetchOne(db, sql: "SELECT password_hash FROM mailbox WHERE id = ?", arguments: [account.id]) ?? "")
        }
        guard CryptPasswordHasher.verify(current, against: stored) else {
            // A pause before saying so: guessing the current password stays slow.
            Thread.sleep(forTimeInterval: 1)
            try session.deny(.mailAccountPassword, target: target, reason: "the current password is not right; nothing was changed")
        }
        if let problem = policy.problem(with: new, address: address, displayName: account.displayName) {
            throw MailError(.invalidInput, "new password: \(problem)")
        }
        guard new.exposedValue != current.exposedValue else {
            throw MailError(.invalidInput, "new password: it is the current one; choose another")
        }
        let hash = try hasher.hash(new)
        try session.perform(.mailAccountPassword, target: target) { db, details in
            // The hash read above must still be the stored one: a reset meanwhile wins.
            try db.execute(literal: """
                UPDATE mailbox SET password_hash = \(hash), password_changed_at = \(timestamp),
                       password_expires_at = \(passwordExpiry), must_change_password = 0,
                       enforce_password_change = \(settings.enforcePasswordChange)
                WHERE id = \(account.id) AND password_hash = \(stored)
                """)
            guard db.changesCount == 1 else {
                throw MailError(.conflict, "the password of \(address) was changed meanwhile (a reset by the helpdesk?); nothing was changed")
            }
            details["self"] = true
        }
        return address
    }
}
