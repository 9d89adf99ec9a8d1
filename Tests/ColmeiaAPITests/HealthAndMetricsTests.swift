import Foundation
import Testing

/// What an operator watches: `/healthz`, `/readyz` with its reasons, and `/metrics` read
/// by the Prometheus project's own text-format parser (`prometheus_client`).
@Suite("health and metrics", .serialized)
struct HealthAndMetricsTests {
    /// One sample of a scrape: its name (with `_total`, `_count`, `_bucket`…), labels, value.
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Parses a scrape with `prometheus_client.parser` (a test fails on any line it refuses).
    static func parse(_ text: String) throws -> [Sample] {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(sys.stdin.read()):
                for sample in family.samples:
                    out.append([sample.name, sample.labels, sample.value])
            print(json.dumps(out))
            """
        // The harness's runner (no daemon is addressed: the socket is only its environment).
        let output = try DaemonHarness.run("python3", ["-c", script], socket: "/nonexistent", stdin: text)
        guard output.status == 0, let rows = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[Any]] else {
            throw HarnessError("prometheus_client could not parse the scrape: \(output.stderr.suffix(600))")
        }
        return rows.compactMap { row in
            guard row.count == 3, let name = row[0] as? String, let labels = row[1] as? [String: String],
                  let value = (row[2] as? NSNumber)?.doubleValue else { return nil }
            return Sample(name: name, labels: labels, value: value)
        }
    }

    static func scrape(_ node: DaemonHarness) throws -> [Sample] {
        let answer = try node.http("GET", "/metrics")
        guard answer.status == 200 else { throw HarnessError("GET /metrics on \(node.nodeName): \(answer.status) \(answer.body.prefix(200))") }
        return try parse(answer.body)
    }

    /// The sum of the samples named `name` whose labels include `labels`.
    static func total(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.map(\.value).reduce(0, +)
    }

    static func readyz(_ node: DaemonHarness) throws -> (status: Int, body: String) {
        try node.http("GET", "/readyz")
    }

    @Test("/metrics from three managers, parsed by prometheus_client, before and after 100 writes and a leader kill: proposals +100, WAL fsyncs observed, API requests by route and status, a leader change seen by the survivors")
    func countersMoveAsTheyMust() throws {
        let (managers, _, _) = try MultiManagerTests.swarm(managers: 3)
        defer { for manager in managers { _ = manager.stop() } }
        let before = try managers.map(Self.scrape)
        for name in ["colmeia_raft_term", "colmeia_raft_commit_index", "colmeia_raft_applied_index", "colmeia_raft_has_leader",
                     "colmeia_wal_fsync_duration_seconds_count", "colmeia_store_apply_duration_seconds_count"] {
            #expect(before.allSatisfy { samples in samples.contains { $0.name == name } }, "\(name) is missing from a scrape")
        }
        #expect(before.map { Self.total($0, "colmeia_raft_is_leader") }.reduce(0, +) == 1, "exactly one manager says it leads")

        // 100 writes, spread over the three managers (two thirds of them forwarded).
        for number in 0..<100 {
            try managers[number % 3].docker("config", "create", "metrics-\(number)", "-", stdin: "value \(number)")
        }
        let after = try managers.map(Self.scrape)
        let proposals = zip(before, after).map { Self.total($1, "colmeia_raft_proposals_committed_total") - Self.total($0, "colmeia_raft_proposals_committed_total") }
        #expect(proposals.reduce(0, +) >= 100, "proposals committed grew by \(proposals) on the three managers")
        #expect(Self.total(after[1], "colmeia_raft_proposals_committed_total") - Self.total(before[1], "colmeia_raft_proposals_committed_total") >= 33,
                "a follower counts the writes it forwarded")
        for (index, samples) in after.enumerated() {
            let fsyncs = Self.total(samples, "colmeia_wal_fsync_duration_seconds_count")
            #expect(fsyncs >= 100, "manager \(index + 1) observed \(fsyncs) fsyncs")
            let created = Self.total(samples, "colmeia_api_requests_total", ["route": "/configs/create", "method": "POST", "code": "201"])
                - Self.total(before[index], "colmeia_api_requests_total", ["route": "/configs/create", "method": "POST", "code": "201"])
            #expect(created >= 33, "manager \(index + 1) counted \(created) config creations")
            #expect(Self.total(samples, "colmeia_api_request_duration_seconds_count", ["route": "/configs/create"]) >= 33)
            #expect(Self.total(samples, "colmeia_raft_applied_index") >= Self.total(before[index], "colmeia_raft_applied_index") + 100)
        }

        // Tasks as the leader's view and each agent count them.
        try managers[0].docker("service", "create", "--detach", "--name", "web", "--replicas", "3", "busybox", "sleep", "600")
        try MultiManagerTests.eventually("three tasks run, as the agents and the leader count them", timeout: 60) {
            let scrapes = try managers.map(Self.scrape)
            return scrapes.map { Self.total($0, "colmeia_agent_tasks", ["state": "running"]) }.reduce(0, +) == 3
                && scrapes.map { Self.total($0, "colmeia_tasks", ["state": "running"]) }.max() == 3
                && scrapes.contains { Self.total($0, "colmeia_dispatcher_assignment_sets_sent_total") >= 3 }
        }

        let leaderIndex = try #require(after.firstIndex { Self.total($0, "colmeia_raft_is_leader") == 1 })
        managers[leaderIndex].killHard()
        let survivors = managers.indices.filter { $0 != leaderIndex }
        try MultiManagerTests.eventually("a survivor leads", timeout: 30) {
            try survivors.contains { Self.total(try Self.scrape(managers[$0]), "colmeia_raft_is_leader") == 1 }
        }
        for index in survivors {
            let samples = try Self.scrape(managers[index])
            let changes = Self.total(samples, "colmeia_raft_leader_changes_seen_total") - Self.total(after[index], "colmeia_raft_leader_changes_seen_total")
            #expect(changes >= 1, "manager \(index + 1) saw \(changes) leader changes")
            #expect(Self.total(samples, "colmeia_raft_term") > Self.total(after[index], "colmeia_raft_term"))
        }
    }

    @Test("/readyz answers 503 with the reason on a manager that has lost quorum, and 200 again once a peer is back; /healthz answers throughout")
    func readinessFollowsQuorum() throws {
        let (managers, _, _) = try MultiManagerTests.swarm(managers: 3)
        defer { for manager in managers { _ = manager.stop() } }
        for manager in managers {
            let ready = try Self.readyz(manager)
            #expect(ready.status == 200 && ready.body.hasPrefix("ok: manager"), "\(manager.nodeName): \(ready)")
        }
        managers[1].killHard()
        managers[2].killHard()
        var answer: (status: Int, body: String) = (0, "")
        try MultiManagerTests.eventually("the lone manager is not ready", timeout: 20) {
            answer = try Self.readyz(managers[0])
            return answer.status == 503
        }
        #expect(answer.body.contains("not ready: ") && (answer.body.contains("no leader") || answer.body.contains("no quorum")), "\(answer.body)")
        let health = try managers[0].http("GET", "/healthz")
        #expect(health.status == 200 && health.body.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        try managers[1].start(initialize: false)
        try MultiManagerTests.eventually("the manager is ready again", timeout: 30) { try Self.readyz(managers[0]).status == 200 }
    }

    @Test("/readyz answers 503 on a locked manager and 200 after docker swarm unlock; a node outside a swarm is not ready; --metrics-addr serves /metrics, /healthz and /readyz and nothing else")
    func readinessFollowsTheLockAndTheMetricsListener() throws {
        let daemon = DaemonHarness()
        try daemon.start(initialize: false)
        defer { _ = daemon.stop() }
        let outside = try Self.readyz(daemon)
        #expect(outside.status == 503 && outside.body.contains("not part of a swarm"), "\(outside)")
        let initialized = try daemon.docker("swarm", "init", "--autolock", "--listen-addr", daemon.listenAddress)
        let key = try #require(initialized.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("SWMKEY-1-") })
        #expect(try Self.readyz(daemon).status == 200)
        try MultiManagerTests.eventually("the keys are sealed", timeout: 30) {
            try String(contentsOfFile: daemon.dataDirectory + "/certificates/raft-dek", encoding: .isoLatin1).hasPrefix("COLMEIA-SEALED-1")
        }
        #expect(daemon.stop() == 0)
        let metricsPort = 29_500 + Int.random(in: 0..<400)
        try daemon.start(initialize: false, extraArguments: ["--metrics-addr", "127.0.0.1:\(metricsPort)"])
        let locked = try Self.readyz(daemon)
        #expect(locked.status == 503 && locked.body.contains("locked"), "\(locked)")
        try daemon.docker("swarm", "unlock", stdin: key + "\n")
        try MultiManagerTests.eventually("the unlocked manager is ready", timeout: 20) { try Self.readyz(daemon).status == 200 }

        func plain(_ path: String) throws -> (status: Int, body: String) {
            let output = try daemon.run("curl", ["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(metricsPort)\(path)"])
            let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }
        // The Raft gauges are sampled every 100 ms, so they may trail /readyz by a sample.
        var samples: [Sample] = []
        try MultiManagerTests.eventually("the metrics listener shows the unlocked manager leading", timeout: 10) {
            let scraped = try plain("/metrics")
            guard scraped.status == 200 else { return false }
            samples = try Self.parse(scraped.body)
            return Self.total(samples, "colmeia_raft_is_leader") == 1
        }
        #expect(Self.total(samples, "colmeia_node_ready") == 1 || Self.total(samples, "colmeia_raft_has_leader") == 1)
        #expect(try plain("/readyz").status == 200)
        #expect(try plain("/healthz").body.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        #expect(try plain("/services").status == 404, "the metrics listener serves no API")
    }
}
