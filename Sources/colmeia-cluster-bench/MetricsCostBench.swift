import ArgumentParser
import Foundation

/// What `/metrics` costs: the throughput load (three managers, writes through all of them)
/// at each client count, alternately with and without a scraper reading every manager's
/// `/metrics` once a second, as Prometheus does; printed side by side.
struct MetricsCostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics-cost",
        abstract: "Writes/s and p50 with and without scraping /metrics every second, in one run.")
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Concurrent clients, comma-separated.") var clients = "1,16,128"
    @Option(help: "Seconds per measurement.") var seconds = 10
    @Option(help: "Measurements of each kind per client count (alternated; medians are compared).") var rounds = 5

    func run() async throws {
        let swarm = try BenchCluster(cluster)
        do {
            try await swarm.formSwarm()
            var lines: [String] = []
            for count in clients.split(separator: ",").compactMap({ Int($0) }) {
                var plain: [LoadResult] = []
                var scraped: [LoadResult] = []
                // The managers' CPU time per write (user + system, from /proc): steadier than
                // writes/s on a machine whose cores the load generator shares.
                var plainCPU: [Double] = []
                var scrapedCPU: [Double] = []
                var scrapes = 0
                for round in 0..<rounds {
                    var cpu = Self.cpuSeconds(swarm)
                    let unscraped = try await load(swarm, clients: count, seconds: seconds, prefix: "p\(count)-\(round)")
                    plain.append(unscraped)
                    plainCPU.append((Self.cpuSeconds(swarm) - cpu) / Double(max(unscraped.count, 1)))
                    cpu = Self.cpuSeconds(swarm)
                    let scraper = Task { () -> Int in
                        var done = 0
                        while !Task.isCancelled {
                            for index in swarm.daemons.indices where (try? await swarm.request(index, "GET", "/metrics"))?.status == 200 {
                                done += 1
                            }
                            try? await Task.sleep(for: .seconds(1))
                        }
                        return done
                    }
                    let withScrapes = try await load(swarm, clients: count, seconds: seconds, prefix: "m\(count)-\(round)")
                    scraper.cancel()
                    scrapes += await scraper.value
                    scraped.append(withScrapes)
                    scrapedCPU.append((Self.cpuSeconds(swarm) - cpu) / Double(max(withScrapes.count, 1)))
                }
                // Medians of the rounds, and how far apart the rounds without scraping were
                // (the noise the difference is to be read against).
                let rate = { (results: [LoadResult]) in results.map(\.rate).sorted()[results.count / 2] }
                let p50 = { (results: [LoadResult]) in results.map(\.p50).sorted()[results.count / 2] }
                let spread = ((plain.map(\.rate).max() ?? 0) - (plain.map(\.rate).min() ?? 0)) / max(rate(plain), 1) * 100
                let median = { (values: [Double]) in values.sorted()[values.count / 2] }
                let line = String(format: "clients %4d: without %6.0f writes/s p50 %6.2f ms CPU %.3f ms/write | scraping every 1 s %6.0f writes/s p50 %6.2f ms CPU %.3f ms/write (%d scrapes) | %+.1f%% writes/s, %+.1f%% p50, %+.1f%% CPU/write (rounds without scraping spread %.1f%% in writes/s)",
                                  count, rate(plain), p50(plain) * 1000, median(plainCPU) * 1000,
                                  rate(scraped), p50(scraped) * 1000, median(scrapedCPU) * 1000, scrapes,
                                  (rate(scraped) / rate(plain) - 1) * 100, (p50(scraped) / p50(plain) - 1) * 100,
                                  (median(scrapedCPU) / median(plainCPU) - 1) * 100, spread)
                report(line)
                lines.append(line)
            }
            print("")
            print("metrics cost, \(swarm.daemons.count) managers, \(seconds) s × \(rounds) rounds each:")
            for line in lines { print("  " + line) }
        } catch {
            await swarm.shutdown()
            throw error
        }
        await swarm.shutdown()
    }

    /// User and system CPU seconds the running managers have used (`/proc/PID/stat`).
    static func cpuSeconds(_ swarm: BenchCluster) -> Double {
        swarm.daemons.indices.compactMap { swarm.pid($0) }.map(DaemonFigures.cpuSeconds).reduce(0, +)
    }
}
