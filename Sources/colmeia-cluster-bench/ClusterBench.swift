import ArgumentParser
import AsyncHTTPClient
import Foundation

/// Failover and write throughput of a three-manager swarm of real colmeiad processes on
/// loopback, driven through the HTTP API.
@main
struct ClusterBench: AsyncParsableCommand {

    static let configuration = CommandConfiguration(
        commandName: "colmeia-cluster-bench",
        abstract: "Failover time and write throughput of a swarm of colmeiad managers on loopback.",
        discussion: """
            Examples (build colmeiad first: swift build -c release):
              swift run -c release colmeia-cluster-bench failover --repetitions 10
              swift run -c release colmeia-cluster-bench throughput --clients 1,16,128 --seconds 10
              swift run -c release colmeia-cluster-bench steady --minutes 10
              swift run -c release colmeia-cluster-bench audit --records 1000000
              swift run -c release colmeia-cluster-bench churn --events 1000000 --replicas 200
            """,
        subcommands: [Failover.self, Throughput.self, Steady.self, BackupBench.self, AuditBench.self, WebhookBench.self, MetricsCostBench.self, EventsCostBench.self, ChurnBench.self, TraceBench.self])
}

struct ClusterOptions: ParsableArguments {
    @Option(help: "Managers in the swarm.") var managers = 3
    @Option(help: "The cluster port on every 127.0.0.N address.") var port = 4_477
    @Flag(help: "Keep the daemons' data directories and logs, and print where they are.") var keepLogs = false
    @Option(help: "The daemons' log level (their logs are kept with --keep-logs).") var logLevel = "notice"
}

/// SIGKILL of the leader, then the time until a write is acknowledged through a survivor.
struct Failover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Seconds from SIGKILL of the leader to the first acknowledged write.")
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Leaders to kill.") var repetitions = 10
    @Flag(help: "Retry the write until it succeeds (each try with a 5 s timeout) instead of sending one write and waiting for its answer.")
    var retry = false

    func run() async throws {
        let swarm = try BenchCluster(cluster)
        do {
            try await swarm.formSwarm()
            var samples: [Double] = []
            for repetition in 1...repetitions {
                let leader = try await swarm.currentLeader()
                let survivor = (leader + 1) % cluster.managers
                // The cluster is idle but alive: a write goes through before the crash.
                try await swarm.until("a write goes through before the crash", timeout: 30) {
                    try await swarm.write(through: survivor, name: "before-\(repetition)-\(UUID().uuidString.prefix(6))")
                }
                let start = ContinuousClock.now
                swarm.kill(leader)
                var attempt = 0
                if retry {
                    while true {
                        attempt += 1
                        if (try? await swarm.write(through: survivor, name: "after-\(repetition)-\(attempt)", timeout: .seconds(5))) == true {
                            break
                        }
                    }
                } else {
                    // One write, sent at once, with no client-side timeout to speak of: the
                    // survivor must carry it to the next leader itself.
                    attempt = 1
                    let name = "after-\(repetition)"
                    let data = Data(name.utf8).base64EncodedString()
                    let answer = try await swarm.request(survivor, "POST", "/configs/create", body: #"{"Name":"\#(name)","Data":"\#(data)"}"#,
                                                         timeout: .seconds(300))
                    guard answer.status == 201 else {
                        throw BenchError("repetition \(repetition): the one write through bench-\(survivor + 1) was answered \(answer.status): \(answer.body)")
                    }
                }
                let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18
                    + Double((ContinuousClock.now - start).components.seconds)
                samples.append(seconds)
                report("repetition \(repetition): killed bench-\(leader + 1), first acknowledged write after \(format(seconds)) s (\(attempt) attempts)")
                try await swarm.start(leader)
                try await swarm.until("the old leader is back", timeout: 60) {
                    try await swarm.managerStatuses(on: survivor).values.filter { $0 == "reachable" }.count == cluster.managers
                }
            }
            let sorted = samples.sorted()
            report("failover over \(repetitions) leader kills: p50 \(format(percentile(sorted, 50))) s, max \(format(sorted.last ?? .nan)) s")
        } catch {
            await swarm.shutdown()
            throw error
        }
        await swarm.shutdown()
    }
}

