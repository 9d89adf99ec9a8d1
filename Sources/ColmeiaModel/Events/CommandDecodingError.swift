/// Why bytes from the log could not be read as a ``ClusterCommand``.
public enum CommandDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes are not a JSON object with a numeric `v` member.
    case missingVersion
    /// Written by a newer (or unknown) format version than this build reads.
    case unsupportedVersion(Int)
    /// An event type this build does not know.
    case unknownEventType(String)
    /// A precondition type this build does not know.
    case unknownPreconditionType(String)
    /// The JSON does not have the shape of the format version it claims.
    case malformed(String)

    public var description: String {
        switch self {
        case .missingVersion:
            "command is not a versioned cluster command (no \"v\" field)"
        case .unsupportedVersion(let version):
            "command format version \(version) is not supported by this build (it reads versions 1...\(ClusterCommand.formatVersion)); upgrade this manager"
        case .unknownEventType(let type):
            "unknown cluster event type \"\(type)\"; upgrade this manager"
        case .unknownPreconditionType(let type):
            "unknown command precondition type \"\(type)\"; upgrade this manager"
        case .malformed(let detail):
            "malformed cluster command: \(detail)"
        }
    }
}
