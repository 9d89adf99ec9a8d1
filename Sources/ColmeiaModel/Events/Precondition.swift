/// A condition on the current read models that must hold at apply time for a command's
/// events to land; if one fails, none of them do.
public enum Precondition: Sendable, Hashable {
    /// The object exists and is at this version (`?version=N` optimistic concurrency).
    case objectVersion(kind: ObjectKind, id: String, index: UInt64)
    /// No object of this kind has this id.
    case objectAbsent(kind: ObjectKind, id: String)
    /// No object of this kind has this name.
    case nameAbsent(kind: ObjectKind, name: String)
    /// An object of this kind has this id.
    case objectExists(kind: ObjectKind, id: String)

    /// The kind of object the condition is about.
    public var kind: ObjectKind {
        switch self {
        case .objectVersion(let kind, _, _), .objectAbsent(let kind, _), .nameAbsent(let kind, _),
            .objectExists(let kind, _):
            kind
        }
    }

    /// The message a proposer gets when the condition fails, in Docker's words.
    public var failureMessage: String {
        switch self {
        case .objectVersion:
            "update out of sequence"
        case .objectAbsent(let kind, let id):
            "\(kind.rawValue) \(id) already exists"
        case .nameAbsent(let kind, let name):
            "name conflicts with an existing object: \(kind.rawValue) \(name) already exists"
        case .objectExists(let kind, let id):
            "\(kind.rawValue) \(id) not found"
        }
    }
}

extension Precondition: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, kind, id, name, index
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        let kind = try container.decode(ObjectKind.self, forKey: .kind)
        switch type {
        case "object_version":
            self = .objectVersion(
                kind: kind, id: try container.decode(String.self, forKey: .id),
                index: try container.decode(UInt64.self, forKey: .index))
        case "object_absent":
            self = .objectAbsent(kind: kind, id: try container.decode(String.self, forKey: .id))
        case "name_absent":
            self = .nameAbsent(kind: kind, name: try container.decode(String.self, forKey: .name))
        case "object_exists":
            self = .objectExists(kind: kind, id: try container.decode(String.self, forKey: .id))
        default:
            throw CommandDecodingError.unknownPreconditionType(type)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        switch self {
        case .objectVersion(_, let id, let index):
            try container.encode("object_version", forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode(index, forKey: .index)
        case .objectAbsent(_, let id):
            try container.encode("object_absent", forKey: .type)
            try container.encode(id, forKey: .id)
        case .nameAbsent(_, let name):
            try container.encode("name_absent", forKey: .type)
            try container.encode(name, forKey: .name)
        case .objectExists(_, let id):
            try container.encode("object_exists", forKey: .type)
            try container.encode(id, forKey: .id)
        }
    }
}
