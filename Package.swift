// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Colmeia",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ColmeiaRaft", targets: ["ColmeiaRaft"]),
        .library(name: "ColmeiaRaftStorage", targets: ["ColmeiaRaftStorage"]),
        .library(name: "ColmeiaNode", targets: ["ColmeiaNode"]),
        .executable(name: "raft-sim", targets: ["raft-sim"]),
        .executable(name: "raft-bench", targets: ["raft-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Consensus as a pure state machine: no I/O, no clocks, no ambient randomness.
        .target(name: "ColmeiaRaft"),
        // Durable Raft storage: WAL segments, snapshot files, hard state.
        .target(name: "ColmeiaRaftStorage", dependencies: ["ColmeiaRaft"]),
        // Composition of one node: the Raft driver thread, storage and state machine.
        .target(name: "ColmeiaNode", dependencies: ["ColmeiaRaft", "ColmeiaRaftStorage"]),
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
        .testTarget(name: "ColmeiaRaftTests", dependencies: ["ColmeiaRaft"]),
        .testTarget(name: "ColmeiaRaftStorageTests", dependencies: ["ColmeiaRaftStorage"]),
        .testTarget(name: "ColmeiaRaftSimulationTests", dependencies: ["ColmeiaRaftSimulation"]),
        .testTarget(name: "ColmeiaNodeTests", dependencies: ["ColmeiaNode"]),
    ],
    swiftLanguageModes: [.v6]
)
