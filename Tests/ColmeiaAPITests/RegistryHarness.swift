import Foundation
import Testing

/// A private image registry on loopback (Debian's `docker-registry`, the distribution
/// registry) with basic authentication, for tests that pull images the engine lacks.
final class RegistryHarness: @unchecked Sendable {
    static let user = "colmeia"
    static let password = "s3cret-for-tests"
    /// `htpasswd -Bbn colmeia s3cret-for-tests` (bcrypt, computed once).
    private static let htpasswd = "colmeia:$2y$05$nj0jx1.Q7RHo5D6Ppo9sEe6sY29MYqcAH5JoXP4VWdn6jMosEpWLK\n"

    let root: String
    /// `127.0.0.1:PORT`, the registry's host as image names carry it.
    let host: String
    private let process: Process

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-registry") else {
            throw HarnessError("docker-registry is not installed (apt-get install docker-registry)")
        }
        root = FileManager.default.temporaryDirectory.path + "/colmeia-registry-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/storage", withIntermediateDirectories: true)
        try Self.htpasswd.write(toFile: root + "/htpasswd", atomically: true, encoding: .utf8)
        host = "127.0.0.1:\(Int.random(in: 10_000...19_999))"
        let config = """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(root)/storage
              delete:
                enabled: true
            http:
              addr: \(host)
            auth:
              htpasswd:
                realm: colmeia-test
                path: \(root)/htpasswd
            """
        try config.write(toFile: root + "/config.yml", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", root + "/config.yml"]
        process.standardOutput = FileHandle.nullDevice
        FileManager.default.createFile(atPath: root + "/registry.log", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: root + "/registry.log")
        try process.run()
        for _ in 0..<100 {
            // Up when `/v2/` asks for credentials.
            if let output = try? DaemonHarness.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://\(host)/v2/"],
                                                    socket: ""), output.stdout == "401" { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw HarnessError("the registry did not start on \(host); see \(root)/registry.log")
    }

    deinit {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: root)
    }
}
