import AsyncHTTPClient
import ColmeiaModel
import ColmeiaNode
import ColmeiaStore
import Foundation
import Logging
import NIOCore

/// The leader's postman: posts each pending ``NotificationDelivery`` to its subscription's
/// URL, signed like a generic webhook (`X-Colmeia-Signature`), and records every attempt
/// through the log (so the delivery log survives a leader change, and the next leader
/// resumes the retries). Each subscription has its own queue, in order: a receiver that is
/// down holds back only its own deliveries, retried with exponential back-off.
public actor Notifier {
    private let store: ClusterStore
    private let node: ClusterNode
    private let logger: Logger
    private var busy: Set<String> = []
    /// Ended deliveries kept per subscription (the rest are removed, oldest first).
    static let keptPerSubscription = 100
    /// Pending deliveries a receiver may have waiting; older ones are given up.
    static let pendingPerSubscription = 100

    public init(store: ClusterStore, node: ClusterNode, logger: Logger) {
        self.store = store
        self.node = node
        self.logger = logger
    }

    /// Delivers until cancelled.
    public func run() async {
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(3), read: .seconds(10))))
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let applied = store.applied.index
                let wake = dispatch(client: client, group: &group)
                let wait = min(max(wake, .milliseconds(20)), .seconds(1))
                // A busy swarm applies entries all the time: look at most every 50 ms.
                try? await Task.sleep(for: .milliseconds(50))
                let store = self.store
                await withTaskGroup(of: Void.self) { sleeper in
                    sleeper.addTask { _ = await store.waitForApply(after: applied) }
                    sleeper.addTask { try? await Task.sleep(for: wait) }
                    await sleeper.next()
                    sleeper.cancelAll()
                }
            }
            group.cancelAll()
        }
        try? await client.shutdown()
    }

    /// Starts a queue for each subscription with a delivery due; returns how long until the
    /// next one falls due.
    private func dispatch(client: HTTPClient, group: inout DiscardingTaskGroup) -> Duration {
        let pending: [NotificationDelivery]
        do {
            pending = try store.list(NotificationDelivery.self, filters: Filters(["state": [NotificationDelivery.State.pending.rawValue]]))
        } catch {
            logger.error("notifier cannot read the deliveries", metadata: ["error": "\(error)"])
            return .seconds(1)
        }
        let now = Timestamp.now()
        var next = Duration.seconds(1)
        for (subscriptionID, deliveries) in Dictionary(grouping: pending, by: \.subscriptionID) where !busy.contains(subscriptionID) {
            let ordered = deliveries.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
            guard let first = ordered.first else { continue }
            if let due = first.nextAttemptAt, due > now {
                next = min(next, .nanoseconds(due.nanoseconds(since: now)))
                continue
            }
            busy.insert(subscriptionID)
            group.addTask { await self.drain(subscriptionID, ordered, client: client) }
        }
        return next
    }

    private func finished(_ subscriptionID: String) {
        busy.remove(subscriptionID)
    }

    /// Sends a subscription's deliveries in order, stopping at the first that fails.
    private nonisolated func drain(_ subscriptionID: String, _ deliveries: [NotificationDelivery], client: HTTPClient) async {
        defer { Task { await self.finished(subscriptionID) } }
        var deliveries = deliveries
        if deliveries.count > Self.pendingPerSubscription {
            // A receiver down for long: its oldest messages are given up, not kept forever.
            let dropped = deliveries.prefix(deliveries.count - Self.pendingPerSubscription).map { delivery -> ClusterEvent in
                var given = delivery
                given.state = .failed
                given.nextAttemptAt = nil
                given.lastError = "given up: more than \(Self.pendingPerSubscription) messages waited for this receiver"
                return .deliveryUpdated(given)
            }
            _ = try? await node.propose(ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .reconciler, id: "notifier")),
                events: dropped))
            deliveries.removeFirst(dropped.count)
        }
        let subscription = try? store.get(NotificationSubscription.self, subscriptionID)
        for delivery in deliveries {
            if Task.isCancelled { return }
            if let due = delivery.nextAttemptAt, due > .now() { return }
            var next = delivery
            next.attempts += 1
            if let subscription {
                let (status, error) = await post(delivery, to: subscription, client: client)
                next.lastStatus = status
                next.lastError = error ?? ""
                if error == nil {
                    next.state = .delivered
                    next.deliveredAt = .now()
                    next.nextAttemptAt = nil
                }
            } else {
                next.lastError = "the subscription was removed"
                next.state = .failed
            }
            if next.state == .pending {
                if next.attempts >= NotificationDelivery.maxAttempts {
                    next.state = .failed
                    next.nextAttemptAt = nil
                } else {
                    next.nextAttemptAt = Timestamp.now().adding(nanoseconds: NotificationDelivery.backoff(afterAttempts: next.attempts))
                }
            }
            var events: [ClusterEvent] = [.deliveryUpdated(next)]
            if next.state != .pending { events += prune(subscriptionID, keeping: next.id) }
            let command = ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .reconciler, id: "notifier")),
                preconditions: [.objectVersion(kind: .delivery, id: delivery.id, index: delivery.version.index)],
                events: events)
            do {
                _ = try await node.propose(command)
            } catch {
                logger.warning("notifier could not record a delivery attempt", metadata: ["error": "\(error)"])
                return
            }
            if next.state == .pending { return }
        }
    }

    /// Removals of the subscription's oldest ended deliveries beyond what is kept.
    private nonisolated func prune(_ subscriptionID: String, keeping id: String) -> [ClusterEvent] {
        guard let all = try? store.list(NotificationDelivery.self, filters: Filters(["name": [subscriptionID + "/"],
                                                                                       "state": ["delivered", "failed"]])) else { return [] }
        let ended = all.filter { $0.subscriptionID == subscriptionID && $0.id != id }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        let excess = ended.count + 1 - Self.keptPerSubscription
        guard excess > 0 else { return [] }
        return ended.prefix(excess).map { .deliveryRemoved(id: $0.id) }
    }

    /// One POST; the receiver's status, and an error unless it answered 2xx.
    private nonisolated func post(_ delivery: NotificationDelivery, to subscription: NotificationSubscription,
                                  client: HTTPClient) async -> (Int, String?) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let body = try encoder.encode(delivery.payload)
            var request = HTTPClientRequest(url: subscription.spec.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Colmeia-Notifier/1")
            request.headers.add(name: "X-Colmeia-Event", value: delivery.event)
            request.headers.add(name: "X-Colmeia-Delivery", value: delivery.id)
            request.headers.add(name: WebhookSignature.header,
                                value: WebhookSignature.sign(body, secret: subscription.secret, time: Timestamp.now().seconds))
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 << 10)
            let status = Int(response.status.code)
            return (status, (200..<300).contains(status) ? nil : "the receiver answered \(status) \(response.status.reasonPhrase)")
        } catch {
            return (0, "\(error)")
        }
    }
}
