// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dirctl", targets: ["dirctl"]),
        .executable(name: "mailctl", targets: ["mailctl"]),
        .executable(name: "meetctl", targets: ["meetctl"]),
        .executable(name: "healthd", targets: ["healthd"]),
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "MailAdmin", targets: ["MailAdmin"]),
        .library(name: "Scheduling", targets: ["Scheduling"]),
        .library(name: "ICalendar", targets: ["ICalendar"]),
        .library(name: "HealthMonitor", targets: ["HealthMonitor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // Named because HealthServer uses their types directly (Hummingbird brings them anyway).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        // libcurl is opened on first use (dlopen; see its shim.h), so the module links nothing.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CICal", pkgConfig: "libical", providers: [.apt(["libical-dev"])]),
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // glibc's stub resolver (libresolv): DNS queries for `mailctl domain check`.
        .systemLibrary(name: "CResolv", providers: [.apt(["libc6-dev"])]),

        // The leaves: small shared pieces with no package dependency (Secret, the error protocol,
        // quoting, text normalization, Punycode, the one e-mail address type).
        .target(name: "SwitchboardBase"),
        .target(
            name: "SwitchboardCore",
            dependencies: [
                "SwitchboardBase",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "Transport", dependencies: ["CCurl", "SwitchboardBase"]),
        .target(name: "Messaging", dependencies: ["SwitchboardBase", .product(name: "Mustache", package: "swift-mustache")]),
        .target(name: "ICalendar", dependencies: ["CICal"]),
        // DNS lookups (MX, TXT, A, AAAA, CNAME) over the system resolver library, optionally
        // against one named server: the only importer of CResolv.
        .target(name: "DNSLookup", dependencies: ["CResolv", "SwitchboardBase"]),
        // The outbox of notifications (mailctl's notices, meetctl's invites): queued in the change's
        // transaction, sent after its commit.
        .target(name: "Outbox", dependencies: ["SwitchboardBase", "SwitchboardCore", "Transport", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")]),
        .target(name: "MailAdmin", dependencies: [
            "CCrypt", "SwitchboardBase", "SwitchboardCore", "Transport", "Messaging", "Outbox", "DNSLookup",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            // RSA key generation for DKIM (swift-crypto's RSA lives in _CryptoExtras).
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        // Meetings: bookings, conflicts, find-time, invites and replies (`meetctl`).
        .target(name: "Scheduling", dependencies: [
            "SwitchboardBase", "SwitchboardCore", "ICalendar", "Messaging", "Transport", "Outbox", "MailAdmin",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Service health (`healthd`): configuration, probes' results, the state machine, history
        // and SLA, alerts and reports. No HTTP server in it: that is HealthServer.
        .target(name: "HealthMonitor", dependencies: [
            "SwitchboardBase", "SwitchboardCore", "Transport", "Messaging", "Outbox", "MailAdmin",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
        ]),
        // healthd's HTTP side (Hummingbird 2): the endpoints dashboards poll and the status page.
        .target(name: "HealthServer", dependencies: [
            "SwitchboardBase", "HealthMonitor",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(
            name: "SwitchboardCLI",
            dependencies: [
                "SwitchboardBase", "SwitchboardCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "dirctl",
            dependencies: [
                "SwitchboardBase", "SwitchboardCore", "SwitchboardCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "mailctl",
            dependencies: [
                "SwitchboardBase", "SwitchboardCore", "SwitchboardCLI", "MailAdmin", "Outbox", "DNSLookup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "meetctl",
            dependencies: [
                "SwitchboardBase", "SwitchboardCore", "SwitchboardCLI", "Scheduling", "ICalendar", "Outbox", "MailAdmin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "healthd",
            dependencies: [
                "SwitchboardBase", "SwitchboardCore", "SwitchboardCLI", "HealthMonitor", "HealthServer", "Transport", "MailAdmin", "Outbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // A helper process for the multi-process concurrency test: N write transactions, one audit event each.
        .executableTarget(name: "StressWriter", dependencies: ["SwitchboardCore"], path: "Tests/StressWriter"),

        .target(name: "SwitchboardTestSupport", path: "Tests/SwitchboardTestSupport"),
        // A mail domain of a test's own on the test run's mail stack (MailctlTests, MeetctlTests).
        .target(name: "MailTestSupport", dependencies: ["SwitchboardTestSupport", "SwitchboardCore", "SwitchboardBase", "Transport"],
                path: "Tests/MailTestSupport"),
        .testTarget(name: "SwitchboardCoreTests", dependencies: [
            "SwitchboardBase", "SwitchboardCore", "SwitchboardTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "ICalendarTests", dependencies: ["ICalendar", "SwitchboardTestSupport"]),
        .testTarget(name: "NativeModulesTests", dependencies: ["Transport", "ICalendar", "MailAdmin"]),
        .testTarget(name: "MailAdminTests", dependencies: ["MailAdmin", "SwitchboardCore", "SwitchboardBase", "Transport", "DNSLookup", "SwitchboardTestSupport"]),
        .testTarget(name: "DNSLookupTests", dependencies: ["DNSLookup", "SwitchboardBase", "SwitchboardTestSupport"]),
        .testTarget(name: "MessagingTests", dependencies: ["Messaging", "SwitchboardBase", "SwitchboardTestSupport"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "SwitchboardBase", "SwitchboardCore", "SwitchboardTestSupport"]),
        .testTarget(name: "MailctlTests", dependencies: ["SwitchboardBase", "MailAdmin", "Messaging", "Transport", "SwitchboardCore", "SwitchboardTestSupport", "MailTestSupport", "DNSLookup", "mailctl", "dirctl"]),
        .testTarget(name: "SchedulingTests", dependencies: [
            "Scheduling", "ICalendar", "SwitchboardBase", "SwitchboardCore", "SwitchboardTestSupport", "Outbox",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "MeetctlTests", dependencies: [
            "Scheduling", "ICalendar", "SwitchboardBase", "SwitchboardCore", "SwitchboardTestSupport", "MailTestSupport", "Transport", "meetctl", "dirctl", "mailctl",
        ]),
        .testTarget(name: "HealthMonitorTests", dependencies: [
            "HealthMonitor", "SwitchboardBase", "SwitchboardCore", "SwitchboardTestSupport", "MailTestSupport", "Transport", "Messaging",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "HealthServerTests", dependencies: [
            "HealthServer", "HealthMonitor", "SwitchboardBase", "SwitchboardCore", "SwitchboardTestSupport", "Transport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "HealthdTests", dependencies: [
            "HealthMonitor", "SwitchboardBase", "SwitchboardCore", "SwitchboardTestSupport", "MailTestSupport", "Transport",
            "healthd", "dirctl", "mailctl",
        ]),
        .testTarget(name: "DirctlTests", dependencies: ["SwitchboardBase", "SwitchboardCore", "SwitchboardTestSupport", "dirctl", "mailctl", "StressWriter"]),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
