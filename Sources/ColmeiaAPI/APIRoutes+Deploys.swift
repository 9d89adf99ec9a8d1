import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import Hummingbird

/// One place of a deploy's service, as `GET /colmeia/v1/deploys/{id}` shows its progress:
/// the newest task in the slot (or on the node, for a global service).
struct DeploySlot: Codable, Sendable, Hashable {
    var slot: Int?
    var nodeID: String
    var taskID: String
    var image: String
    var state: String
    var desiredState: String
    var err: String?
    /// The task runs the deploy's image (and its redeploy counter).
    var updated: Bool

    enum CodingKeys: String, CodingKey {
        case slot = "Slot"
        case nodeID = "NodeID"
        case taskID = "TaskID"
        case image = "Image"
        case state = "State"
        case desiredState = "DesiredState"
        case err = "Err"
        case updated = "Updated"
    }
}

extension APIRoutes {
    /// Deploys started by webhooks (a viewer's to read): list, and one with its progress per slot.
    func addDeployRoutes(to router: Router<APIRequestContext>) {
        router.get("/colmeia/v1/deploys") { request, _ in
            let deploys = try await self.store().list(Deploy.self, filters: request.filters())
            return try JSONResponse.encode(deploys.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) })
        }
        router.get("/colmeia/v1/deploys/{id}") { _, context in
            let store = try await self.store()
            let deploy = try store.get(Deploy.self, context.objectReference())
            let tasks = try store.list(SwarmTask.self, filters: Filters(["service": [deploy.serviceID]]))
            guard case .object(var members) = try JSONValue(encoding: deploy) else {
                throw DockerAPIError(.internalServerError, "deploy \(deploy.id) does not encode as an object")
            }
            members["Slots"] = try JSONValue(encoding: Self.slots(of: deploy, tasks: tasks))
            return try JSONResponse.encode(JSONValue.object(members))
        }
    }

    /// The newest task of each slot (or node), oldest slot first.
    static func slots(of deploy: Deploy, tasks: [SwarmTask]) -> [DeploySlot] {
        let places = Dictionary(grouping: tasks) { $0.slot > 0 ? "s\($0.slot)" : "n" + $0.nodeID }
        return places.values.compactMap { group -> DeploySlot? in
            guard let task = group.max(by: { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }) else { return nil }
            let image = task.spec.containerSpec?.image ?? ""
            return DeploySlot(slot: task.slot > 0 ? task.slot : nil, nodeID: task.nodeID, taskID: task.id, image: image,
                              state: task.status.state.rawValue, desiredState: task.desiredState.rawValue,
                              err: task.status.err.isEmpty ? nil : task.status.err,
                              updated: deploy.rolledOut(task.spec))
        }.sorted { ($0.slot ?? 0, $0.nodeID) < ($1.slot ?? 0, $1.nodeID) }
    }
}
