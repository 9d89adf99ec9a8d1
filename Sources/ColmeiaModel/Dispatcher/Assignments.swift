/// What a node is told to run: its tasks, and the secrets and configs those tasks use
/// (and no others: a node never learns a secret none of its tasks references).
public struct Assignments: Sendable, Hashable, Codable {
    public var tasks: [SwarmTask]
    /// Secrets with their data.
    public var secrets: [Secret]
    public var configs: [Config]

    public init(tasks: [SwarmTask] = [], secrets: [Secret] = [], configs: [Config] = []) {
        self.tasks = tasks
        self.secrets = secrets
        self.configs = configs
    }

    enum CodingKeys: String, CodingKey {
        case tasks = "Tasks"
        case secrets = "Secrets"
        case configs = "Configs"
    }
}
