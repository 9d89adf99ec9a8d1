import AsyncHTTPClient
import ColmeiaAgent
import ColmeiaModel
import ColmeiaStore
import Foundation
import Logging
import NIOCore

/// What `docker service logs` receives from the fan-out: a task's line, or, at the end,
/// why some lines could not be fetched.
package enum ServiceLogEvent: Sendable {
    case line(SwarmTask, LogEntry)
    /// Docker's words for the nodes (or tasks) whose logs are missing.
    case incomplete(String)
}

extension ClusterManager {
    /// The logs of these tasks, from every node that runs them: this node's agent directly,
    /// other nodes over their cluster port (authenticated by this manager's certificate).
    /// The backlogs are merged in time order; when following, new lines are passed on as
    /// they arrive. A node that cannot be reached is named at the end, in Docker's words.
    package func logs(of tasks: [SwarmTask], options: LogOptions) async throws(DockerAPIError)
        -> AsyncThrowingStream<ServiceLogEvent, any Error> {
        guard let identity else { throw .notManager }
        let (node, _) = try active()
        let nodes = Dictionary((try? node.store.list(Node.self))?.map { ($0.id, $0) } ?? [], uniquingKeysWith: { $1 })
        let client = node.transport?.client
        let byNode = Dictionary(grouping: tasks.filter { !$0.nodeID.isEmpty }, by: \.nodeID)
        let tasksByID = Dictionary(tasks.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        var sources: [(tasks: [SwarmTask], records: AsyncStream<NodeLogRecord>)] = []
        for (nodeID, nodeTasks) in byNode.sorted(by: { $0.key < $1.key }) {
            if nodeID == identity.nodeID {
                sources.append((nodeTasks, await localLogRecords(of: nodeTasks, options: options)))
                continue
            }
            let target = nodes[nodeID]
            let unavailable = "node \(nodeID) is not available"
            guard let client, let target, target.status.state != .down, !target.clusterAddress.isEmpty else {
                sources.append((nodeTasks, Self.failed(nodeTasks, unavailable)))
                continue
            }
            sources.append((nodeTasks, Self.remoteLogRecords(of: nodeTasks, options: options, address: target.clusterAddress,
                                                             client: client, unavailable: unavailable, logger: logger)))
        }
        let pending = Set(sources.flatMap { $0.tasks.map(\.id) })
        return Self.merge(sources.map(\.records), pending: pending, tasks: tasksByID)
    }

    /// This node's own tasks' logs as records, each task read concurrently.
    func localLogRecords(of tasks: [SwarmTask], options: LogOptions) async -> AsyncStream<NodeLogRecord> {
        let agent = self.agent
        let nodeID = identity?.nodeID
        return AsyncStream { continuation in
            let reader = Task {
                await withTaskGroup(of: Void.self) { group in
                    for task in tasks {
                        group.addTask {
                            guard let agent, task.nodeID == nodeID else {
                                continuation.yield(NodeLogRecord(task: task.id, error: "task \(task.id) does not run on this node"))
                                return
                            }
                            do {
                                for try await event in try await agent.logEvents(task, options: options) {
                                    continuation.yield(NodeLogRecord(task: task.id, event: event))
                                }
                            } catch {
                                continuation.yield(NodeLogRecord(task: task.id, error: "\(error)"))
                            }
                        }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    /// A source that says at once that its tasks' logs cannot be had.
    private static func failed(_ tasks: [SwarmTask], _ reason: String) -> AsyncStream<NodeLogRecord> {
        AsyncStream { continuation in
            for task in tasks { continuation.yield(NodeLogRecord(task: task.id, error: reason)) }
            continuation.finish()
        }
    }

    /// Another node's records, read from `POST /agent/logs` on its cluster port. A node that
    /// does not answer within 5 s, or whose answer breaks off, fails its tasks with `reason`.
    private static func remoteLogRecords(of tasks: [SwarmTask], options: LogOptions, address: String, client: HTTPClient,
                                         unavailable reason: String, logger: Logger) -> AsyncStream<NodeLogRecord> {
        AsyncStream { continuation in
            let reader = Task {
                var open = Set(tasks.map(\.id))
                defer {
                    for id in open.sorted() { continuation.yield(NodeLogRecord(task: id, error: reason)) }
                    continuation.finish()
                }
                do {
                    var request = HTTPClientRequest(url: "https://\(address)/agent/logs")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(NodeLogRequest(tasks: tasks, options: options))))
                    let sent = request
                    let response = try await withThrowingTaskGroup(of: HTTPClientResponse?.self) { group in
                        group.addTask { try await client.execute(sent, timeout: .hours(24 * 365)) }
                        group.addTask {
                            try await Task.sleep(for: .seconds(5))
                            return nil
                        }
                        defer { group.cancelAll() }
                        guard let first = try await group.next(), let response = first else {
                            throw DockerAPIError(.serviceUnavailable, "\(address) did not answer")
                        }
                        return response
                    }
                    guard response.status == .ok else {
                        let body = try await response.body.collect(upTo: 1 << 16)
                        logger.info("a node refused a log request", metadata: [
                            "node": "\(address)", "status": "\(response.status.code)",
                            "answer": "\(String(decoding: body.readableBytesView, as: UTF8.self))"])
                        return
                    }
                    var pending: [UInt8] = []
                    let decoder = JSONDecoder()
                    for try await chunk in response.body {
                        pending += chunk.readableBytesView
                        while let newline = pending.firstIndex(of: 10) {
                            let line = Data(pending[..<newline])
                            pending.removeSubrange(...newline)
                            guard let record = try? decoder.decode(NodeLogRecord.self, from: line) else { continue }
                            if record.error != nil { open.remove(record.task) }
                            continuation.yield(record)
                        }
                    }
                    // The node ended the stream itself: every task was answered for.
                    if !options.follow { open.removeAll() }
                } catch {
                    if !Task.isCancelled {
                        logger.info("a node's logs could not be read", metadata: ["node": "\(address)", "error": "\(error)"])
                    }
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    /// Merges the sources' records: while any task's backlog is still coming, lines wait
    /// and go out oldest first (each task's own lines are in order, so the oldest head of
    /// all tasks is the next line); once every backlog is in, lines go out as they come.
    /// Tasks whose logs failed are named at the end.
    private static func merge(_ sources: [AsyncStream<NodeLogRecord>], pending: Set<String>,
                              tasks: [String: SwarmTask]) -> AsyncThrowingStream<ServiceLogEvent, any Error> {
        AsyncThrowingStream { continuation in
            let reader = Task {
                let (records, input) = AsyncStream<NodeLogRecord>.makeStream()
                let feeders = sources.map { source in
                    Task {
                        for await record in source { input.yield(record) }
                    }
                }
                let feedersDone = Task {
                    for feeder in feeders { await feeder.value }
                    input.finish()
                }
                defer {
                    for feeder in feeders { feeder.cancel() }
                    feedersDone.cancel()
                }
                var waiting = pending
                var queues: [String: [LogEntry]] = [:]
                var failures: [String] = []

                func drain(final: Bool) {
                    while true {
                        // The next line is decidable once no task that could still send an
                        // older one is waiting with an empty queue.
                        if !final, waiting.contains(where: { queues[$0, default: []].isEmpty }) { return }
                        var best: (id: String, entry: LogEntry)?
                        for (id, queue) in queues {
                            guard let head = queue.first else { continue }
                            if let current = best, current.entry.timestamp <= head.timestamp { continue }
                            best = (id, head)
                        }
                        guard let best, let task = tasks[best.id] else { return }
                        queues[best.id]?.removeFirst()
                        continuation.yield(.line(task, best.entry))
                    }
                }

                for await record in records {
                    if let error = record.error {
                        if !failures.contains(error) { failures.append(error) }
                        waiting.remove(record.task)
                    } else if let event = record.event {
                        switch event {
                        case .entry(let entry):
                            guard let task = tasks[record.task] else { continue }
                            if waiting.isEmpty {
                                continuation.yield(.line(task, entry))
                            } else {
                                queues[record.task, default: []].append(entry)
                            }
                        case .caughtUp:
                            waiting.remove(record.task)
                        }
                    }
                    if !waiting.isEmpty || !queues.values.allSatisfy(\.isEmpty) { drain(final: waiting.isEmpty) }
                }
                drain(final: true)
                if !failures.isEmpty, !Task.isCancelled {
                    continuation.yield(.incomplete(
                        "warning: incomplete log stream. some logs could not be retrieved for the following reasons: "
                            + failures.joined(separator: ", ")))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }
}
