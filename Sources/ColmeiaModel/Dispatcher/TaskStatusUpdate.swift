/// One task's observed status, as an agent reports it to the dispatcher.
public struct TaskStatusUpdate: Sendable, Hashable, Codable {
    public var taskID: String
    public var status: TaskStatus

    public init(taskID: String, status: TaskStatus) {
        self.taskID = taskID
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case taskID = "TaskID"
        case status = "Status"
    }
}
