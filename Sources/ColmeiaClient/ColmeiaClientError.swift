/// What can go wrong talking to the daemon, in words a user can act on.
public enum ColmeiaClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The daemon answered with an error status and Docker's `{"message": …}` body.
    case api(status: Int, message: String)
    /// Nothing answered at the address.
    case cannotConnect(host: String, reason: String)
    case invalidHost(String, String)
    case tls(String)
    /// The daemon answered something this client cannot read.
    case badResponse(String)

    public var description: String {
        switch self {
        case .api(_, let message): "Error response from daemon: \(message)"
        case .cannotConnect(let host, _): "Cannot connect to the colmeia daemon at \(host). Is the colmeia daemon running?"
        case .invalidHost(let host, let reason): "invalid host \"\(host)\": \(reason)"
        case .tls(let message): "TLS: \(message)"
        case .badResponse(let message): "unexpected response from the daemon: \(message)"
        }
    }

    /// The HTTP status of an API error.
    public var status: Int? {
        if case .api(let status, _) = self { return status }
        return nil
    }
}
