import ColmeiaModel
import Foundation

/// Runs tasks as containers on a Docker Engine (`--executor docker --docker-host
/// unix:///…`), labelled as Docker Swarm labels them, so `docker ps` on the node shows which
/// service, task and node each container belongs to. Containers outlive the agent; a
/// restarted agent finds them again by their task label.
public actor DockerExecutor: TaskExecutor {
    private let engine: DockerEngine
    /// Where tasks' secret and config files live (a tmpfs when one can be mounted).
    private let filesRoot: String
    private var filesRootReady = false
    private var filesRootMounted = false
    /// Container id per task id.
    private var containers: [String: String] = [:]
    /// Read-only bind mounts of each task's secret and config files.
    private var fileMounts: [String: [(path: String, target: String)]] = [:]

    public init(host: String, filesRoot: String) throws {
        do {
            engine = try DockerEngine(host: host)
        } catch {
            throw TaskFailure(error.message)
        }
        self.filesRoot = filesRoot
    }

    public nonisolated var tasksOutliveAgent: Bool { true }

    /// Uses the local image, or pulls it; a failed pull rejects the task with the engine's words.
    public func prepare(_ task: SwarmTask, files: TaskFiles) async throws(TaskFailure) {
        if files != TaskFiles() {
            try prepareFilesRoot()
            do {
                fileMounts[task.id] = try files.write(under: filesRoot + "/" + task.id)
            } catch let failure as TaskFailure {
                throw failure
            } catch {
                throw TaskFailure("cannot write the task's secrets: \(error.localizedDescription)")
            }
        }
        let image = task.spec.containerSpec?.image ?? ""
        guard !image.isEmpty else { throw TaskFailure("no image specified") }
        do {
            try await engine.call(.GET, "/images/\(Self.pathComponent(image))/json")
            return
        } catch where error.status == 404 {
            // Not here: pull it below.
        } catch {
            throw TaskFailure(error.message)
        }
        let (name, tag) = Self.split(image)
        let data: Data
        do {
            data = try await engine.call(.POST, "/images/create", query: [("fromImage", name)] + (tag.map { [("tag", $0)] } ?? []),
                                         timeout: .minutes(30)).body
        } catch {
            throw TaskFailure(error.message)
        }
        // A pull reports progress as JSON lines; a failure mid-way is a line with "error".
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
               let error = object["error"] as? String {
                throw TaskFailure(error)
            }
        }
    }

    public func start(_ task: SwarmTask) async throws(TaskFailure) -> ContainerStatus {
        let name = Self.containerName(task)
        // A container left by an earlier attempt of this very task is replaced.
        _ = try? await engine.call(.DELETE, "/containers/\(name)", query: [("force", "true")])
        var body = try Self.body(for: task)
        if let files = fileMounts[task.id], var host = body["HostConfig"] as? [String: Any] {
            var mounts = host["Mounts"] as? [Any] ?? []
            for file in files {
                mounts.append(["Type": "bind", "Source": file.path, "Target": file.target, "ReadOnly": true])
            }
            host["Mounts"] = mounts
            body["HostConfig"] = host
        }
        let created: [String: Any]
        do {
            created = try await engine.object(.POST, "/containers/create", query: [("name", name)], json: body)
        } catch {
            throw TaskFailure("create container failed: \(error.message)")
        }
        guard let id = created["Id"] as? String else { throw TaskFailure("create container failed: no container id") }
        containers[task.id] = id
        do {
            try await engine.call(.POST, "/containers/\(id)/start")
        } catch {
            throw TaskFailure("starting container failed: \(error.message)")
        }
        return try await waitUntilHealthy(task, id)
    }

    /// A container with a healthcheck is `starting` until its first healthy report.
    private func waitUntilHealthy(_ task: SwarmTask, _ id: String) async throws(TaskFailure) -> ContainerStatus {
        while true {
            let inspect: [String: Any]
            do {
                inspect = try await engine.object(.GET, "/containers/\(id)/json")
            } catch {
                throw TaskFailure(error.message)
            }
            let state = inspect["State"] as? [String: Any] ?? [:]
            let status = ContainerStatus(containerID: id, pid: state["Pid"] as? Int ?? 0, exitCode: 0)
            guard state["Running"] as? Bool == true else { return status }
            guard let health = state["Health"] as? [String: Any], let current = health["Status"] as? String else { return status }
            switch current {
            case "healthy":
                return status
            case "unhealthy":
                await stop(task)
                throw TaskFailure("task: container is unhealthy")
            default:
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    public func wait(_ task: SwarmTask) async throws(TaskFailure) -> Int {
        guard let id = containers[task.id] else { throw TaskFailure("task \(task.id) has no container on this node") }
        do {
            let result = try await engine.object(.POST, "/containers/\(id)/wait", timeout: .hours(24 * 365))
            return result["StatusCode"] as? Int ?? -1
        } catch {
            throw TaskFailure(error.message)
        }
    }

    public func stop(_ task: SwarmTask) async {
        guard let id = containers[task.id] else { return }
        let grace = max(0, (task.spec.containerSpec?.stopGracePeriod ?? 10_000_000_000) / 1_000_000_000)
        _ = try? await engine.call(.POST, "/containers/\(id)/stop", query: [("t", String(grace))], timeout: .seconds(grace + 30))
    }

    public func remove(_ task: SwarmTask) async {
        if fileMounts.removeValue(forKey: task.id) != nil {
            try? FileManager.default.removeItem(atPath: filesRoot + "/" + task.id)
        }
        guard let id = containers.removeValue(forKey: task.id) else { return }
        _ = try? await engine.call(.DELETE, "/containers/\(id)", query: [("force", "true"), ("v", "true")])
    }

    /// The engine's version, labels (`engine.labels.*` constraints) and resources.
    public func describe(_ host: NodeDescription) async -> NodeDescription {
        guard let info = try? await engine.object(.GET, "/info") else { return host }
        var description = host
        if let version = info["ServerVersion"] as? String { description.engine.engineVersion = version }
        for label in info["Labels"] as? [String] ?? [] {
            let parts = label.split(separator: "=", maxSplits: 1)
            description.engine.labels[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        if let cpus = info["NCPU"] as? Int { description.resources.nanoCPUs = Int64(cpus) * 1_000_000_000 }
        if let memory = info["MemTotal"] as? Int { description.resources.memoryBytes = Int64(memory) }
        return description
    }

    /// Detaches the tmpfs: running containers keep their own mounts of the files, and
    /// nothing is left mounted under the data directory.
    public func close() async {
        if filesRootMounted { _ = umount2(filesRoot, Int32(MNT_DETACH)) }
        filesRootMounted = false
        filesRootReady = false
    }

    /// Mounts a private tmpfs for secret files, so they never touch a disk; where that is not
    /// allowed, a 0700 directory.
    private func prepareFilesRoot() throws(TaskFailure) {
        guard !filesRootReady else { return }
        do {
            try FileManager.default.createDirectory(atPath: filesRoot, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw TaskFailure("cannot create \(filesRoot): \(error.localizedDescription)")
        }
        var own = stat()
        var parent = stat()
        if stat(filesRoot, &own) == 0, stat(filesRoot + "/..", &parent) == 0, own.st_dev == parent.st_dev {
            filesRootMounted = mount("tmpfs", filesRoot, "tmpfs", UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC), "mode=0700") == 0
        }
        filesRootReady = true
    }

    /// Finds the task's container by its label; adopts it if it runs.
    public func isRunning(_ task: SwarmTask) async -> Bool {
        let filters = #"{"label":["com.docker.swarm.task.id=\#(task.id)"]}"#
        guard let data = try? await engine.call(.GET, "/containers/json", query: [("all", "true"), ("filters", filters)]).body,
              let list = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]],
              let container = list.first, let id = container["Id"] as? String else { return false }
        containers[task.id] = id
        return container["State"] as? String == "running"
    }

    /// Containers labelled for this node whose task is gone are removed, by force: their
    /// task no longer exists, so nobody waits for a graceful stop.
    public func removeLeftovers(onNode nodeID: String, keeping taskIDs: Set<String>) async {
        let filters = #"{"label":["com.docker.swarm.node.id=\#(nodeID)"]}"#
        guard let data = try? await engine.call(.GET, "/containers/json", query: [("all", "true"), ("filters", filters)]).body,
              let list = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else { return }
        for container in list {
            guard let labels = container["Labels"] as? [String: String], let taskID = labels["com.docker.swarm.task.id"],
                  !taskIDs.contains(taskID), let id = container["Id"] as? String else { continue }
            containers[taskID] = nil
            _ = try? await engine.call(.DELETE, "/containers/\(id)", query: [("force", "true"), ("v", "true")])
        }
    }

    /// The container's log, demultiplexed from the engine's stream framing.
    public func logs(_ task: SwarmTask, options: LogOptions) async throws(TaskFailure) -> AsyncThrowingStream<LogEntry, any Error> {
        // A stopped task's container is found again by its label (the agent may have restarted).
        if containers[task.id] == nil { _ = await isRunning(task) }
        guard let id = containers[task.id] else { throw TaskFailure("no container for task \(task.id) on this node") }
        var query = [("stdout", options.stdout ? "1" : "0"), ("stderr", options.stderr ? "1" : "0"), ("timestamps", "1"),
                     ("follow", options.follow ? "1" : "0")]
        if let tail = options.tail { query.append(("tail", String(tail))) }
        if let since = options.since { query.append(("since", String(since.seconds))) }
        let chunks: AsyncThrowingStream<[UInt8], any Error>
        do {
            chunks = try await engine.stream(.GET, "/containers/\(id)/logs", query: query)
        } catch {
            throw TaskFailure(error.message)
        }
        return AsyncThrowingStream { continuation in
            let reader = Task {
                var buffer: [UInt8] = []
                do {
                    for try await chunk in chunks {
                        buffer += chunk
                        while buffer.count >= 8 {
                            let size = Int(buffer[4]) << 24 | Int(buffer[5]) << 16 | Int(buffer[6]) << 8 | Int(buffer[7])
                            guard buffer.count >= 8 + size else { break }
                            let stream: LogEntry.Stream = buffer[0] == 2 ? .stderr : .stdout
                            let payload = Array(buffer[8..<(8 + size)])
                            buffer.removeFirst(8 + size)
                            // `timestamps=1`: each line starts with its RFC 3339 time and a space.
                            let space = payload.firstIndex(of: UInt8(ascii: " ")) ?? payload.startIndex
                            let stamp = Timestamp(rfc3339: String(decoding: payload[..<space], as: UTF8.self)) ?? .now()
                            let line = space < payload.endIndex ? Array(payload[(space + 1)...]) : payload
                            continuation.yield(LogEntry(stream: stream, timestamp: stamp, line: line))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    // MARK: Container spec

    /// `service.slot.taskid`, as Docker Swarm names task containers.
    static func containerName(_ task: SwarmTask) -> String {
        task.name.isEmpty ? "task.\(task.id)" : task.name
    }

    /// The service name, from the task name `service.slot.taskid`.
    static func serviceName(_ task: SwarmTask) -> String {
        let parts = task.name.split(separator: ".")
        return parts.count >= 3 ? parts.dropLast(2).joined(separator: ".") : task.serviceID
    }

    /// The body of `POST /containers/create` for a task.
    static func body(for task: SwarmTask) throws(TaskFailure) -> [String: Any] {
        let spec = task.spec.containerSpec ?? ContainerSpec()
        var labels = spec.labels
        labels["com.docker.swarm.service.id"] = task.serviceID
        labels["com.docker.swarm.service.name"] = serviceName(task)
        labels["com.docker.swarm.task"] = ""
        labels["com.docker.swarm.task.id"] = task.id
        labels["com.docker.swarm.task.name"] = containerName(task)
        labels["com.docker.swarm.node.id"] = task.nodeID
        var body: [String: Any] = ["Image": spec.image, "Labels": labels, "Env": spec.env, "Tty": spec.tty,
                                   "OpenStdin": spec.openStdin]
        if !spec.command.isEmpty { body["Entrypoint"] = spec.command }
        if !spec.args.isEmpty { body["Cmd"] = spec.args }
        if !spec.user.isEmpty { body["User"] = spec.user }
        if !spec.dir.isEmpty { body["WorkingDir"] = spec.dir }
        if !spec.hostname.isEmpty { body["Hostname"] = spec.hostname }
        if !spec.stopSignal.isEmpty { body["StopSignal"] = spec.stopSignal }
        if let grace = spec.stopGracePeriod { body["StopTimeout"] = Int(grace / 1_000_000_000) }
        if let health = spec.healthcheck { body["Healthcheck"] = try json(health) }
        var host: [String: Any] = ["ReadonlyRootfs": spec.readOnly]
        if !spec.mounts.isEmpty { host["Mounts"] = try json(spec.mounts) }
        if let initProcess = spec.initProcess { host["Init"] = initProcess }
        if !spec.hosts.isEmpty { host["ExtraHosts"] = spec.hosts }
        if !spec.capabilityAdd.isEmpty { host["CapAdd"] = spec.capabilityAdd }
        if !spec.capabilityDrop.isEmpty { host["CapDrop"] = spec.capabilityDrop }
        if !spec.sysctls.isEmpty { host["Sysctls"] = spec.sysctls }
        if let limits = task.spec.resources?.limits {
            if limits.nanoCPUs > 0 { host["NanoCpus"] = limits.nanoCPUs }
            if limits.memoryBytes > 0 { host["Memory"] = limits.memoryBytes }
            if limits.pids > 0 { host["PidsLimit"] = limits.pids }
        }
        body["HostConfig"] = host
        return body
    }

    private static func json(_ value: some Encodable) throws(TaskFailure) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value))
        } catch {
            throw TaskFailure("cannot convert the task spec for Docker: \(error)")
        }
    }

    /// `repo[:tag]` → (`repo`, `tag`); a digest reference keeps its digest in the name.
    static func split(_ image: String) -> (String, String?) {
        if image.contains("@") { return (image, nil) }
        if let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") {
            return (String(image[..<colon]), String(image[image.index(after: colon)...]))
        }
        return (image, "latest")
    }

    static func pathComponent(_ image: String) -> String {
        // The engine's route is `/images/{name:.*}/json`: slashes stay as they are.
        image.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? image
    }
}
