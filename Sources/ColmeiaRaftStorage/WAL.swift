import ColmeiaRaft
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Write-ahead log for Raft: hard state, entries and snapshot markers appended to
/// segment files `%016x-%016x.wal` (sequence, first index) in one directory.
///
/// Every ``save(hardState:entries:snapshotMarker:sync:)`` writes its records with one
/// `pwrite` and makes them durable with one `fdatasync`, so a caller that batches many
/// proposals pays for one disk flush (group commit). When a segment reaches
/// ``segmentSize`` the next one is started with the current hard state and snapshot
/// marker at its head, so older segments can be released after a snapshot.
///
/// Not thread-safe: owned by one caller (the node driver). The directory is locked with
/// `flock` so a second process, or a second `WAL` in this one, cannot append to it.
public final class WAL {
    /// Segment size etcd also uses: large enough that rotation is rare, small enough to
    /// release space promptly after compaction.
    public static let defaultSegmentSize = 64 << 20
    /// The largest record (type byte plus payload) the WAL writes or accepts on replay;
    /// a larger length field can only be corruption.
    public static let maxRecordLength = 128 << 20
    static let lockFileName = "wal.lock"
    static let temporarySuffix = ".tmp"

    /// The directory holding the segments.
    public let directory: String
    /// Size after which a new segment is started. A segment can exceed it by one batch:
    /// a batch is never split, so it stays atomic in the torn-tail sense.
    public let segmentSize: Int

    private var segments: [WALSegmentName]
    private var file: FileDescriptor?
    private var lockFile: FileDescriptor?
    private var writeOffset: Int
    /// The end of what the current segment is known to hold on disk: its size at open, or
    /// after the last successful fsync.
    private var durableOffset: Int
    private var hasUnsyncedWrites = false
    private var tracker: WALLogTracker
    private var currentHardState: HardState
    private var currentSnapshot: SnapshotMetadata?
    private var failure: WALError?
    /// Number of data flushes issued, so tests can check group commit.
    private(set) var syncCount = 0

    private init(
        directory: String,
        segmentSize: Int,
        segments: [WALSegmentName],
        file: FileDescriptor?,
        lockFile: FileDescriptor,
        writeOffset: Int,
        tracker: WALLogTracker,
        hardState: HardState,
        snapshot: SnapshotMetadata?
    ) {
        self.directory = directory
        self.segmentSize = segmentSize
        self.segments = segments
        self.file = file
        self.lockFile = lockFile
        self.writeOffset = writeOffset
        self.durableOffset = writeOffset
        self.tracker = tracker
        self.currentHardState = hardState
        self.currentSnapshot = snapshot
    }

    deinit { close() }

    // MARK: Opening and recovery

    /// Opens the WAL in `directory` (created if missing), replays it and repairs a torn
    /// tail in the last segment. Throws ``WALError/corrupt(path:offset:problem:)`` for
    /// damage anywhere else: such a node must not start.
    public static func open(
        directory: String,
        segmentSize: Int = WAL.defaultSegmentSize
    ) throws(WALError) -> (WAL, WALContents) {
        guard segmentSize > 0 else { throw .invalidArgument("segment size must be positive, got \(segmentSize)") }
        try io { () throws(SystemCallError) in try FileSystem.createDirectory(directory) }
        let lockFile = try io { () throws(SystemCallError) in
            try FileDescriptor.open(FileSystem.join(directory, lockFileName), flags: O_RDWR | O_CREAT)
        }
        let locked = try io { () throws(SystemCallError) in try lockFile.tryLock() }
        guard locked else { throw .locked(path: lockFile.path) }
        let names = try io { () throws(SystemCallError) in try FileSystem.listDirectory(directory) }
        let segments = try discoverSegments(directory: directory, names: names)
        if segments.isEmpty {
            let wal = WAL(
                directory: directory, segmentSize: segmentSize, segments: [], file: nil, lockFile: lockFile,
                writeOffset: 0, tracker: WALLogTracker(), hardState: HardState(), snapshot: nil
            )
            try wal.startSegment(WALSegmentName(sequence: 1, firstIndex: 1))
            return (wal, WALContents())
        }
        return try replay(directory: directory, segmentSize: segmentSize, segments: segments, lockFile: lockFile)
    }

