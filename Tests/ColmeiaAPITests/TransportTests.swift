import Foundation
import Testing

/// The same JSON over HTTP/1.1 (unix socket), HTTP/2 with prior knowledge (plaintext TCP)
/// and HTTP/2 over TLS chosen by ALPN.
@Suite(.serialized) struct TransportTests {
    /// A throwaway CA and a server certificate for 127.0.0.1, made with openssl.
    static func makeCertificates(in directory: String) throws {
        let script = """
            set -e
            cd '\(directory)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=colmeia-test-ca
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
            printf 'subjectAltName=IP:127.0.0.1' > ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HarnessError("openssl could not make test certificates") }
    }

    @Test("curl over HTTP/2 (prior knowledge and TLS+ALPN) gets the same JSON as HTTP/1.1")
    func http2MatchesHTTP1() throws {
        let daemon = DaemonHarness()
        try daemon.start()
        try daemon.docker("service", "create", "--detach", "--name", "web", "--replicas", "2", "nginx:alpine")
        try daemon.docker("secret", "create", "k", "-", stdin: "v")

        for path in ["/v1.47/services", "/v1.47/secrets", "/v1.47/nodes", "/v1.47/swarm", "/v1.47/networks"] {
            let http1 = try daemon.curl(["-sf", "--http1.1", "-w", "\n%{http_version}", "http://localhost\(path)"])
            let h2c = try daemon.curl(["-sf", "--http2-prior-knowledge", "-w", "\n%{http_version}",
                                       "http://127.0.0.1:\(daemon.port)\(path)"], tcp: true)
            #expect(http1.stdout.hasSuffix("\n1.1"))
            #expect(h2c.stdout.hasSuffix("\n2"), "prior-knowledge HTTP/2 on plaintext TCP")
            #expect(http1.stdout.dropLast(3) == h2c.stdout.dropLast(1), "\(path) differs between HTTP/1.1 and HTTP/2")
        }
        daemon.stop()

        // The same data dir behind a TLS listener: ALPN picks h2 or http/1.1.
        let certificates = FileManager.default.temporaryDirectory.path + "/colmeia-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: certificates, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: certificates) }
        try Self.makeCertificates(in: certificates)
        try daemon.start(initialize: false, extraArguments: ["--tls-cert", certificates + "/server.pem",
                                                             "--tls-key", certificates + "/server.key"])
        let plain = try daemon.curl(["-sf", "http://localhost/v1.47/services"])
        for version in ["--http2", "--http1.1"] {
            let secure = try daemon.curl(["-sf", version, "--cacert", certificates + "/ca.pem", "-w", "\n%{http_version}",
                                          "https://127.0.0.1:\(daemon.port)/v1.47/services"], tcp: true)
            #expect(secure.stdout.hasSuffix(version == "--http2" ? "\n2" : "\n1.1"))
            #expect(secure.stdout.split(separator: "\n").first.map(String.init) == plain.stdout)
        }
        daemon.stop()
    }
}
