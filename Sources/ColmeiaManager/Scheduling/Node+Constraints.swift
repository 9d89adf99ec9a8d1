import ColmeiaModel

extension Node {
    /// The node's values for a constraint or spread key (`node.id`, `node.hostname`,
    /// `node.role`, `node.platform.os|arch`, `node.labels.X`, `engine.labels.X`); empty
    /// when the node has no such attribute.
    public func attribute(_ key: String) -> [String] {
        let lowered = key.lowercased()
        switch lowered {
        case "node.id": return [id]
        case "node.hostname": return [description.hostname]
        case "node.role": return [spec.role.rawValue]
        case "node.platform.os": return [description.platform.os]
        case "node.platform.arch": return [description.platform.architecture]
        default:
            if lowered.hasPrefix("node.labels.") {
                return spec.labels[String(key.dropFirst("node.labels.".count))].map { [$0] } ?? []
            }
            if lowered.hasPrefix("engine.labels.") {
                return description.engine.labels[String(key.dropFirst("engine.labels.".count))].map { [$0] } ?? []
            }
            return []
        }
    }

    /// Whether the node satisfies every constraint.
    public func satisfies(_ constraints: [PlacementConstraint]) -> Bool {
        constraints.allSatisfy { $0.matches(attribute($0.key)) }
    }
}