    /// Sorts the segment files and checks the sequence has no holes; removes temp files
    /// left by a crash during segment creation.
    private static func discoverSegments(directory: String, names: [String]) throws(WALError) -> [WALSegmentName] {
        var segments: [WALSegmentName] = []
        var removedTemporary = false
        for name in names {
            let path = FileSystem.join(directory, name)
            if name.hasSuffix(WALSegmentName.suffix + temporarySuffix) {
                try io { () throws(SystemCallError) in try FileSystem.removeFile(path) }
                removedTemporary = true
            } else if name.hasSuffix(WALSegmentName.suffix) {
                guard let segment = WALSegmentName(fileName: name) else { throw .unrecognizedFile(path: path) }
                segments.append(segment)
            }
        }
        if removedTemporary { try io { () throws(SystemCallError) in try FileSystem.syncDirectory(directory) } }
        segments.sort()
        for (previous, next) in zip(segments, segments.dropFirst()) {
            if next.sequence == previous.sequence {
                throw .duplicateSegment(
                    path: FileSystem.join(directory, next.fileName),
                    other: FileSystem.join(directory, previous.fileName)
                )
            }
            if next.sequence != previous.sequence + 1 {
                throw .missingSegment(directory: directory, sequence: previous.sequence + 1)
            }
        }
        return segments
    }

    private static func replay(
        directory: String,
        segmentSize: Int,
        segments: [WALSegmentName],
        lockFile: FileDescriptor
    ) throws(WALError) -> (WAL, WALContents) {
        var tracker = WALLogTracker()
        var entries: [Entry] = []
        var hardState = HardState()
        var snapshot: SnapshotMetadata?
        var logStart = (path: "", offset: 0)
        var repair: WALTailRepair?
        var lastFile: FileDescriptor?
        var writeOffset = 0

        for (position, segment) in segments.enumerated() {
            let path = FileSystem.join(directory, segment.fileName)
            let isLast = position == segments.count - 1
            let file = try io { () throws(SystemCallError) in
                try FileDescriptor.open(path, flags: isLast ? O_RDWR : O_RDONLY)
            }
            let bytes = try io { () throws(SystemCallError) in try file.readAll() }
            let scan = try WALSegmentScanner.scan(
                bytes, path: path, name: segment, isLast: isLast, limit: maxRecordLength
            )
            for (offset, record) in scan.records {
                switch record {
                case .segmentHeader:
                    break
                case let .hardState(state):
                    hardState = state
                case let .entry(entry):
                    switch tracker.append(index: entry.index, term: entry.term, floatingStart: true) {
                    case .ignored:
                        break
                    case let .appended(keeping):
                        if keeping == 0 { logStart = (path, offset) }
                        entries.removeSubrange(keeping...)
                        entries.append(entry)
                    case let .gap(expectedAtMost):
                        throw .corrupt(
                            path: path, offset: offset,
                            problem: .entryGap(expectedAtMost: expectedAtMost, found: entry.index)
                        )
                    }
                case let .snapshotMarker(metadata, discardsLog):
                    switch tracker.applyMarker(index: metadata.index, term: metadata.term, discardsLog: discardsLog) {
                    case .ignored:
                        break
                    case let .applied(dropping):
                        entries.removeFirst(dropping)
                        snapshot = metadata
                    }
                }
            }
            if isLast {
                writeOffset = bytes.count
                if let torn = scan.tornTail {
                    try io { () throws(SystemCallError) in
                        try file.truncate(to: torn.offset)
                        try file.sync()
                    }
                    repair = WALTailRepair(
                        path: path, offset: torn.offset, discardedBytes: bytes.count - torn.offset, reason: torn.reason
                    )
                    writeOffset = torn.offset
                }
                lastFile = file
            }
        }
        if let gap = tracker.firstGap {
            throw .corrupt(
                path: logStart.path, offset: logStart.offset,
                problem: .missingEntries(expectedFirst: gap.expected, found: gap.found)
            )
        }
        let wal = WAL(
            directory: directory, segmentSize: segmentSize, segments: segments, file: lastFile,
            lockFile: lockFile, writeOffset: writeOffset, tracker: tracker, hardState: hardState, snapshot: snapshot
        )
        let contents = WALContents(snapshot: snapshot, hardState: hardState, entries: entries, repairedTail: repair)
        return (wal, contents)
    }

