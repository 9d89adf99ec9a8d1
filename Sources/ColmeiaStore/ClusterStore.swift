import Foundation
import GRDB
import Synchronization

/// The SQLite read models of the cluster (`state.db`), a cache of the Raft log.
///
/// Only the apply path writes (one transaction per committed command, together with the
/// applied Raft index, so a crash never applies a command twice or skips one). Readers —
/// the API, the reconcilers, the change feed — read concurrently from the WAL-mode pool.
///
/// ```swift
/// let store = try ClusterStore(path: "/var/lib/colmeia/state.db")
/// let outcome = try store.apply(command, index: 42, term: 3)
/// let services = try store.services(filters: ["name": ["web"]])
/// ```
public final class ClusterStore: Sendable {
    public let path: String
    let pool: DatabasePool
    let position = Mutex(AppliedPosition())
    /// Wakes change-feed readers after every apply.
    let feed = ChangeFeed()
    /// Audit records moved out by the retention policy (`audit-archive/` beside the file).
    public let archive: AuditArchive
    /// Stores built for reads as of an index.
    let historical = HistoricalStores()
    /// A store built for a read as of an index: its files go with it.
    private let isScratch: Bool
    /// Seals the secret fields of the rows this store writes (nil: they stay in the clear,
    /// for read models that live in memory or a log that is not encrypted).
    public let sealer: FieldSealer?
    /// Where files that hold the read models with their secrets open go while a snapshot
    /// is made or restored: memory (`/dev/shm`) where the manager has it.
    public let scratchDirectory: String

    /// Opens (creating and migrating if needed) the database at `path`. Audit records the
    /// retention policy moves out go to `archiveDirectory` (default: `audit-archive` beside
    /// the file), which must be durable: the read models themselves may live in memory.
    ///
    /// With a `sealer`, secret fields are sealed on disk (see `FieldSealer`) and files that
    /// hold them open (snapshots being made or restored) go to `scratchDirectory`. A file
    /// whose fields were sealed under another key is refused as corrupt: the node sets it
    /// aside and rebuilds it from the log.
    public convenience init(path: String, archiveDirectory: String? = nil, sealer: FieldSealer? = nil,
                            scratchDirectory: String? = nil) throws(StoreError) {
        try self.init(path: path, archiveDirectory: archiveDirectory, scratch: false, sealer: sealer, scratchDirectory: scratchDirectory)
    }

