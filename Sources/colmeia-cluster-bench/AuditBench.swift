import ArgumentParser
import Foundation

/// A million audit records through the normal propose path, then what the issue asks of
/// them: the daemon's RSS and `state.db` under retention, query latencies, reads as of an
/// index, and a verify of the whole chain, archive included.
///
/// The records come from the reconcilers, as in a busy swarm: one service of `--replicas`
/// tasks that no node can run (a constraint nothing matches) is scaled to 0 and back, over
/// and over; each round the orchestrator creates or shuts down every task and the
/// scheduler records why each new one waits, all through Raft, apply and the audit trail.
struct AuditBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "RSS and state.db under retention while 1,000,000 audit records are written; query, time-travel and verify latencies on them.")
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Audit records to write.") var records = 1_000_000
    @Option(help: "Tasks of the load service (each round creates or shuts down all of them).") var replicas = 2_000
    @Option(help: "Records state.db keeps (--audit-retention-records); 0: no retention.") var keep = 100_000
    @Option(help: "Samples per query kind.") var samples = 200

    func run() async throws {
        var options = cluster
        options.managers = 1
        let swarm = try BenchCluster(options)
        if keep > 0 { swarm.extraArguments = ["--audit-retention-records", String(keep)] }
        do {
            try await swarm.formSwarm()
            let started = Date()
            let service = try await create(swarm)
            var peakRSS = 0
            var rounds = 0
            var count = try await head(swarm).records
            var nextReport = 100_000
            report("writing \(records) audit records: service load with \(replicas) unplaceable replicas, scaled 0 ↔ \(replicas)")
            while count < records {
                try await flip(swarm, service)
                rounds += 1
                count = try await settle(swarm, from: count)
                if let pid = swarm.pid(0) { peakRSS = max(peakRSS, DaemonFigures.rss(pid)) }
                if count >= nextReport {
                    let elapsed = Date().timeIntervalSince(started)
                    report(String(format: "  %7d records after %4.0f s (%5.0f records/s): RSS %@, state.db %@, archive %@",
                                  count, elapsed, Double(count) / elapsed, DaemonFigures.megabytes(swarm.pid(0).map(DaemonFigures.rss) ?? 0),
                                  DaemonFigures.megabytes(DaemonFigures.stateDatabase(of: swarm.daemons[0].dataDirectory).bytes),
                                  DaemonFigures.megabytes(DaemonFigures.size(of: swarm.daemons[0].dataDirectory + "/audit-archive"))))
                    nextReport += 100_000
                }
            }
            let elapsed = Date().timeIntervalSince(started)
            // Retention runs every 10 s: give it one more pass.
            try await Task.sleep(for: .seconds(12))
            let final = try await head(swarm)
            let rss = swarm.pid(0).map(DaemonFigures.rss) ?? 0
            peakRSS = max(peakRSS, rss)
            let stateSize = DaemonFigures.stateDatabase(of: swarm.daemons[0].dataDirectory).bytes
            let archiveSize = DaemonFigures.size(of: swarm.daemons[0].dataDirectory + "/audit-archive")
            report("wrote \(final.records) records in \(rounds) rounds, \(String(format: "%.0f", elapsed)) s (\(Int(Double(final.records) / elapsed)) records/s); head index \(final.index)")

            // (a) the last 100 records of a service (its tasks' included).
            let serviceQuery = try await latencies(swarm, samples) { _ in "/colmeia/v1/audit?service=load&limit=100" }
            // (b) one actor over a day.
            let since = Int(Date().timeIntervalSince1970) - 86_400
            let actorQuery = try await latencies(swarm, samples) { _ in "/colmeia/v1/audit?actor=orchestrator&since=\(since)&limit=100" }
            // (c) every service as of an index 90% back (a different index each time: no cache).
            let first = try await firstIndex(swarm)
            let back = first + (final.index - first) / 10
            let travel = try await latencies(swarm, 20) { sample in "/services?at=\(back + UInt64(sample))" }
            // The oldest records, from the archive.
            let oldest = try await latencies(swarm, 20) { _ in "/colmeia/v1/audit?order=asc&limit=100" }
            let verifyStart = Date()
            let verify = try await swarm.request(0, "GET", "/colmeia/v1/audit/verify", timeout: .seconds(1_800))
            let verifySeconds = Date().timeIntervalSince(verifyStart)
            guard verify.status == 200, verify.body.contains(#""Valid":true"#) else {
                throw BenchError("verify failed: \(verify.status) \(verify.body.prefix(400))")
            }

            print("")
            print("audit trail: \(final.records) records, retention keeps \(keep == 0 ? "all" : String(keep)) in state.db")
            print("  daemon RSS: peak \(DaemonFigures.megabytes(peakRSS)), at the end \(DaemonFigures.megabytes(rss))")
            print("  state.db (read models, with WAL): \(DaemonFigures.megabytes(stateSize)); archive: \(DaemonFigures.megabytes(archiveSize))")
            print("  query                                         p50        p99      target")
            print("  (a) last 100 records of a service       " + Self.row(serviceQuery) + "   p50 < 20 ms")
            print("  (b) one actor over a day (100 records)  " + Self.row(actorQuery) + "   p50 < 20 ms")
            print("  (c) all services as of index \(back)  " + Self.row(travel) + "   < 1 s")
            print("  oldest 100 records (archive)            " + Self.row(oldest))
            print("  verify (whole chain, archive included): \(String(format: "%.1f", verifySeconds)) s — \(verify.body.prefix(200))")
            await swarm.shutdown()
        } catch {
            await swarm.shutdown()
            throw error
        }
    }

    private func create(_ swarm: BenchCluster) async throws -> String {
        let spec = #"""
            {"Name":"load","Mode":{"Replicated":{"Replicas":0}},"TaskTemplate":{"ContainerSpec":{"Image":"busybox:1","Args":["sleep","1000"]},
             "Placement":{"Constraints":["node.labels.colmeia-bench==nowhere"]}}}
            """#
        let created = try await swarm.request(0, "POST", "/services/create", body: spec)
        guard created.status == 201, let id = (try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])?["ID"] as? String else {
            throw BenchError("service create: \(created.status) \(created.body)")
        }
        return id
    }

    /// Scales the service to 0 if it has tasks, else to `replicas`.
    private func flip(_ swarm: BenchCluster, _ id: String) async throws {
        for _ in 0..<50 {
            let current = try await swarm.request(0, "GET", "/services/\(id)")
            guard let service = try JSONSerialization.jsonObject(with: Data(current.body.utf8)) as? [String: Any],
                  var spec = service["Spec"] as? [String: Any], let version = (service["Version"] as? [String: Any])?["Index"] as? Int,
                  let replicas = ((spec["Mode"] as? [String: Any])?["Replicated"] as? [String: Any])?["Replicas"] as? Int else {
                throw BenchError("service inspect: \(current.body.prefix(300))")
            }
            spec["Mode"] = ["Replicated": ["Replicas": replicas == 0 ? self.replicas : 0]]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
            let updated = try await swarm.request(0, "POST", "/services/\(id)/update?version=\(version)", body: body)
            if updated.status == 200 { return }
            // The reconcilers moved the version meanwhile: read it again.
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("the service could not be updated")
    }

    /// Waits until the trail stops growing for a moment; returns its length.
    private func settle(_ swarm: BenchCluster, from before: Int) async throws -> Int {
        var last = before
        var still = 0
        for _ in 0..<6_000 {
            try await Task.sleep(for: .milliseconds(50))
            let now = try await head(swarm).records
            if now == last && now > before {
                still += 1
                if still >= 4 { return now }
            } else {
                still = 0
            }
            last = now
        }
        return last
    }

    private func head(_ swarm: BenchCluster) async throws -> (records: Int, index: UInt64) {
        let answer = try await swarm.requestHeaders(0, "/colmeia/v1/audit?limit=1")
        guard let records = answer["x-colmeia-audit-records"].flatMap({ Int($0) }),
              let index = answer["x-colmeia-audit-head"].flatMap({ UInt64($0) }) else {
            throw BenchError("no audit head in the answer's headers")
        }
        return (records, index)
    }

    private func firstIndex(_ swarm: BenchCluster) async throws -> UInt64 {
        let answer = try await swarm.request(0, "GET", "/colmeia/v1/audit?order=asc&limit=1")
        let page = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
        return ((page?["Records"] as? [[String: Any]])?.first?["Index"] as? Int).map(UInt64.init) ?? 1
    }

    private func latencies(_ swarm: BenchCluster, _ count: Int, _ path: (Int) -> String) async throws -> [Double] {
        var samples: [Double] = []
        for sample in 0..<count {
            let start = Date()
            let answer = try await swarm.request(0, "GET", path(sample), timeout: .seconds(120))
            samples.append(Date().timeIntervalSince(start))
            guard answer.status == 200 else { throw BenchError("GET \(path(sample)): \(answer.status) \(answer.body.prefix(300))") }
        }
        return samples.sorted()
    }

    static func row(_ sorted: [Double]) -> String {
        String(format: "%8.1f ms %8.1f ms", percentile(sorted, 50) * 1000, percentile(sorted, 99) * 1000)
    }
}
