#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed POSIX call, with the file it was about so the operator knows where to look.
public struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The call that failed, e.g. `"fdatasync"`.
    public var operation: String
    /// The file or directory it was applied to.
    public var path: String
    /// The `errno` it left.
    public var code: Int32

    public init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// Captures the current `errno`.
    static func last(_ operation: String, _ path: String) -> SystemCallError {
        SystemCallError(operation: operation, path: path, code: errno)
    }

    public var description: String {
        let message: String
        if let text = strerror(code) {
            message = String(cString: text)
        } else {
            message = "unknown error"
        }
        return "\(operation) \(path): \(message) (errno \(code))"
    }
}
