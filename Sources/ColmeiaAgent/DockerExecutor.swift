import ColmeiaMesh
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
    /// What the node told each task (ports, placeholder values).
    private var contexts: [String: TaskContext] = [:]
    /// The node's part of the data plane: tasks on cluster networks or with published
    /// ports join the node's container bridge, resolve names at its gateway and reach
    /// service addresses through it.
    private let mesh: NodeMesh?
    private var nodeNetwork: (name: String, gateway: String)?
    private var makingNodeNetwork: Task<Result<(name: String, gateway: String), TaskFailure>, Never>?

    public init(host: String, filesRoot: String, mesh: NodeMesh? = nil) throws {
        do {
            engine = try DockerEngine(host: host)
        } catch {
            throw TaskFailure(error.message)
        }
        self.filesRoot = filesRoot
        self.mesh = mesh
    }

    public nonisolated var tasksOutliveAgent: Bool { true }

    /// Checks the mounts, writes the task's files, and makes sure the image is here: a
    /// local image is used as it is; an absent one is pulled (with the service's registry
    /// credentials). A failure rejects the task with the engine's words.
    public func prepare(_ task: SwarmTask, files: TaskFiles) async throws(TaskFailure) {
        let spec = task.spec.containerSpec ?? ContainerSpec()
        try DockerContainerConfig.validateMounts(spec.mounts)
        contexts[task.id] = files.context
        if files.hasFiles {
            try prepareFilesRoot()
            do {
                fileMounts[task.id] = try files.write(under: filesRoot + "/" + task.id)
            } catch let failure as TaskFailure {
                throw failure
            } catch {
                throw TaskFailure("cannot write the task's secrets: \(error.localizedDescription)")
            }
        }
        for volume in DockerContainerConfig.volumesToCreate(spec.mounts) {
            do {
                try await engine.call(.POST, ["volumes", "create"], json: volume)
            } catch {
                throw TaskFailure("error creating volume \(volume["Name"] as? String ?? ""): \(error.message)")
            }
        }
        let image = spec.image
        guard !image.isEmpty else { throw TaskFailure("no image specified") }
        do {
            try await engine.call(.GET, ["images", image, "json"])
            return
        } catch where error.status == 404 {
            // Not here: pull it below.
        } catch {
            throw TaskFailure(error.message)
        }
        try await pull(image, auth: spec.pullOptions?.registryAuth)
    }

    /// `POST /images/create`, reading the progress stream to its end: a failure mid-way is
    /// a line with `error`.
    private func pull(_ image: String, auth: String?) async throws(TaskFailure) {
        let headers = auth.map { [("X-Registry-Auth", $0)] } ?? []
        let chunks: AsyncThrowingStream<[UInt8], any Error>
        do {
            chunks = try await engine.stream(.POST, ["images", "create"], query: DockerContainerConfig.pullParameters(image),
                                             headers: headers, timeout: .minutes(30))
        } catch {
            throw TaskFailure(error.message)
        }
        var pending: [UInt8] = []
        do {
            for try await chunk in chunks {
                pending += chunk
                while let newline = pending.firstIndex(of: 10) {
                    let line = Data(pending[..<newline])
                    pending.removeSubrange(...newline)
                    if let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any],
                       let error = object["error"] as? String {
                        throw TaskFailure(error)
                    }
                }
            }
        } catch let failure as TaskFailure {
            throw failure
        } catch {
            throw TaskFailure("pulling \(image) failed: \(error)")
        }
    }

    public func start(_ task: SwarmTask) async throws(TaskFailure) -> ContainerStatus {
        let name = DockerContainerConfig.containerName(task)
        // A container left by an earlier attempt of this very task is replaced.
        _ = try? await engine.call(.DELETE, ["containers", name], query: [("force", "true")])
        let context = contexts[task.id] ?? TaskContext()
        var expanded = task
        if var spec = task.spec.containerSpec {
            spec.env = spec.env.map { context.expand($0, task: task) }
            spec.hostname = context.expand(spec.hostname, task: task)
            expanded.spec.containerSpec = spec
        }
        var body = try DockerContainerConfig.body(for: expanded, extraMounts: fileMounts[task.id] ?? [])
        let network = try await meshNetwork(for: task)
        if let network {
            var host = body["HostConfig"] as? [String: Any] ?? [:]
            host["NetworkMode"] = network.name
            // The node's resolver first: it answers service names, and passes on the rest.
            host["Dns"] = [network.gateway] + (host["Dns"] as? [String] ?? [])
            body["HostConfig"] = host
        }
        let created: [String: Any]
        do {
            created = try await engine.object(.POST, ["containers", "create"], query: [("name", name)], json: body)
        } catch {
            throw TaskFailure("create container failed: \(error.message)")
        }
        guard let id = created["Id"] as? String else { throw TaskFailure("create container failed: no container id") }
        containers[task.id] = id
        do {
            try await engine.call(.POST, ["containers", id, "start"])
        } catch {
            throw TaskFailure("starting container failed: \(error.message)")
        }
        let status = try await waitUntilHealthy(task, id)
        if network != nil { await registerEndpoint(task, id) }
        return status
    }

    /// The node's container bridge for tasks of the mesh (on cluster networks, or with
    /// published ports), made on first use and served by the mesh; nil for other tasks.
    private func meshNetwork(for task: SwarmTask) async throws(TaskFailure) -> (name: String, gateway: String)? {
        guard !task.networksAttachments.isEmpty || !(contexts[task.id]?.ports.isEmpty ?? true) else { return nil }
        return try await nodeMeshNetwork(node: task.nodeID)
    }

    private func nodeMeshNetwork(node taskNode: String) async throws(TaskFailure) -> (name: String, gateway: String)? {
        guard let mesh else { return nil }
        if let nodeNetwork { return nodeNetwork }
        // Tasks start side by side: one makes the network, the others wait for it.
        if let making = makingNodeNetwork {
            let result = await making.value
            return try result.get()
        }
        let making = Task { () -> Result<(name: String, gateway: String), TaskFailure> in
            do throws(TaskFailure) {
                return .success(try await self.makeNodeMeshNetwork(mesh: mesh, node: taskNode))
            } catch {
                return .failure(error)
            }
        }
        makingNodeNetwork = making
        let result = await making.value
        makingNodeNetwork = nil
        return try result.get()
    }

    private func makeNodeMeshNetwork(mesh: NodeMesh, node taskNode: String) async throws(TaskFailure) -> (name: String, gateway: String) {
        let node = mesh.nodeID.isEmpty ? taskNode : mesh.nodeID
        let name = "colmeia_" + node.prefix(12)
        let bridge = "cm" + node.prefix(10)
        do {
            try await engine.call(.POST, ["networks", "create"], json: [
                "Name": name, "Driver": "bridge", "CheckDuplicate": true,
                "Labels": ["com.colmeia.node.id": node],
                // Containers reach each other only through the mesh (names, addresses).
                "Options": ["com.docker.network.bridge.name": bridge, "com.docker.network.bridge.enable_icc": "false"],
            ])
        } catch where error.status == 409 {
            // Made by an earlier run of this node.
        } catch {
            throw TaskFailure("cannot create the node's container network \(name): \(error.message)")
        }
        let gateway: String
        do {
            let inspect = try await engine.object(.GET, ["networks", name])
            let configs = (inspect["IPAM"] as? [String: Any])?["Config"] as? [[String: Any]] ?? []
            guard let found = configs.lazy.compactMap({ $0["Gateway"] as? String }).first(where: { IPv4Subnet.parse($0) != nil }) else {
                throw TaskFailure("the node's container network \(name) has no IPv4 gateway")
            }
            gateway = found
        } catch let failure as TaskFailure {
            throw failure
        } catch {
            throw TaskFailure("cannot inspect the node's container network \(name): \(error)")
        }
        do {
            try await mesh.attachBridge(name: bridge, gateway: gateway)
        } catch {
            throw TaskFailure("cannot serve the node's container network \(name) (names and service addresses): \(error)")
        }
        nodeNetwork = (name, gateway)
        return (name, gateway)
    }

    /// Tells the mesh where the task's container takes connections (its address on the
    /// node's bridge, every port), and which networks it joins.
    private func registerEndpoint(_ task: SwarmTask, _ id: String) async {
        guard let mesh, let network = nodeNetwork,
              let inspect = try? await engine.object(.GET, ["containers", id, "json"]),
              let networks = (inspect["NetworkSettings"] as? [String: Any])?["Networks"] as? [String: Any],
              let address = (networks[network.name] as? [String: Any])?["IPAddress"] as? String, !address.isEmpty else { return }
        mesh.endpoints.set(taskID: task.id,
                           endpoint: .init(host: address, ports: [:], networks: Set(task.networksAttachments.map(\.network.id))),
                           sources: [address])
    }

    /// A container with a healthcheck is `starting` until its first healthy report; one
    /// found unhealthy is stopped and fails as in Docker.
    private func waitUntilHealthy(_ task: SwarmTask, _ id: String) async throws(TaskFailure) -> ContainerStatus {
        while true {
            let state = try await containerState(id)
            let status = ContainerStatus(containerID: id, pid: state["Pid"] as? Int ?? 0, exitCode: 0)
            guard state["Running"] as? Bool == true else { return status }
            switch (state["Health"] as? [String: Any])?["Status"] as? String {
            case "starting"?:
                try? await Task.sleep(for: .milliseconds(250))
            case "unhealthy"?:
                throw await unhealthy(task, id)
            default:
                return status
            }
        }
    }

    private func containerState(_ id: String) async throws(TaskFailure) -> [String: Any] {
        do {
            return try await engine.object(.GET, ["containers", id, "json"])["State"] as? [String: Any] ?? [:]
        } catch {
            throw TaskFailure(error.message)
        }
    }

    /// Stops an unhealthy container and says so in Docker's words, with its exit code.
    private func unhealthy(_ task: SwarmTask, _ id: String) async -> TaskFailure {
        await stop(task)
        let code = ((try? await containerState(id))?["ExitCode"] as? Int) ?? 137
        return TaskFailure("task: non-zero exit (\(code)): dockerexec: unhealthy container")
    }

    /// The container's exit code; while it runs, its health is watched (a container with
    /// a healthcheck that turns unhealthy is stopped and the task fails).
    public func wait(_ task: SwarmTask) async throws(TaskFailure) -> Int {
        guard let id = containers[task.id] else { throw TaskFailure("task \(task.id) has no container on this node") }
        let engine = self.engine
        let watchHealth = task.spec.containerSpec?.healthcheck.flatMap { $0.test.first == "NONE" ? nil : $0 } != nil
        let interval = Self.healthPollInterval(task.spec.containerSpec?.healthcheck)
        enum Outcome: Sendable {
            case exited(Int)
            case failed(String)
            case unhealthy
        }
        let outcome = await withTaskGroup(of: Outcome?.self) { group -> Outcome in
            group.addTask {
                do throws(DockerEngine.Failure) {
                    let result = try await engine.object(.POST, ["containers", id, "wait"], timeout: .hours(24 * 365))
                    return .exited(result["StatusCode"] as? Int ?? -1)
                } catch {
                    return .failed(error.message)
                }
            }
            if watchHealth {
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        guard !Task.isCancelled else { return nil }
                        let inspect = try? await engine.object(.GET, ["containers", id, "json"])
                        let health = ((inspect?["State"] as? [String: Any])?["Health"] as? [String: Any])?["Status"] as? String
                        if health == "unhealthy" { return .unhealthy }
                    }
                    return nil
                }
            }
            var first: Outcome = .failed("the container wait ended without an answer")
            while let next = await group.next() {
                if let next {
                    first = next
                    break
                }
            }
            group.cancelAll()
            return first
        }
        mesh?.endpoints.remove(taskID: task.id)
        switch outcome {
        case .exited(let code): return code
        case .failed(let message): throw TaskFailure(message)
        case .unhealthy: throw await unhealthy(task, id)
        }
    }

    /// How often a running container's health is looked at: its interval, within 1–5 s.
    static func healthPollInterval(_ check: HealthConfig?) -> Duration {
        let interval = check?.interval ?? 0
        let seconds = interval > 0 ? Double(interval) / 1e9 : 5
        return .milliseconds(Int64(min(5, max(1, seconds)) * 1000))
    }

    public func stop(_ task: SwarmTask) async {
        mesh?.endpoints.remove(taskID: task.id)
        guard let id = containers[task.id] else { return }
        let grace = max(0, (task.spec.containerSpec?.stopGracePeriod ?? 10_000_000_000) / 1_000_000_000)
        _ = try? await engine.call(.POST, ["containers", id, "stop"], query: [("t", String(grace))], timeout: .seconds(grace + 30))
    }

    public func remove(_ task: SwarmTask) async {
        mesh?.endpoints.remove(taskID: task.id)
        contexts[task.id] = nil
        if fileMounts.removeValue(forKey: task.id) != nil {
            try? FileManager.default.removeItem(atPath: filesRoot + "/" + task.id)
        }
        guard let id = containers.removeValue(forKey: task.id) else { return }
        _ = try? await engine.call(.DELETE, ["containers", id], query: [("force", "true"), ("v", "true")])
    }

    /// The engine's version, labels (`engine.labels.*` constraints), plugins and resources.
    public func describe(_ host: NodeDescription) async -> NodeDescription {
        guard let info = try? await engine.object(.GET, ["info"]) else { return host }
        var description = host
        if let version = info["ServerVersion"] as? String { description.engine.engineVersion = version }
        for label in info["Labels"] as? [String] ?? [] {
            let parts = label.split(separator: "=", maxSplits: 1)
            guard let key = parts.first else { continue }
            description.engine.labels[String(key)] = parts.count > 1 ? String(parts[1]) : ""
        }
        description.engine.plugins = Self.plugins(in: info)
        if let cpus = info["NCPU"] as? Int { description.resources.nanoCPUs = Int64(cpus) * 1_000_000_000 }
        if let memory = info["MemTotal"] as? Int { description.resources.memoryBytes = Int64(memory) }
        return description
    }

    /// Docker's `Describe`: volume, network (with `overlay`) and log plugins, deduplicated
    /// and sorted by type, then name.
    static func plugins(in info: [String: Any]) -> [PluginDescription] {
        let plugins = info["Plugins"] as? [String: Any] ?? [:]
        var found: Set<PluginDescription> = [PluginDescription(type: "Network", name: "overlay")]
        for (key, type) in [("Volume", "Volume"), ("Network", "Network"), ("Authorization", "Authorization"), ("Log", "Log")] {
            for name in plugins[key] as? [String] ?? [] { found.insert(PluginDescription(type: type, name: name)) }
        }
        return found.sorted { ($0.type, $0.name) < ($1.type, $1.name) }
    }

    /// What the engine holds, for `docker info` on this node.
    public func counts() async -> EngineCounts? {
        guard let info = try? await engine.object(.GET, ["info"]) else { return nil }
        return EngineCounts(containers: info["Containers"] as? Int ?? 0, running: info["ContainersRunning"] as? Int ?? 0,
                            paused: info["ContainersPaused"] as? Int ?? 0, stopped: info["ContainersStopped"] as? Int ?? 0,
                            images: info["Images"] as? Int ?? 0)
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

    /// A `filters` query value: JSON of label filters.
    private static func labelFilter(_ label: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: ["label": [label]])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Finds the task's container by its label; adopts it if it runs. An engine that does
    /// not answer leaves the question open (`unknown`), never "gone".
    public func isRunning(_ task: SwarmTask) async -> TaskPresence {
        let list: [[String: Any]]
        do {
            let data = try await engine.call(.GET, ["containers", "json"],
                                             query: [("all", "true"), ("filters", Self.labelFilter("com.docker.swarm.task.id=\(task.id)"))]).body
            guard let decoded = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
                return .unknown("the Docker engine's container list could not be read")
            }
            list = decoded
        } catch {
            return .unknown(error.message)
        }
        guard let container = list.first, let id = container["Id"] as? String else { return .absent }
        containers[task.id] = id
        guard container["State"] as? String == "running" else { return .absent }
        // Adopted by a restarted agent: if it is on the node's bridge, the mesh serves the
        // bridge again and learns the container's address.
        if let mesh, let networks = (container["NetworkSettings"] as? [String: Any])?["Networks"] as? [String: Any],
           networks.keys.contains("colmeia_" + (mesh.nodeID.isEmpty ? task.nodeID : mesh.nodeID).prefix(12)),
           (try? await nodeMeshNetwork(node: task.nodeID)) != nil {
            await registerEndpoint(task, id)
        }
        return .running
    }

    /// Containers labelled for this node whose task is gone are removed, by force: their
    /// task no longer exists, so nobody waits for a graceful stop.
    public func removeLeftovers(onNode nodeID: String, keeping taskIDs: Set<String>) async {
        guard let data = try? await engine.call(.GET, ["containers", "json"],
                                                query: [("all", "true"), ("filters", Self.labelFilter("com.docker.swarm.node.id=\(nodeID)"))]).body,
              let list = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else { return }
        for container in list {
            guard let labels = container["Labels"] as? [String: String], let taskID = labels["com.docker.swarm.task.id"],
                  !taskIDs.contains(taskID), let id = container["Id"] as? String else { continue }
            containers[taskID] = nil
            _ = try? await engine.call(.DELETE, ["containers", id], query: [("force", "true"), ("v", "true")])
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
        if let since = options.since { query.append(("since", "\(since.seconds).\(String(format: "%09d", since.nanoseconds))")) }
        let chunks: AsyncThrowingStream<[UInt8], any Error>
        do {
            chunks = try await engine.stream(.GET, ["containers", id, "logs"], query: query)
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
}

