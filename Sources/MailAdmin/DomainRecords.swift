import Foundation
import SwitchboardBase

/// One DNS record a mail domain needs.
public struct DomainRecord: Sendable, Equatable, Codable {
    /// What the record is for.
    public enum Purpose: String, Sendable, Codable, CaseIterable {
        case mx, spf, dkim, dmarc
        case mtaSTS = "mta-sts"
        case mtaSTSHost = "mta-sts-host"
        case tlsRPT = "tls-rpt"
    }
    /// What the record is for.
    public var purpose: Purpose
    /// The owner name, fully qualified, without a trailing dot.
    public var name: String
    /// `MX`, `TXT` or `CNAME`.
    public var type: String
    /// The data: `10 mail.example.org` (MX), the whole text unquoted (TXT), the target (CNAME).
    public var value: String
    /// Time to live, seconds.
    public var ttl: Int
    /// The DKIM selector (purpose `dkim` only).
    public var selector: String?

    /// A record.
    public init(purpose: Purpose, name: String, type: String, value: String, ttl: Int, selector: String? = nil) {
        self.purpose = purpose
        self.name = name
        self.type = type
        self.value = value
        self.ttl = ttl
        self.selector = selector
    }
}

/// Every record a mail domain needs (`mailctl domain dns`): MX, SPF, a DKIM TXT per published
/// selector, DMARC, MTA-STS (its TXT and the policy host) and TLS-RPT.
public struct DomainRecords: Sendable, Equatable, Codable {
    /// The domain (ASCII; punycode for an IDN).
    public var domain: String
    /// The records, in the order above.
    public var records: [DomainRecord]
    /// The MTA-STS policy to serve at `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (CRLF lines).
    public var mtaSTSPolicy: String

    /// The records `settings` ask for, with a DKIM record for each key whose state is published.
    public init(domain: String, keys: [DKIMPublicKey], settings: MailDNSSettings) {
        fatalError("filled in by the records change")
    }

    /// The records as a zone-file fragment (BIND syntax; TXT data in quoted strings of at most 255 bytes).
    public var zoneFragment: String {
        fatalError("filled in by the records change")
    }
}
