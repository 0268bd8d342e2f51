// swift-tools-version:6.0
// Benchmarks, kept out of the main package's test build: `ops/bench/run` (or `make bench`) runs them in release mode.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name, which differs between clones.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "SwitchboardBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: root.path),
    ],
    targets: [
        .executableTarget(
            name: "SwitchboardBench",
            dependencies: [
                .product(name: "SwitchboardCore", package: rootIdentity),
                .product(name: "MailAdmin", package: rootIdentity),
                .product(name: "Scheduling", package: rootIdentity),
                .product(name: "ICalendar", package: rootIdentity),
                .product(name: "HealthMonitor", package: rootIdentity),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
