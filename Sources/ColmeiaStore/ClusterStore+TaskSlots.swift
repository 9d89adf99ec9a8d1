import ColmeiaModel
import GRDB

extension ClusterStore {
    /// Desired states of a task its orchestrator still wants (`SwarmTask.isWanted`).
    private static let wantedStates = TaskState.allCases.filter { $0 <= .complete }.map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// The uniqueness rule of task slots: a place (a replicated service's slot, a global
    /// service's node) holds at most one wanted task of a given spec. A second one is what
    /// two orchestrators acting on different views would make (an old leader's and its
    /// successor's); apply refuses the command that would create it, alike on every
    /// manager. Two wanted tasks of different specs share a place during a start-first
    /// update, and a replacement follows a task shut down in the same command: both allowed.
    static func slotRefusal(creating task: SwarmTask, body: String, _ db: Database) throws -> String? {
        guard task.isWanted, !task.serviceID.isEmpty else { return nil }
        let global = task.slot == 0 && !task.nodeID.isEmpty
        // The service's own tasks only: without the hint SQLite walks every task by the
        // primary key (kind first), and each creation costs as much as the whole swarm.
        let other = try String.fetchOne(db, sql: """
            SELECT id FROM resources INDEXED BY resources_by_service
            WHERE service_id = ? AND kind = 'task' AND \(global ? "node_id = ? AND slot = 0" : "slot = ?")
              AND desired_state IN (\(wantedStates)) AND id != ?
              AND \(specWithoutCredentials("body")) = \(specWithoutCredentials("?"))
            LIMIT 1
            """, arguments: [task.serviceID, global ? task.nodeID : task.slot, task.id, body])
        guard let other else { return nil }
        return "task \(task.id) would duplicate task \(other) of service \(task.serviceID) "
            + (global ? "on node \(task.nodeID)" : "in slot \(task.slot)") + ": a place holds one wanted task of a spec"
    }

    /// A task's spec as SQL compares it: without the registry credentials, which are
    /// sealed under each manager's own key.
    private static func specWithoutCredentials(_ json: String) -> String {
        "json_remove(json_extract(\(json), '$.Spec'), '$.ContainerSpec.PullOptions')"
    }
}
