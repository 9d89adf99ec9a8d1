import ColmeiaModel
import ColmeiaStore
import Foundation
import NIOCore
import Synchronization

/// One reader of a store's change feed shared by every `GET /events` follower: the audit
/// trail is read, and each event resolved and encoded, once per change instead of once per
/// follower (a hundred followers used to cut write throughput about sixfold). Each
/// follower has a bounded queue; one that falls `limit` events behind is disconnected with
/// a message saying how to resume, instead of growing the daemon's memory.
final class EventFanOut: Sendable {
    /// An event as every follower sees it: decoded once, encoded once.
    struct Item: Sendable {
        var index: UInt64
        var time: Timestamp
        var event: DockerEvent
        var line: ByteBuffer
    }

    /// The end of a follower's queue: the feed failed, or the follower fell behind.
    enum Ending: Error, Sendable {
        case fellBehind(limit: Int)
        case feedFailed(String)
    }

    /// A follower's view: the index it starts after, and its events, in the groups the
    /// reader found them in (one write per group instead of one per event).
    struct Subscription: Sendable {
        var startIndex: UInt64
        var items: AsyncThrowingStream<[Item], any Error>
        fileprivate var continuation: AsyncThrowingStream<[Item], any Error>.Continuation

        /// Ends the follower's events after what is queued (its `until` passed).
        func finish() { continuation.finish() }
    }

    private struct Follower {
        var continuation: AsyncThrowingStream<[Item], any Error>.Continuation
    }

    private struct Pump {
        /// Which pump this is for its store: a pump torn down and replaced must not touch
        /// its successor's followers or position.
        var generation: UInt64
        var store: ClusterStore
        var delivered: UInt64
        var followers: [UInt64: Follower]
        var task: Task<Void, Never>?
    }

    private struct State {
        var pumps: [ObjectIdentifier: Pump] = [:]
        var nextID: UInt64 = 0
        var nextGeneration: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Roughly how many events a follower may fall behind before it is cut off (in groups
    /// of up to `groupSize`).
    let limit: Int
    static let groupSize = 256

    init(limit: Int = 4_096) {
        self.limit = limit
    }

    /// Registers a follower of `store`'s events. It receives every event after the
    /// returned `startIndex` (a replay of older events, such as `since`, stops there).
    func subscribe(_ store: ClusterStore) -> Subscription {
        let key = ObjectIdentifier(store)
        let (stream, continuation) = AsyncThrowingStream<[Item], any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(max(1, limit / Self.groupSize)))
        let (id, start, newPump) = state.withLock { state -> (UInt64, UInt64, UInt64?) in
            state.nextID += 1
            let id = state.nextID
            var created: UInt64?
            if state.pumps[key] == nil {
                state.nextGeneration += 1
                created = state.nextGeneration
                state.pumps[key] = Pump(generation: state.nextGeneration, store: store, delivered: store.applied.index,
                                        followers: [:], task: nil)
            }
            state.pumps[key]?.followers[id] = Follower(continuation: continuation)
            return (id, state.pumps[key]?.delivered ?? store.applied.index, created)
        }
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id, from: key) }
        if let generation = newPump {
            // Only the subscriber that created the pump starts its reader, from the position
            // the pump was created with.
            let task = Task { [weak self] in
                guard let self else { return }
                await self.pump(store, key: key, generation: generation, after: start)
            }
            state.withLock { state in
                if state.pumps[key]?.generation == generation {
                    state.pumps[key]?.task = task
                } else {
                    task.cancel()
                }
            }
        }
        return Subscription(startIndex: start, items: stream, continuation: continuation)
    }

    private func unsubscribe(_ id: UInt64, from key: ObjectIdentifier) {
        let idle = state.withLock { state -> Task<Void, Never>? in
            state.pumps[key]?.followers[id] = nil
            guard let pump = state.pumps[key], pump.followers.isEmpty else { return nil }
            state.pumps[key] = nil
            return pump.task
        }
        idle?.cancel()
    }

    private func pump(_ store: ClusterStore, key: ObjectIdentifier, generation: UInt64, after index: UInt64) async {
        let resolver = EventResolver(store: store)
        do {
            var changes = store.changes(after: index).makeAsyncIterator()
            while true {
                let batches = try await changes.nextPage(limit: Self.groupSize)
                guard let last = batches.last else { continue }
                var items: [Item] = []
                for record in batches.lazy.flatMap(\.records) {
                    guard let (event, line) = try resolver.encoded(record) else { continue }
                    items.append(Item(index: record.index, time: record.time, event: event, line: line))
                }
                let behind = state.withLock { state -> [AsyncThrowingStream<[Item], any Error>.Continuation] in
                    guard var pump = state.pumps[key], pump.generation == generation else { return [] }
                    var dropped: [AsyncThrowingStream<[Item], any Error>.Continuation] = []
                    if !items.isEmpty {
                        for (id, follower) in pump.followers {
                            if case .dropped = follower.continuation.yield(items) {
                                dropped.append(follower.continuation)
                                pump.followers[id] = nil
                            }
                        }
                    }
                    pump.delivered = last.index
                    state.pumps[key] = pump
                    return dropped
                }
                for continuation in behind { continuation.finish(throwing: Ending.fellBehind(limit: limit)) }
            }
        } catch is CancellationError {
            return
        } catch {
            let followers = state.withLock { state -> [Follower] in
                guard let pump = state.pumps[key], pump.generation == generation else { return [] }
                state.pumps[key] = nil
                return Array(pump.followers.values)
            }
            for follower in followers { follower.continuation.finish(throwing: Ending.feedFailed("\(error)")) }
        }
    }
}

/// Turns audit records into Docker events: names removals from the object's earlier rows.
struct EventResolver: Sendable {
    let store: ClusterStore

    func encoded(_ record: AuditRecord) throws -> (DockerEvent, ByteBuffer)? {
        var name = DockerEvent.name(fromPayload: record.payload, kind: record.objectKind)
        if name == nil {
            // A removal carries only the id; its name is in the object's earlier rows.
            let history = try store.audit(AuditQuery(objectKind: record.objectKind, objectID: record.objectID, limit: 1_000))
            name = history.records.reversed().lazy.compactMap {
                DockerEvent.name(fromPayload: $0.payload, kind: record.objectKind)
            }.first
        }
        guard let event = DockerEvent(record, name: name) else { return nil }
        var data = try JSONEncoder().encode(event)
        data.append(0x0A)
        return (event, ByteBuffer(bytes: data))
    }
}
