import ArgumentParser
import Crypto
import Foundation

/// What a webhook adds to a rollout: the same rolling update of a `--replicas` service
/// (update parallelism 2), started alternately by a signed generic delivery and by the
/// service update `docker service update --image` sends, each timed from its answer
/// (`202` of the hook, `200` of the update) to the outcome the API reports (the deploy's
/// `CompletedAt`, the service's `UpdateStatus.CompletedAt`).
struct WebhookBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Rollout time from a webhook's 202 to its deploy's completion, against the same update from `docker service update --image`.")
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Replicas of the service rolled.") var replicas = 10
    @Option(help: "Rollouts by each path.") var rounds = 10

    func run() async throws {
        var options = cluster
        options.managers = 1
        let swarm = try BenchCluster(options)
        do {
            try await swarm.formSwarm()
            let spec = """
                {"Name":"web","Mode":{"Replicated":{"Replicas":\(replicas)}},
                 "UpdateConfig":{"Parallelism":2,"Delay":0,"Monitor":1,"FailureAction":"pause","Order":"stop-first"},
                 "TaskTemplate":{"ContainerSpec":{"Image":"localbusybox:0","Args":["sleep","100000"]}}}
                """
            let created = try await swarm.request(0, "POST", "/services/create", body: spec)
            guard created.status == 201 else { throw BenchError("service create: \(created.body)") }
            try await swarm.until("\(replicas) tasks run", timeout: 60) { try await running(swarm) == replicas }
            let hook = try await swarm.request(0, "POST", "/colmeia/v1/webhooks", body: #"{"Name":"bench","Provider":"generic","Service":"web"}"#)
            guard hook.status == 201, let secret = try json(hook.body)["Secret"] as? String else { throw BenchError("webhook create: \(hook.body)") }
            var viaHook: [Double] = []
            var viaUpdate: [Double] = []
            var image = 0
            for round in 1...rounds {
                image += 1
                viaUpdate.append(try await byUpdate(swarm, image: "localbusybox:\(image)"))
                image += 1
                viaHook.append(try await byHook(swarm, image: "localbusybox:\(image)", secret: secret))
                report(String(format: "  round %2d: update %.1f ms, webhook %.1f ms", round, viaUpdate.last! * 1000, viaHook.last! * 1000))
            }
            viaHook.sort()
            viaUpdate.sort()
            func ms(_ value: Double) -> String { String(format: "%7.1f ms", value * 1000) }
            print("")
            print("rollout of \(replicas) replicas, update parallelism 2, \(rounds) rounds each, answer → completed:")
            print("                               p50         p90         min")
            print("  docker service update   \(ms(percentile(viaUpdate, 50)))  \(ms(percentile(viaUpdate, 90)))  \(ms(viaUpdate.first ?? .nan))")
            print("  webhook (202 → deploy)  \(ms(percentile(viaHook, 50)))  \(ms(percentile(viaHook, 90)))  \(ms(viaHook.first ?? .nan))")
            print("  webhook adds (p50)      \(ms(percentile(viaHook, 50) - percentile(viaUpdate, 50)))")
        } catch {
            await swarm.shutdown()
            throw error
        }
        await swarm.shutdown()
    }

    private func json(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw BenchError("not JSON: \(text)") }
        return object
    }

    private func running(_ swarm: BenchCluster) async throws -> Int {
        let tasks = try await swarm.request(0, "GET", "/tasks")
        let list = try JSONSerialization.jsonObject(with: Data(tasks.body.utf8)) as? [[String: Any]] ?? []
        return list.filter { ($0["DesiredState"] as? String) == "running" && (($0["Status"] as? [String: Any])?["State"] as? String) == "running" }.count
    }

    /// `docker service update --image`: the answer, then the update status's completion time.
    private func byUpdate(_ swarm: BenchCluster, image: String) async throws -> Double {
        let service = try json(try await swarm.request(0, "GET", "/services/web").body)
        guard let version = (service["Version"] as? [String: Any])?["Index"] as? Int,
              var spec = service["Spec"] as? [String: Any], var template = spec["TaskTemplate"] as? [String: Any],
              var container = template["ContainerSpec"] as? [String: Any] else { throw BenchError("service inspect") }
        container["Image"] = image
        template["ContainerSpec"] = container
        spec["TaskTemplate"] = template
        let body = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let answer = try await swarm.request(0, "POST", "/services/web/update?version=\(version)", body: body)
        let answered = Date()
        guard answer.status == 200 else { throw BenchError("service update: \(answer.body)") }
        var completed: Date?
        try await swarm.until("the update of \(image) completes", timeout: 120) {
            let service = try json(try await swarm.request(0, "GET", "/services/web").body)
            let status = service["UpdateStatus"] as? [String: Any]
            let current = (((service["Spec"] as? [String: Any])?["TaskTemplate"] as? [String: Any])?["ContainerSpec"] as? [String: Any])?["Image"] as? String
            guard current == image, status?["State"] as? String == "completed", let text = status?["CompletedAt"] as? String else { return false }
            completed = Self.date(text)
            return true
        }
        return (completed ?? answered).timeIntervalSince(answered)
    }

    /// A signed generic delivery: the 202, then the deploy's completion time.
    private func byHook(_ swarm: BenchCluster, image: String, secret: String) async throws -> Double {
        let body = #"{"image":"\#(image)"}"#
        let time = Int(Date().timeIntervalSince1970)
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(time).".utf8) + Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        let signature = "t=\(time),v1=" + mac.map { String(format: "%02x", $0) }.joined()
        let answer = try await swarm.request(0, "POST", "/colmeia/v1/hooks/bench", body: body, headers: ["X-Colmeia-Signature": signature])
        let answered = Date()
        guard answer.status == 202, let id = try json(answer.body)["ID"] as? String else { throw BenchError("hook: \(answer.status) \(answer.body)") }
        var completed: Date?
        try await swarm.until("deploy \(id) completes", timeout: 120) {
            let deploy = try json(try await swarm.request(0, "GET", "/colmeia/v1/deploys/" + id).body)
            guard let state = deploy["State"] as? String, state != "updating" else { return false }
            guard state == "completed", let text = deploy["CompletedAt"] as? String else { throw BenchError("deploy \(id) ended \(state)") }
            completed = Self.date(text)
            return true
        }
        return (completed ?? answered).timeIntervalSince(answered)
    }

    /// RFC 3339 with up to nine fractional digits.
    static func date(_ text: String) -> Date? {
        guard let dot = text.firstIndex(of: "."), let zone = text.lastIndex(of: "Z") else { return ISO8601DateFormatter().date(from: text) }
        let whole = ISO8601DateFormatter().date(from: String(text[..<dot]) + "Z")
        let fraction = Double("0" + text[dot..<zone]) ?? 0
        return whole.map { $0.addingTimeInterval(fraction) }
    }
}
