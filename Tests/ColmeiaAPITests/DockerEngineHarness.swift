import Foundation
import Testing

/// The private engine's pid, bridge and root, stopped and removed when the test process exits.
nonisolated(unsafe) private var engineProcessID: Int32 = 0
nonisolated(unsafe) private var engineBridge: [CChar] = []
nonisolated(unsafe) private var engineRoot: [CChar] = []

/// A private Docker engine for the tests, started once per test run with the flags that work
/// on these machines, plus a tiny test image made from Debian's busybox-static.
final class DockerEngineHarness: @unchecked Sendable {
    static let shared: Result<DockerEngineHarness, HarnessError> = {
        do {
            return .success(try DockerEngineHarness())
        } catch let error as HarnessError {
            return .failure(error)
        } catch {
            return .failure(HarnessError("\(error)"))
        }
    }()

    /// Tagged twice, so a test can "update" from one image to another.
    static let image = "colmeia-test/busybox:1"
    static let otherImage = "colmeia-test/busybox:2"
    /// The same image under the name forms users type (no namespace, no tag, a registry
    /// host with a port, `localhost/`); digests come from a registry (``RegistryHarness``).
    static let userForms = ["localbusybox", "localbusybox:1", "ns/app:1", "registry.example:5000/ns/app:1", "localhost/app"]
    /// A second tag of the user form, for webhook deploys (`localbusybox:1` → `:2`).
    static let nextUserForm = "localbusybox:2"
    /// An image whose entrypoint does not exist: every container of it fails to start.
    static let brokenImage = "localbusybox:broken"

    let root: String
    let socket: String
    private let process: Process

