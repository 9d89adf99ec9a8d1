import ColmeiaPKI
import ColmeiaRaftStorage

/// The data key as the Raft storage's cipher: entries and snapshots encrypted at rest.
public struct LogCipher: PayloadCipher {
    public let key: DataEncryptionKey

    public init(key: DataEncryptionKey) {
        self.key = key
    }

    public func seal(_ plaintext: [UInt8], context: [UInt8]) throws -> [UInt8] {
        try key.seal(plaintext, context: context)
    }

    public func open(_ sealed: [UInt8], context: [UInt8]) throws -> [UInt8] {
        try key.open(sealed, context: context)
    }
}
