import ColmeiaModel
import ColmeiaStore
import Logging

/// What runs on the leader: the reconciler and the dispatcher (and what the caller runs
/// `alongside`, such as the notifier), started together and stopped together (on
/// leadership loss or shutdown).
public final class LeaderServices: Sendable {
    public let reconciler: Reconciler
    public let dispatcher: Dispatcher
    private let tasks: [Task<Void, Never>]

    public init(store: ClusterStore, proposer: any CommandProposer, logger: Logger,
                heartbeatPeriod: Duration = Dispatcher.defaultHeartbeatPeriod,
                alongside: [@Sendable () async -> Void] = []) async {
        let reconciler = Reconciler(store: store, proposer: proposer, logger: logger)
        let dispatcher = Dispatcher(proposer: proposer, store: store, logger: logger, heartbeatPeriod: heartbeatPeriod)
        await reconciler.observe { view, touched in await dispatcher.update(view, touched: touched) }
        self.reconciler = reconciler
        self.dispatcher = dispatcher
        let check = min(heartbeatPeriod / 2, .seconds(1))
        tasks = [
            Task { await reconciler.run() },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: check)
                    await dispatcher.checkHealth()
                }
            },
        ] + alongside.map { work in Task { await work() } }
    }

    /// Stops reconciling and ends every agent session.
    public func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        await dispatcher.shutdown()
    }
}
