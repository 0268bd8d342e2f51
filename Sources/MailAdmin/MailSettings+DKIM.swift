import Foundation
import SwitchboardBase
public import SwitchboardCore

/// DKIM keys (`mail.dkim`): where the private keys live, who reads them, how rotation goes.
public struct MailDKIMSettings: Sendable, Equatable {
    /// Make a key for each domain (`domain add`) and sign its mail.
    public var enabled: Bool = true
    /// Folder of the private keys (`DIR/DOMAIN/SELECTOR.private`). OpenDKIM refuses a key in a
    /// path that another user can write (a sticky /var/tmp included), so this is never under one.
    public var keyDirectory: String = "/var/lib/switchboard-dkim"
    /// The signer's user (OpenDKIM's `UserID`): the only one that may read the private keys.
    public var signerUser: String = "opendkim"
    /// Add an Ed25519 key (RFC 8463) beside each RSA one.
    public var ed25519: Bool = false
    /// RSA key size in bits.
    public var rsaBits: Int = 2048
    /// How long a replaced key stays published after its successor starts signing.
    public var rotationGrace: Duration = .seconds(7 * 86_400)

    /// The defaults.
    public init() {}

    /// Decodes `mail.dkim`; errors name the file, line and key.
    public init(node: ConfigNode) throws {
        self.init()
        let keys = try node.mapping(known: ["enabled", "key_dir", "signer_user", "ed25519", "rsa_bits", "rotation_grace"])
        if let value = keys["enabled"] { enabled = try value.boolean() }
        if let value = keys["key_dir"] { keyDirectory = try value.filePath() }
        if let value = keys["signer_user"] { signerUser = try value.nonEmptyString() }
        if let value = keys["ed25519"] { ed25519 = try value.boolean() }
        if let value = keys["rsa_bits"] {
            rsaBits = try value.integer(in: 2048...4096)
            guard [2048, 3072, 4096].contains(rsaBits) else { throw value.error("expected 2048, 3072 or 4096, got \(rsaBits)") }
        }
        if let value = keys["rotation_grace"] { rotationGrace = try value.duration(in: .seconds(1)...(.seconds(365 * 86_400))) }
    }
}

/// What `mailctl domain dns` publishes and `domain check` expects (`mail.dns`).
public struct MailDNSSettings: Sendable, Equatable {
    /// The host that receives the domains' mail (MX target, MTA-STS `mx:`). Empty: `mail.DOMAIN`.
    public var mailHost: String = ""
    /// The MX preference.
    public var mxPreference: Int = 10
    /// SPF mechanisms before the final `all` (`mx`, `ip4:192.0.2.0/24`, `include:...`).
    public var spfMechanisms: [String] = ["mx"]
    /// SPF's final qualifier: `-all` (fail, the default) or `~all` (softfail).
    public var spfAll: String = "-all"
    /// DMARC policy: none, quarantine (default) or reject.
    public var dmarcPolicy: String = "quarantine"
    /// The mailbox of each domain that receives DMARC and TLS-RPT reports (`LOCAL@DOMAIN`).
    public var reportLocalPart: String = "postmaster"
    /// MTA-STS mode: enforce (default), testing or none.
    public var mtaSTSMode: String = "enforce"
    /// MTA-STS `max_age` in seconds.
    public var mtaSTSMaxAge: Int = 604_800
    /// The host that serves `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (the CNAME target
    /// of `mta-sts.DOMAIN`). Empty: the mail host.
    public var mtaSTSHost: String = ""
    /// TTL of the records printed.
    public var ttl: Int = 3600

    /// The defaults.
    public init() {}

    /// Decodes `mail.dns`; errors name the file, line and key.
    public init(node: ConfigNode) throws {
        self.init()
        let keys = try node.mapping(known: [
            "mail_host", "mx_preference", "spf_mechanisms", "spf_all", "dmarc_policy", "report_local_part",
            "mta_sts_mode", "mta_sts_max_age", "mta_sts_host", "ttl",
        ])
        if let value = keys["mail_host"] { mailHost = try Self.hostName(value) }
        if let value = keys["mx_preference"] { mxPreference = try value.integer(in: 0...65535) }
        if let value = keys["spf_mechanisms"] {
            spfMechanisms = try value.sequence().map { item in
                let text = try item.nonEmptyString()
                guard !text.contains(where: { $0.isWhitespace || $0 == "\"" }), !text.lowercased().hasSuffix("all") else {
                    throw item.error("expected one SPF mechanism such as mx, ip4:192.0.2.0/24 or include:example.net (the final all is spf_all), got \"\(text)\"")
                }
                return text
            }
        }
        if let value = keys["spf_all"] { spfAll = try value.oneOf(["-all", "~all"]) }
        if let value = keys["dmarc_policy"] { dmarcPolicy = try value.oneOf(["none", "quarantine", "reject"]) }
        if let value = keys["report_local_part"] {
            let text = try value.nonEmptyString()
            guard (try? EmailAddress("\(text)@example.org")) != nil, !text.contains("@") else {
                throw value.error("expected the local part of a mailbox (before the @), got \"\(text)\"")
            }
            reportLocalPart = text.lowercased()
        }
        if let value = keys["mta_sts_mode"] { mtaSTSMode = try value.oneOf(["enforce", "testing", "none"]) }
        if let value = keys["mta_sts_max_age"] { mtaSTSMaxAge = try value.integer(in: 86_400...31_557_600) }
        if let value = keys["mta_sts_host"] { mtaSTSHost = try Self.hostName(value) }
        if let value = keys["ttl"] { ttl = try value.integer(in: 60...604_800) }
    }

    static func hostName(_ node: ConfigNode) throws -> String {
        let text = try node.nonEmptyString()
        let trimmed = text.hasSuffix(".") ? String(text.dropLast()) : text
        guard let ascii = Punycode.toASCII(domain: trimmed), (try? EmailAddress("postmaster@\(ascii)")) != nil else {
            throw node.error("expected a host name, got \"\(text)\"")
        }
        return ascii
    }

    /// The mail host of `domain`.
    public func mailHost(for domain: String) -> String { mailHost.isEmpty ? "mail.\(domain)" : mailHost }
    /// The host serving `domain`'s MTA-STS policy.
    public func mtaSTSHost(for domain: String) -> String { mtaSTSHost.isEmpty ? mailHost(for: domain) : mtaSTSHost }
}
