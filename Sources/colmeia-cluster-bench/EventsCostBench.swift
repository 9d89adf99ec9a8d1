import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// What `GET /events` followers cost writers: the throughput load alternately without and
/// with `followers` open event streams (spread over the managers, each reading and
/// discarding every event), printed side by side.
struct EventsCostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events-cost",
        abstract: "Writes/s and p50 without and with 100 /events followers, in one run.")
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Concurrent writers.") var clients = 16
    @Option(help: "Open /events streams during the measurement with followers.") var followers = 100
    @Option(help: "Seconds per measurement.") var seconds = 10
    @Option(help: "Measurements of each kind (alternated; medians are compared).") var rounds = 3

    func run() async throws {
        let swarm = try BenchCluster(cluster)
        do {
            try await swarm.formSwarm()
            var plain: [LoadResult] = []
            var followed: [LoadResult] = []
            var received = 0
            // The followers' own client: the swarm's keeps 8 connections per manager, which
            // long-lived streams would take from the writers.
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: followers + 8)
            let followerClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            for round in 0..<rounds {
                plain.append(try await load(swarm, clients: clients, seconds: seconds, prefix: "e0-\(round)"))
                let counter = EventCounter()
                let streams = (0..<followers).map { number in
                    Task { await Self.follow(swarm, client: followerClient, manager: number % swarm.daemons.count, counter: counter) }
                }
                try await Task.sleep(for: .milliseconds(500))
                followed.append(try await load(swarm, clients: clients, seconds: seconds, prefix: "e\(followers)-\(round)"))
                for stream in streams { stream.cancel() }
                for stream in streams { await stream.value }
                received += counter.bytes
            }
            try? await followerClient.shutdown()
            let rate = { (results: [LoadResult]) in results.map(\.rate).sorted()[results.count / 2] }
            let p50 = { (results: [LoadResult]) in results.map(\.p50).sorted()[results.count / 2] }
            report(String(format: "%d writers, %d managers: without followers %.0f writes/s p50 %.2f ms | with %d /events followers %.0f writes/s p50 %.2f ms (%.1f MB of events read) | %.2fx writes/s",
                          clients, swarm.daemons.count, rate(plain), p50(plain) * 1000, followers, rate(followed), p50(followed) * 1000,
                          Double(received) / 1e6, rate(followed) / max(rate(plain), 1)))
        } catch {
            await swarm.shutdown()
            throw error
        }
        await swarm.shutdown()
    }

    static func follow(_ swarm: BenchCluster, client: HTTPClient, manager: Int, counter: EventCounter) async {
        let socket = swarm.daemons[manager].socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let request = HTTPClientRequest(url: "http+unix://\(socket)/v1.41/events")
        do {
            let response = try await client.execute(request, timeout: .hours(1))
            for try await chunk in response.body { counter.add(chunk.readableBytes) }
        } catch {
            return
        }
    }
}

/// Bytes the followers read, summed across their tasks.
final class EventCounter: Sendable {
    private let total = Mutex(0)

    func add(_ count: Int) { total.withLock { $0 += count } }
    var bytes: Int { total.withLock { $0 } }
}
