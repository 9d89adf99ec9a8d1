/// What a node is told to run: its tasks, and the secrets and configs those tasks use
/// (and no others: a node never learns a secret none of its tasks references).
public struct Assignments: Sendable, Hashable, Codable {
    public var tasks: [SwarmTask]
    /// Secrets with their data.
    public var secrets: [Secret]
    public var configs: [Config]
    /// The routing mesh: the same for every node.
    public var mesh: MeshView

    public init(tasks: [SwarmTask] = [], secrets: [Secret] = [], configs: [Config] = [], mesh: MeshView = MeshView()) {
        self.tasks = tasks
        self.secrets = secrets
        self.configs = configs
        self.mesh = mesh
    }

    enum CodingKeys: String, CodingKey {
        case tasks = "Tasks"
        case secrets = "Secrets"
        case configs = "Configs"
        case mesh = "Mesh"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tasks = try container.decode([SwarmTask].self, forKey: .tasks)
        secrets = try container.decodeIfPresent([Secret].self, forKey: .secrets) ?? []
        configs = try container.decodeIfPresent([Config].self, forKey: .configs) ?? []
        mesh = try container.decodeIfPresent(MeshView.self, forKey: .mesh) ?? MeshView()
    }
}