    // MARK: Writing

    /// Appends, in this order, a snapshot marker, the entries and the hard state, then
    /// (with `sync`) makes them durable with a single flush before returning.
    ///
    /// Entries must be contiguous and start at most one past the last index (after the
    /// marker, if any); an index at or below the last one overwrites that suffix. The
    /// hard state goes last so a torn write can never leave it ahead of its entries.
    /// With nothing to write, and nothing unsynced, this returns without touching disk.
    public func save(
        hardState: HardState?,
        entries: [Entry],
        snapshotMarker: SnapshotMetadata? = nil,
        sync: Bool = true
    ) throws(WALError) {
        try checkUsable()
        var marker: (metadata: SnapshotMetadata, discardsLog: Bool)?
        var lastIndex = tracker.lastIndex
        if let metadata = snapshotMarker {
            marker = try validateMarker(metadata)
            if let marker {
                lastIndex = marker.discardsLog ? metadata.index : max(lastIndex, metadata.index)
            }
        }
        try validate(entries, lastIndex: lastIndex)
        if marker == nil && entries.isEmpty && hardState == nil {
            if sync { try self.sync() }
            return
        }

        var writer = BinaryWriter(capacity: entries.reduce(64) { $0 + 38 + $1.data.count })
        if let marker {
            try WALRecord.snapshotMarker(marker.metadata, discardsLog: marker.discardsLog)
                .append(to: &writer, limit: Self.maxRecordLength)
        }
        for entry in entries {
            try WALRecord.entry(entry).append(to: &writer, limit: Self.maxRecordLength)
        }
        if let hardState {
            try WALRecord.hardState(hardState).append(to: &writer, limit: Self.maxRecordLength)
        }
        try write(writer.bytes, sync: sync)

        if let marker {
            _ = tracker.applyMarker(
                index: marker.metadata.index, term: marker.metadata.term, discardsLog: marker.discardsLog
            )
            currentSnapshot = marker.metadata
        }
        for entry in entries {
            if case .gap = tracker.append(index: entry.index, term: entry.term, floatingStart: false) {
                throw fail(.invalidArgument("internal error: validated batch left a gap at index \(entry.index)"))
            }
        }
        if let hardState { currentHardState = hardState }
        if writeOffset >= segmentSize { try rotate() }
    }

    /// Records that a snapshot now covers the log up to `metadata.index`, durably.
    /// Entries at or below it are dropped on replay; if the log holds that index with a
    /// different term, the whole log is dropped (Raft §7: the snapshot supersedes it).
    public func saveSnapshotMarker(_ metadata: SnapshotMetadata) throws(WALError) {
        try save(hardState: nil, entries: [], snapshotMarker: metadata, sync: true)
    }

    /// Flushes writes made with `sync: false`.
    public func sync() throws(WALError) {
        try checkUsable()
        guard hasUnsyncedWrites, let file else { return }
        do {
            let started = ContinuousClock.now
            try file.syncData()
            WALMetrics.fsync.record(duration: ContinuousClock.now - started)
        } catch {
            throw fail(.io(error))
        }
        syncCount += 1
        hasUnsyncedWrites = false
        durableOffset = writeOffset
    }