    /// `scratch`: a store built for a read as of an index; it leaves its siblings alone.
    init(path: String, archiveDirectory: String? = nil, scratch: Bool, sealer: FieldSealer? = nil,
         scratchDirectory: String? = nil) throws(StoreError) {
        self.path = path
        isScratch = scratch
        self.sealer = sealer
        let folder = (path as NSString).deletingLastPathComponent
        self.scratchDirectory = scratchDirectory ?? (folder.isEmpty ? "." : folder)
        archive = AuditArchive(directory: archiveDirectory ?? ((folder.isEmpty ? "." : folder) + "/audit-archive"))
        if !scratch {
            Self.removeHistoricalFiles(of: path)
            Self.removeFiles(of: path, withInfix: ".snapshot-")
            Self.removeFiles(of: self.scratchDirectory + "/" + (path as NSString).lastPathComponent, withInfix: ".snapshot-")
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // The Raft WAL is the durable record: a power cut that loses the newest
        // transactions here is repaired by replay, so SQLite need not fsync every commit.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            Self.addSealingFunctions(db, sealer: sealer)
        }
        // Another connection on the file (the previous node's store while a swarm is
        // re-initialised, a checkpoint, a VACUUM) holds its lock for moments: wait for it.
        configuration.busyMode = .timeout(10)
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.enableIncrementalVacuum(pool)
            try StoreMigrations.migrator().migrate(pool)
            try pool.write { db in try Self.linkUnchainedRows(db) }
            try Self.adoptSealing(pool, sealer: sealer, path: path)
            let current = try pool.read { db in try Self.readPosition(db) }
            position.withLock { $0 = current }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            throw .corrupt("\(path) is not a sound SQLite database: \(error)")
        } catch {
            throw .database("cannot open \(path): \(error)")
        }
    }

    /// Opens the read models at `path`; when the file is corrupt, sets it aside (renamed
    /// `…corrupt-<time>`, kept for a post-mortem) and starts an empty one, which the node
    /// then rebuilds from its snapshot and log. Returns where the corrupt file went.
    public static func openSettingAsideCorruption(path: String, archiveDirectory: String?, sealer: FieldSealer? = nil,
                                                  scratchDirectory: String? = nil) throws(StoreError) -> (ClusterStore, setAside: String?) {
        do {
            return (try ClusterStore(path: path, archiveDirectory: archiveDirectory, sealer: sealer, scratchDirectory: scratchDirectory), nil)
        } catch .corrupt(let why) {
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))"
            do {
                try FileManager.default.moveItem(atPath: path, toPath: aside)
                for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                    try FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
                }
            } catch {
                throw .corrupt("\(why); setting it aside as \(aside) failed: \(error)")
            }
            return (try ClusterStore(path: path, archiveDirectory: archiveDirectory, sealer: sealer, scratchDirectory: scratchDirectory), aside)
        }
    }

    /// The last Raft index (and its term) reflected by the read models.
    public var applied: AppliedPosition { position.withLock { $0 } }

    static func readPosition(_ db: Database) throws -> AppliedPosition {
        guard let row = try Row.fetchOne(db, sql: "SELECT raft_index, raft_term FROM applied_state WHERE id = 1") else {
            throw StoreError.schema("applied_state has no row")
        }
        let index: Int64 = row["raft_index"]
        let term: Int64 = row["raft_term"]
        return AppliedPosition(index: UInt64(index), term: UInt64(term))
    }

    /// Runs `body` in one write transaction that also moves the applied position to the
    /// last of `indexes` (contiguous, in order). Indexes at or below the current position
    /// were applied before a crash: `body` gets only the new ones. A gap is an error.
    func write<T>(indexes: [(index: UInt64, term: UInt64)], _ body: (Database, Int) throws -> T)
        throws(StoreError) -> [T?]
    {
        let current = applied
        var expected = current.index + 1
        var fresh: [Int] = []
        for (offset, item) in indexes.enumerated() where item.index > current.index {
            guard item.index == expected else { throw .outOfOrder(expected: expected, got: item.index) }
            expected += 1
            fresh.append(offset)
        }
        var results = [T?](repeating: nil, count: indexes.count)
        guard let lastOffset = fresh.last else { return results }
        let last = indexes[lastOffset]
        do {
            results = try pool.write { db in
                var produced = [T?](repeating: nil, count: indexes.count)
                for offset in fresh { produced[offset] = try body(db, offset) }
                try db.execute(sql: "UPDATE applied_state SET raft_index = ?, raft_term = ? WHERE id = 1",
                               arguments: [Int64(last.index), Int64(last.term)])
                return produced
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("apply of raft indexes \(indexes[fresh[0]].index)...\(last.index) failed: \(error)")
        }
        position.withLock { $0 = AppliedPosition(index: last.index, term: last.term) }
        feed.publish(last.index)
        return results
    }

    /// Records that `index` carried nothing for the read models (a leader's no-op, a
    /// membership change).
    public func skip(index: UInt64, term: UInt64) throws(StoreError) {
        _ = try apply([StoreEntry(index: index, term: term, content: .empty)])
    }

    // MARK: Snapshots

    /// Writes a consistent image of the whole database (read models and audit trail) to a
    /// new file at `path`, and returns the Raft position that image reflects, read from the
    /// copy's own `applied_state` row. Its secret fields are open (each manager seals under
    /// its own key): `path` belongs in `scratchDirectory`.
    ///
    /// Safe to call from any thread while commands are applied: the copy is taken on a
    /// read-only connection of its own, which in WAL mode sees one fixed commit for the
    /// whole copy; no apply waits for it (and the API's readers keep their pool).
    public func writeSnapshot(toFile path: String) throws(StoreError) -> AppliedPosition {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            let source = try DatabaseQueue(path: self.path, configuration: configuration)
            defer { try? source.close() }
            // One statement, hence one read transaction: the copy is the state at one commit.
            try source.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
            // Secret fields open: another manager restores the image under its own key.
            let copy = try DatabaseQueue(path: path, configuration: copyConfiguration())
            try copy.write { db in try Self.unsealAll(db) }
            try copy.close()
            return try Self.position(ofSnapshotFile: path)
        } catch let error as StoreError {
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw .database("cannot write a snapshot of \(self.path) to \(path): \(error)")
        }
    }

    /// A path for a plaintext image of the database (a snapshot being written or restored):
    /// its secret fields are open, so it goes to `scratchDirectory` (memory, where the
    /// manager has it), never beside the encrypted log. Left over by a crash, it goes at
    /// the next open (or the manager's next start).
    public func snapshotScratchPath(named name: String) -> String {
        scratchDirectory + "/" + (path as NSString).lastPathComponent + ".snapshot-" + name
    }

    /// The Raft position a snapshot file (written by ``writeSnapshot(toFile:)``) reflects.
    public static func position(ofSnapshotFile path: String) throws(StoreError) -> AppliedPosition {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let copy = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? copy.close() }
            return try copy.read { db in try readPosition(db) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .corrupt("the snapshot \(path) is not a readable store database: \(error)")
        }
    }

    /// A consistent image of the whole database at the applied index, in memory: the bytes
    /// of the file ``writeSnapshot(toFile:)`` writes. For backups and the in-memory path.
    public func snapshotData() throws(StoreError) -> [UInt8] {
        let temporary = snapshotScratchPath(named: UUID().uuidString)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        _ = try writeSnapshot(toFile: temporary)
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: temporary)))
        } catch {
            throw .database("cannot read the snapshot of \(path): \(error)")
        }
    }

    /// Replaces every table's content by the snapshot's (bytes of a file written by
    /// ``writeSnapshot(toFile:)``), in one transaction.
    public func restore(snapshotData data: [UInt8]) throws(StoreError) {
        let temporary = snapshotScratchPath(named: "restore-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            try Data(data).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw .database("cannot stage the snapshot beside \(path): \(error)")
        }
        try restore(snapshotFile: temporary)
    }

    /// Replaces every table's content by that of the snapshot file at `path` (written by
    /// ``writeSnapshot(toFile:)`` here or on another manager), in one transaction. Its
    /// secret fields are sealed under this store's key in the file itself first, so they
    /// never reach `state.db` open; the caller removes the file.
    public func restore(snapshotFile path: String) throws(StoreError) {
        do {
            let source = try DatabaseQueue(path: path, configuration: copyConfiguration())
            let restored = try source.read { db in try Self.readPosition(db) }
            // A snapshot written before a migration brings the old schema along.
            try StoreMigrations.migrator().migrate(source)
            try source.write { db in
                if let sealer { try Self.sealAll(db, sealer: sealer) } else { try Self.unsealAll(db) }
            }
            try source.backup(to: pool)
            try source.close()
            try Self.enableIncrementalVacuum(pool)
            try pool.write { db in try Self.linkUnchainedRows(db) }
            let chain = try pool.read { db in try Self.chainState(db) }
            archive.align(toCheckpoint: chain.archivedCount > 0 ? AuditCursor(index: chain.archivedIndex, ordinal: chain.archivedOrdinal) : nil)
            historical.removeAll()
            position.withLock { $0 = restored }
            feed.publish(restored.index)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .corrupt("the snapshot is not a readable store database: \(error)")
        }
    }

    deinit {
        // The last reader let go (an evicted store may still be answering one).
        if isScratch { Self.removeFiles(of: path) }
    }

    // MARK: Files

    /// Pages freed by the retention policy go back to the file system (the read models
    /// may live in memory): incremental auto-vacuum, turned on once (a store made before
    /// it is rewritten by one VACUUM).
    static func enableIncrementalVacuum(_ pool: DatabasePool) throws {
        try pool.writeWithoutTransaction { db in
            guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != 2 else { return }
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            // Even a new file needs the rewrite: WAL mode has already written its header.
            try db.execute(sql: "VACUUM")
        }
    }

    /// Gives free pages back and truncates the WAL (after the retention policy deleted rows).
    func releaseFreePages() {
        try? pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA incremental_vacuum")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Removes a database and its WAL and shared-memory files.
    static func removeFiles(of path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Where the store built for a read as of `index` goes: beside this one, named after it.
    func historicalPath(at index: UInt64) -> String {
        path + ".asof-\(index)-\(UUID().uuidString.prefix(8)).db"
    }

    /// Stores left by reads as of an index when the process last stopped.
    private static func removeHistoricalFiles(of path: String) {
        removeFiles(of: path, withInfix: ".asof-")
    }

    /// Files beside the database named after it and `infix` (`state.db<infix>…`).
    private static func removeFiles(of path: String, withInfix infix: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let prefix = (path as NSString).lastPathComponent + infix
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        for name in names where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: (folder.isEmpty ? "." : folder) + "/" + name)
        }
    }
}
