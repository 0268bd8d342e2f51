import Foundation
public import DNSLookup

/// What DNS has for one expected record.
public struct DomainCheckItem: Sendable, Equatable, Codable {
    /// Present (as expected), missing, or wrong (something else is published).
    public enum Status: String, Sendable, Codable { case present, missing, wrong }
    /// The record expected.
    public var record: DomainRecord
    /// What DNS has.
    public var status: Status
    /// The values found at that name and type (TXT: only the ones of this kind, e.g. `v=spf1`).
    public var found: [String]
    /// One line: what is wrong and what to publish instead (nil when present).
    public var problem: String?

    /// An item.
    public init(record: DomainRecord, status: Status, found: [String], problem: String?) {
        self.record = record
        self.status = status
        self.found = found
        self.problem = problem
    }
}

/// Compares what DNS publishes with what a domain needs (`mailctl domain check`).
public struct DomainCheck: Sendable {
    /// Where the answers come from.
    public let resolver: any DNSLookingUp

    /// A check asking `resolver`.
    public init(resolver: any DNSLookingUp) {
        self.resolver = resolver
    }

    /// One item per expected record, in the same order. Throws the resolver's ``DNSError`` when
    /// DNS gives no answer at all (a server that is down is not "missing").
    public func check(_ expected: DomainRecords) throws -> [DomainCheckItem] {
        fatalError("filled in by the records change")
    }
}
