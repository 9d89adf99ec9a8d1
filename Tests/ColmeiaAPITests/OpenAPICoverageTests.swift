import Foundation
import Testing

/// `api/openapi.yaml` and the routes `colmeiad` registers stay in step: every route the code
/// serves is documented, every documented route is served, and a running daemon answers
/// with the statuses the document lists.
@Suite struct OpenAPICoverageTests {
    /// One operation: an HTTP method (lowercase) and a path with `{name}` parameters.
    struct Route: Hashable, Comparable, CustomStringConvertible {
        var method: String
        var path: String

        var description: String { "\(method.uppercased()) \(path)" }
        static func < (a: Route, b: Route) -> Bool { (a.path, a.method) < (b.path, b.method) }
    }

    /// The package root: the nearest folder above this file that holds Package.swift.
    static func packageRoot(from file: String = #filePath) throws -> URL {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        throw HarnessError("no Package.swift above \(file)")
    }

    // MARK: The document

    struct Document {
        /// Every operation under `paths:`, with the response statuses it documents.
        var operations: [Route: Set<Int>] = [:]
        /// `servers[].variables.version.enum`, in order.
        var versions: [String] = []
    }

    /// A deliberately small reader for the block-style YAML of api/openapi.yaml: path keys at
    /// two spaces under `paths:`, method keys at four, `responses:` at six and the status keys
    /// at eight. Anything else is skipped.
    static func parseDocument(_ text: String) throws -> Document {
        var document = Document()
        var inPaths = false
        var path: String?
        var route: Route?
        var inResponses = false
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = line.prefix { $0 == " " }.count
            if indent == 0 {
                inPaths = trimmed == "paths:"
                path = nil
                route = nil
                inResponses = false
                continue
            }
            if let match = line.wholeMatch(of: #/ {8}enum: \[(.*)\]\s*/#), document.versions.isEmpty, !inPaths {
                document.versions = match.1.split(separator: ",").map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
                }
                continue
            }
            guard inPaths else { continue }
            switch indent {
            case 2:
                guard let match = line.wholeMatch(of: #/ {2}["']?(/[^"':]*)["']?:\s*/#) else {
                    throw HarnessError("unexpected line in paths: \(line)")
                }
                path = String(match.1)
                route = nil
                inResponses = false
            case 4:
                let key = trimmed.hasSuffix(":") ? String(trimmed.dropLast()) : ""
                if methods.contains(key), let path {
                    route = Route(method: key, path: path)
                    document.operations[route!] = []
                } else {
                    route = nil  // `parameters:`, `summary:`, … of the path item
                }
                inResponses = false
            case 6:
                inResponses = trimmed == "responses:"
            case 8:
                guard inResponses, let route else { continue }
                if let match = trimmed.wholeMatch(of: #/["']?(\d{3})["']?:.*/#), let status = Int(match.1) {
                    document.operations[route, default: []].insert(status)
                }
            default:
                continue
            }
        }
        return document
    }

    static func loadDocument() throws -> Document {
        let url = try packageRoot().appendingPathComponent("api/openapi.yaml")
        return try parseDocument(String(contentsOf: url, encoding: .utf8))
    }

    // MARK: The code

    /// The Engine API routes registered in Sources/ColmeiaAPI: every `router.get("…")`, `router.post(…)`,
    /// `router.head(…)`, `router.delete(…)` (and put/patch) call, found by a regex.
    static func codeRoutes() throws -> Set<Route> {
        let directory = try packageRoot().appendingPathComponent("Sources/ColmeiaAPI")
        // The cluster port's node-to-node routes are not the Engine API: docs/cluster.md.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("ClusterPort") }
        var routes = Set<Route>()
        for file in files {
            let source = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            // Shapes this scanner cannot follow: registering them would hide routes from it.
            for unsupported in ["router.group(", "router.on(", "RouterGroup", ".addRoutes("] {
                #expect(!source.contains(unsupported),
                        "\(file) registers routes with \(unsupported): teach OpenAPICoverageTests.codeRoutes about it")
            }
            for match in source.matches(of: #/router\.(get|post|put|patch|delete|head)\(\s*"([^"]*)"/#) {
                routes.insert(Route(method: String(match.1), path: normalize(String(match.2))))
            }
        }
        return routes
    }

    /// Hummingbird accepts `users/:id` as well as `/users/{id}`; the document uses the latter.
    static func normalize(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }
        return "/" + segments.joined(separator: "/")
    }

    // MARK: Tests

    @Test("api/openapi.yaml documents exactly the routes the code registers")
    func documentMatchesCode() throws {
        let document = try Self.loadDocument()
        let code = try Self.codeRoutes()
        let documented = Set(document.operations.keys)
        #expect(code.count >= 30, "the route scanner found only \(code.count) routes: has registration changed shape?")
        #expect(documented.count >= 30, "the document parser found only \(documented.count) operations")

        for route in code.subtracting(documented).sorted() {
            Issue.record("\(route) is served by colmeiad but missing from api/openapi.yaml")
        }
        for route in documented.subtracting(code).sorted() {
            Issue.record("\(route) is in api/openapi.yaml but colmeiad does not serve it")
        }
        for (route, statuses) in document.operations.sorted(by: { $0.key < $1.key }) {
            #expect(!statuses.isEmpty, "\(route) documents no responses")
            if route.path.contains("{id}") {
                #expect(statuses.contains(404), "\(route) takes an id but documents no 404")
            }
        }
    }

    @Test("the version prefixes the document lists are the range the code accepts")
    func versionRange() throws {
        let document = try Self.loadDocument()
        let source = try String(contentsOf: Self.packageRoot().appendingPathComponent("Sources/ColmeiaAPI/APIVersion.swift"),
                                encoding: .utf8)
        let minimum = source.firstMatch(of: #/static let minimum = "([\d.]+)"/#).map { String($0.1) }
        let current = source.firstMatch(of: #/static let current = "([\d.]+)"/#).map { String($0.1) }
        #expect(document.versions.first == minimum)
        #expect(document.versions.last == current)
        let text = try String(contentsOf: Self.packageRoot().appendingPathComponent("api/openapi.yaml"), encoding: .utf8)
        #expect(text.contains("  version: \"\(current ?? "?")\""), "info.version should be the current API version")
    }

    @Test("a running colmeiad answers every documented GET with a documented status, and unknown ids with 404")
    func daemonAnswersAsDocumented() throws {
        let document = try Self.loadDocument()
        let daemon = DaemonHarness()
        try daemon.start()
        defer { daemon.stop() }
        let now = Int(Date().timeIntervalSince1970)

        // Every GET without path parameters, unprefixed and with the current version prefix.
        let plainGets = document.operations.filter { $0.key.method == "get" && !$0.key.path.contains("{") }
        #expect(plainGets.count >= 10)
        for (route, statuses) in plainGets.sorted(by: { $0.key < $1.key }) {
            // `/events` streams until `until`; bound it.
            let query = route.path == "/events" || route.path == "/ui/api/stream" ? "?until=\(now)" : ""
            for prefix in ["", "/v1.51"] {
                let response = try daemon.http("GET", prefix + route.path + query, extra: ["--max-time", "5"])
                #expect(statuses.contains(response.status),
                        "GET \(prefix)\(route.path) answered \(response.status), documented \(statuses.sorted()): \(response.body.prefix(200))")
            }
        }

        // Every operation on `{id}` with an id that matches nothing: a resource 404, not a
        // routing one and not a crash.
        let idRoutes = document.operations.keys.filter { $0.path.contains("{id}") }
        #expect(idRoutes.count >= 15)
        for route in idRoutes.sorted() {
            let id = "nosuch-\(UUID().uuidString.prefix(8).lowercased())"
            var path = route.path.replacingOccurrences(of: "{id}", with: id)
            if path.hasSuffix("/update") { path += "?version=1" }
            let body: String? = route.method == "post" ? "{}" : nil
            let response = try daemon.http(route.method.uppercased(), path, body: body, extra: ["--max-time", "5"])
            #expect(response.status == 404, "\(route) with an unknown id answered \(response.status): \(response.body.prefix(200))")
            #expect(response.body.contains("\(id) not found"), "\(route): \(response.body.prefix(200))")
            #expect(!response.body.contains("page not found"), "\(route) is not routed")
            #expect(document.operations[route]?.contains(response.status) == true)
        }
    }
}
