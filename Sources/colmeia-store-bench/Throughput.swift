import ArgumentParser
import ColmeiaNode
import ColmeiaStore
import Foundation
import Synchronization

/// Commands applied per second and propose→applied latency at several concurrency levels.
struct Throughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Commands/s and latency p50/p99 on one node with fsync.")

    @Option(help: "Comma-separated numbers of concurrent proposers.") var proposers = "1,64"
    @Option(help: "Seconds per level.") var seconds = 5.0

    func run() async throws {
        print("one node, WAL fsync + SQLite apply; each command creates one service")
        print("proposers  commands/s   p50 ms    p99 ms")
        for level in proposers.split(separator: ",").compactMap({ Int($0) }) {
            let directory = temporaryDirectory("store-bench")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let node = try ClusterNode(dataDirectory: directory, nodeID: 1)
            try node.start(bootstrap: true)
            let maker = CommandMaker(prefix: "p\(level)")
            let counter = Counter()
            let latencies = Samples()
            let clock = ContinuousClock()
            let start = clock.now
            let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<level {
                    group.addTask {
                        while clock.now < deadline {
                            let number = counter.next()
                            let began = clock.now
                            if case .applied = try? await node.propose(maker.serviceCreate(number)) {
                                let elapsed = began.duration(to: clock.now)
                                latencies.append(elapsed)
                            }
                        }
                    }
                }
            }
            let elapsed = start.duration(to: clock.now)
            node.stop()
            let sorted = latencies.sorted()
            let rate = Double(sorted.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            print(String(format: "%9d  %10.0f  %8@  %8@", level, rate, milliseconds(percentile(sorted, 0.5)),
                         milliseconds(percentile(sorted, 0.99))))
        }
    }
}

/// Unique numbers for concurrent proposers.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}

/// Latency samples from concurrent proposers.
final class Samples: Sendable {
    private let values = Mutex<[Duration]>([])
    func append(_ value: Duration) { values.withLock { $0.append(value) } }
    func sorted() -> [Duration] { values.withLock { $0.sorted() } }
}
