/// An RFC 6902 JSON Patch: the operations that turn one document into another.
///
/// `JSONPatch.diff(from:to:)` compares objects member by member and arrays element by
/// element when their lengths agree (a changed length replaces the whole array, which keeps
/// every patch valid and short for the lists a spec holds: ports, mounts, env). Members are
/// visited in sorted order, so the same two documents always give the same bytes.
///
/// ```swift
/// let patch = JSONPatch.diff(from: old, to: new)   // [{"op":"replace","path":"/Spec/Mode/Replicated/Replicas","value":3}]
/// let same = try patch.apply(to: old) == new       // true
/// ```
public struct JSONPatch: Sendable, Hashable, Codable {
    public struct Operation: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable {
            case add, remove, replace
        }

        public var op: Kind
        /// A JSON Pointer (RFC 6901): `/Spec/Labels/a~1b` for the key `a/b`.
        public var path: String
        public var value: JSONValue?

        public init(op: Kind, path: String, value: JSONValue? = nil) {
            self.op = op
            self.path = path
            self.value = value
        }
    }

    public var operations: [Operation]

    public init(_ operations: [Operation] = []) {
        self.operations = operations
    }

    public var isEmpty: Bool { operations.isEmpty }

    public init(from decoder: any Decoder) throws {
        operations = try decoder.singleValueContainer().decode([Operation].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(operations)
    }

    /// The patch that turns `old` into `new` (empty when they are equal).
    public static func diff(from old: JSONValue, to new: JSONValue) -> JSONPatch {
        var operations: [Operation] = []
        diff(old, new, path: "", into: &operations)
        return JSONPatch(operations)
    }

    private static func diff(_ old: JSONValue, _ new: JSONValue, path: String, into operations: inout [Operation]) {
        if old == new { return }
        switch (old, new) {
        case (.object(let before), .object(let after)):
            for key in Set(before.keys).union(after.keys).sorted() {
                let child = path + "/" + escape(key)
                switch (before[key], after[key]) {
                case (let was?, let now?): diff(was, now, path: child, into: &operations)
                case (_?, nil): operations.append(Operation(op: .remove, path: child))
                case (nil, let now?): operations.append(Operation(op: .add, path: child, value: now))
                case (nil, nil): break
                }
            }
        case (.array(let before), .array(let after)) where before.count == after.count:
            for (offset, pair) in zip(before, after).enumerated() {
                diff(pair.0, pair.1, path: path + "/" + String(offset), into: &operations)
            }
        default:
            operations.append(Operation(op: .replace, path: path, value: new))
        }
    }

    /// `~` and `/` escaped as RFC 6901 asks.
    public static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private static func unescape(_ token: Substring) -> String {
        token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    /// Why a patch does not apply to a document.
    public struct ApplyError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `document` with the operations applied in order.
    public func apply(to document: JSONValue) throws(ApplyError) -> JSONValue {
        var result = document
        for operation in operations {
            let tokens = operation.path.isEmpty ? [] : operation.path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(Self.unescape)
            try Self.apply(operation, tokens: tokens[...], to: &result)
        }
        return result
    }

    private static func apply(_ operation: Operation, tokens: ArraySlice<String>, to value: inout JSONValue) throws(ApplyError) {
        guard let token = tokens.first else {
            switch operation.op {
            case .add, .replace: value = operation.value ?? .null
            case .remove: value = .null
            }
            return
        }
        let rest = tokens.dropFirst()
        switch value {
        case .object(var members):
            if rest.isEmpty {
                switch operation.op {
                case .add: members[token] = operation.value ?? .null
                case .replace:
                    guard members[token] != nil else { throw ApplyError(description: "no member \(operation.path) to replace") }
                    members[token] = operation.value ?? .null
                case .remove:
                    guard members.removeValue(forKey: token) != nil else { throw ApplyError(description: "no member \(operation.path) to remove") }
                }
            } else {
                guard var child = members[token] else { throw ApplyError(description: "path \(operation.path) does not exist") }
                try apply(operation, tokens: rest, to: &child)
                members[token] = child
            }
            value = .object(members)
        case .array(var elements):
            guard let offset = Int(token), offset >= 0, offset < elements.count || (rest.isEmpty && operation.op == .add && offset == elements.count) else {
                throw ApplyError(description: "index \(token) of \(operation.path) is out of range")
            }
            if rest.isEmpty {
                switch operation.op {
                case .add: elements.insert(operation.value ?? .null, at: offset)
                case .replace: elements[offset] = operation.value ?? .null
                case .remove: elements.remove(at: offset)
                }
            } else {
                try apply(operation, tokens: rest, to: &elements[offset])
            }
            value = .array(elements)
        default:
            throw ApplyError(description: "path \(operation.path) goes through a value that is not an object or array")
        }
    }
}
