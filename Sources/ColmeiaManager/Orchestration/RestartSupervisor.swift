import ColmeiaModel

/// Decides whether and when a task that ended while still wanted is replaced, from its
/// restart policy (SwarmKit's restart supervisor). Pure: the clock is an argument.
///
/// ```swift
/// let decision = RestartSupervisor.decide(ended: task, policy: spec.restartPolicy,
///                                         earlierEnds: history, now: .now())
/// ```
public enum RestartSupervisor {
    /// Docker's default wait between restarts.
    public static let defaultDelay: Int64 = 5_000_000_000

    public enum Decision: Sendable, Hashable {
        /// Replace the task now.
        case restart
        /// Replace it at this time (the delay has not passed, or the window is full).
        case restartAt(Timestamp)
        /// Leave the slot as it is: the policy says the task stays down.
        case never
    }

    /// - Parameters:
    ///   - ended: the task that stopped while its desired state was still `running`.
    ///   - policy: the task template's restart policy (`nil`: condition any, delay 5 s).
    ///   - earlierEnds: when earlier tasks of the same slot and spec ended (each was
    ///     restarted, so each counts as one attempt). Without a window, the attempts are
    ///     also counted by the task itself (``SwarmTask/restartAttempts``), since the
    ///     reaper trims the history to `TaskHistoryRetentionLimit` tasks a slot.
    ///   - now: the reconciler's clock.
    public static func decide(ended: SwarmTask, policy: RestartPolicy?, earlierEnds: [Timestamp],
                              now: Timestamp) -> Decision {
        let condition = policy?.condition ?? .any
        switch condition {
        case .none:
            return .never
        case .onFailure where ended.status.state == .complete:
            return .never
        default:
            break
        }
        let delay = max(0, policy?.delay ?? defaultDelay)
        var earliest = ended.endedAt.adding(nanoseconds: delay)
        let maxAttempts = policy?.maxAttempts ?? 0
        if maxAttempts > 0 {
            let window = max(0, policy?.window ?? 0)
            if window == 0 {
                let attempts = max(ended.restartAttempts, UInt64(earlierEnds.count))
                if attempts >= UInt64(clamping: maxAttempts) { return .never }
            } else {
                // Attempts count only while their end is inside the window; once enough of
                // them slide out, the task may restart again.
                let inWindow = earlierEnds.filter { now.nanoseconds(since: $0) < window }.sorted()
                if inWindow.count >= maxAttempts {
                    let freedAt = inWindow[inWindow.count - Int(maxAttempts)].adding(nanoseconds: window)
                    earliest = max(earliest, freedAt)
                }
            }
        }
        return earliest <= now ? .restart : .restartAt(earliest)
    }

    /// The attempt count of a new task in a place whose earlier tasks of the same spec
    /// `ended` (and were restarted): one more than the highest count among them, and at
    /// least how many there are (tasks from before the count was kept carry none).
    public static func attempts(after ended: [SwarmTask]) -> UInt64 {
        max(UInt64(ended.count), ended.map { $0.restartAttempts + 1 }.max() ?? 0)
    }
}
