@testable import ColmeiaClient
import ColmeiaModel
import Foundation
import Testing

/// The typed client over the unix socket, plaintext TCP and TLS with HTTP/2 by ALPN.
@Suite(.serialized) struct ClientTests {
    @Test("hosts: unix paths, tcp with and without a port, and refused forms")
    func hosts() throws {
        #expect(try ColmeiaHost(parsing: "unix:///var/run/colmeia.sock").address == .unix(path: "/var/run/colmeia.sock"))
        #expect(try ColmeiaHost(parsing: "tcp://127.0.0.1:2376").address == .tcp(host: "127.0.0.1", port: 2376))
        #expect(try ColmeiaHost(parsing: "tcp://manager").address == .tcp(host: "manager", port: 2375))
        #expect(try ColmeiaHost(parsing: "tcp://[::1]:2376").description == "tcp://[::1]:2376")
        #expect(throws: ColmeiaClientError.self) { try ColmeiaHost(parsing: "unix://relative.sock") }
        #expect(throws: ColmeiaClientError.self) { try ColmeiaHost(parsing: "tcp://host:99999") }
        #expect(throws: ColmeiaClientError.self) { try ColmeiaHost(parsing: "ftp://host/x") }
        #expect(try ColmeiaHost.fromEnvironment(["COLMEIA_HOST": "tcp://10.0.0.1:2375"]).description == "tcp://10.0.0.1:2375")
    }

    @Test("typed calls over the socket and TCP; Docker's error bodies become typed errors with status and message")
    func calls() async throws {
        let port = Int.random(in: 61_000...62_999)
        let daemon = CLIHarness()
        try await daemon.start(extraArguments: ["--host", "tcp://127.0.0.1:\(port)", "--insecure-tcp"])
        for host in [ColmeiaHost(address: .unix(path: daemon.socket)), ColmeiaHost(address: .tcp(host: "127.0.0.1", port: port))] {
            let client = try ColmeiaClient(host: host)
            _ = try await client.ping()
            let swarm = try await client.swarm()
            #expect(swarm.joinTokens.worker.hasPrefix("SWMTKN-1-"))
            let nodes = try await client.nodes()
            #expect(nodes.map(\.description.hostname) == ["colmeia-test"])
            do {
                _ = try await client.service("nope")
                Issue.record("a missing service should be an error")
            } catch let error as ColmeiaClientError {
                #expect(error.status == 404)
                #expect(error.description.hasPrefix("Error response from daemon: "))
            }
            await client.shutdown()
        }
        let client = try ColmeiaClient(host: ColmeiaHost(address: .unix(path: daemon.socket)))
        let id = try await client.createSecret(SecretSpec(name: "token", data: Data("x".utf8)))
        #expect(try await client.secret(String(id.prefix(6))).spec.name == "token")
        var spec = ServiceSpec(name: "web", mode: ServiceMode(replicated: .init(replicas: 1)))
        spec.taskTemplate.containerSpec = ContainerSpec(image: "busybox", args: ["sleep", "300"])
        let serviceID = try await client.createService(spec)
        let service = try await client.service("web")
        #expect(service.id == serviceID)
        spec.mode = ServiceMode(replicated: .init(replicas: 2))
        try await client.updateService(serviceID, version: service.version.index, spec: spec)
        do {
            try await client.updateService(serviceID, version: service.version.index, spec: spec)
            Issue.record("a stale version should be refused")
        } catch let error as ColmeiaClientError {
            #expect(error.description.contains("update out of sequence"))
        }
        try await client.removeService("web")
        await client.shutdown()
    }

    @Test("TLS: the server's certificate is checked against the CA and HTTP/2 is negotiated; the CLI takes --tlsverify or COLMEIA_CERT_PATH")
    func tls() async throws {
        let port = Int.random(in: 63_000...64_999)
        let daemon = CLIHarness()
        let certificates = daemon.base + "/certs"
        try FileManager.default.createDirectory(atPath: certificates, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(certificates)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=colmeia-test-ca
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
            printf 'subjectAltName=IP:127.0.0.1' > ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext
            """
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/bin/sh")
        openssl.arguments = ["-c", script]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make test certificates")
        // TLS without a client CA: only --insecure-tcp lets clients that prove nothing in.
        try await daemon.start(extraArguments: ["--host", "tcp://127.0.0.1:\(port)", "--tls-cert", certificates + "/server.pem",
                                                "--tls-key", certificates + "/server.key", "--insecure-tcp"])
        let host = ColmeiaHost(address: .tcp(host: "127.0.0.1", port: port))
        let client = try ColmeiaClient(host: host, tls: TLSOptions(verify: true, caCertificate: certificates + "/ca.pem"))
        #expect(try await client.ping() == "HTTP/2.0")
        #expect(try await client.nodes().count == 1)
        await client.shutdown()

        let verified = try daemon.run(["--tlsverify", "--tlscacert", certificates + "/ca.pem", "-H", "tcp://127.0.0.1:\(port)", "node", "ls", "-q"])
        #expect(verified.status == 0 && verified.stdout.count == 26, "\(verified.stderr)")
        try FileManager.default.copyItem(atPath: certificates + "/ca.pem", toPath: daemon.base + "/ca.pem")
        let fromEnvironment = try daemon.run(["node", "ls", "-q"], host: "tcp://127.0.0.1:\(port)",
                                             environment: ["COLMEIA_TLS_VERIFY": "1", "COLMEIA_CERT_PATH": daemon.base])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        // Without the CA the certificate is not trusted.
        let untrusted = try daemon.run(["--tlsverify", "node", "ls"], host: "tcp://127.0.0.1:\(port)")
        #expect(untrusted.status != 0)
    }
}
