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
        .executable(name: "raft-sim", targets: ["raft-sim"]),
        .executable(name: "raft-bench", targets: ["raft-bench"]),
        .executable(name: "colmeia-store-bench", targets: ["colmeia-store-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Consensus as a pure state machine: no I/O, no clocks, no ambient randomness.
        .target(name: "ColmeiaRaft"),
        // Durable Raft storage: WAL segments, snapshot files, hard state.
        .target(name: "ColmeiaRaftStorage", dependencies: ["ColmeiaRaft"]),
        // Resources, specs, events and commands, with Docker's JSON shapes and validation.
        .target(name: "ColmeiaModel"),
        // SQLite read models of the cluster, written only by apply. The schema lives in the
        // top-level migrations/ folder (linked into the target as a resource).
        .target(
            name: "ColmeiaStore",
            dependencies: ["ColmeiaModel", .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Migrations")]
        ),
        // Composition of one node: the Raft driver thread, storage and state machine.
        .target(name: "ColmeiaNode", dependencies: ["ColmeiaRaft", "ColmeiaRaftStorage", "ColmeiaModel", "ColmeiaStore"]),
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
                "ColmeiaNode", "ColmeiaStore", "ColmeiaModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ColmeiaRaftTests", dependencies: ["ColmeiaRaft"]),
        .testTarget(name: "ColmeiaRaftStorageTests", dependencies: ["ColmeiaRaftStorage"]),
        .testTarget(name: "ColmeiaRaftSimulationTests", dependencies: ["ColmeiaRaftSimulation"]),
        // Depends on the bench executable: the crash tests run its `load` mode as a child.
        .testTarget(name: "ColmeiaNodeTests", dependencies: ["ColmeiaNode", "colmeia-store-bench"]),
        .testTarget(name: "ColmeiaModelTests", dependencies: ["ColmeiaModel"]),
        .testTarget(name: "ColmeiaStoreTests", dependencies: ["ColmeiaStore"]),
    ],
    swiftLanguageModes: [.v6]
)
