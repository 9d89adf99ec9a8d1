import Foundation
import Testing

/// Who may call what: every route of the API against every role and no identity at all,
/// proven by bearer tokens and by client certificates over TLS; tokens
/// revoked or expired on one manager are refused by all; an exposed plain listener refuses
/// to start.
@Suite(.serialized) struct AccessRolesTests {
    static let roles = ["viewer", "deployer", "operator", "admin"]

    /// A client CA, the daemon's server certificate and one client certificate per role
    /// (OU = role), plus one without a role, made by openssl.
    struct Certificates {
        let directory: String

        init() throws {
            directory = FileManager.default.temporaryDirectory.path + "/colmeia-certs-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let script = """
                set -e
                cd '\(directory)'
                openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca-key.pem -out ca.pem \
                    -days 2 -subj '/CN=colmeia test CA' 2>/dev/null
                issue() {
                    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$1-key.pem" -out "$1.csr" \
                        -subj "$2" 2>/dev/null
                    printf '%s\\n' "$3" > "$1.ext"
                    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -out "$1.pem" \
                        -extfile "$1.ext" 2>/dev/null
                }
                issue server '/CN=colmeiad' 'subjectAltName=IP:127.0.0.1'
                for role in viewer deployer operator admin; do issue "$role" "/CN=$role-user/OU=$role" 'extendedKeyUsage=clientAuth'; done
                issue none '/CN=no-role-user' 'extendedKeyUsage=clientAuth'
                """
            let made = try DaemonHarness.run("sh", ["-c", script], socket: "")
            guard made.status == 0 else { throw HarnessError("openssl failed: \(made.stderr)") }
        }

        func path(_ name: String) -> String { directory + "/" + name }
    }

    /// One way of calling: curl arguments that prove an identity (or none).
    struct Caller {
        var name: String
        /// nil: no identity.
        var role: String?
        var base: String
        var arguments: [String]
    }

    /// A request of the table: made fresh for each caller (`setup` creates what it needs
    /// as admin over the unix socket and returns the path and body).
    struct Route {
        var method: String
        var template: String
        /// The least role, nil: open to anyone.
        var role: String?
        /// What an allowed caller gets: nil means any 2xx; otherwise this status (routes
        /// whose success would tear the test down answer their own refusal instead).
        var allowedStatus: Int?
        var setup: (DaemonHarness, String) throws -> (path: String, body: String?)
    }

    static func rank(_ role: String?) -> Int { role.flatMap { roles.firstIndex(of: $0) } ?? -1 }

    /// Creates an object as admin over the socket; returns its id.
    static func create(_ daemon: DaemonHarness, _ path: String, _ body: String) throws -> String {
        let answer = try daemon.http("POST", path, body: body)
        guard (200..<300).contains(answer.status),
              let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
              let id = (object["ID"] ?? object["Id"]) as? String else {
            throw HarnessError("setup \(path) failed: \(answer.status) \(answer.body)")
        }
        return id
    }

    static func version(_ daemon: DaemonHarness, _ path: String) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(try daemon.http("GET", path).body.utf8)) as? [String: Any]
        return ((object?["Version"] as? [String: Any])?["Index"] as? Int) ?? 0
    }

    static func table(nodeID: String) -> [Route] {
        func service(_ daemon: DaemonHarness, _ tag: String) throws -> String {
            try create(daemon, "/services/create", #"{"Name":"s-\#(tag)","TaskTemplate":{"ContainerSpec":{"Image":"busybox:1","Args":["sleep","1000"]}}}"#)
        }
        func get(_ path: String) -> (DaemonHarness, String) throws -> (path: String, body: String?) { { _, _ in (path, nil) } }
        let serviceSpec = { (tag: String, image: String) in
            #"{"Name":"s-\#(tag)","TaskTemplate":{"ContainerSpec":{"Image":"\#(image)","Args":["sleep","1000"]}}}"#
        }
        return [
            Route(method: "GET", template: "/_ping", role: nil, setup: get("/_ping")),
            Route(method: "HEAD", template: "/_ping", role: nil, setup: get("/_ping")),
            Route(method: "GET", template: "/version", role: nil, setup: get("/version")),
            Route(method: "GET", template: "/info", role: "viewer", setup: get("/info")),
            Route(method: "GET", template: "/ui", role: "viewer", setup: get("/ui")),
            Route(method: "GET", template: "/ui/{asset}", role: "viewer", setup: get("/ui/app.js")),
            Route(method: "GET", template: "/ui/api/session", role: "viewer", setup: get("/ui/api/session")),
            Route(method: "GET", template: "/ui/api/stream", role: "viewer", setup: { _, _ in
                ("/ui/api/stream?until=\(Int(Date().timeIntervalSince1970))", nil)
            }),
            Route(method: "GET", template: "/events", role: "viewer", setup: { _, _ in
                ("/events?since=1&until=\(Int(Date().timeIntervalSince1970))", nil)
            }),
            Route(method: "GET", template: "/swarm", role: "viewer", setup: get("/swarm")),
            Route(method: "POST", template: "/swarm/init", role: "admin", allowedStatus: 503, setup: { _, _ in ("/swarm/init", "{}") }),
            Route(method: "POST", template: "/swarm/join", role: "admin", allowedStatus: 503, setup: { _, _ in
                ("/swarm/join", #"{"RemoteAddrs":["127.0.0.1:1"],"JoinToken":"SWMTKN-1-x"}"#)
            }),
            Route(method: "POST", template: "/swarm/leave", role: "admin", allowedStatus: 503, setup: get("/swarm/leave")),
            Route(method: "POST", template: "/swarm/update", role: "admin", setup: { daemon, _ in
                let swarm = try JSONSerialization.jsonObject(with: Data(try daemon.http("GET", "/swarm").body.utf8)) as? [String: Any]
                let spec = try JSONSerialization.data(withJSONObject: swarm?["Spec"] ?? [:])
                return ("/swarm/update?version=\(try version(daemon, "/swarm"))", String(decoding: spec, as: UTF8.self))
            }),
            Route(method: "GET", template: "/swarm/unlockkey", role: "admin", setup: get("/swarm/unlockkey")),
            Route(method: "POST", template: "/swarm/unlock", role: "admin", allowedStatus: 400, setup: { _, _ in
                ("/swarm/unlock", #"{"UnlockKey":"SWMKEY-1-x"}"#)
            }),
            Route(method: "GET", template: "/nodes", role: "viewer", setup: get("/nodes")),
            Route(method: "GET", template: "/nodes/{id}", role: "viewer", setup: get("/nodes/\(nodeID)")),
            Route(method: "POST", template: "/nodes/{id}/update", role: "operator", setup: { daemon, _ in
                ("/nodes/\(nodeID)/update?version=\(try version(daemon, "/nodes/\(nodeID)"))",
                 #"{"Role":"manager","Availability":"active"}"#)
            }),
            Route(method: "DELETE", template: "/nodes/{id}", role: "admin", allowedStatus: 400, setup: get("/nodes/\(nodeID)")),
            Route(method: "GET", template: "/services", role: "viewer", setup: get("/services")),
            Route(method: "POST", template: "/services/create", role: "operator", setup: { _, tag in
                ("/services/create", serviceSpec(tag, "busybox:1"))
            }),
            Route(method: "GET", template: "/services/{id}", role: "viewer", setup: { daemon, tag in ("/services/\(try service(daemon, tag))", nil) }),
            Route(method: "POST", template: "/services/{id}/update", role: "deployer", setup: { daemon, tag in
                let id = try service(daemon, tag)
                return ("/services/\(id)/update?version=\(try version(daemon, "/services/\(id)"))", serviceSpec(tag, "busybox:2"))
            }),
            Route(method: "DELETE", template: "/services/{id}", role: "operator", setup: { daemon, tag in ("/services/\(try service(daemon, tag))", nil) }),
            Route(method: "GET", template: "/services/{id}/logs", role: "viewer", setup: { daemon, tag in
                ("/services/\(try service(daemon, tag))/logs?stdout=1", nil)
            }),
            Route(method: "GET", template: "/tasks", role: "viewer", setup: get("/tasks")),
            Route(method: "GET", template: "/tasks/{id}", role: "viewer", setup: { daemon, _ in
                let tasks = try JSONSerialization.jsonObject(with: Data(try daemon.http("GET", "/tasks").body.utf8)) as? [[String: Any]]
                return ("/tasks/\(tasks?.first?["ID"] as? String ?? "none")", nil)
            }),
            Route(method: "GET", template: "/tasks/{id}/logs", role: "viewer", setup: { daemon, _ in
                let tasks = try JSONSerialization.jsonObject(with: Data(try daemon.http("GET", "/tasks").body.utf8)) as? [[String: Any]]
                return ("/tasks/\(tasks?.first?["ID"] as? String ?? "none")/logs?stdout=1", nil)
            }),
        ] + ["secrets", "configs"].flatMap { kind in [
            Route(method: "GET", template: "/\(kind)", role: "viewer", setup: get("/\(kind)")),
            Route(method: "POST", template: "/\(kind)/create", role: "operator", setup: { _, tag in
                ("/\(kind)/create", #"{"Name":"\#(kind)-\#(tag)","Data":"eA=="}"#)
            }),
            Route(method: "GET", template: "/\(kind)/{id}", role: "viewer", setup: { daemon, tag in
                ("/\(kind)/\(try create(daemon, "/\(kind)/create", #"{"Name":"\#(kind)-\#(tag)","Data":"eA=="}"#))", nil)
            }),
            Route(method: "POST", template: "/\(kind)/{id}/update", role: "operator", setup: { daemon, tag in
                let id = try create(daemon, "/\(kind)/create", #"{"Name":"\#(kind)-\#(tag)","Data":"eA=="}"#)
                return ("/\(kind)/\(id)/update?version=\(try version(daemon, "/\(kind)/\(id)"))",
                        #"{"Name":"\#(kind)-\#(tag)","Labels":{"a":"b"},"Data":"eA=="}"#)
            }),
            Route(method: "DELETE", template: "/\(kind)/{id}", role: "operator", setup: { daemon, tag in
                ("/\(kind)/\(try create(daemon, "/\(kind)/create", #"{"Name":"\#(kind)-\#(tag)","Data":"eA=="}"#))", nil)
            }),
        ] } + [
            Route(method: "GET", template: "/networks", role: "viewer", setup: get("/networks")),
            Route(method: "POST", template: "/networks/create", role: "operator", setup: { _, tag in
                ("/networks/create", #"{"Name":"net-\#(tag)","Driver":"overlay"}"#)
            }),
            Route(method: "GET", template: "/networks/{id}", role: "viewer", setup: { daemon, tag in
                ("/networks/\(try create(daemon, "/networks/create", #"{"Name":"net-\#(tag)","Driver":"overlay"}"#))", nil)
            }),
            Route(method: "DELETE", template: "/networks/{id}", role: "operator", setup: { daemon, tag in
                ("/networks/\(try create(daemon, "/networks/create", #"{"Name":"net-\#(tag)","Driver":"overlay"}"#))", nil)
            }),
            Route(method: "GET", template: "/colmeia/v1/mesh", role: "viewer", setup: get("/colmeia/v1/mesh")),
            // Reaches the route (which wants a passphrase, the swarm having no autolock): admins only.
            Route(method: "GET", template: "/colmeia/v1/backup", role: "admin", allowedStatus: 400, setup: get("/colmeia/v1/backup")),
            Route(method: "GET", template: "/colmeia/v1/tokens", role: "admin", setup: get("/colmeia/v1/tokens")),
            Route(method: "GET", template: "/colmeia/v1/audit", role: "operator", setup: get("/colmeia/v1/audit?limit=5")),
            Route(method: "GET", template: "/colmeia/v1/audit/verify", role: "operator", setup: get("/colmeia/v1/audit/verify")),
            Route(method: "GET", template: "/colmeia/v1/audit/export", role: "operator", setup: get("/colmeia/v1/audit/export")),
            Route(method: "GET", template: "/colmeia/v1/services/{id}/history", role: "viewer", setup: { daemon, tag in
                ("/colmeia/v1/services/\(try service(daemon, tag))/history", nil)
            }),
            Route(method: "GET", template: "/colmeia/v1/services/{id}/diff", role: "viewer", setup: { daemon, tag in
                ("/colmeia/v1/services/\(try service(daemon, tag))/diff?from=1&to=1", nil)
            }),
            Route(method: "POST", template: "/colmeia/v1/tokens", role: "admin", setup: { _, tag in
                ("/colmeia/v1/tokens", #"{"Name":"t-\#(tag)","Role":"viewer"}"#)
            }),
            Route(method: "GET", template: "/colmeia/v1/tokens/{id}", role: "admin", setup: { daemon, tag in
                ("/colmeia/v1/tokens/\(try create(daemon, "/colmeia/v1/tokens", #"{"Name":"t-\#(tag)","Role":"viewer"}"#))", nil)
            }),
            Route(method: "DELETE", template: "/colmeia/v1/tokens/{id}", role: "admin", setup: { daemon, tag in
                ("/colmeia/v1/tokens/\(try create(daemon, "/colmeia/v1/tokens", #"{"Name":"t-\#(tag)","Role":"viewer"}"#))", nil)
            }),
        ]
    }

    /// Sends one request as `caller`; returns the status and body.
    static func send(_ caller: Caller, _ method: String, _ path: String, body: String?) throws -> (Int, String) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "10"] + caller.arguments
        arguments += method == "HEAD" ? ["-I"] : ["-X", method]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        arguments.append(caller.base + path)
        let output = try DaemonHarness.run("curl", arguments, socket: "")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test("every route × {viewer, deployer, operator, admin, no identity}, by bearer tokens and by client certificates over TLS: allowed or 403 exactly as documented")
    func everyRouteForEveryRole() throws {
        let certificates = try Certificates()
        // The harness's TCP listener serves TLS (as dockerd, --tls-* apply to every TCP host):
        // clients present a certificate, a bearer token, or nothing.
        let daemon = DaemonHarness()
        let tlsPort = daemon.port
        try daemon.start(insecureTCP: false, extraArguments: [
            "--tls-cert", certificates.path("server.pem"),
            "--tls-key", certificates.path("server-key.pem"), "--tls-ca", certificates.path("ca.pem"),
        ])
        let nodeID = try daemon.docker("node", "ls", "-q").trimmingCharacters(in: .whitespacesAndNewlines)
        var callers: [Caller] = []
        for role in Self.roles {
            let issued = try daemon.http("POST", "/colmeia/v1/tokens", body: #"{"Name":"\#(role)-token","Role":"\#(role)"}"#)
            #expect(issued.status == 201, "\(issued.body)")
            let object = try JSONSerialization.jsonObject(with: Data(issued.body.utf8)) as? [String: Any]
            let token = try #require(object?["Token"] as? String)
            callers.append(Caller(name: "\(role) token", role: role, base: "https://127.0.0.1:\(tlsPort)",
                                  arguments: ["--cacert", certificates.path("ca.pem"), "-H", "Authorization: Bearer \(token)"]))
            callers.append(Caller(name: "\(role) certificate", role: role, base: "https://127.0.0.1:\(tlsPort)",
                                  arguments: ["--cacert", certificates.path("ca.pem"), "--cert", certificates.path("\(role).pem"),
                                              "--key", certificates.path("\(role)-key.pem")]))
        }
        callers.append(Caller(name: "TLS, no certificate", role: nil, base: "https://127.0.0.1:\(tlsPort)",
                              arguments: ["--cacert", certificates.path("ca.pem")]))
        callers.append(Caller(name: "certificate without a role", role: nil, base: "https://127.0.0.1:\(tlsPort)",
                              arguments: ["--cacert", certificates.path("ca.pem"), "--cert", certificates.path("none.pem"),
                                          "--key", certificates.path("none-key.pem")]))

        var checked = 0
        let table = Self.table(nodeID: nodeID)
        for (routeIndex, route) in table.enumerated() {
            for (callerIndex, caller) in callers.enumerated() {
                let (path, body) = try route.setup(daemon, "r\(routeIndex)c\(callerIndex)")
                let (status, answer) = try Self.send(caller, route.method, path, body: body)
                let allowed = route.role == nil || Self.rank(caller.role) >= Self.rank(route.role)
                let what = "\(route.method) \(route.template) as \(caller.name)"
                if allowed {
                    if let expected = route.allowedStatus {
                        #expect(status == expected, "\(what): \(status) \(answer)")
                    } else {
                        #expect((200..<300).contains(status), "\(what): \(status) \(answer)")
                    }
                } else {
                    #expect(status == 403, "\(what): \(status) \(answer)")
                    if route.method != "HEAD" {
                        #expect(answer.contains("permission denied") && answer.contains(route.role ?? ""), "\(what): \(answer)")
                    }
                }
                checked += 1
            }
        }
        #expect(table.count >= 43 && checked == table.count * callers.count)

        // A deployer changes images, replicas and environment, and nothing else.
        let deployer = try #require(callers.first { $0.name == "deployer token" })
        let id = try Self.create(daemon, "/services/create",
                                 #"{"Name":"deploy-me","TaskTemplate":{"ContainerSpec":{"Image":"busybox:1","Args":["sleep","1000"]}}}"#)
        let relabel = #"{"Name":"deploy-me","Labels":{"owner":"me"},"TaskTemplate":{"ContainerSpec":{"Image":"busybox:1","Args":["sleep","1000"]}}}"#
        let (refused, why) = try Self.send(deployer, "POST", "/services/\(id)/update?version=\(try Self.version(daemon, "/services/\(id)"))", body: relabel)
        #expect(refused == 403 && why.contains("may change only a service's image, replicas and environment"), "\(why)")
        // A viewer sees secrets by name only, and no join tokens.
        let viewer = try #require(callers.first { $0.name == "viewer token" })
        let swarm = try Self.send(viewer, "GET", "/swarm", body: nil).1
        #expect(!swarm.contains("SWMTKN"), "a viewer sees no join token")
        let secrets = try Self.send(viewer, "GET", "/secrets", body: nil).1
        #expect(!secrets.contains(#""a":"b""#) && secrets.contains("secrets-"), "\(secrets.prefix(300))")
        // Refusals are in the audit trail, with the identity that was refused.
        let database = daemon.dataDirectory + "/state.db"
        let query = """
            import sqlite3, sys
            db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
            for row in db.execute("SELECT actor_id, actor_details, payload FROM audit_events WHERE type = 'request.refused'"):
                print('|'.join(str(value) for value in row))
            """
        let rows = try DaemonHarness.run("python3", ["-c", query, database], socket: "").stdout
        #expect(rows.contains("viewer-token|") && rows.contains(#""role":"viewer""#) && rows.contains("service.update"),
                "\(rows.prefix(600))")
        #expect(rows.contains("anonymous|") && rows.contains(#""transport":"tls""#))
    }

    @Test("a token revoked on one manager, or expired, is refused at once by every manager")
    func revokedTokensAreRefusedEverywhere() throws {
        let (managers, _, _) = try MultiManagerTests.swarm(managers: 3)
        let issued = try managers[0].http("POST", "/colmeia/v1/tokens", body: #"{"Name":"ci","Role":"operator"}"#)
        let token = try #require((try JSONSerialization.jsonObject(with: Data(issued.body.utf8)) as? [String: Any])?["Token"] as? String)
        let short = try managers[0].http("POST", "/colmeia/v1/tokens",
                                         body: #"{"Name":"brief","Role":"viewer","ExpiresAt":"\#(Self.rfc3339(Date().addingTimeInterval(3)))"}"#)
        let brief = try #require((try JSONSerialization.jsonObject(with: Data(short.body.utf8)) as? [String: Any])?["Token"] as? String)
        func status(_ manager: DaemonHarness, _ token: String) throws -> Int {
            try manager.http("GET", "/services", tcp: true, extra: ["-H", "Authorization: Bearer \(token)"]).status
        }
        for manager in managers {
            #expect(try status(manager, token) == 200)
            #expect(try status(manager, brief) == 200)
        }
        #expect(try managers[1].http("DELETE", "/colmeia/v1/tokens/ci").status == 200)
        for manager in managers {
            #expect(try status(manager, token) == 401, "the revoked token is refused on \(manager.nodeName)")
        }
        Thread.sleep(forTimeInterval: 3.5)
        for manager in managers {
            #expect(try status(manager, brief) == 401, "the expired token is refused on \(manager.nodeName)")
        }
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    @Test("plain TCP (or TLS without a client CA) off loopback refuses to start without --insecure-tcp; with it, docker info warns")
    func exposedListenersRefuseToStart() throws {
        for extra in [[String](), ["--tls-cert", "/nonexistent", "--tls-key", "/nonexistent"]] {
            let daemon = DaemonHarness()
            let output = try DaemonHarness.run(try DaemonHarness.executable("colmeiad"), [
                "--data-dir", daemon.dataDirectory, "--host", "unix://" + daemon.socket,
                "--host", "tcp://0.0.0.0:\(daemon.port)", "--listen-addr", daemon.listenAddress, "--init", "--executor", "process",
            ] + extra, socket: "", timeout: 20)
            #expect(output.status != 0)
            #expect(output.stderr.contains("refusing to serve the API on tcp://0.0.0.0:\(daemon.port)"), "\(output.stderr)")
        }
        // Plain TCP on loopback starts without the flag, and serves no one who proves nothing.
        let plain = DaemonHarness()
        try plain.start(insecureTCP: false)
        let anonymous = try plain.http("GET", "/info", tcp: true)
        #expect(anonymous.status == 403 && anonymous.body.contains("proved no identity"), "\(anonymous.body)")
        #expect(try plain.http("GET", "/_ping", tcp: true).status == 200)
        let daemon = DaemonHarness()
        try daemon.start(extraArguments: ["--host", "tcp://0.0.0.0:\(daemon.port + 2)"])
        let warnings = try daemon.docker("info", "--format", "{{json .Warnings}}")
        #expect(warnings.contains("tcp://0.0.0.0:\(daemon.port + 2)") && warnings.contains("without encryption and authentication"),
                "\(warnings)")
    }
}
