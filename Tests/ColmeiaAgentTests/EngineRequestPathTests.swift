import Foundation
import Testing
@testable import ColmeiaAgent

/// The request the Docker executor sends for each image form: built per segment, sent by
/// the HTTP client as built, and decoded by the engine's router into exactly the name.
@Suite struct EngineRequestPathTests {
    static let forms = [
        "busybox", "nginx:alpine", "redis:7", "localbusybox:1", "ns/app:1", "registry.example:5000/ns/app:1",
        "localhost/name", "localhost:5000/app", "[::1]:5000/ns/app:2",
        "busybox@sha256:" + String(repeating: "a", count: 64),
        "host:5000/ns/app@sha256:" + String(repeating: "0123456789abcdef", count: 4),
        "ns/app:1.2.3-rc_4",
    ]

    /// What AsyncHTTPClient puts on the request line for a URL (its `URL.uri`).
    static func requestTarget(_ url: String) -> String? {
        guard let parsed = URL(string: url), let components = URLComponents(url: parsed, resolvingAgainstBaseURL: true) else {
            return nil
        }
        return components.percentEncodedPath + (parsed.query.map { "?" + $0 } ?? "")
    }

    @Test("each image form survives the client and decodes to itself, never encoded twice", arguments: forms)
    func imagePath(_ image: String) throws {
        let engine = try DockerEngine(host: "unix:///var/run/docker.sock")
        let built = EngineRequestPath(version: "v1.41", segments: ["images", image, "json"])
        let target = try #require(Self.requestTarget(engine.url(built)))
        #expect(!target.contains("%25"), "encoded twice: \(target)")
        #expect(target == built.target, "the client sends what was built")
        // Go's router matches the decoded path: the name comes back whole.
        #expect(target.removingPercentEncoding == "/v1.41/images/\(image)/json")
        // `:` and `@` are written as they are; `/` is escaped so the name stays one segment.
        #expect(!target.dropFirst("/v1.41/images/".count).dropLast("/json".count).contains("/"))
    }

    @Test("pull parameters split name and tag where the engine wants them", arguments: [
        ("busybox", "busybox", "latest"), ("nginx:alpine", "nginx", "alpine"), ("localhost:5000/app", "localhost:5000/app", "latest"),
        ("host:5000/ns/app:1", "host:5000/ns/app", "1"),
    ])
    func pullParameters(_ image: String, _ name: String, _ tag: String) {
        #expect(DockerContainerConfig.pullParameters(image).map { "\($0.0)=\($0.1)" } == ["fromImage=\(name)", "tag=\(tag)"])
    }

    @Test("a digest reference is pulled whole")
    func pullByDigest() {
        let image = "host:5000/ns/app@sha256:" + String(repeating: "a", count: 64)
        #expect(DockerContainerConfig.pullParameters(image).map { "\($0.0)=\($0.1)" } == ["fromImage=\(image)"])
    }

    @Test("query values are escaped whole: a filter's JSON, a '+' and an '&' reach the engine as written")
    func queryValues() throws {
        let path = EngineRequestPath(version: "v1.41", segments: ["containers", "json"],
                                     query: [("filters", #"{"label":["a=b+c&d"]}"#), ("all", "true")])
        let target = try #require(Self.requestTarget("http+unix://x" + path.target))
        let query = try #require(target.split(separator: "?").last)
        let pairs = query.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" } }
        #expect(pairs.map { $0[0] } == ["filters", "all"])
        #expect(pairs[0][1] == #"{"label":["a=b+c&d"]}"#)
    }

    @Test("a segment of dots is data, not a step up the path")
    func dotSegments() {
        #expect(EngineRequestPath(version: "v1.41", segments: ["containers", "..", "json"]).path == "/v1.41/containers/%2E%2E/json")
    }
}
