import Synchronization

/// Collects commit latencies from many proposer tasks.
final class LatencyRecorder: Sendable {
    private let samples = Mutex<[Duration]>([])

    func record(_ latency: Duration) {
        samples.withLock { $0.append(latency) }
    }

    var count: Int { samples.withLock { $0.count } }

    /// The latency below which `fraction` of the samples fall.
    func percentile(_ fraction: Double) -> Duration {
        let sorted = samples.withLock { $0.sorted() }
        guard !sorted.isEmpty else { return .zero }
        let position = min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
        return sorted[max(0, position)]
    }
}

extension Duration {
    /// Milliseconds with three decimals, for the report table.
    var milliseconds: String {
        let (seconds, attoseconds) = components
        let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return String(format: "%.3f", value)
    }
}
