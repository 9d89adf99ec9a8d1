import ColmeiaModel
import ColmeiaStore
import Foundation
import Logging

/// Runs the reconcile passes on the leader: keeps a ``ClusterView`` current from the
/// change feed, plans with ``Orchestrator``, proposes the plan, and sleeps until the
/// cluster changes or a timer in the plan is due. Stopping it (cancelling ``run()``) and
/// starting another on a new leader is safe: passes are level-triggered.
public actor Reconciler {
    private let store: ClusterStore
    private let proposer: any CommandProposer
    private let logger: Logger
    private let clock: @Sendable () -> Timestamp
    private let decoder = JSONDecoder()
    private var view = ClusterView()
    private var cursor = AuditCursor(index: 0)
    private var observers: [@Sendable (ClusterView, Set<String>) async -> Void] = []
    /// Passes run so far (for tests and metrics).
    public private(set) var passes = 0
    /// When the task gauges were last set (at most once a second: they walk every task).
    private var lastGaugeUpdate = ContinuousClock.now - .seconds(2)

    public init(store: ClusterStore, proposer: any CommandProposer, logger: Logger,
                clock: @escaping @Sendable () -> Timestamp = { .now() }) {
        self.store = store
        self.proposer = proposer
        self.logger = logger
        self.clock = clock
    }

    /// Called after each catch-up with the view and the nodes whose tasks changed (all
    /// nodes on the first call).
    public func observe(_ observer: @escaping @Sendable (ClusterView, Set<String>) async -> Void) {
        observers.append(observer)
    }

    /// Reconciles until cancelled.
    public func run() async {
        var backoff = Duration.milliseconds(20)
        var loaded = false
        while !Task.isCancelled {
            let applied = store.applied.index
            do {
                if !loaded {
                    try await load()
                    loaded = true
                }
                try await catchUp()
            } catch {
                logger.error("reconciler cannot read the cluster state", metadata: ["error": "\(error)"])
                loaded = false
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            passes += 1
            let started = ContinuousClock.now
            if started - lastGaugeUpdate >= .seconds(1) {
                lastGaugeUpdate = started
                ManagerMetrics.recordTasks(of: view)
            }
            var generator = SystemRandomNumberGenerator()
            let plan = Orchestrator.plan(view, now: clock()) { ObjectID.generate(using: &generator) }
            if plan.commands.isEmpty {
                ManagerMetrics.reconcilePass.record(duration: ContinuousClock.now - started)
                backoff = .milliseconds(20)
                await waitForChange(after: applied, until: plan.wakeAt)
                continue
            }
            await propose(plan.commands)
            ManagerMetrics.reconcilePass.record(duration: ContinuousClock.now - started)
            // A plan whose commands all changed nothing (ignored or rejected) would come
            // back unchanged: wait for the cluster to move, or back off, before the next.
            if (try? store.audit(AuditQuery(after: cursor, limit: 1)).records.isEmpty) == false {
                backoff = .milliseconds(20)
            } else {
                await waitForChange(after: store.applied.index, until: clock().adding(nanoseconds: backoff.nanoseconds))
                backoff = min(backoff * 2, .seconds(1))
            }
        }
    }

    private func load() async throws {
        cursor = AuditCursor(index: store.applied.index)
        view = try ClusterView.load(from: store)
        for observer in observers { await observer(view, Set(view.nodes.keys)) }
    }

    /// Folds every applied change into the view.
    private func catchUp() async throws {
        // Changes this view has not read were moved to the audit archive (a reconciler far
        // behind the retention policy): read the whole state again instead.
        let chain = try store.auditChainState()
        if chain.archivedCount > 0, cursor.index < chain.archivedIndex {
            try await load()
            return
        }
        var touched: Set<String> = []
        var any = false
        while true {
            let page = try store.audit(AuditQuery(after: cursor, limit: 5_000))
            for record in page.records {
                touched.formUnion(try view.apply(record, decoder: decoder))
                cursor = record.cursor
                any = true
            }
            if page.next == nil { break }
        }
        if any {
            for observer in observers { await observer(view, touched) }
        }
    }

    private func propose(_ commands: [PlannedCommand]) async {
        let proposer = self.proposer
        let logger = self.logger
        let now = clock()
        let refused = await withTaskGroup(of: PlannedCommand?.self) { group -> [PlannedCommand] in
            for planned in commands {
                let command = ClusterCommand(
                    envelope: CommandEnvelope(id: UUID().uuidString, time: now,
                                              actor: .init(kind: .reconciler, id: planned.reconciler)),
                    preconditions: planned.preconditions, events: planned.events)
                group.addTask {
                    do {
                        if case .rejected(_, let reason) = try await proposer.propose(command) {
                            logger.debug("reconciler command rejected", metadata: ["reason": "\(reason)"])
                            return planned
                        }
                    } catch {
                        logger.warning("reconciler command failed", metadata: ["error": "\(error)"])
                    }
                    return nil
                }
            }
            var refused: [PlannedCommand] = []
            for await result in group { if let result { refused.append(result) } }
            return refused
        }
        // A notice whose deliveries apply refused (their names exist: a previous leader
        // queued them) is told already.
        for planned in refused where planned.reconciler == "notifier" {
            for case .deliveryCreated(let delivery) in planned.events { view.noticeQueued(deliveryName: delivery.name) }
        }
    }

    /// Sleeps until something past `index` is applied, `deadline` passes, or a second goes
    /// by (clocks outside the plan, such as node heartbeats).
    private func waitForChange(after index: UInt64, until deadline: Timestamp?) async {
        var timeout = Duration.seconds(1)
        if let deadline {
            let nanos = max(0, deadline.nanoseconds(since: clock()))
            timeout = min(timeout, .nanoseconds(nanos) + .milliseconds(5))
        }
        let store = self.store
        let wait = timeout
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await store.waitForApply(after: index) }
            group.addTask { try? await Task.sleep(for: wait) }
            await group.next()
            group.cancelAll()
        }
    }
}
