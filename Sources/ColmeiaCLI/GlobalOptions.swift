import ArgumentParser
import ColmeiaClient
import Foundation

/// Connection flags every command accepts (docker's `-H`, `--tls*`), with `COLMEIA_HOST`,
/// `COLMEIA_TLS_VERIFY` and `COLMEIA_CERT_PATH` as their environment defaults.
public struct GlobalOptions: ParsableArguments {
    public init() {}

    @Option(name: [.customShort("H"), .customLong("host")], help: "Daemon socket to connect to (unix:///path.sock or tcp://HOST:PORT)")
    var host: String?
    @Flag(name: .customLong("tls"), help: "Use TLS; implied by --tlsverify")
    var tls = false
    @Flag(name: .customLong("tlsverify"), help: "Use TLS and verify the remote")
    var tlsVerify = false
    @Option(name: .customLong("tlscacert"), help: "Trust certs signed only by this CA")
    var tlsCACert: String?
    @Option(name: .customLong("tlscert"), help: "Path to TLS certificate file")
    var tlsCert: String?
    @Option(name: .customLong("tlskey"), help: "Path to TLS key file")
    var tlsKey: String?
    /// Not `--token`: `swarm join --token` is the join token.
    @Option(name: .customLong("api-token"), help: "Bearer token to present to the API (default: $COLMEIA_TOKEN)")
    var apiToken: String?

    /// The daemon's address and TLS settings, from the flags and then the environment.
    public func endpoint(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (ColmeiaHost, TLSOptions?) {
        let host = try host.map { text throws(ColmeiaClientError) in try ColmeiaHost(parsing: text) } ?? ColmeiaHost.fromEnvironment(environment)
        let verifyFromEnvironment = !(environment["COLMEIA_TLS_VERIFY"] ?? "").isEmpty
        let verify = tlsVerify || verifyFromEnvironment
        guard tls || verify else { return (host, nil) }
        let certPath = environment["COLMEIA_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 }
        func file(_ explicit: String?, _ name: String) -> String? {
            if let explicit { return explicit }
            guard let certPath else { return nil }
            let path = certPath + "/" + name
            return FileManager.default.fileExists(atPath: path) ? path : nil
        }
        for path in [tlsCACert, tlsCert, tlsKey].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: path) {
            throw CLIError("could not read TLS file \(path): no such file")
        }
        return (host, TLSOptions(verify: verify, caCertificate: file(tlsCACert, "ca.pem"),
                                 certificate: file(tlsCert, "cert.pem"), key: file(tlsKey, "key.pem")))
    }

    /// Runs `body` with a connected client and closes it afterwards.
    public func withClient<T>(_ body: (ColmeiaClient) async throws -> T) async throws -> T {
        let (host, tls) = try endpoint()
        try host.probe()
        let client = try ColmeiaClient(host: host, tls: tls, token: apiToken ?? ProcessInfo.processInfo.environment["COLMEIA_TOKEN"])
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