    private init() throws {
        root = FileManager.default.temporaryDirectory.path + "/colmeia-dockerd-\(UUID().uuidString.prefix(8))"
        socket = root + "/docker.sock"
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/dockerd") else {
            throw HarnessError("dockerd is not installed (apt-get install docker.io)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/bin/busybox") else {
            throw HarnessError("busybox is not installed (apt-get install busybox-static)")
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/dockerd")
        Self.removeWhatDeadEnginesLeft()
        // A bridge of its own: a second engine on the host would otherwise fight over docker0.
        let bridge = "cmt\(getpid() % 100_000)"
        _ = try? Self.run(["ip", "link", "del", bridge])
        for command in [["ip", "link", "add", "name", bridge, "type", "bridge"], ["ip", "addr", "add", "10.250.0.1/24", "dev", bridge],
                        ["ip", "link", "set", bridge, "up"]] {
            guard try Self.run(command) == 0 else { throw HarnessError("\(command.joined(separator: " ")) failed") }
        }
        engineBridge = Array(bridge.utf8CString)
        process.arguments = ["--data-root", root + "/data", "--exec-root", root + "/exec", "-H", "unix://" + socket,
                             "--pidfile", root + "/docker.pid", "--iptables=false", "--ip6tables=false",
                             "--storage-driver=vfs", "--bridge", bridge,
                             // Networks (each node's, each test's) from a pool of their own:
                             // 256 of them, where the default pools hold 31 and are shared
                             // with whatever else the host routes.
                             "--default-address-pool", "base=\(Self.addressPool),size=24"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let log = root + "/dockerd.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        engineProcessID = process.processIdentifier
        engineRoot = Array(root.utf8CString)
        atexit {
            // dockerd keeps its networks' bridges when it stops: take them down with it.
            let root = String(cString: engineRoot)
            let bridges = DockerEngineHarness.networkBridges(socket: root + "/docker.sock")
            // Containers still running would hold dockerd's shutdown past its wait, and their
            // shims outlive a killed dockerd.
            DockerEngineHarness.killContainers(socket: root + "/docker.sock")
            if engineProcessID > 0 {
                kill(engineProcessID, SIGTERM)
                var status: Int32 = 0
                for _ in 0..<100 where waitpid(engineProcessID, &status, WNOHANG) == 0 { usleep(50_000) }
                if kill(engineProcessID, SIGKILL) == 0 { waitpid(engineProcessID, &status, 0) }
            }
            // What it mounted under its root (its data root, its containers' namespaces)
            // outlives a kill.
            let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
            for mount in mounts.split(separator: "\n").compactMap({ $0.split(separator: " ").dropFirst().first })
                .filter({ !root.isEmpty && $0.hasPrefix(root + "/") }).sorted(by: >) {
                _ = try? DockerEngineHarness.run(["umount", "-l", String(mount)])
            }
            for name in bridges + (engineBridge.isEmpty ? [] : [String(cString: engineBridge)]) {
                _ = try? DockerEngineHarness.run(["ip", "link", "del", name])
            }
            if !root.isEmpty {
                _ = try? DockerEngineHarness.run(["rm", "-rf", "--one-file-system", root])
            }
        }
        var ready = false
        for _ in 0..<300 where !ready {
            ready = (try? docker(["version", "--format", "{{.Server.Version}}"]))?.status == 0
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        guard ready else { throw HarnessError("dockerd did not start within 30 s; see \(log)") }
        try buildImage()
    }

    /// `docker import` of a root filesystem holding busybox and the links the tests use.
    private func buildImage() throws {
        let rootfs = root + "/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
        for tool in ["sh", "sleep", "httpd", "cat", "echo", "ls", "true", "false", "env", "test", "touch", "rm", "wget", "id",
                     "nslookup", "ulimit", "grep", "mkdir"] {
            try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin/" + tool, withDestinationPath: "busybox")
        }
        let imported = try shell("tar -C '\(rootfs)' -c . | docker import --change 'ENV PATH=/bin' --change 'CMD [\"sh\"]' - \(Self.image)")
        guard imported.status == 0 else { throw HarnessError("docker import failed: \(imported.stderr)") }
        let broken = try shell("tar -C '\(rootfs)' -c . | docker import --change 'ENV PATH=/bin' --change 'ENTRYPOINT [\"/bin/no-such-program\"]' - \(Self.brokenImage)")
        guard broken.status == 0 else { throw HarnessError("docker import of the broken image failed: \(broken.stderr)") }
        for name in [Self.otherImage, Self.nextUserForm] + Self.userForms {
            let tagged = try docker(["tag", Self.image, name])
            guard tagged.status == 0 else { throw HarnessError("docker tag \(name) failed: \(tagged.stderr)") }
        }
    }

    /// Where the engine's networks take their subnets from.
    static let addressPool = "10.210.0.0/16"

    /// The Linux bridges behind the engine's networks (`docker0`-like names from the
    /// network's options, `br-<id>` otherwise).
    static func networkBridges(socket: String) -> [String] {
        let output = outputOf("docker network ls -q --filter driver=bridge | xargs -r docker network inspect --format "
                              + "'{{.Id}} {{index .Options \"com.docker.network.bridge.name\"}}'", socket: socket)
        return output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard let id = fields.first else { return nil }
            return fields.count > 1 ? fields[1] : "br-" + id.prefix(12)
        }.filter { $0 != "docker0" }
    }

    /// Kills every container of the engine at `socket` (its exit handler's first step).
    static func killContainers(socket: String) {
        _ = outputOf("docker ps -q | xargs -r docker kill", socket: socket)
    }

    /// A test run killed before its exit handler leaves its engine's bridges on the host,
    /// and with them routes that make every later engine refuse the subnets they cover.
    /// Removes the bridge of every test engine whose process is gone, and, when no other
    /// test engine runs, every bridge holding an address of the tests' pool.
    static func removeWhatDeadEnginesLeft() {
        let links = (try? String(contentsOfFile: "/proc/net/dev", encoding: .utf8)) ?? ""
        let names = links.split(separator: "\n").compactMap { $0.split(separator: ":").first?.trimmingCharacters(in: .whitespaces) }
        for name in names where name.hasPrefix("cmt") {
            if let pid = Int32(name.dropFirst(3)), kill(pid, 0) != 0, errno == ESRCH {
                _ = try? run(["ip", "link", "del", name])
            }
        }
        let otherEngines = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).contains { entry in
            guard let pid = Int32(entry), pid != getpid(),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
            let arguments = String(decoding: cmdline, as: UTF8.self)
            return arguments.hasPrefix("/usr/sbin/dockerd") && arguments.contains("colmeia-dockerd-")
        }
        guard !otherEngines else { return }
        let prefix = addressPool.split(separator: ".").prefix(2).joined(separator: ".") + "."
        for line in outputOf("ip -o -4 addr show").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 3, fields[2] == "inet", fields[3].hasPrefix(prefix) else { continue }
            _ = try? run(["ip", "link", "del", String(fields[1])])
        }
    }

    /// The standard output of a shell command (empty if it cannot run), with `DOCKER_HOST`
    /// set to the engine at `socket` when one is given. Static, so the exit handler can use it.
    static func outputOf(_ command: String, socket: String? = nil) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        if let socket { environment["DOCKER_HOST"] = "unix://" + socket }
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a command, its output discarded; returns its exit status.
    static func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs the docker CLI against this engine.
    func docker(_ arguments: [String], environment: [String: String] = [:]) throws -> DaemonHarness.Output {
        try shell(environment: environment, (["docker"] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " "))
    }

    func shell(environment extra: [String: String] = [:], _ command: String) throws -> DaemonHarness.Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_HOST"] = "unix://" + socket
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return DaemonHarness.Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                                    stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Containers of a service on this engine: name → (id, image, state).
    /// The containers of a service on the shared engine; with `node`, only those that node's
    /// agent made (a daemon killed at the end of another suite leaves its containers behind,
    /// under the same service names).
    func containers(ofService name: String, node: String? = nil) throws -> [(name: String, id: String, image: String, state: String)] {
        let output = try docker(["ps", "-a", "--no-trunc", "--filter", "label=com.docker.swarm.service.name=\(name)"]
                                + (node.map { ["--filter", "label=com.docker.swarm.node.id=\($0)"] } ?? [])
                                + ["--format", "{{.Names}}\t{{.ID}}\t{{.Image}}\t{{.State}}"])
        return output.stdout.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return (fields[0], fields[1], fields[2], fields[3])
        }
    }
}