    /// Deletes the oldest segments whose entries are all covered by a snapshot at
    /// `snapshotIndex`, which must not be newer than the last snapshot marker (the marker
    /// is what lets replay skip the missing entries). The segment being written is never
    /// released. Returns the paths removed.
    @discardableResult
    public func releaseSegments(before snapshotIndex: UInt64) throws(WALError) -> [String] {
        try checkUsable()
        guard snapshotIndex <= tracker.snapshotIndex else {
            throw .invalidArgument(
                "cannot release segments up to index \(snapshotIndex): "
                    + "the newest snapshot marker is at \(tracker.snapshotIndex)"
            )
        }
        // Segment k+1 was started when the log ended at firstIndex-1, so segments up to k
        // can only contribute entries at or below that index — all covered if it is
        // at or below the snapshot. Overwrites can make first indexes non-monotonic, so
        // look for the last qualifying segment, not the first failing one.
        var releaseCount = 0
        for next in 1..<max(1, segments.count) where segments[next].firstIndex <= snapshotIndex + 1 {
            releaseCount = next
        }
        guard releaseCount > 0 else { return [] }
        var removed: [String] = []
        do {
            // Oldest first, so a crash midway still leaves a contiguous run of segments.
            for segment in segments[..<releaseCount] {
                let path = FileSystem.join(directory, segment.fileName)
                try FileSystem.removeFile(path)
                removed.append(path)
            }
            try FileSystem.syncDirectory(directory)
        } catch {
            segments.removeFirst(removed.count)
            throw .io(error)
        }
        segments.removeFirst(releaseCount)
        return removed
    }

    /// After a failed write or fsync: cuts the current segment back to what the last
    /// successful fsync covered, makes that cut durable, then closes. After a failed fsync
    /// the kernel may keep the unwritten pages readable from its cache while the disk never
    /// gets them, so a reopen must not read them back as if they were durable (nothing
    /// past that point was acknowledged: messages go out only after a successful persist).
    /// Returns false when the cut itself failed: the segment's contents are then unknown
    /// and only a restart that reads the disk afresh is safe.
    public func closeDiscardingUnsyncedTail() -> Bool {
        var cut = true
        if failure != nil, let file {
            do {
                try file.truncate(to: durableOffset)
                try file.syncData()
            } catch {
                cut = false
            }
        }
        close()
        return cut
    }

    /// Closes the files and releases the directory lock. Further calls throw ``WALError/closed``.
    public func close() {
        file?.close()
        file = nil
        lockFile?.close()
        lockFile = nil
        if failure == nil { failure = .closed }
    }

    // MARK: State

    /// The index of the last entry, or of the snapshot marker if the log is empty.
    public var lastIndex: UInt64 { tracker.lastIndex }
    /// The newest snapshot marker.
    public var snapshotMarker: SnapshotMetadata? { currentSnapshot }
    /// The last hard state saved or recovered.
    public var hardState: HardState { currentHardState }
    /// Segment file names, oldest first.
    public var segmentFileNames: [String] { segments.map(\.fileName) }
    /// Bytes in the segment being written.
    var currentSegmentSize: Int { writeOffset }

    // MARK: Internals

    private func validateMarker(
        _ metadata: SnapshotMetadata
    ) throws(WALError) -> (metadata: SnapshotMetadata, discardsLog: Bool)? {
        guard metadata.index > 0 else { throw .invalidArgument("snapshot marker index must be positive") }
        if tracker.isStale(index: metadata.index, term: metadata.term) {
            if metadata.index == tracker.snapshotIndex { return nil }  // Repeated marker.
            throw .invalidArgument(
                "snapshot marker at index \(metadata.index) is older than the current one at \(tracker.snapshotIndex)"
            )
        }
        if metadata.index == tracker.snapshotIndex {
            throw .invalidArgument(
                "snapshot marker at index \(metadata.index) term \(metadata.term) "
                    + "conflicts with term \(tracker.snapshotTerm)"
            )
        }
        return (metadata, tracker.snapshotDiscardsLog(index: metadata.index, term: metadata.term))
    }

