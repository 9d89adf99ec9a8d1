/// A spec rejected before it is proposed. `message` is the text dockerd/SwarmKit return for
/// the same mistake (the API answers `400 {"message": message}`); `field` names the offending
/// member as a Docker JSON path, e.g. `TaskTemplate.ContainerSpec.Image`.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The Docker JSON path of the offending member.
    public var field: String
    /// Docker's message for this mistake.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
