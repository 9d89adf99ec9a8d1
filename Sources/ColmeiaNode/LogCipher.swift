import ColmeiaPKI
import ColmeiaRaftStorage

/// The data key as the Raft storage's cipher: entries and snapshots encrypted at rest.
struct LogCipher: PayloadCipher {
    let key: DataEncryptionKey

    func seal(_ plaintext: [UInt8], context: [UInt8]) throws -> [UInt8] {
        try key.seal(plaintext, context: context)
    }

    func open(_ sealed: [UInt8], context: [UInt8]) throws -> [UInt8] {
        try key.open(sealed, context: context)
    }
}