    private func validate(_ entries: [Entry], lastIndex: UInt64) throws(WALError) {
        guard let first = entries.first else { return }
        guard first.index >= 1 else { throw .invalidArgument("entry index 0 is reserved") }
        guard first.index <= lastIndex + 1 else {
            throw .invalidArgument("entry index \(first.index) would leave a gap after index \(lastIndex)")
        }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.index != previous.index &+ 1 {
            throw .invalidArgument("entries must be contiguous: \(next.index) follows \(previous.index)")
        }
    }

    private func write(_ bytes: [UInt8], sync: Bool) throws(WALError) {
        guard let file else { throw .closed }
        do {
            let started = ContinuousClock.now
            try file.write(bytes, at: writeOffset)
            let written = ContinuousClock.now
            WALMetrics.append.record(duration: written - started)
            writeOffset += bytes.count
            hasUnsyncedWrites = true
            if sync {
                try file.syncData()
                WALMetrics.fsync.record(duration: ContinuousClock.now - written)
                syncCount += 1
                hasUnsyncedWrites = false
                durableOffset = writeOffset
            }
        } catch {
            throw fail(.io(error))
        }
    }

    /// Seals the current segment and starts the next at the current end of the log.
    private func rotate() throws(WALError) {
        try sync()
        guard let current = segments.last else { throw fail(.invalidArgument("internal error: no segment")) }
        try startSegment(WALSegmentName(sequence: current.sequence + 1, firstIndex: tracker.lastIndex + 1))
    }

    /// Creates a segment holding its header, the hard state and the snapshot marker,
    /// through a temp file so a crash never leaves a segment with a torn header.
    private func startSegment(_ name: WALSegmentName) throws(WALError) {
        var writer = BinaryWriter(capacity: 256)
        try WALRecord.segmentHeader(WALSegmentHeader(sequence: name.sequence, firstIndex: name.firstIndex))
            .append(to: &writer, limit: Self.maxRecordLength)
        if !currentHardState.isEmpty {
            try WALRecord.hardState(currentHardState).append(to: &writer, limit: Self.maxRecordLength)
        }
        if let currentSnapshot {
            try WALRecord.snapshotMarker(currentSnapshot, discardsLog: false)
                .append(to: &writer, limit: Self.maxRecordLength)
        }
        let path = FileSystem.join(directory, name.fileName)
        let temporary = path + Self.temporarySuffix
        do {
            let newFile = try FileDescriptor.open(temporary, flags: O_RDWR | O_CREAT | O_TRUNC)
            try newFile.write(writer.bytes, at: 0)
            try newFile.sync()
            try FileSystem.rename(temporary, to: path)
            try FileSystem.syncDirectory(directory)
            file?.close()
            file = newFile
        } catch {
            throw fail(.io(error))
        }
        segments.append(name)
        writeOffset = writer.count
        durableOffset = writer.count
        hasUnsyncedWrites = false
    }

    private func checkUsable() throws(WALError) {
        if let failure {
            if case .closed = failure { throw .closed }
            throw .unusable(cause: failure)
        }
    }

    /// Marks the WAL unusable: after a failed write or fsync the file's durable contents
    /// are unknown (the kernel may have dropped dirty pages), so only reopening is safe.
    private func fail(_ error: WALError) -> WALError {
        if failure == nil { failure = error }
        return error
    }
}

/// Runs file-system calls, reporting their failure as ``WALError/io(_:)``.
private func io<T>(_ body: () throws(SystemCallError) -> T) throws(WALError) -> T {
    do {
        return try body()
    } catch {
        throw .io(error)
    }
}
