/// What a backup holds and how to check it, written as JSON at the end of the file (so
/// that a backup can be streamed while it is made) and printed by `colmeia backup inspect`.
public struct BackupManifest: Codable, Sendable, Hashable {
    public static let currentFormat = "colmeia-backup/1"

    /// A place in the Raft log.
    public struct Position: Codable, Sendable, Hashable {
        public var index: UInt64
        public var term: UInt64

        public init(index: UInt64, term: UInt64) {
            self.index = index
            self.term = term
        }
    }

    /// How the parts are encrypted, and how their key is sealed.
    public struct Encryption: Codable, Sendable, Hashable {
        /// `AES-256-GCM`, one sealed box per chunk; nonce and associated data bind each chunk
        /// to its part, its place and whether it is the last (so chunks cannot be moved,
        /// dropped or cut off unnoticed).
        public var cipher: String
        /// The parts are compressed (`deflate`, zlib) before they are encrypted.
        public var compression: String
        public var chunkBytes: Int
        /// `scrypt` over the passphrase (or over the swarm's unlock key with autolock).
        public var keyDerivation: String
        /// What the passphrase was: `passphrase` or `unlock key`.
        public var sealedWith: String
        public var scryptLogN: Int
        public var scryptR: Int
        public var scryptP: Int
        /// Base64.
        public var salt: String
        /// The backup's random content key, sealed (AES-256-GCM) with the derived key; base64.
        public var sealedKey: String
    }

    /// One part of the file: its stored (encrypted) bytes and their checksums.
    public struct Part: Codable, Sendable, Hashable {
        /// `snapshot` (the read models at `base`) or `log` (the entries after it).
        public var name: String
        /// Where the part starts in the file.
        public var offset: UInt64
        public var storedBytes: UInt64
        /// The part's size once decrypted and decompressed.
        public var plainBytes: UInt64
        /// SHA-256 over its chunks' checksums (hex strings, in order), hex.
        public var sha256: String
        /// SHA-256 of each stored chunk, hex: a damaged byte is located to its chunk.
        public var chunks: [String]
    }

    public var format: String
    public var clusterID: String
    public var createdAt: String
    public var colmeiaVersion: String
    /// The newest read-model migration the snapshot part was written with.
    public var schemaVersion: String
    /// The state the log part starts from (index 0: the log starts at its first entry).
    public var base: Position
    /// The last committed entry the backup holds.
    public var last: Position
    /// The proposers' clocks of the first and last commands in the log part.
    public var firstTime: String?
    public var lastTime: String?
    public var entries: Int
    /// Raft membership when the backup was taken.
    public var voters: [UInt64]
    public var learners: [UInt64]
    public var encryption: Encryption
    public var parts: [Part]
    /// SHA-256 over the header and the parts' checksums, hex: with the chunks', it covers every byte before the manifest.
    public var sha256: String
}
