import ArgumentParser
import DNSLookup
import Foundation
import MailAdmin
import SwitchboardCLI
import SwitchboardCore
import SwitchboardBase

extension DomainCommand {
    struct DNS: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "dns", abstract: "Print the DNS records a mail domain needs (MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT).",
            discussion: """
                A zone-file fragment to paste into the domain's zone, or --json. One DKIM record per
                published selector (during a rotation, the old and the new). The MTA-STS policy file
                to serve is shown at the end. Policies come from mail.dns in the configuration.

                Examples:
                  mailctl domain dns bonoivu.gov.vn
                  mailctl domain dns bonoivu.gov.vn --json
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String

        func run(in context: CommandContext) throws {
            let records = try context.mail.domainRecords(name)
            if global.json { try Console.json(records) } else { Console.out(records.zoneFragment) }
        }
    }

    struct Check: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Check a mail domain's DNS records and DKIM signing.",
            discussion: """
                Asks DNS for each record `mailctl domain dns` prints and reports it present, missing
                or wrong, with what to publish instead; then checks that the domain's signing key
                can be used. Exit 0 when all is right, 1 when anything is missing or wrong, 69 when
                DNS does not answer.

                Examples:
                  mailctl domain check bonoivu.gov.vn
                  mailctl domain check bonoivu.gov.vn --server 192.0.2.53
                  mailctl domain check bonoivu.gov.vn --server 127.0.0.1:5353 --json
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String
        @Option(help: "Ask this DNS server (HOST or HOST:PORT) instead of the system's resolver.") var server: String?

        func run(in context: CommandContext) throws {
            let resolver = try DomainCommand.resolver(server)
            let report = try context.mail.checkDomain(name, resolver: resolver, server: server ?? "system")
            if global.json {
                try Console.json(report)
            } else {
                Console.table(["RECORD", "NAME", "STATUS", "DETAIL"], report.records.map { item in
                    let label = item.record.purpose == .dkim ? "dkim \(item.record.selector ?? "")" : item.record.purpose.rawValue
                    return [label, item.record.name, item.status.rawValue, item.problem ?? item.record.value]
                })
                let signing = report.signing
                for key in signing.signingKeys {
                    Console.out("signing: \(signing.domain) signs with \(key.selector) (\(key.algorithm.rawValue))")
                }
                for problem in signing.problems { Console.out("signing: \(problem)") }
                for note in signing.notes + report.notes { Console.out("note: \(note)") }
                let wrong = report.records.filter { $0.status != .present }.count
                if report.passed {
                    Console.out("\(report.domain): every record is published and its mail is signed")
                } else {
                    let parts = [wrong > 0 ? "\(wrong) record\(wrong == 1 ? "" : "s") missing or wrong" : nil,
                                 signing.problems.isEmpty ? nil : "its mail is not signed"].compactMap { $0 }
                    Console.out("\(report.domain): \(parts.joined(separator: "; "))")
                }
            }
            if !report.passed { throw ExitStatus.failed }
        }
    }

    /// The system's resolver, or the server named by `--server`.
    static func resolver(_ server: String?) throws -> DNSResolver {
        guard let server else { return DNSResolver() }
        do { return DNSResolver(server: try DNSServer(parsing: server)) } catch let error as DNSError {
            throw UsageError("--server: \(error.description)")
        }
    }
}

struct DKIMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkim", abstract: "DKIM keys: list them, rotate them (admin).",
        discussion: """
            A rotation: `rotate` makes a new key and prints its record; publish it; `advance` (run it
            by hand or from a timer) starts signing with it once DNS serves the record, keeps the old
            record published for mail.dkim.rotation_grace, then retires the old key.
            """,
        subcommands: [List.self, Rotate.self, Advance.self, Cancel.self])

    struct List: MailctlCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List DKIM keys and their states.",
                                                        discussion: "Examples:\n  mailctl domain dkim list\n  mailctl domain dkim list bonoivu.gov.vn --json")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Only this domain.") var name: String?

        func run(in context: CommandContext) throws {
            let keys = try context.mail.dkimKeys(domain: name)
            if global.json { try Console.json(keys); return }
            let zone = context.config.locale.timeZone
            Console.table(["DOMAIN", "SELECTOR", "ALGORITHM", "STATE", "SINCE", "UNTIL"], keys.map { key in
                let since = key.retiredAt ?? key.activatedAt ?? key.createdAt
                return [key.domain, key.selector, key.algorithm.rawValue, key.state.rawValue, Console.localTime(since, zone: zone),
                        key.state == .retiring ? Console.localTime(key.retireAfter, zone: zone) : ""]
            })
        }
    }

    struct Rotate: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate", abstract: "Make a new DKIM key for a domain; it signs once its record is in DNS.",
            discussion: "Example:\n  mailctl domain dkim rotate bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String

        func run(in context: CommandContext) throws {
            let mail = try context.mail
            let keys = try mail.rotateDKIM(domain: name)
            if global.json { try Console.json(keys); return }
            let records = try mail.domainRecords(name)
            for key in keys {
                Console.out("New DKIM key \(key.selector) (\(key.algorithm.rawValue)) for \(key.domain): publish this record, then run `mailctl domain dkim advance \(key.domain)`")
                if let record = records.records.first(where: { $0.selector == key.selector }) {
                    Console.out("  \(record.name). \(record.ttl) IN TXT \"\(record.value)\"")
                }
            }
        }
    }

    struct Cancel: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Give up a rotation whose new key does not sign yet: the key is retired, its file deleted.",
            discussion: "Example:\n  mailctl domain dkim cancel bonoivu.gov.vn")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domain name.") var name: String

        func run(in context: CommandContext) throws {
            let selectors = try context.mail.cancelDKIMRotation(domain: name)
            if global.json { try Console.json(selectors); return }
            Console.out("Cancelled the rotation of \(name): \(selectors.joined(separator: ", ")) retired unused; remove its record from DNS if you published it")
        }
    }

    struct Advance: MailctlCommand {
        static let configuration = CommandConfiguration(
            commandName: "advance", abstract: "Move DKIM rotations on: sign with keys DNS now serves, retire old ones after their grace period.",
            discussion: """
                Without a domain: every domain with a rotation under way (for a timer). Exit 69 when
                DNS gave no answer for some key (the other domains still move on).
                Examples:
                  mailctl domain dkim advance
                  mailctl domain dkim advance bonoivu.gov.vn --server 192.0.2.53
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Domains (default: every domain with a rotation under way).") var names: [String] = []
        @Option(help: "Ask this DNS server (HOST or HOST:PORT) instead of the system's resolver.") var server: String?

        func run(in context: CommandContext) throws {
            // --server: that one server; otherwise every authoritative name server of each domain.
            let source: DKIMRecordSource = server == nil ? .everyNameServer : .server(try DomainCommand.resolver(server))
            let steps = try context.mail.advanceDKIM(domains: names, source: source)
            if global.json {
                try Console.json(steps)
                if steps.contains(where: { $0.change == .unchecked }) { throw ExitStatus.unavailable }
                return
            }
            if steps.isEmpty { Console.out("No DKIM rotation under way"); return }
            for step in steps { Console.out("\(step.domain) \(step.selector): \(step.change.rawValue): \(step.detail)") }
            // DNS that did not answer for some domain: the rest went on; the run shows failed.
            if steps.contains(where: { $0.change == .unchecked }) { throw ExitStatus.unavailable }
        }
    }
}
