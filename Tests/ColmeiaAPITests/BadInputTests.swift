import Foundation
import Testing

/// Hostile and mistaken requests get Docker's status and words, never a crash, and
/// nothing partial reaches the log.
@Suite(.serialized) struct APIBadInputTests {
    @Test("malformed bodies, unknown endpoints, stale versions, conflicts, huge bodies, ambiguous ids")
    func badInput() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        let spec = #"{"Name":"web","TaskTemplate":{"ContainerSpec":{"Image":"nginx:alpine"}},"Mode":{"Replicated":{"Replicas":1}}}"#

        var response = try daemon.http("POST", "/v1.47/services/create", body: "{not json")
        #expect(response.status == 400)
        #expect(response.body.contains("\"message\""))

        response = try daemon.http("POST", "/services/create", body: #"{"Name": 42}"#)
        #expect(response.status == 400)

        response = try daemon.http("POST", "/services/create", body: #"{"Name":"x","TaskTemplate":{"ContainerSpec":{}}}"#)
        #expect(response.status == 400)
        #expect(response.body.contains("image reference must be provided"))

        response = try daemon.http("GET", "/no/such/endpoint")
        #expect(response.status == 404)
        #expect(response.body.contains("page not found"))

        response = try daemon.http("GET", "/v1.99/services")
        #expect(response.status == 400)
        #expect(response.body.contains("is too new. Maximum supported API version is 1.51"))

        response = try daemon.http("POST", "/services/create", body: spec)
        #expect(response.status == 201)
        response = try daemon.http("POST", "/services/create", body: spec)
        #expect(response.status == 409)
        #expect(response.body.contains("name conflicts with an existing object"))

        response = try daemon.http("POST", "/services/web/update?version=1", body: spec)
        #expect(response.status == 500)
        #expect(response.body.contains("update out of sequence"))
        response = try daemon.http("POST", "/services/web/update", body: spec)
        #expect(response.status == 400)

        // A 5 MB secret is refused by validation, whole.
        let big = Data(repeating: 0x41, count: 5 << 20).base64EncodedString()
        response = try daemon.http("POST", "/secrets/create", body: #"{"Name":"big","Data":"\#(big)"}"#)
        #expect(response.status == 400)
        #expect(response.body.contains("secret data must be larger than 0 and less than"))
        #expect(try daemon.http("GET", "/secrets").body == "[]")

        // Two ids sharing a prefix: the prefix alone is ambiguous.
        var ids: [String] = []
        for name in ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"] {
            let created = try daemon.http("POST", "/configs/create", body: #"{"Name":"\#(name)","Data":"eA=="}"#)
            if let id = created.body.split(separator: "\"").dropFirst(3).first { ids.append(String(id)) }
        }
        let prefixes = Dictionary(grouping: ids, by: { String($0.prefix(1)) })
        if let shared = prefixes.first(where: { $0.value.count > 1 })?.key {
            response = try daemon.http("GET", "/configs/\(shared)")
            #expect(response.status == 400)
            #expect(response.body.contains("is ambiguous"))
        }

        // The daemon is still healthy and the log holds only what succeeded.
        #expect(try daemon.http("GET", "/_ping").body == "OK")
        let services = try daemon.http("GET", "/services").body
        #expect(services.components(separatedBy: "\"Name\":\"web\"").count == 2)
        daemon.stop()
    }

    @Test("a Docker executor whose engine is not running: the daemon serves at once, docker info answers instead of hanging, and tasks fail with Docker's words")
    func engineNotRunning() throws {
        let daemon = DaemonHarness()
        try daemon.start(executor: "docker", extraArguments: ["--docker-host", "unix://" + daemon.dataDirectory + "-no-engine.sock"])
        let info = try daemon.curl(["-s", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://localhost/info"])
        #expect(info.status == 0 && info.stdout == "200", "docker info hung or failed: \(info.status) \(info.stdout)")
        try daemon.docker("service", "create", "-d", "--name", "web", "nginx:alpine")
        try MultiManagerTests.eventually("the task fails with Docker's words", timeout: 30, showingLogsOf: [daemon]) {
            try daemon.docker("service", "ps", "--no-trunc", "--format", "{{.Error}}", "web")
                .contains("Cannot connect to the Docker daemon at unix://")
        }
        daemon.stop()
    }

    @Test("paths with and without the version prefix, over the unix socket and TCP")
    func versionPrefixes() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        for path in ["/_ping", "/v1.41/_ping", "/v1.51/_ping"] {
            #expect(try daemon.http("GET", path).body == "OK")
            #expect(try daemon.http("GET", path, tcp: true).body == "OK")
        }
        let head = try daemon.curl(["-sI", "http://localhost/_ping"])
        #expect(head.stdout.lowercased().contains("api-version: 1.51"))
        #expect(head.stdout.lowercased().contains("swarm: active/manager"))
        daemon.stop()
    }
}
