import Crypto
import Foundation

/// The key that unlocks an autolocked manager, `SWMKEY-1-<base64 of 32 random bytes>` as
/// `docker swarm unlock-key` prints it. The key-encryption key that seals a manager's
/// data key and TLS key is derived from it with HKDF-SHA256.
///
/// ```swift
/// let key = UnlockKey()
/// let again = try UnlockKey(parsing: key.description)
/// let sealed = try key.seal(Array(pem.utf8), label: "swarm-node.key")
/// try again.open(sealed, label: "swarm-node.key")
/// ```
public struct UnlockKey: Sendable, Hashable, CustomStringConvertible {
    static let prefix = "SWMKEY-1-"
    public let bytes: [UInt8]

    /// A new random key.
    public init() {
        bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// Reads a key as the user types it (surrounding white space is ignored).
    public init(parsing text: String) throws(KeySealingError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(Self.prefix) else { throw .invalidUnlockKey }
        var encoded = String(trimmed.dropFirst(Self.prefix.count))
        while encoded.count % 4 != 0 { encoded += "=" }
        guard let data = Data(base64Encoded: encoded), data.count == 32 else { throw .invalidUnlockKey }
        bytes = Array(data)
    }

    public var description: String {
        Self.prefix + Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    private var keyEncryptionKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: bytes), salt: Array("colmeia".utf8),
                               info: Array("manager key encryption".utf8), outputByteCount: 32)
    }

    /// Seals `plaintext`; `label` (the file it goes to) must be given again to open it.
    public func seal(_ plaintext: [UInt8], label: String) throws(KeySealingError) -> [UInt8] {
        do {
            return Array(try AES.GCM.seal(plaintext, using: keyEncryptionKey, authenticating: Array(label.utf8)).combined ?? Data())
        } catch {
            throw .malformed("cannot seal \(label): \(error)")
        }
    }

    /// Opens what ``seal(_:label:)`` sealed; a wrong key fails with ``KeySealingError/wrongKey``.
    public func open(_ sealed: [UInt8], label: String) throws(KeySealingError) -> [UInt8] {
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.SealedBox(combined: sealed)
        } catch {
            throw .malformed("\(label) is not a sealed key")
        }
        do {
            return Array(try AES.GCM.open(box, using: keyEncryptionKey, authenticating: Array(label.utf8)))
        } catch {
            throw .wrongKey
        }
    }
}

/// Why a key could not be read, sealed or unsealed.
public enum KeySealingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not an unlock key (`SWMKEY-1-…`).
    case invalidUnlockKey
    /// The key is well formed but is not the one the files were sealed with.
    case wrongKey
    case malformed(String)

    public var description: String {
        switch self {
        case .invalidUnlockKey: "invalid unlock key: it has the form SWMKEY-1-… as printed by docker swarm unlock-key"
        case .wrongKey: "swarm could not be unlocked: invalid key provided"
        case .malformed(let reason): reason
        }
    }
}
