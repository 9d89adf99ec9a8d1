// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Colmeia",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ColmeiaRaft", targets: ["ColmeiaRaft"]),
        .library(name: "ColmeiaRaftStorage", targets: ["ColmeiaRaftStorage"]),
        .library(name: "ColmeiaNode", targets: ["ColmeiaNode"]),
        .library(name: "ColmeiaModel", targets: ["ColmeiaModel"]),
        .library(name: "ColmeiaStore", targets: ["ColmeiaStore"]),
        .library(name: "ColmeiaManager", targets: ["ColmeiaManager"]),
        .library(name: "ColmeiaAgent", targets: ["ColmeiaAgent"]),
        .executable(name: "raft-sim", targets: ["raft-sim"]),
        .executable(name: "raft-bench", targets: ["raft-bench"]),
        .executable(name: "colmeia-store-bench", targets: ["colmeia-store-bench"]),
        .executable(name: "colmeiad", targets: ["colmeiad"]),
        .executable(name: "colmeia-scale-bench", targets: ["colmeia-scale-bench"]),
        .executable(name: "colmeia-cluster-bench", targets: ["colmeia-cluster-bench"]),
        .executable(name: "colmeia-chaos", targets: ["colmeia-chaos"]),
        .library(name: "ColmeiaClient", targets: ["ColmeiaClient"]),
        .executable(name: "colmeia", targets: ["colmeia"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Consensus as a pure state machine: no I/O, no clocks, no ambient randomness.
        .target(name: "ColmeiaRaft"),
        // Durable Raft storage: WAL segments, snapshot files, hard state.
        .target(name: "ColmeiaRaftStorage", dependencies: ["ColmeiaRaft", .product(name: "Metrics", package: "swift-metrics")]),
        // Resources, specs, events and commands, with Docker's JSON shapes and validation.
        .target(name: "ColmeiaModel"),
        // SQLite read models of the cluster, written only by apply. The schema lives in the
        // top-level migrations/ folder (linked into the target as a resource).
        .target(
            name: "ColmeiaStore",
            dependencies: ["ColmeiaModel", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"), "CZlib"],
            resources: [.copy("Migrations")]
        ),
        // The leader's reconcilers (orchestrators, scheduler, updater, restart supervisor,
        // reaper) and the dispatcher that agents talk to.
        .target(
            name: "ColmeiaManager",
            dependencies: ["ColmeiaModel", "ColmeiaStore", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics")]
        ),
        // How the process executor starts a task: fork, cgroups, user, a guard that kills the
        // task's group when the daemon dies, exec. C, because only async-signal-safe calls
        // may run between fork and exec in a process with threads.
        .target(name: "CColmeiaSpawn"),
        // The data plane: the routing mesh (published ports on every node), the
        // node-to-node data path (mutual TLS), virtual IPs and names of services.
        .target(
            name: "ColmeiaMesh",
            dependencies: [
                "ColmeiaModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The worker side: the agent and its executors.
        .target(
            name: "ColmeiaAgent",
            dependencies: [
                "ColmeiaModel", "CColmeiaSpawn", "ColmeiaMesh",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Nodes that run tasks nowhere, for the scale benchmark and the reconciler tests.
        .target(name: "ColmeiaSimulatedNodes", dependencies: ["ColmeiaAgent", "ColmeiaModel", .product(name: "Logging", package: "swift-log")]),
        // Composition of one node: the Raft driver thread, storage and state machine.
        .target(
            name: "ColmeiaNode",
            dependencies: [
                "ColmeiaRaft", "ColmeiaRaftStorage", "ColmeiaModel", "ColmeiaStore", "ColmeiaManager", "ColmeiaPKI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // zlib, from the system (zlib1g-dev): backups are compressed before they are encrypted.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Online backups of the event log: the file format, verification, replay and restore.
        .target(
            name: "ColmeiaBackup",
            dependencies: [
                "ColmeiaModel", "ColmeiaStore", "ColmeiaNode", "ColmeiaRaft", "ColmeiaRaftStorage", "ColmeiaPKI", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The node's place in the swarm: init, join, leave, promote/demote, force-new-cluster,
        // certificates, autolock, backup/restore, and the cluster port other nodes talk to.
        .target(
            name: "ColmeiaCluster",
            dependencies: [
                "ColmeiaModel", "ColmeiaStore", "ColmeiaNode", "ColmeiaManager", "ColmeiaAgent", "ColmeiaPKI", "ColmeiaMesh", "ColmeiaBackup",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The Docker-compatible HTTP API and Colmeia's own: routes, access control, server setup.
        .target(
            name: "ColmeiaAPI",
            dependencies: [
                "ColmeiaModel", "ColmeiaStore", "ColmeiaNode", "ColmeiaManager", "ColmeiaAgent", "ColmeiaPKI", "ColmeiaMesh", "ColmeiaBackup",
                "ColmeiaCluster",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The node daemon: argument parsing and start-up only.
        .executableTarget(
            name: "colmeiad",
            dependencies: [
                "ColmeiaAPI", "ColmeiaCluster", "ColmeiaAgent", "ColmeiaStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The cluster's PKI: root CA, join tokens, CSRs, node certificates, CA rotation.
        // Pure: clocks and randomness come in as parameters.
        .target(
            name: "ColmeiaPKI",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // A typed client of the HTTP API (unix socket, TCP, TLS with HTTP/2), for the CLI and tests.
        .target(
            name: "ColmeiaClient",
            dependencies: [
                "ColmeiaModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The `colmeia` commands: flags into specs, tables, compose translation, progress.
        .target(
            name: "ColmeiaCLI",
            dependencies: [
                "ColmeiaClient", "ColmeiaModel", "ColmeiaBackup", "ColmeiaStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The command-line client: `@main` only.
        .executableTarget(name: "colmeia", dependencies: ["ColmeiaCLI"]),
        // Deterministic cluster simulator shared by the tests and `raft-sim`.
        .target(name: "ColmeiaRaftSimulation", dependencies: ["ColmeiaRaft"]),
        .executableTarget(
            name: "raft-sim",
            dependencies: [
                "ColmeiaRaftSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "raft-bench",
            dependencies: [
                "ColmeiaRaft",
                "ColmeiaRaftStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "colmeia-store-bench",
            dependencies: [
                "ColmeiaNode", "ColmeiaStore", "ColmeiaModel", "ColmeiaPKI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "colmeia-scale-bench",
            dependencies: [
                "ColmeiaNode", "ColmeiaManager", "ColmeiaSimulatedNodes", "ColmeiaStore", "ColmeiaModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Failover and write throughput of real colmeiad managers on loopback.
        .executableTarget(
            name: "colmeia-cluster-bench",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Chaos on real processes: the history of a client workload, its linearizability and
        // durability checkers, and the network namespaces, faults and managers of a run.
        // Foundation only, so that the checker's tests build in seconds.
        .target(name: "ColmeiaChaos", dependencies: ["ColmeiaRaft"]),
        // Real colmeiad managers in network namespaces under seeded faults: `main` only.
        .executableTarget(
            name: "colmeia-chaos",
            dependencies: ["ColmeiaChaos", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "ColmeiaRaftTests", dependencies: ["ColmeiaRaft"]),
        .testTarget(name: "ColmeiaRaftStorageTests", dependencies: ["ColmeiaRaftStorage"]),
        .testTarget(name: "ColmeiaRaftSimulationTests", dependencies: ["ColmeiaRaftSimulation"]),
        // Depends on the bench executable: the crash tests run its `load` mode as a child.
        .testTarget(name: "ColmeiaNodeTests", dependencies: ["ColmeiaNode", "colmeia-store-bench"]),
        .testTarget(name: "ColmeiaModelTests", dependencies: ["ColmeiaModel"]),
        .testTarget(name: "ColmeiaBackupTests", dependencies: ["ColmeiaBackup", "ColmeiaNode", "ColmeiaStore", "ColmeiaModel"]),
        .testTarget(name: "ColmeiaStoreTests", dependencies: ["ColmeiaStore"]),
        .testTarget(name: "ColmeiaManagerTests", dependencies: ["ColmeiaManager", "ColmeiaNode", "ColmeiaRaft", "ColmeiaAgent", "ColmeiaSimulatedNodes"]),
        .testTarget(name: "ColmeiaAgentTests", dependencies: ["ColmeiaAgent", "ColmeiaModel", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ColmeiaPKITests", dependencies: ["ColmeiaPKI"]),
        .testTarget(name: "ColmeiaMeshTests", dependencies: ["ColmeiaMesh", "ColmeiaModel"]),
        // Starts the real colmeiad and drives it with curl and the stock docker CLI.
        // dashboard/: the Python browser script the dashboard test runs (read from the source tree).
        .testTarget(name: "ColmeiaAPITests", dependencies: ["ColmeiaAPI", "ColmeiaCluster", "colmeiad", "colmeia"],
                    exclude: ["dashboard"]),
        // Unit tests of the CLI's logic, and the built `colmeia` against a real colmeiad.
        .testTarget(name: "ColmeiaChaosTests", dependencies: ["ColmeiaChaos"]),
        .testTarget(name: "ColmeiaCLITests", dependencies: ["ColmeiaCLI", "ColmeiaClient", "colmeia", "colmeiad"]),
    ],
    swiftLanguageModes: [.v6]
)