/// Writes per second and latency at several client counts, spread over the managers, side
/// by side with a three-member etcd cluster on the same machine taking the same writes.
struct Throughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Writes/s and p50/p99 latency at 1, 16 and 128 concurrent clients, beside a three-member etcd.",
        discussion: """
            Each client keeps one keep-alive HTTP/1.1 connection to one member (client i to
            member i mod 3, so two thirds of the writes reach a follower) and writes in a loop
            objects of about 300 bytes: Colmeia `POST /configs/create`, etcd `POST /v3/kv/put`
            (etcd-server's defaults: fsync on, 100 ms heartbeat). Colmeia's clients use the
            managers' unix sockets.
            """)
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Concurrent clients, comma-separated.") var clients = "1,16,128"
    @Option(help: "Seconds per client count.") var seconds = 10
    @Option(help: "Bytes of data in each written object (base64 in the request, as both APIs take it).") var objectBytes = 225
    @Flag(help: "Measure Colmeia only (no etcd yardstick).") var withoutEtcd = false
    @Option(help: "etcd's first client port (members use it +10, +20; peers one above each).") var etcdPort = 23_790

    func run() async throws {
        let counts = clients.split(separator: ",").compactMap { Int($0) }
        let data = benchObject(bytes: objectBytes)
        var colmeia: [Int: LoadResult] = [:]
        let swarm = try BenchCluster(cluster)
        do {
            try await swarm.formSwarm()
            let managers = swarm.daemons.count
            for count in counts {
                let result = try await load(clients: count, seconds: seconds) { client, sequence in
                    try await swarm.write(through: client % managers, name: "t\(count)-\(client)-\(sequence)", data: data)
                }
                colmeia[count] = result
                report("colmeia clients \(count): \(Int(result.rate)) writes/s, p50 \(format(result.p50 * 1000)) ms, p99 \(format(result.p99 * 1000)) ms (\(result.count) writes, \(result.failures) failed)")
            }
        } catch {
            await swarm.shutdown()
            throw error
        }
        await swarm.shutdown()
        guard !withoutEtcd else { return }

        let yardstick = try await measureEtcd(counts, data: data)
        report("")
        report("| clients | Colmeia writes/s | etcd writes/s | ratio | Colmeia p50 ms | etcd p50 ms | ratio | Colmeia p99 ms | etcd p99 ms | ratio | failed (Colmeia / etcd) |")
        report("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for count in counts {
            guard let ours = colmeia[count], let theirs = yardstick[count] else { continue }
            func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
            func ratio(_ a: Double, _ b: Double) -> String { String(format: "%.2f", a / b) }
            report("| \(count) | \(Int(ours.rate)) | \(Int(theirs.rate)) | \(ratio(ours.rate, theirs.rate)) | \(ms(ours.p50)) | \(ms(theirs.p50)) | \(ratio(ours.p50, theirs.p50)) | \(ms(ours.p99)) | \(ms(theirs.p99)) | \(ratio(ours.p99, theirs.p99)) | \(ours.failures) / \(theirs.failures) |")
        }
    }
}

extension Throughput {
    /// The same load against a three-member etcd started for it, then stopped.
    func measureEtcd(_ counts: [Int], data: String) async throws -> [Int: LoadResult] {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .benchmark)
        var results: [Int: LoadResult] = [:]
        do {
            let etcd = try await EtcdCluster(basePort: etcdPort, client: client)
            defer { etcd.stop() }
            for count in counts {
                let endpoints = etcd.endpoints
                let result = try await load(clients: count, seconds: seconds) { index, sequence in
                    try await EtcdCluster.put(endpoints[index % endpoints.count], key: "t\(count)-\(index)-\(sequence)",
                                              value: data, client: client)
                }
                results[count] = result
                report("etcd    clients \(count): \(Int(result.rate)) writes/s, p50 \(format(result.p50 * 1000)) ms, p99 \(format(result.p99 * 1000)) ms (\(result.count) writes, \(result.failures) failed)")
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
        return results
    }
}

/// A long write load without faults: no leader change may happen.
struct Steady: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Count leader changes during a write load without faults.")
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Minutes of load.") var minutes = 10
    @Option(help: "Concurrent clients.") var clients = 16

    func run() async throws {
        let swarm = try BenchCluster(cluster)
        do {
            try await swarm.formSwarm()
            guard let first = try await swarm.leader(seenBy: 0) else { throw BenchError("no leader") }
            let watcher = Task { () -> Int in
                var changes = 0
                var current = first
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(500))
                    if let seen = try? await swarm.leader(seenBy: 0), seen != current {
                        changes += 1
                        current = seen
                    }
                }
                return changes
            }
            let result = try await load(swarm, clients: clients, seconds: minutes * 60, prefix: "s")
            watcher.cancel()
            let changes = await watcher.value
            report("\(minutes) min, \(clients) clients: \(result.count) writes (\(Int(result.rate))/s, p99 \(format(result.p99 * 1000)) ms), \(result.failures) failed, leader changes: \(changes)")
        } catch {
            await swarm.shutdown()
            throw error
        }
        await swarm.shutdown()
    }
}

struct LoadResult {
    var count: Int
    var failures: Int
    var rate: Double
    var p50: Double
    var p99: Double
}

/// `clients` loops, each calling `write(client, sequence)` for `seconds`; a write that
/// throws or answers false counts as failed.
func load(clients: Int, seconds: Int, write: @escaping @Sendable (Int, Int) async throws -> Bool) async throws -> LoadResult {
    let start = ContinuousClock.now
    let end = start.advanced(by: .seconds(seconds))
    let perClient = await withTaskGroup(of: ([Double], Int).self) { group in
        for client in 0..<clients {
            group.addTask {
                var latencies: [Double] = []
                var failures = 0
                var sequence = 0
                while ContinuousClock.now < end {
                    sequence += 1
                    let began = ContinuousClock.now
                    let ok = (try? await write(client, sequence)) ?? false
                    let elapsed = ContinuousClock.now - began
                    if ok {
                        latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                    } else {
                        failures += 1
                    }
                }
                return (latencies, failures)
            }
        }
        var all: [([Double], Int)] = []
        for await result in group { all.append(result) }
        return all
    }
    let latencies = perClient.flatMap(\.0).sorted()
    let elapsed = ContinuousClock.now - start
    let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return LoadResult(count: latencies.count, failures: perClient.map(\.1).reduce(0, +),
                      rate: Double(latencies.count) / total, p50: percentile(latencies, 50), p99: percentile(latencies, 99))
}

/// `clients` loops writing small configs through the managers in turn for `seconds`.
func load(_ swarm: BenchCluster, clients: Int, seconds: Int, prefix: String) async throws -> LoadResult {
    let managers = swarm.daemons.count
    return try await load(clients: clients, seconds: seconds) { client, sequence in
        try await swarm.write(through: client % managers, name: "\(prefix)-\(client)-\(sequence)")
    }
}
