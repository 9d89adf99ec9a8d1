import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import HTTPTypes
import Hummingbird

extension APIRoutes {
    func addSystemRoutes(to router: Router<APIRequestContext>) {
        router.get("/_ping") { _, _ in try await self.ping(head: false) }
        router.head("/_ping") { _, _ in try await self.ping(head: true) }
        router.get("/version") { _, _ in try JSONResponse.encode(Self.versionInfo()) }
        router.get("/info") { _, _ in try JSONResponse.encode(try await self.info()) }
    }

    /// `/_ping`: the docker CLI negotiates the API version and learns the swarm role here.
    private func ping(head: Bool) async throws -> Response {
        var headers = HTTPFields()
        headers[HTTPField.Name("Api-Version")!] = APIVersion.current
        headers[HTTPField.Name("Docker-Experimental")!] = "false"
        headers[HTTPField.Name("Ostype")!] = "linux"
        headers[HTTPField.Name("Swarm")!] = await manager.isActive ? "active/manager" : "inactive"
        headers[.cacheControl] = "no-cache, no-store, must-revalidate"
        headers[HTTPField.Name("Pragma")!] = "no-cache"
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: head ? .init() : .init(byteBuffer: ByteBuffer(string: "OK")))
    }

    static func versionInfo() -> JSONValue {
        [
            "Platform": ["Name": .string("Colmeia \(ColmeiaVersion.colmeia)")],
            "Components": [[
                "Name": "Colmeia", "Version": .string(ColmeiaVersion.colmeia),
                "Details": ["ApiVersion": .string(APIVersion.current), "MinAPIVersion": .string(APIVersion.minimum)],
            ]],
            "Version": .string(ColmeiaVersion.engine),
            "ApiVersion": .string(APIVersion.current),
            "MinAPIVersion": .string(APIVersion.minimum),
            "GitCommit": "colmeia",
            "GoVersion": "swift6.3",
            "Os": "linux",
            "Arch": .string(ClusterManager.architecture == "x86_64" ? "amd64" : "arm64"),
            "KernelVersion": .string(Self.kernelVersion()),
            "BuildTime": "2026-11-22T00:00:00.000000000+00:00",
        ]
    }

    /// `/info`, with a truthful `Swarm` section.
    private func info() async throws -> JSONValue {
        var swarm: JSONValue = [
            "NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive", "ControlAvailable": false, "Error": "",
            "RemoteManagers": .null,
        ]
        if await manager.isLocked, let identity = await manager.nodeIdentity {
            swarm = [
                "NodeID": .string(identity.nodeID),
                "NodeAddr": .string(String(identity.advertiseAddress.split(separator: ":").first ?? "")),
                "LocalNodeState": "locked", "ControlAvailable": false, "Error": "", "RemoteManagers": .null,
            ]
        } else if let identity = await manager.nodeIdentity, !identity.isManager {
            swarm = [
                "NodeID": .string(identity.nodeID),
                "NodeAddr": .string(String(identity.advertiseAddress.split(separator: ":").first ?? "")),
                "LocalNodeState": "active", "ControlAvailable": false, "Error": "",
                "RemoteManagers": .array((identity.knownManagers ?? []).map { ["NodeID": "", "Addr": .string($0)] }),
            ]
        } else if let (node, identity) = try? await manager.active() {
            let store = node.store
            let nodes = try store.list(Node.self)
            let managers = nodes.filter { $0.spec.role.rawValue == "manager" }
            let cluster = try store.list(Swarm.self).first
            swarm = [
                "NodeID": .string(identity.nodeID),
                "NodeAddr": .string(String(identity.advertiseAddress.split(separator: ":").first ?? "")),
                "LocalNodeState": "active",
                "ControlAvailable": true,
                // Docker's field for what keeps the node from doing its part.
                "Error": .string(node.status.storageFailure.map { "storage failure: \($0); writes are refused until it clears" } ?? ""),
                "RemoteManagers": .array(managers.map {
                    ["NodeID": .string($0.id), "Addr": .string($0.managerStatus?.addr ?? "")]
                }),
                "Nodes": .number(.integer(Int64(nodes.count))),
                "Managers": .number(.integer(Int64(managers.count))),
                "Cluster": try cluster.map { try JSONValue(encoding: $0.clusterInfo) } ?? .null,
            ]
        }
        let hostname = manager.hostname
        var info: JSONValue = [
            "ID": .string(hostname),
            "Name": .string(hostname),
            "Driver": "colmeia",
            "OperatingSystem": .string("Colmeia \(ColmeiaVersion.colmeia)"),
            "OSType": "linux",
            "Architecture": .string(ClusterManager.architecture),
            "KernelVersion": .string(Self.kernelVersion()),
            "NCPU": .number(.integer(Int64(ProcessInfo.processInfo.activeProcessorCount))),
            "MemTotal": .number(.integer(Int64(ProcessInfo.processInfo.physicalMemory))),
            "ServerVersion": .string(ColmeiaVersion.engine),
            "DockerRootDir": .string(manager.dataDirectory),
            "Labels": [],
            "Swarm": swarm,
            "Warnings": .array(access.warnings.map { .string($0) }),
        ]
        // Real counts from this node's executor, or none at all (never made-up zeros).
        if let counts = await manager.executorCounts(), case .object(var fields) = info {
            fields["Containers"] = .number(.integer(Int64(counts.containers)))
            fields["ContainersRunning"] = .number(.integer(Int64(counts.running)))
            fields["ContainersPaused"] = .number(.integer(Int64(counts.paused)))
            fields["ContainersStopped"] = .number(.integer(Int64(counts.stopped)))
            if let images = counts.images { fields["Images"] = .number(.integer(Int64(images))) }
            info = .object(fields)
        }
        return info
    }

    static func kernelVersion() -> String {
        SystemFile.text(atPath: "/proc/sys/kernel/osrelease")?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}
