import Crypto
import Foundation

/// The symmetric key a manager encrypts its Raft log and snapshots with (SwarmKit's
/// "DEK"): ChaCha20-Poly1305, a fresh random nonce per payload, and the payload's place
/// in the log as associated data.
///
/// ```swift
/// let key = DataEncryptionKey()
/// let sealed = try key.seal(Array("secret".utf8), context: [1])
/// try key.open(sealed, context: [1]) // "secret"
/// ```
public struct DataEncryptionKey: Sendable, Hashable {
    public let bytes: [UInt8]

    /// A new random key.
    public init() {
        bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// A key read back from its 32 bytes.
    public init(bytes: [UInt8]) throws(KeySealingError) {
        guard bytes.count == 32 else { throw .malformed("a data key has 32 bytes, not \(bytes.count)") }
        self.bytes = bytes
    }

    /// nonce ‖ ciphertext ‖ tag.
    public func seal(_ plaintext: [UInt8], context: [UInt8]) throws -> [UInt8] {
        let box = try ChaChaPoly.seal(plaintext, using: SymmetricKey(data: bytes), authenticating: context)
        return Array(box.combined)
    }

    public func open(_ sealed: [UInt8], context: [UInt8]) throws -> [UInt8] {
        let box = try ChaChaPoly.SealedBox(combined: sealed)
        return Array(try ChaChaPoly.open(box, using: SymmetricKey(data: bytes), authenticating: context))
    }
}
