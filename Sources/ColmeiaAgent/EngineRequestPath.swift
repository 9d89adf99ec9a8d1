/// A request target on the Docker Engine API, built only from segments and query values
/// that are each percent-encoded here, so that no user input (an image reference, a
/// container name, a filter) can change the shape of the request.
///
/// Every byte outside RFC 3986's unreserved set (and `:`/`@`, which a path segment may
/// hold) is encoded, `/` included: the engine matches its routes against the decoded
/// path, so `/images/ns%2Fapp:1/json` reaches `/images/{name:.*}/json` with `ns/app:1`.
public struct EngineRequestPath: Sendable, Hashable, CustomStringConvertible {
    /// The encoded path, `/v1.41/images/busybox:1/json`.
    public let path: String
    /// The encoded query without its `?`, empty when there is none.
    public let query: String

    /// - Parameters:
    ///   - version: the API version prefix (`v1.41`).
    ///   - segments: the path's segments, unencoded (`["images", "nginx:alpine", "json"]`).
    ///   - query: names and values, unencoded.
    public init(version: String, segments: [String], query: [(String, String)] = []) {
        path = "/" + ([version] + segments).map { segment in
            // `.` and `..` would be resolved by the engine's router: they are data here.
            segment.allSatisfy { $0 == "." } ? String(repeating: "%2E", count: segment.count)
                : Self.encode(segment, keeping: Self.segmentBytes)
        }.joined(separator: "/")
        self.query = query.map { Self.encode($0.0, keeping: Self.unreserved) + "=" + Self.encode($0.1, keeping: Self.unreserved) }
            .joined(separator: "&")
    }

    /// Path and query, as they go on the request line.
    public var target: String { query.isEmpty ? path : path + "?" + query }
    public var description: String { target }

    /// `ALPHA / DIGIT / "-" / "." / "_" / "~"`
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }

    private static let unreserved: @Sendable (UInt8) -> Bool = { isUnreserved($0) }
    /// A segment keeps `:` and `@` (tags and digests read as they are written); never `/`.
    private static let segmentBytes: @Sendable (UInt8) -> Bool = {
        isUnreserved($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "@")
    }

    private static func encode(_ text: String, keeping keep: (UInt8) -> Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keep(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
