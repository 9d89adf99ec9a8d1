import ColmeiaModel
import Crypto
import Foundation

/// Seals the secret fields of the read models' JSON under a manager's data key, so that
/// `state.db` can live on disk: a secret's data, the swarm's CA and unlock keys and join
/// tokens, a webhook's or subscription's signing secret, a service's or task's registry
/// credentials. Everything else stays in the clear, so queries keep filtering and
/// indexing on it.
///
/// A sealed field is the JSON string `"colmeia-sealed:v1:<base64>"` in place of the
/// field's value; the base64 is ChaCha20-Poly1305 (nonce ‖ ciphertext ‖ tag) of the
/// value's JSON, authenticated with the object's kind, id and the field's path, so a
/// sealed value moved to another object or field does not open.
///
/// ```swift
/// let sealer = try FieldSealer(dataKey: key.bytes)
/// let stored = try sealer.seal(body, kind: .secret, id: secret.id)   // Spec.Data sealed
/// let body = try sealer.unseal(stored, kind: .secret, id: secret.id)
/// ```
public struct FieldSealer: Sendable {
    /// What a sealed value starts with (the store looks for it before parsing a body).
    public static let marker = "colmeia-sealed:v1:"
    private let key: SymmetricKey

    /// A sealer whose key is derived (HKDF-SHA256) from the manager's 32-byte data key,
    /// so the same key never serves two purposes.
    public init(dataKey: [UInt8]) throws(StoreError) {
        guard dataKey.count == 32 else { throw .schema("a data key has 32 bytes, not \(dataKey.count)") }
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: dataKey),
                                     info: Array("colmeia state.db sealed fields v1".utf8), outputByteCount: 32)
    }

    /// The JSON paths of the fields sealed in an object of `kind`.
    public static func sealedPaths(of kind: ObjectKind) -> [[String]] {
        switch kind {
        case .secret: [["Spec", "Data"]]
        case .cluster: [["ColmeiaRootCAKey"], ["ColmeiaUnlockKey"], ["ColmeiaRootRotation", "CAKey"],
                        ["JoinTokens", "Worker"], ["JoinTokens", "Manager"], ["Spec", "CAConfig", "SigningCAKey"]]
        case .webhook, .subscription: [["Secret"]]
        case .service: [["Spec", "TaskTemplate", "ContainerSpec", "PullOptions"],
                        ["PreviousSpec", "TaskTemplate", "ContainerSpec", "PullOptions"]]
        case .task: [["Spec", "ContainerSpec", "PullOptions"]]
        case .node, .config, .network, .token, .deploy, .delivery, .request, .backup: []
        }
    }

    /// The kinds that have sealed fields.
    public static let sealedKinds: Set<ObjectKind> = Set(ObjectKind.allCases.filter { !sealedPaths(of: $0).isEmpty })

    /// `json` with its secret fields sealed (those already sealed are left as they are);
    /// `json` itself when there is nothing to seal.
    public func seal(_ json: String, kind: ObjectKind, id: String) throws(StoreError) -> String {
        let paths = Self.sealedPaths(of: kind)
        guard !paths.isEmpty, Self.mayHold(paths, json) else { return json }
        return try rewrite(json, kind: kind, id: id, paths: paths) { leaf, context throws(StoreError) in
            if case .string(let text) = leaf, text.hasPrefix(Self.marker) { return nil }
            let plaintext: [UInt8]
            let sealed: ChaChaPoly.SealedBox
            do {
                plaintext = Array(try Self.encoder.encode(leaf))
                sealed = try ChaChaPoly.seal(plaintext, using: key, authenticating: context)
            } catch {
                throw .database("cannot seal \(kind.rawValue) \(id): \(error)")
            }
            return .string(Self.marker + sealed.combined.base64EncodedString())
        }
    }

    /// `json` with its sealed fields opened; `json` itself when none is sealed.
    public func unseal(_ json: String, kind: ObjectKind, id: String) throws(StoreError) -> String {
        guard json.contains(Self.marker) else { return json }
        return try rewrite(json, kind: kind, id: id, paths: Self.sealedPaths(of: kind)) { leaf, context throws(StoreError) in
            guard case .string(let text) = leaf, text.hasPrefix(Self.marker) else { return nil }
            guard let combined = Data(base64Encoded: String(text.dropFirst(Self.marker.count))) else {
                throw .corrupt("a sealed field of \(kind.rawValue) \(id) is not base64")
            }
            do {
                let box = try ChaChaPoly.SealedBox(combined: combined)
                let plaintext = try ChaChaPoly.open(box, using: key, authenticating: context)
                return try JSONDecoder().decode(JSONValue.self, from: plaintext)
            } catch {
                throw .corrupt("a sealed field of \(kind.rawValue) \(id) does not open with this manager's data key: \(error)")
            }
        }
    }

    /// A value sealed under this key, stored beside the fields: a store opened with another
    /// key is found out at once, not at the first read of a secret.
    public func keyCheck() throws(StoreError) -> String {
        do {
            let box = try ChaChaPoly.seal(Array("colmeia key check".utf8), using: key, authenticating: Self.keyCheckContext)
            return box.combined.base64EncodedString()
        } catch {
            throw .database("cannot seal the key check: \(error)")
        }
    }

    /// Whether `check` was made by `keyCheck()` under this key.
    public func opens(keyCheck check: String) -> Bool {
        guard let combined = Data(base64Encoded: check), let box = try? ChaChaPoly.SealedBox(combined: combined) else { return false }
        return (try? ChaChaPoly.open(box, using: key, authenticating: Self.keyCheckContext)) != nil
    }

    /// What a store without a data key does with `json`: passes it through when nothing is
    /// sealed, and refuses it, naming the object, when something is (it cannot open it).
    public static func refuseSealed(_ json: String, kind: ObjectKind, id: String) throws(StoreError) -> String {
        guard json.contains(marker) else { return json }
        throw .corrupt("\(kind.rawValue) \(id) holds sealed fields, and this store has no data key to open them")
    }

    // MARK: Internals

    private static let keyCheckContext = Array("colmeia state.db key check v1".utf8)

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Cheap test before parsing: every sealed path's last key must appear in the text.
    private static func mayHold(_ paths: [[String]], _ json: String) -> Bool {
        paths.contains { path in path.last.map { json.contains("\"\($0)\"") } ?? false }
    }

    /// Parses `json`, gives each present, non-null field at `paths` to `change` (nil: leave
    /// it), and encodes the result as the store encodes objects (sorted keys).
    private func rewrite(_ json: String, kind: ObjectKind, id: String, paths: [[String]],
                         change: (JSONValue, [UInt8]) throws(StoreError) -> JSONValue?) throws(StoreError) -> String {
        var document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw .corrupt("stored \(kind.rawValue) \(id) is not JSON: \(error)")
        }
        var changed = false
        for path in paths {
            let context = Array("\(kind.rawValue)\u{0}\(id)\u{0}\(path.joined(separator: "."))".utf8)
            try Self.update(&document, at: path[...], changed: &changed) { leaf throws(StoreError) in try change(leaf, context) }
        }
        guard changed else { return json }
        do {
            return String(decoding: try Self.encoder.encode(document), as: UTF8.self)
        } catch {
            throw .database("cannot encode \(kind.rawValue) \(id): \(error)")
        }
    }

    private static func update(_ value: inout JSONValue, at path: ArraySlice<String>, changed: inout Bool,
                               _ change: (JSONValue) throws(StoreError) -> JSONValue?) throws(StoreError) {
        guard let key = path.first, case .object(var members) = value, var member = members[key], member != .null else { return }
        if path.count == 1 {
            guard let replaced = try change(member) else { return }
            member = replaced
        } else {
            var inner = false
            try update(&member, at: path.dropFirst(), changed: &inner, change)
            guard inner else { return }
        }
        members[key] = member
        value = .object(members)
        changed = true
    }
}
